/**
 * The BackupService: back up one sandbox into its policy's store, or put a backup back into a
 * sandbox. `nemoclaw backup` and apply's backup/restore steps both go through it.
 *
 * A backup: schema preflight on the host → `nemoclaw <sandbox> snapshot create` (NemoClaw's own
 * engine) with the sandbox's gateway pinned in OPENSHELL_GATEWAY, per-port ones included, and the
 * host's active gateway selected again if NemoClaw switched it; on a release that refuses a
 * snapshot while shields are up (up to v0.0.116) and a sandbox whose shields are up, they are
 * lowered just for the snapshot and put back up right after it → the snapshot directory streamed
 * as a tar straight into the store, hashed and test-read in flight, committed only when complete
 * → the host's copy of the snapshot removed (the store holds it now).
 */
import type { DesiredBackupPolicy, DesiredFleet, DesiredHost } from "../config/types.js";
import type { ObservedGateway, ObservedHost, ObservedSandbox } from "../observe/types.js";
import type { Connection } from "../transport/types.js";
import { localPidAlive } from "../host/system/process.js";
import { currentOwner, type PartialOwner } from "./owner.js";
import { TOOL_VERSION } from "../version.js";
import { BackupStores, type HostConnections } from "./destinations.js";
import { assertSandboxName, BackupRefusedError } from "./errors.js";
import { ShieldsLeftDownError, shieldsBlockSnapshot, withShieldsLowered } from "../host/nemoclaw/shields.js";
import { removeSnapshot, snapshotRelativePath, streamSnapshot, type HostSnapshot, parseBackupManifest, SNAPSHOT_MANIFEST } from "../host/nemoclaw/snapshots.js";
import { createSnapshotKeepingGateway, readSnapshotSurroundings } from "../host/snapshot-create.js";
import { HostCommandError, succeeded } from "../host/run.js";
import type { ArchiveInspection } from "./inspect.js";
import { MANIFEST_FORMAT_VERSION, type BackupManifest } from "./manifest.js";
import { BACKUP_PREFLIGHT, preflight } from "../plan/preflight.js";
import { PreflightRefusedError } from "./errors.js";
import type { BackupRecord } from "./record.js";
import { type BackupRequest, hostReleases, type ObserveHost, type RestoreRequest } from "./requests.js";
import { checkRestore, restoreBackup, type RestoreOutcome, type RestoreTarget } from "./restore.js";
import { BackupIntegrityError } from "./store.js";
import { idleDetail, STREAM_IDLE_MS, watchIdle } from "./idle.js";

export type { BackupManifest } from "./manifest.js";
export type { BackupRecord } from "./record.js";
export type { BackupRequest, ObserveHost, RestoreRequest } from "./requests.js";

export interface BackupService {
  backupSandbox(request: BackupRequest): Promise<BackupRecord>;
  restoreSandbox(request: RestoreRequest): Promise<RestoreOutcome>;
  /** The checks a restore makes before it touches the host, and where it would go. */
  checkRestore(request: RestoreRequest): Promise<RestoreTarget>;
}


export interface BackupServiceDeps {
  fleet: DesiredFleet;
  pool: HostConnections;
  now?: () => Date;
  /** How hosts are observed (defaults to the one-round-trip probe). */
  observeHost?: ObserveHost;
  /** Share the stores with the caller (the CLI lists and prunes through the same ones). */
  stores?: BackupStores;
  /** This run, as named in restore staging directories (default: this process). */
  owner?: PartialOwner;
  /** Liveness of a pid on this machine (default: a signal-0 probe). */
  isAlive?: (pid: number) => boolean;
  /** How long an archive stream (a backup's or a restore's) may move nothing before it is stopped (STREAM_IDLE_MS). */
  streamIdleMs?: number;
}

/**
 * The observation a backup or restore needs: versions for the preflight, gateways, sandboxes and
 * the registry. Guard files inside sandboxes are not read: nothing here acts on them, and entering
 * every sandbox is the probe's costliest part.
 */
export async function observeForBackup(host: DesiredHost, connection: Connection): Promise<ObservedHost> {
  const { observeHost } = await import("../observe/host.js");
  return observeHost(host, connection, BACKUP_OBSERVE);
}

/** How a backup or restore observes a host (observeForBackup; `backup run`'s look that takes the lock too). */
export const BACKUP_OBSERVE = { sandboxGuards: false } as const;

export interface LiveSandbox {
  gateway: ObservedGateway;
  sandbox: ObservedSandbox;
}

/** Where a sandbox lives on an observed host, preferring the gateway the caller expects. */
export function findLiveSandbox(observed: ObservedHost, name: string, preferredGateway?: string): LiveSandbox | null {
  if (observed.gateways.state !== "known") return null;
  const gateways = [...observed.gateways.value].sort((a, b) => Number(b.name === preferredGateway) - Number(a.name === preferredGateway));
  for (const gateway of gateways) {
    if (gateway.sandboxes.state !== "known") continue;
    const sandbox = gateway.sandboxes.value.find((candidate) => candidate.name === name);
    if (sandbox) return { gateway, sandbox };
  }
  return null;
}

/** Label given to NemoClaw for snapshots this tool takes, so they are recognisable on the host. */
export function snapshotLabel(runId: string): string {
  return `fleet-${runId}`;
}

function buildManifest(
  request: BackupRequest,
  context: { snapshot: HostSnapshot; gateway: ObservedGateway; cliVersion: string; createdAt: string },
  archive: { sizeBytes: number; sha256: string },
  inspection: ArchiveInspection,
): BackupManifest {
  const { snapshot, gateway } = context;
  const path = snapshotRelativePath(snapshot.sandbox, snapshot.timestamp);
  const id = `${request.host.name}/${snapshot.sandbox}/${snapshot.timestamp}`;
  const text = inspection.nemoclawManifests.get(`${path}/${SNAPSHOT_MANIFEST}`);
  if (!text) throw new BackupIntegrityError(id, [`${path}/${SNAPSHOT_MANIFEST} is missing from the archive`]);
  const nemoclaw = parseBackupManifest(text.toString("utf8"), path);
  if (nemoclaw.state === "unknown") throw new BackupIntegrityError(id, [nemoclaw.reason]);
  if (!nemoclaw.value.agentType) throw new BackupIntegrityError(id, [`${path}/${SNAPSHOT_MANIFEST} names no agent type`]);
  return {
    formatVersion: MANIFEST_FORMAT_VERSION,
    id,
    host: request.host.name,
    sandbox: snapshot.sandbox,
    gateway: gateway.name,
    openshell: {
      cliVersion: context.cliVersion,
      gatewayVersion: gateway.runningVersion.state === "known" ? gateway.runningVersion.value : null,
    },
    agent: { type: nemoclaw.value.agentType, version: nemoclaw.value.agentVersion },
    snapshot: { timestamp: snapshot.timestamp, label: snapshotLabel(request.runId), path },
    archive: { file: "backup.tar", format: "tar", ...archive },
    createdAt: context.createdAt,
    policy: request.policy.name,
    runId: request.runId,
    toolVersion: TOOL_VERSION,
    verified: null,
  };
}

/**
 * The sandbox's shields are up on a release that refuses a snapshot under them. Shields already
 * lowered (by a planned step, or by hand) are left to whoever lowered them.
 */
function shieldsNeedLowering(observed: ObservedHost, sandbox: string): boolean {
  const release = hostReleases(observed);
  const state = observed.shields.state === "known" ? observed.shields.value.find((entry) => entry.sandbox === sandbox) : undefined;
  return release !== null && shieldsBlockSnapshot(release.nemoclaw, state);
}

export function createBackupService(deps: BackupServiceDeps): BackupService {
  const now = deps.now ?? (() => new Date());
  const observe = deps.observeHost ?? observeForBackup;
  const stores = deps.stores ?? new BackupStores(deps.fleet, deps.pool);

  async function backupSandbox(request: BackupRequest): Promise<BackupRecord> {
    const hostName = request.host.name;
    assertSandboxName(hostName, request.sandbox);
    const observed = request.observed ?? (await observe(request.host, request.connection));
    const outcome = preflight(observed, BACKUP_PREFLIGHT);
    if (outcome.state === "refused") throw new PreflightRefusedError(hostName, outcome.block);
    if (outcome.state === "unknown") throw new BackupRefusedError(hostName, `cannot check OpenShell versions before backing up: ${outcome.reason}`);
    const live = findLiveSandbox(observed, request.sandbox, request.gateway);
    if (!live) throw new BackupRefusedError(hostName, `sandbox ${request.sandbox} is not live on any gateway of ${hostName}`);
    if (live.sandbox.phase !== "Ready") throw new BackupRefusedError(hostName, `sandbox ${request.sandbox} is not Ready (phase ${live.sandbox.phase})`);

    const store = await stores.open(request.policy.destination);
    const options = request.signal ? { signal: request.signal } : {};
    // NemoClaw's snapshot may select the sandbox's gateway as the host's active one; it is put back.
    const before = await readSnapshotSurroundings(request.connection, request.sandbox, options);
    const { made: snapshot, leftDown } = await withShieldsLowered(
      request.connection,
      request.sandbox,
      shieldsNeedLowering(observed, request.sandbox),
      () => createSnapshotKeepingGateway(request.connection, request.sandbox, live.gateway.name, snapshotLabel(request.runId), before, options),
      options,
    );
    try {
      const tar = await streamSnapshot(request.connection, snapshot, request.signal);
      const idleMs = deps.streamIdleMs ?? STREAM_IDLE_MS;
      const idle = watchIdle(tar.stdout, idleMs, () => tar.kill());
      const streamed = succeeded(request.connection, tar, "streaming the snapshot");
      let record: BackupRecord;
      try {
        record = await store.write({
          host: hostName,
          sandbox: request.sandbox,
          timestamp: snapshot.timestamp,
          source: idle.stream,
          sourceDone: streamed,
          verify: request.policy.verify,
          now,
          ...(request.signal ? { signal: request.signal } : {}),
          ...(request.onProgress ? { onProgress: request.onProgress } : {}),
          manifestFor: (archive, inspection) =>
            buildManifest(request, { snapshot, gateway: live.gateway, cliVersion: outcome.openshellVersion, createdAt: now().toISOString() }, archive, inspection),
        });
      } catch (caught) {
        tar.kill();
        await streamed.catch(() => undefined);
        const error = idle.fired() ? new HostCommandError(hostName, "streaming the snapshot", `${idleDetail(idleMs)}, so it was stopped`) : caught;
        throw leftDown === null ? error : new ShieldsLeftDownError(hostName, request.sandbox, leftDown.raising, error);
      } finally {
        idle.stop();
      }
      // The backup is good and kept; the sandbox still fails, for its shields are left down.
      if (leftDown !== null) throw new ShieldsLeftDownError(hostName, request.sandbox, leftDown.raising, undefined, record.location);
      return record;
    } finally {
      const released = await removeSnapshot(request.connection, snapshot, request.releaseLock?.content).catch(() => null);
      if (released === "swapped") request.releaseLock?.released();
    }
  }

  return {
    backupSandbox,
    checkRestore: (request) => checkRestore({ observe }, request),
    restoreSandbox: (request) => restoreBackup({ stores, observe, now, owner: deps.owner ?? currentOwner(), isAlive: deps.isAlive ?? localPidAlive, streamIdleMs: deps.streamIdleMs ?? STREAM_IDLE_MS }, request),
  };
}
