/** Test helpers: real NemoClaw-layout snapshot trees and tar archives of them. */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type { BackupManifest } from "../../../src/backup/manifest.js";
import type { StoreBackend } from "../../../src/backup/store.js";

export const TIMESTAMP = "2026-07-10T02-00-00-123Z";

/** A snapshot directory as `nemoclaw <sandbox> snapshot create` leaves it, under `<home>/.nemoclaw`. */
export function writeSnapshot(nemoclawDir: string, sandbox: string, timestamp = TIMESTAMP, agentType = "openclaw"): string {
  const dir = join(nemoclawDir, "rebuild-backups", sandbox, timestamp);
  mkdirSync(join(dir, "workspace"), { recursive: true });
  writeFileSync(join(dir, "workspace", "notes.md"), `notes of ${sandbox}\n`);
  writeFileSync(join(dir, "openclaw.json"), '{"agents":{}}\n');
  writeFileSync(
    join(dir, "rebuild-manifest.json"),
    JSON.stringify({ version: 1, sandboxName: sandbox, timestamp, agentType, agentVersion: "2026.6.10", backupPath: dir, stateDirs: ["workspace"], dir: "/sandbox/.openclaw", blueprintDigest: null, name: "fleet-test" }),
  );
  return dir;
}

/** `tar -cf - -C <nemoclawDir> rebuild-backups/<sandbox>/<timestamp>` as a stream. */
export function tarStream(nemoclawDir: string, sandbox: string, timestamp = TIMESTAMP): { stream: Readable; done: Promise<void> } {
  const child = spawn("tar", ["-cf", "-", "-C", nemoclawDir, `rebuild-backups/${sandbox}/${timestamp}`], { stdio: ["ignore", "pipe", "inherit"] });
  const done = new Promise<void>((resolve, reject) => {
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`tar exited ${code}`))));
  });
  return { stream: child.stdout, done };
}

export function manifestFor(
  host: string,
  sandbox: string,
  archive: { sizeBytes: number; sha256: string },
  overrides: Partial<BackupManifest> = {},
  timestamp = TIMESTAMP,
): BackupManifest {
  return {
    formatVersion: 1,
    id: `${host}/${sandbox}/${timestamp}`,
    host,
    sandbox,
    gateway: "nemoclaw",
    openshell: { cliVersion: "0.0.72", gatewayVersion: "0.0.72" },
    agent: { type: "openclaw", version: "2026.6.10" },
    snapshot: { timestamp, label: "fleet-test", path: `rebuild-backups/${sandbox}/${timestamp}` },
    archive: { file: "backup.tar", format: "tar", ...archive },
    createdAt: "2026-07-10T02:00:01.000Z",
    policy: "nightly",
    runId: "run-1",
    toolVersion: "0.1.0",
    verified: null,
    ...overrides,
  };
}

/** A backend on a disk with no space left: every small write fails as the kernel says. */
export function diskFull(inner: StoreBackend): StoreBackend {
  return {
    label: inner.label,
    scan: () => inner.scan(),
    makeDirectory: (path) => inner.makeDirectory(path),
    writeStream: (path, source, signal) => inner.writeStream(path, source, signal),
    writeText: async () => {
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    },
    readStream: (path, signal) => inner.readStream(path, signal),
    rename: (from, to) => inner.rename(from, to),
    remove: (path) => inner.remove(path),
  };
}
