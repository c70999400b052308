/**
 * The backup manifest (schemas/backup-manifest.schema.json): what a backup in the store is, written
 * beside its archive. Manifests read back from a store are validated against the schema, so a
 * hand-edited or truncated one is reported instead of silently trusted.
 */
import type { ValidateFunction } from "ajv";
import { snapshotRelativePath } from "../host/nemoclaw/snapshots.js";
import generatedValidator from "./manifest-validator.generated.js";
import { isStoreComponent } from "./names.js";
import { terminalSafe } from "../transport/terminal-text.js";

export const MANIFEST_FORMAT_VERSION = 1;
export const ARCHIVE_FILE = "backup.tar";
export const MANIFEST_FILE = "manifest.json";
/** A manifest is a few hundred bytes; one larger than this is refused unread (not a manifest). */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

export interface VerificationResult {
  at: string;
  ok: boolean;
  problem?: string;
}

export interface BackupManifest {
  formatVersion: 1;
  /** `<host>/<sandbox>/<timestamp>`. */
  id: string;
  host: string;
  sandbox: string;
  gateway: string;
  openshell: { cliVersion: string | null; gatewayVersion: string | null };
  agent: { type: string; version: string | null };
  snapshot: { timestamp: string; label: string; path: string };
  archive: { file: "backup.tar"; format: "tar"; sizeBytes: number; sha256: string };
  createdAt: string;
  policy: string;
  runId: string;
  toolVersion: string;
  verified: VerificationResult | null;
}

/** schemas/backup-manifest.schema.json, compiled ahead of time by scripts/gen-validator.mjs. */
const validate = generatedValidator as unknown as ValidateFunction<BackupManifest>;

export class ManifestError extends Error {
  constructor(
    readonly location: string,
    readonly problems: string[],
  ) {
    super(`${location}: invalid backup manifest: ${problems.join("; ")}`);
    this.name = "ManifestError";
  }
}

/** Parse and validate manifest text read from `location` (named in every error). */
export function parseManifest(text: string, location: string): BackupManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // V8 quotes the text it could not parse, as the store holds it.
    throw new ManifestError(location, [`not JSON (${terminalSafe((error as Error).message)})`]);
  }
  if (!validate(value)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`);
    throw new ManifestError(location, problems);
  }
  const problems = [...controlProblems(value, ""), ...pathProblems(value)];
  if (problems.length > 0) throw new ManifestError(location, problems);
  return value;
}

/**
 * A store may be writable by someone else (docs/security.md): its manifests' text is shown by
 * `backup list` and others, so no string in one may carry a control character (an escape sequence
 * would act on the terminal).
 */
function controlProblems(value: unknown, at: string): string[] {
  if (typeof value === "string") return /[\u0000-\u001f\u007f-\u009f]/.test(value) ? [`${at || "/"} ${JSON.stringify(value)} contains a control character`] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => controlProblems(item, `${at}/${index}`));
  if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([key, item]) => controlProblems(item, `${at}/${key}`));
  return [];
}

/** The paths a manifest names must be the ones its host, sandbox and timestamp make: nothing else can be joined into a path. */
function pathProblems(manifest: BackupManifest): string[] {
  const problems: string[] = [];
  const { host, sandbox, snapshot } = manifest;
  if (!isStoreComponent(host)) problems.push(`/host ${JSON.stringify(host)} cannot be a path component`);
  if (manifest.id !== `${host}/${sandbox}/${snapshot.timestamp}`) problems.push(`/id ${JSON.stringify(manifest.id)} is not <host>/<sandbox>/<timestamp>`);
  const path = snapshotRelativePath(sandbox, snapshot.timestamp);
  if (snapshot.path !== path) problems.push(`/snapshot/path ${JSON.stringify(snapshot.path)} is not ${path}`);
  return problems;
}

/** Manifests are checked on the way out too: the store never holds one it would refuse to read. */
export function serializeManifest(manifest: BackupManifest): string {
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  parseManifest(text, manifest.id);
  return text;
}
