/** `apply:` rollout settings, with defaults. */
import type { ApplySettings, WaveSpec } from "../types.js";
import type { BuildContext } from "./context.js";
import { parseDuration } from "../duration.js";

export const DEFAULT_APPLY: ApplySettings = {
  concurrency: 32,
  waves: [{ size: 100, unit: "percent" }],
  maxFailPercentage: 0,
  stepTimeoutMs: 900_000,
  pruneUnmanaged: false,
  lockTtlMs: 3_600_000,
  healthGate: null,
};

export function buildApplySettings(ctx: BuildContext): ApplySettings {
  const raw = ctx.checked.data.apply ?? {};
  const waves: WaveSpec[] = [];
  for (const [index, wave] of ctx.checked.items(raw.waves)) {
    if (typeof wave === "number") {
      waves.push({ size: wave, unit: "hosts" });
      continue;
    }
    if (!/^[0-9]+(\.[0-9]+)?%$/.test(wave)) continue; // not a percentage at all: the schema says so
    const percent = Number(wave.slice(0, -1));
    if (!(percent > 0 && percent <= 100)) {
      ctx.bag.error(ctx.yaml.ref(["apply", "waves", index]), `wave ${wave} is out of range: a percentage must be more than 0% and at most 100%`);
    } else waves.push({ size: percent, unit: "percent" });
  }
  return {
    concurrency: raw.concurrency ?? DEFAULT_APPLY.concurrency,
    waves: raw.waves === undefined ? DEFAULT_APPLY.waves : waves,
    maxFailPercentage: raw.maxFailPercentage ?? DEFAULT_APPLY.maxFailPercentage,
    stepTimeoutMs: raw.stepTimeout === undefined ? DEFAULT_APPLY.stepTimeoutMs : raw.stepTimeout * 1000,
    pruneUnmanaged: raw.pruneUnmanaged ?? DEFAULT_APPLY.pruneUnmanaged,
    lockTtlMs: raw.lockTtl === undefined ? DEFAULT_APPLY.lockTtlMs : raw.lockTtl * 1000,
    healthGate: raw.healthGate === undefined ? null : healthGate(raw.healthGate.timeout, ctx),
  };
}

/** `healthGate.timeout`: whole seconds or a duration (the schema checked the shape). */
function healthGate(timeout: string | number, ctx: BuildContext): { timeoutMs: number } | null {
  if (typeof timeout === "number") return { timeoutMs: timeout * 1000 };
  try {
    const timeoutMs = parseDuration(timeout);
    if (timeoutMs >= 1_000) return { timeoutMs };
    ctx.bag.error(ctx.yaml.ref(["apply", "healthGate", "timeout"]), `${timeout} is too short: give the sandboxes at least 1s to become healthy`);
  } catch (error) {
    ctx.bag.error(ctx.yaml.ref(["apply", "healthGate", "timeout"]), `"${timeout}": ${(error as Error).message}`);
  }
  return null;
}
