/**
 * Durations as Terraform's `-lock-timeout` and Go write them: `30s`, `5m`, `1h30m`, `500ms`, `0`
 * (and days, `30d`, for how long to keep journals).
 * The command line (`--lock-timeout`, `--older-than`, `--every`) and the fleet file
 * (`apply.healthGate.timeout`) read them the same way.
 */

const UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds, or throws with what to write instead. */
export function parseDuration(value: string): number {
  const text = value.trim();
  if (text === "0") return 0;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|d|h|m|s)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join("") !== text) {
    throw new Error(/^\d+(\.\d+)?$/.test(text) ? `give a unit: ${text}s, ${text}m or ${text}h` : "expected a duration such as 30s, 5m or 1h30m");
  }
  const ms = Math.round(parts.reduce((total, [, amount, unit]) => total + Number(amount) * (UNITS_MS[unit as string] as number), 0));
  if (!(ms <= MAX_DURATION_MS)) throw new Error(`too long: at most ${formatDurationSetting(MAX_DURATION_MS)} (ten years)`);
  return ms;
}

/** The longest duration anything takes: ten years (a journal's age, a wait, a timeout). */
export const MAX_DURATION_MS = 3650 * 86_400_000;

/** A duration the way it is written: `5m`, `1h30m`, `45s`, `30d`, `250ms`. */
export function formatDurationSetting(ms: number): string {
  if (ms % 1_000 !== 0) return `${ms}ms`;
  let seconds = ms / 1_000;
  const days = Math.floor(seconds / 86_400);
  seconds -= days * 86_400;
  const hours = Math.floor(seconds / 3_600);
  seconds -= hours * 3_600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const text = `${days ? `${days}d` : ""}${hours ? `${hours}h` : ""}${minutes ? `${minutes}m` : ""}${seconds ? `${seconds}s` : ""}`;
  return text === "" ? "0" : text;
}
