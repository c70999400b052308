/**
 * NemoClaw's `snapshot create` for a backup, leaving the host's active OpenShell gateway as it
 * was. Since NemoClaw #5225 the command selects the sandbox's own gateway first
 * (src/host/openshell/active-gateway.ts), so the selection is read before and after it and
 * selected again when it changed; the snapshot it made is told by the sandbox's snapshot listings
 * before and after it (src/host/nemoclaw/snapshots.ts). Each selection read shares its session with
 * the listing taken at the same moment: two sessions around the snapshot, not four.
 */
import { randomBytes } from "node:crypto";
import type { Connection } from "../transport/types.js";
import { newSnapshot, parseSnapshotListing, removeSnapshot, runSnapshotCreate, SNAPSHOT_LISTING_SCRIPT, type HostSnapshot, type SnapshotListing } from "./nemoclaw/snapshots.js";
import { ACTIVE_GATEWAY_SCRIPT, parseActiveGateway, reselectGateway } from "./openshell/active-gateway.js";
import { HostCommandError, runChecked, type RunCheckedOptions } from "./run.js";

/** The host's active gateway and a sandbox's snapshots, at one moment. */
export interface SnapshotSurroundings {
  activeGateway: string | null;
  snapshots: SnapshotListing;
}

/** Both reads in one session ($1 the sandbox, $2 a per-call line between the two outputs). */
const SURROUNDINGS_SCRIPT = `${ACTIVE_GATEWAY_SCRIPT}\nprintf '\\n%s\\n' "$2"\n${SNAPSHOT_LISTING_SCRIPT}`;

export async function readSnapshotSurroundings(connection: Connection, sandbox: string, options: RunCheckedOptions = {}): Promise<SnapshotSurroundings> {
  const separator = randomBytes(8).toString("hex");
  const output = await runChecked(connection, { argv: ["sh", "-c", SURROUNDINGS_SCRIPT, "sh", sandbox, separator] }, "reading the active OpenShell gateway and NemoClaw's snapshots", options);
  const at = output.indexOf(`\n${separator}\n`);
  if (at < 0) throw new HostCommandError(connection.host, "reading the active OpenShell gateway and NemoClaw's snapshots", "the output was cut short");
  return { activeGateway: parseActiveGateway(output.slice(0, at)), snapshots: parseSnapshotListing(connection.host, output.slice(at + separator.length + 2)) };
}

/**
 * Creates the snapshot, then puts the active gateway back to what `before` read (before the
 * shields were lowered, if they were: nothing of ours changes it in between). A snapshot whose
 * gateway cannot be put back is removed again, and the failure reported.
 */
export async function createSnapshotKeepingGateway(
  connection: Connection,
  sandbox: string,
  gateway: string,
  label: string,
  before: SnapshotSurroundings,
  options: RunCheckedOptions = {},
): Promise<HostSnapshot> {
  let after: SnapshotSurroundings | undefined;
  let made: HostSnapshot;
  try {
    await runSnapshotCreate(connection, sandbox, gateway, label, options);
    after = await readSnapshotSurroundings(connection, sandbox, options);
    made = newSnapshot(connection.host, sandbox, before.snapshots, after.snapshots);
  } catch (error) {
    await reselectGateway(connection, before.activeGateway, options, after?.activeGateway).catch(() => undefined);
    throw error;
  }
  try {
    await reselectGateway(connection, before.activeGateway, options, after.activeGateway);
  } catch (error) {
    await removeSnapshot(connection, made).catch(() => undefined);
    throw error;
  }
  return made;
}
