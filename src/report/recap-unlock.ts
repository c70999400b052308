/** `nemoclaw unlock`: what happened to each host's lock. */
import { describeHolder } from "../apply/lock.js";
import type { UnlockOutcome } from "../apply/unlock.js";
import type { Colors } from "./color.js";

export function formatUnlockOutcome(outcome: UnlockOutcome, colors: Colors): string {
  const tag = colors.bold(outcome.host);
  switch (outcome.result) {
    case "no-lock":
      return `${tag}: not locked`;
    case "removed":
      return `${tag}: ${colors.green("removed")} ${outcome.holder ? `the lock of ${describeHolder(outcome.holder)}` : lockFileText(outcome.raw)} (${outcome.reason})`;
    case "refused":
      return `${tag}: ${colors.red("refused")}: ${outcome.holder ? `held by ${describeHolder(outcome.holder)}; ` : ""}${outcome.reason}`;
    case "changed":
      return `${tag}: ${colors.yellow("left alone")}: the lock changed while unlocking; it is now ${outcome.holder ? `the lock of ${describeHolder(outcome.holder)}` : lockFileText(outcome.raw)}`;
    case "unreachable":
      return `${tag}: ${colors.yellow("unreachable")}: ${outcome.message}`;
  }
}

/** A lock file that names no holder, said as what it is: empty, or not a lock (its start quoted). */
function lockFileText(raw: string): string {
  const text = raw.trim();
  return text === "" ? "the empty lock file" : `the lock file that is not a valid lock (${JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text)})`;
}
