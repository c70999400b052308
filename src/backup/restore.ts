/**
 * Putting a backup back: schema preflight on the target host, the target sandbox must exist and
 * run the same agent type, then the archive travels from the store to a private staging directory
 * on the host, checked in flight (sha256, size, layout) before anything is unpacked. The snapshot
 * is unpacked there, its NemoClaw manifest re-targeted (sandbox name and path), moved into
 * `~/.nemoclaw/rebuild-backups/<target>/<timestamp>` in one rename, and handed to
 * `nemoclaw <target> snapshot restore <timestamp>`: NemoClaw's own restore does the sandbox side.
 */
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { isValidSandboxName } from "../config/names.js";
import type { ObservedHost } from "../observe/types.js";
import { BackupRefusedError } from "./errors.js";
import type { BackupStores } from "./destinations.js";
import { restoreSnapshot, sandboxSnapshotsDir, retargetSnapshotManifest, SNAPSHOT_MANIFEST, snapshotDir } from "../host/nemoclaw/snapshots.js";
import { extractArchive, homeOf, makePrivateDirectory, moveDirectory, removePath } from "../host/system/files.js";
import { ArchiveInspector } from "./inspect.js";
import { hostReleases } from "./requests.js";
import { RESTORE_PREFLIGHT, preflight } from "../plan/preflight.js";
import { PreflightRefusedError } from "./errors.js";
import type { ObserveHost, RestoreRequest } from "./requests.js";
import { BackupIntegrityError } from "./store.js";
import { archiveProblems } from "./verify.js";

/** NemoClaw's default agent when a registry entry names none. */
const DEFAULT_AGENT = "openclaw";

/** The agent type the target sandbox runs, from NemoClaw's registry; null when not registered. */
function targetAgent(observed: ObservedHost, sandbox: string): string | null | undefined {
  if (observed.registry.state !== "known") return undefined;
  const entry = observed.registry.value.entries.find((candidate) => candidate.name === sandbox);
  if (!entry) return null;
  return entry.agent ?? DEFAULT_AGENT;
}

function liveSandboxPhase(observed: ObservedHost, sandbox: string): string | null {
  if (observed.gateways.state !== "known") return null;
  for (const gateway of observed.gateways.value) {
    if (gateway.sandboxes.state !== "known") continue;
    const found = gateway.sandboxes.value.find((candidate) => candidate.name === sandbox);
    if (found) return found.phase;
  }
  return null;
}

export async function restoreBackup(deps: { stores: BackupStores; observe: ObserveHost }, request: RestoreRequest): Promise<void> {
  const { record, connection } = request;
  const host = request.host.name;
  const target = request.sandbox;
  if (!isValidSandboxName(target)) throw new BackupRefusedError(host, `${JSON.stringify(target)} is not a valid sandbox name`);

  const observed = request.observed ?? (await deps.observe(request.host, connection));
  const outcome = preflight(observed, RESTORE_PREFLIGHT);
  if (outcome.state === "refused") throw new PreflightRefusedError(host, outcome.block);
  if (outcome.state === "unknown") throw new BackupRefusedError(host, `cannot check OpenShell versions before restoring: ${outcome.reason}`);
  const phase = liveSandboxPhase(observed, target);
  if (phase === null) {
    throw new BackupRefusedError(host, `sandbox ${target} does not exist on ${host}; create it first (e.g. with \`nemoclaw apply\`), then restore into it`);
  }
  if (phase !== "Ready") throw new BackupRefusedError(host, `sandbox ${target} is not Ready (phase ${phase}); NemoClaw can only restore into a running sandbox`);
  const agent = targetAgent(observed, target);
  if (agent === undefined) throw new BackupRefusedError(host, "cannot read NemoClaw's registry to check the target's agent type");
  if (agent === null) throw new BackupRefusedError(host, `sandbox ${target} is not registered with NemoClaw on ${host}`);
  if (agent !== record.manifest.agent.type) {
    throw new BackupRefusedError(host, `backup ${record.id} holds a ${record.manifest.agent.type} agent, but ${target} runs ${agent}; refusing to restore across agent types`);
  }

  const release = hostReleases(observed);
  if (release === null) throw new BackupRefusedError(host, "cannot tell which NemoClaw release runs there, so not how to call its snapshot restore");

  const store = await deps.stores.storeOf(record);
  const home = await homeOf(connection, request.signal ? { signal: request.signal } : {});
  const staging = `${home}/.nemoclaw-fleet/restore/${randomBytes(6).toString("hex")}`;
  const timestamp = record.manifest.snapshot.timestamp;
  const placed = snapshotDir({ home, sandbox: target, timestamp });
  try {
    await makePrivateDirectory(connection, staging);
    const inspector = new ArchiveInspector();
    const source = await store.openArchive(record, request.signal);
    source.on("error", (error) => inspector.destroy(error));
    await connection.upload(source.pipe(inspector), `${staging}/backup.tar`, { mode: 0o600, ...(request.signal ? { signal: request.signal } : {}) });
    const inspection = inspector.inspection();
    const problems = archiveProblems(record.manifest, inspection);
    if (problems.length > 0) throw new BackupIntegrityError(record.location, problems);

    await extractArchive(connection, `${staging}/backup.tar`, staging, request.signal ? { signal: request.signal } : {});
    const unpacked = `${staging}/${record.manifest.snapshot.path}`;
    const nemoclawManifest = inspection.nemoclawManifests.get(`${record.manifest.snapshot.path}/${SNAPSHOT_MANIFEST}`);
    if (!nemoclawManifest) throw new BackupIntegrityError(record.location, [`${SNAPSHOT_MANIFEST} is missing from the archive`]);
    const retargeted = retargetSnapshotManifest(nemoclawManifest.toString("utf8"), { sandboxName: target, backupPath: placed });
    await connection.upload(Readable.from([Buffer.from(retargeted, "utf8")]), `${unpacked}/${SNAPSHOT_MANIFEST}`, { mode: 0o600 });
    await makePrivateDirectory(connection, sandboxSnapshotsDir(home, target));
    await moveDirectory(connection, unpacked, placed);
    await restoreSnapshot(connection, target, timestamp, release, request.signal ? { signal: request.signal } : {});
  } finally {
    await removePath(connection, staging).catch(() => undefined);
  }
}
