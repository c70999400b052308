/**
 * `~/.nemoclaw/state/shields-<name>.json` (reference §3.4): no file → `mutable_default`,
 * `shieldsDown: true` → `temporarily_unlocked`, otherwise `locked`; unreadable → `error`.
 */
import { extractJson, isRecord } from "../output.js";

export interface ShieldsState {
  sandbox: string;
  mode: "mutable_default" | "locked" | "temporarily_unlocked" | "error";
}

export function parseShieldsFile(sandbox: string, text: string): ShieldsState {
  const json = extractJson(text);
  if (!isRecord(json)) return { sandbox, mode: "error" };
  return { sandbox, mode: json.shieldsDown === true ? "temporarily_unlocked" : "locked" };
}

/** The sandbox a state file belongs to; null for the timer/transition/lock files beside them. */
export function sandboxOfShieldsFile(fileName: string): string | null {
  const match = /^shields-(.+)\.json$/.exec(fileName);
  if (!match || /^(?:timer|transition|transition-lock)-/.test(match[1]!)) return null;
  return match[1]!;
}
