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
      return `${tag}: ${colors.green("removed")} the lock of ${outcome.holder ? describeHolder(outcome.holder) : outcome.raw} (${outcome.reason})`;
    case "refused":
      return `${tag}: ${colors.red("refused")}: ${outcome.holder ? `held by ${describeHolder(outcome.holder)}; ` : ""}${outcome.reason}`;
    case "changed":
      return `${tag}: ${colors.yellow("left alone")}: the lock changed while unlocking; it is now ${outcome.holder ? describeHolder(outcome.holder) : outcome.raw}`;
    case "unreachable":
      return `${tag}: ${colors.yellow("unreachable")}: ${outcome.message}`;
  }
}
