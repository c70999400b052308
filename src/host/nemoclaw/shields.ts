/**
 * `~/.nemoclaw/state/shields-<name>.json`, read as NemoClaw reads it (real-cli-2026-12 §6,
 * `shields/index.ts:706-712`): no file, or a file without `shieldsDown` → `mutable_default`;
 * `shieldsDown: true` → `temporarily_unlocked`; `shieldsDown: false` → `locked`; a file that is
 * not a JSON object → `error`.
 */
import { extractJson, isRecord } from "../output.js";

export interface ShieldsState {
  sandbox: string;
  mode: "mutable_default" | "locked" | "temporarily_unlocked" | "error";
}

export function parseShieldsFile(sandbox: string, text: string): ShieldsState {
  const json = extractJson(text);
  if (!isRecord(json)) return { sandbox, mode: "error" };
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
