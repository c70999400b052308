/**
 * `~/.nemoclaw/state/shields-<name>.json`, read as NemoClaw reads it (real-cli-2026-12 §6,
 * `shields/index.ts:706-712`): no file, or a file without `shieldsDown` → `mutable_default`;
 * `shieldsDown: true` → `temporarily_unlocked`; `shieldsDown: false` → `locked`; a file that is
 * not a JSON object, or whose fields have the wrong types, → `error` (NemoClaw: "state file is
 * corrupt"). And the shields window a snapshot needs on releases that have them.
 */
import type { Connection } from "../../transport/types.js";
import { remoteCommand } from "../command.js";
import { extractJson, isRecord } from "../output.js";
import { runChecked, type RunCheckedOptions } from "../run.js";
import { shields } from "./commands.js";
import { nemoclawHasShields } from "./releases.js";

export interface ShieldsState {
  sandbox: string;
  mode: "mutable_default" | "locked" | "temporarily_unlocked" | "error";
}

/**
 * The field types every release with shields checks before it trusts the file (`isShieldsState`,
 * from #2422, NC@660c7afc:src/lib/shields.ts:162-174 to NC@d50338aa:src/lib/shields/index.ts:869-882);
 * the keys only some releases check (`permanent`; `chattrApplied`, `fileHashes`) are left out.
 */
function hasShieldsStateShape(json: Record<string, unknown>): boolean {
  const optional = (value: unknown, type: "boolean" | "string") => value === undefined || typeof value === type;
  const nullable = (value: unknown, type: "string" | "number") =>
    value === undefined || value === null || (typeof value === type && (type !== "number" || Number.isFinite(value)));
  return (
    optional(json.shieldsDown, "boolean") &&
    nullable(json.shieldsDownAt, "string") &&
    nullable(json.shieldsDownTimeout, "number") &&
    nullable(json.shieldsDownReason, "string") &&
    nullable(json.shieldsDownPolicy, "string") &&
    nullable(json.shieldsPolicySnapshotPath, "string") &&
    optional(json.updatedAt, "string")
  );
}

export function parseShieldsFile(sandbox: string, text: string): ShieldsState {
  const json = extractJson(text);
  if (!isRecord(json) || !hasShieldsStateShape(json)) return { sandbox, mode: "error" };
  if (json.shieldsDown === true) return { sandbox, mode: "temporarily_unlocked" };
  if (json.shieldsDown === false) return { sandbox, mode: "locked" };
  return { sandbox, mode: "mutable_default" };
}

/** The sandbox a state file belongs to; null for the timer/transition/lock files beside them. */
export function sandboxOfShieldsFile(fileName: string): string | null {
  const match = /^shields-(.+)\.json$/.exec(fileName);
  if (!match || /^(?:timer|transition|transition-lock)-/.test(match[1]!)) return null;
  return match[1]!;
}

/**
 * Whether shields must be lowered before NemoClaw `release` snapshots the sandbox. Every release
 * that has shields fails a snapshot while they are up, with exit 1: from v0.0.56 it refuses with
 * `  Cannot create snapshot while shields are up.` (#4508, 488fb3c4, first in the v0.0.56 release
 * notes; NC@d50338aa:src/lib/actions/sandbox/snapshot.ts:512-519, real-cli-2026-12 §6, §14.4), before
 * that the copy of the locked state fails with `  Snapshot failed.`; only the exit code is read. From v0.0.117 shields are gone (#10722), and with them `shields down` (what a later
 * release does with a legacy shields state file is not established, §15). `shields down` lifts a
 * lockdown (`locked`). A corrupt state file (`error`) is refused too (NemoClaw's `isShieldsDown`
 * fails closed on it, NC@d50338aa:src/lib/shields/index.ts:3240-3247), but is not something the
 * tool lowers: NemoClaw's refusal then says why.
 */
export function shieldsBlockSnapshot(release: string, state: ShieldsState | undefined): boolean {
  return nemoclawHasShields(release) && state?.mode === "locked";
}

/** How long putting shields back up may take; it runs even after the caller's signal fired. */
const RAISE_TIMEOUT_MS = 120_000;

/**
 * Shields that were lowered for a snapshot and could not be put back up. NemoClaw locks them again
 * itself when the temporary `shields down` ends (300 s by default, real-cli-2026-12 §6).
 */
export class ShieldsLeftDownError extends Error {
  constructor(
    readonly host: string,
    readonly sandbox: string,
    readonly raising: string,
    cause: unknown,
    /** Where the backup taken under the lowered shields went, when it was kept. */
    kept?: string,
  ) {
    const before = cause === undefined ? "" : `${cause instanceof Error ? cause.message : String(cause)}; then `;
    super(
      `${before}${host}: ${kept === undefined ? "" : `backed up to ${kept}, but `}the shields of ${sandbox} were lowered for its snapshot and are still DOWN: putting them back up failed (${raising}); ` +
        `NemoClaw locks them again when its shields-down timeout ends, or run \`nemoclaw ${sandbox} shields up\` on ${host}`,
    );
    this.name = "ShieldsLeftDownError";
  }
}

/**
 * Runs `work` (which takes a NemoClaw snapshot of `sandbox`) with the shields lowered when
 * `lower` says the release needs it: `nemoclaw <sb> shields down` first, and `shields up` after,
 * whether `work` succeeded or not. A failed `work` throws (a ShieldsLeftDownError with its error
 * when the shields stay down too). A successful one is returned with `leftDown` set when the shields
 * could not be put back up, so its snapshot can still be kept before the caller reports them.
 */
export async function withShieldsLowered<T>(
  connection: Connection,
  sandbox: string,
  lower: boolean,
  work: () => Promise<T>,
  options: RunCheckedOptions = {},
): Promise<{ made: T; leftDown: ShieldsLeftDownError | null }> {
  if (!lower) return { made: await work(), leftDown: null };
  await runChecked(connection, remoteCommand(shields(sandbox, "down")), `nemoclaw ${sandbox} shields down (NemoClaw refuses a snapshot while they are up)`, options);
  let outcome: { made: T } | { error: unknown };
  try {
    outcome = { made: await work() };
  } catch (error) {
    outcome = { error };
  }
  let leftDown: ShieldsLeftDownError | null = null;
  try {
    await runChecked(connection, remoteCommand(shields(sandbox, "up")), `nemoclaw ${sandbox} shields up`, { timeoutMs: RAISE_TIMEOUT_MS });
  } catch (error) {
    leftDown = new ShieldsLeftDownError(connection.host, sandbox, error instanceof Error ? error.message : String(error), "error" in outcome ? outcome.error : undefined);
  }
  if ("error" in outcome) throw leftDown ?? outcome.error;
  return { made: outcome.made, leftDown };
}
