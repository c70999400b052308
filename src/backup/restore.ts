/**
 * Putting a backup back: schema preflight on the target host, the target sandbox must exist and
 * run the same agent type, then the archive travels from the store to a private staging directory
 * on the host (`~/.nemoclaw-fleet/restore/<pid>-<random>@<machine>/`), checked in flight (sha256,
 * size, layout) before anything is unpacked. GNU tar unpacks it into an empty directory there, and
 * the unpacked tree must be exactly what verify approved (names, types, links, content) before
 * anything moves. The snapshot's NemoClaw manifest is re-targeted (sandbox name and path), the
 * target's current state kept as NemoClaw's own snapshot on the host (`keepPrevious`), the
 * snapshot moved into `~/.nemoclaw/rebuild-backups/<target>/<timestamp>` in one rename, and handed
 * to `nemoclaw <target> snapshot restore <timestamp>`: NemoClaw's own restore does the sandbox side.
 *
 * A restore interrupted after the rename finds its snapshot already placed the next time and goes
 * on with it, once the placed tree is checked to be exactly this backup (or what an earlier build
 * placed for it, whose manifest is then rewritten); anything else at that path is refused. Every restore first removes staging directories that killed runs left behind.
 */
import { createHash } from "node:crypto";
import { PassThrough, Readable } from "node:stream";
import { compareOpenShellVersions, parseOpenShellVersion } from "../config/openshell-version.js";
import type { ObservedHost } from "../observe/types.js";
import { assertSandboxName, BackupRefusedError } from "./errors.js";
import type { BackupStores } from "./destinations.js";
import { createSnapshotKeepingGateway, readSnapshotSurroundings } from "../host/snapshot-create.js";
import { formatSnapshotTimestamp, type HostSnapshot, placeSnapshot, policyKeepingSnapshotManifest, restoreSnapshot, retargetSnapshotManifest, SNAPSHOT_MANIFEST, snapshotDir, snapshotRestoreProblem } from "../host/nemoclaw/snapshots.js";
import { describeTree, extractArchive, type TreeNode, homeOf, listEntryAges, makePrivateDirectory, removePath } from "../host/system/files.js";
import type { Connection } from "../transport/types.js";
import { ArchiveInspector, type ArchiveInspection } from "./inspect.js";
import { idleDetail, watchIdle } from "./idle.js";
import { isStoreComponent } from "./names.js";
import { isAbandoned, ownedName, type PartialOwner } from "./owner.js";
import type { BackupRecord } from "./record.js";
import { expectedTree, subtree, treeDifferences } from "./restore-tree.js";
import { TarFormatError } from "./tar.js";
import { hostReleases } from "./requests.js";
import { HostCommandError } from "../host/run.js";
import type { Releases } from "../host/nemoclaw/commands.js";
import { RESTORE_PREFLIGHT, preflight } from "../plan/preflight.js";
import { PreflightRefusedError } from "./errors.js";
import type { ObserveHost, RestoreRequest } from "./requests.js";
import { BackupIntegrityError, type BackupStore } from "./store.js";
import { archiveProblems } from "./verify.js";

/** NemoClaw's default agent when a registry entry names none. */
const DEFAULT_AGENT = "openclaw";

/** The target sandbox as NemoClaw's registry has it: its agent and gateway; null when not registered. */
function targetAgent(observed: ObservedHost, sandbox: string): { type: string; version: string | null; gateway: string } | null | undefined {
  if (observed.registry.state !== "known") return undefined;
  const entry = observed.registry.value.entries.find((candidate) => candidate.name === sandbox);
  if (!entry) return null;
  return { type: entry.agent ?? DEFAULT_AGENT, version: entry.agentVersion, gateway: entry.gatewayName };
}

/**
 * Whether the backup's agent (its manifest's `agent.version`, NemoClaw's `agentVersion`) is newer
 * than the target's: NemoClaw's restore copies the state back without comparing versions
 * (NC@d50338aa:src/lib/state/sandbox.ts restoreSandboxState), and its rebuild only ever restores
 * an older agent's state into a newer one, so nothing promises an older agent reads a newer one's.
 * False when either version is unknown or not x.y.z (OpenClaw's are dates, e.g. 2026.6.10).
 */
function isNewerAgent(backup: string | null, target: string | null): boolean {
  const have = backup === null ? undefined : parseOpenShellVersion(backup);
  const want = target === null ? undefined : parseOpenShellVersion(target);
  return have !== undefined && want !== undefined && compareOpenShellVersions(have, want) > 0;
}

/** Every gateway the sandbox is live on, with its phase there (OpenShell names are per gateway). */
function liveSandboxes(observed: ObservedHost, sandbox: string): Array<{ gateway: string; phase: string }> {
  if (observed.gateways.state !== "known") return [];
  return observed.gateways.value.flatMap((gateway) => {
    const found = gateway.sandboxes.state === "known" ? gateway.sandboxes.value.find((candidate) => candidate.name === sandbox) : undefined;
    return found ? [{ gateway: gateway.name, phase: found.phase }] : [];
  });
}

/** A snapshot tree with this manifest in it. */
function withManifest(tree: ReadonlyMap<string, TreeNode>, manifest: Buffer): Map<string, TreeNode> {
  return new Map(tree).set(SNAPSHOT_MANIFEST, { type: "file", size: manifest.length, link: "", sha256: createHash("sha256").update(manifest).digest("hex") });
}

export interface RestoreDeps {
  stores: BackupStores;
  observe: ObserveHost;
  /** This run, named in its staging directory so later runs can tell when it is gone. */
  owner: PartialOwner;
  now: () => Date;
  /** Liveness of a pid on this machine. */
  isAlive: (pid: number) => boolean;
  /** How long the archive's copy from the store to the host may move nothing before it is stopped. */
  streamIdleMs: number;
}

/** Where restores stage archives on a host, one private directory per run. */
export function restoreStagingRoot(home: string): string {
  return `${home}/.nemoclaw-fleet/restore`;
}

/**
 * Removes staging directories that killed restores left: this machine's, once their process is
 * gone; any other, once nothing in it changed for a day. A restore running now — here or from
 * another controller — keeps its own. Returns the removed paths; a failure never stops the restore.
 */
export async function sweepStaging(connection: Connection, root: string, deps: Pick<RestoreDeps, "owner" | "now" | "isAlive">): Promise<string[]> {
  const removed: string[] = [];
  try {
    for (const entry of await listEntryAges(connection, root)) {
      if (!isStoreComponent(entry.name)) continue;
      if (!isAbandoned(entry.name, entry.modifiedMs, { self: deps.owner, now: deps.now, isAlive: deps.isAlive }, entry.clockMs)) continue;
      await removePath(connection, `${root}/${entry.name}`);
      removed.push(`${root}/${entry.name}`);
    }
  } catch {
    // Leftovers are tidied on a later run; they never block this one.
  }
  return removed;
}

/**
 * Copies the archive to the host while reading it; a stream that is not a readable tar is an
 * integrity problem, not a crash. The copy passes through the same idle watch as a backup's
 * stream (./idle.ts), armed before the store is even opened: a store (or host) that moves no data
 * for `idleMs` has both ends stopped, so the upload never renames anything into place.
 */
async function uploadVetted(
  connection: Connection,
  store: BackupStore,
  record: BackupRecord,
  to: string,
  idle: { ms: number; stalled: () => Error },
  signal?: AbortSignal,
): Promise<ArchiveInspection> {
  const inspector = new ArchiveInspector();
  let unreadable: TarFormatError | null = null;
  inspector.on("error", (error) => {
    if (error instanceof TarFormatError) unreadable = error;
  });
  const stop = new AbortController();
  const stopped = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const passage = new PassThrough();
  const watch = watchIdle(passage, idle.ms, () => stop.abort());
  watch.stream.on("error", (error) => inspector.destroy(error));
  try {
    const source = await store.openArchive(record, stopped);
    source.on("error", (error) => passage.destroy(error));
    source.pipe(passage);
    await connection.upload(watch.stream.pipe(inspector), to, { mode: 0o600, signal: stopped });
  } catch (error) {
    if (watch.fired() && !signal?.aborted) throw idle.stalled();
    if (unreadable !== null) throw new BackupIntegrityError(record.location, [`archive unreadable: ${(unreadable as TarFormatError).message}`]);
    throw error;
  } finally {
    watch.stop();
  }
  return inspector.inspection();
}

export interface RestoreOutcome {
  /** The snapshot on the target's host that holds the state the restore replaced (`keepPrevious`). */
  previous: HostSnapshot | null;
}

/** NemoClaw's `--name` for the snapshot of a target's state taken before a restore replaces it. */
export function previousStateLabel(at: Date): string {
  return `fleet-before-restore-${formatSnapshotTimestamp(at)}`;
}

/** Where a restore would go: the target's gateway and the releases its host runs. */
export interface RestoreTarget {
  gateway: string;
  release: Releases;
}

/**
 * Every check a restore makes before it touches the host (`backup restore --dry-run` stops here):
 * the schema preflight, the target live, Ready, registered and running the backup's agent type,
 * and the host's releases known. What it goes on despite is told to `request.warn`.
 */
export async function checkRestore(deps: Pick<RestoreDeps, "observe">, request: RestoreRequest): Promise<RestoreTarget> {
  const { record, connection } = request;
  const host = request.host.name;
  const target = request.sandbox;
  assertSandboxName(host, target);

  const observed = request.observed ?? (await deps.observe(request.host, connection));
  const outcome = preflight(observed, RESTORE_PREFLIGHT);
  if (outcome.state === "refused") throw new PreflightRefusedError(host, outcome.block);
  if (outcome.state === "unknown") throw new BackupRefusedError(host, `cannot check OpenShell versions before restoring: ${outcome.reason}`);
  const everywhere = liveSandboxes(observed, target);
  if (everywhere.length === 0) {
    throw new BackupRefusedError(host, `sandbox ${target} does not exist on ${host}; create it first (e.g. with \`nemoclaw apply\`), then restore into it`);
  }
  const agent = targetAgent(observed, target);
  if (agent === undefined) throw new BackupRefusedError(host, "cannot read NemoClaw's registry to check the target's agent type");
  if (agent === null) throw new BackupRefusedError(host, `sandbox ${target} is not registered with NemoClaw on ${host}`);
  // NemoClaw restores into the sandbox on the gateway its registry names (NC@d50338aa:src/lib/actions/sandbox/snapshot.ts
  // resolveSandboxGatewayName; before v0.0.65 the selected one, which is pinned to it): never one of the same name elsewhere.
  const live = everywhere.find((candidate) => candidate.gateway === agent.gateway);
  if (live === undefined) {
    const others = everywhere.map((candidate) => candidate.gateway).join(", ");
    throw new BackupRefusedError(
      host,
      `sandbox ${target} is registered with NemoClaw on gateway ${agent.gateway}, where it does not exist (the ${target} on ${others} is not NemoClaw's); recreate it there (e.g. with \`nemoclaw apply\`), then restore into it`,
    );
  }
  if (live.phase !== "Ready") throw new BackupRefusedError(host, `sandbox ${target} is not Ready (phase ${live.phase}); NemoClaw can only restore into a running sandbox`);
  if (agent.type !== record.manifest.agent.type) {
    throw new BackupRefusedError(host, `backup ${record.id} holds a ${record.manifest.agent.type} agent, but ${target} runs ${agent.type}; refusing to restore across agent types`);
  }
  if (isNewerAgent(record.manifest.agent.version, agent.version)) {
    request.warn?.(
      `backup ${record.id} holds the state of ${agent.type} ${record.manifest.agent.version}, newer than the ${agent.type} ${agent.version} that ${target} runs; NemoClaw restores it without a version check and an older agent may not read it: upgrade NemoClaw on ${host} first, or check ${target} after the restore (\`nemoclaw ${target} status\`)`,
    );
  }

  const release = hostReleases(observed);
  if (release === null) throw new BackupRefusedError(host, "cannot tell which NemoClaw release runs there, so not how to call its snapshot restore");
  return { gateway: live.gateway, release };
}

export async function restoreBackup(deps: RestoreDeps, request: RestoreRequest): Promise<RestoreOutcome> {
  const { record, connection } = request;
  const host = request.host.name;
  const target = request.sandbox;
  const { gateway, release } = await checkRestore(deps, request);

  const store = await deps.stores.storeOf(record);
  const options = request.signal ? { signal: request.signal } : {};
  const home = await homeOf(connection, options);
  const stagingRoot = restoreStagingRoot(home);
  await sweepStaging(connection, stagingRoot, deps);
  const staging = `${stagingRoot}/${ownedName(deps.owner)}`;
  const root = record.manifest.snapshot.path;
  const timestamp = record.manifest.snapshot.timestamp;
  const snapshot = { home, sandbox: target, timestamp };
  const placed = snapshotDir(snapshot);
  try {
    await makePrivateDirectory(connection, stagingRoot);
    await makePrivateDirectory(connection, staging);
    await makePrivateDirectory(connection, `${staging}/tree`);
    const stalled = (): Error =>
      new HostCommandError(
        host,
        `restoring ${record.id} into sandbox ${target}`,
        `the copy from store ${store.label} stalled: ${idleDetail(deps.streamIdleMs)} (a hung store or host), so it was stopped; nothing was placed on ${host}`,
      );
    const inspection = await uploadVetted(connection, store, record, `${staging}/backup.tar`, { ms: deps.streamIdleMs, stalled }, request.signal);
    const problems = archiveProblems(record.manifest, inspection);
    if (problems.length > 0) throw new BackupIntegrityError(record.location, problems);
    const nemoclawManifest = inspection.nemoclawManifests.get(`${root}/${SNAPSHOT_MANIFEST}`)!;
    // A newer snapshot an older NemoClaw cannot read: refused before anything is unpacked or placed.
    const unreadable = snapshotRestoreProblem(nemoclawManifest.toString("utf8"), release.nemoclaw);
    if (unreadable !== null) throw new BackupRefusedError(host, `backup ${record.id} cannot be restored there: ${unreadable}; upgrade NemoClaw on ${host} first`);

    // Unpack with GNU tar into the empty staging tree, then check that tree against what was approved.
    await extractArchive(connection, `${staging}/backup.tar`, `${staging}/tree`, root, options);
    const staged = await describeTree(connection, `${staging}/tree`, options);
    const differences = treeDifferences(expectedTree(inspection.entries), staged);
    if (differences.length > 0) throw new BackupIntegrityError(record.location, [`unpacked on ${host}, the archive differs from what was verified: ${differences.join("; ")}`]);

    const snapshotTarget = { sandboxName: target, backupPath: placed };
    const retargeted = Buffer.from(retargetSnapshotManifest(nemoclawManifest.toString("utf8"), snapshotTarget), "utf8");
    const writeManifest = (into: string, durable: boolean) =>
      connection.upload(Readable.from([retargeted]), `${into}/${SNAPSHOT_MANIFEST}`, { mode: 0o600, bytes: retargeted.length, durable, ...options });
    await writeManifest(`${staging}/tree/${root}`, false);
    const ready = withManifest(subtree(staged, root), retargeted);

    // The target's state goes next: NemoClaw's own snapshot keeps it on the host first, as its
    // rebuild backs up before it replaces (real-cli-2026-12 §7.1); on releases with shields that
    // needs them down, as the restore itself does.
    const previous = request.keepPrevious
      ? await createSnapshotKeepingGateway(connection, target, gateway, previousStateLabel(deps.now()), await readSnapshotSurroundings(connection, target, options), options)
      : null;
    if ((await placeSnapshot(connection, `${staging}/tree/${root}`, snapshot, options)) === "exists") {
      // A restore of this backup that was interrupted after placing it, or someone else's snapshot.
      const found = await describeTree(connection, placed, options);
      const existing = treeDifferences(ready, found);
      const earlier = Buffer.from(policyKeepingSnapshotManifest(nemoclawManifest.toString("utf8"), snapshotTarget), "utf8");
      if (existing.length > 0 && treeDifferences(withManifest(ready, earlier), found).length === 0) {
        // Placed by an earlier build, with the backup's network policy in it: NemoClaw must not see that.
        await writeManifest(placed, true);
      } else if (existing.length > 0) {
        throw new BackupRefusedError(host, `${placed} already exists and is not this backup (${existing.join("; ")}); move it away or restore another backup`);
      }
    }
    await restoreSnapshot(connection, target, timestamp, release, gateway, options);
    return { previous };
  } finally {
    await removePath(connection, staging).catch(() => undefined);
  }
}
