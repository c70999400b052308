/**
 * A backup as the rest of the product sees it: the manifest plus where it lies. Records are what
 * `backup list`, verify, prune and restore pass around, and what apply gets back from a backup step.
 */
import type { BackupManifest } from "./manifest.js";

export interface BackupRecord {
  /** `<host>/<sandbox>/<timestamp>`. */
  id: string;
  host: string;
  sandbox: string;
  gateway: string;
  policy: string;
  /** The NemoClaw snapshot timestamp, which is also the backup's directory name. */
  timestamp: string;
  sizeBytes: number;
  sha256: string;
  /** The backup's directory, as `<store label>/<host>/<sandbox>/<timestamp>`. */
  location: string;
  /** Latest verification result; null when never verified. */
  verified: boolean | null;
  manifest: BackupManifest;
}

export function recordOf(manifest: BackupManifest, storeLabel: string): BackupRecord {
  return {
    id: manifest.id,
    host: manifest.host,
    sandbox: manifest.sandbox,
    gateway: manifest.gateway,
    policy: manifest.policy,
    timestamp: manifest.snapshot.timestamp,
    sizeBytes: manifest.archive.sizeBytes,
    sha256: manifest.archive.sha256,
    location: `${storeLabel.replace(/\/+$/, "")}/${manifest.id}`,
    verified: manifest.verified?.ok ?? null,
    manifest,
  };
}
