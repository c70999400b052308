/** `notify:` — the webhook a run is reported to. Its URL is a secret whether referenced or written out. */
import { formatDurationSetting, parseDuration } from "../duration.js";
import { parseSecretRef } from "../secrets.js";
import type { NotifySettings } from "../types.js";
import type { BuildContext } from "./context.js";

/** A lasting trouble is told again once a day unless `remindEvery` says otherwise. */
export const DEFAULT_REMIND_AFTER_MS = 86_400_000;

/** Shorter would tell a scheduled run's trouble nearly every run, as `when: always` does. */
const SHORTEST_REMIND_AFTER_MS = 60_000;

export function buildNotifySettings(ctx: BuildContext): NotifySettings | null {
  const raw = ctx.checked.data.notify;
  if (raw === undefined) return null;
  const at = ctx.yaml.ref(["notify", "webhook"]);
  const ref = parseSecretRef(raw.webhook);
  const remindAfterMs = raw.remindEvery === undefined ? DEFAULT_REMIND_AFTER_MS : remindAfter(raw.remindEvery, ctx);
  const settings = { format: raw.format ?? "json", when: raw.when ?? "changes", remindAfterMs, source: ctx.yaml.ref(["notify"]) } as const;
  if (ref !== undefined) return { webhook: { ref }, ...settings };
  const problem = webhookUrlProblem(raw.webhook);
  if (problem === null) return { webhook: { url: raw.webhook.trim() }, ...settings };
  // Anything but an http(s) URL the schema already reported; the value is never repeated (it may carry a token).
  if (/^https?:\/\//.test(raw.webhook)) ctx.bag.error(at, problem);
  return null;
}

/**
 * `remindEvery`: whole seconds or a duration (the schema checked the shape and the seconds' minimum).
 * A value refused here is an error at its line, which fails the load: the default returned then is never used.
 */
function remindAfter(value: string | number, ctx: BuildContext): number {
  const at = ctx.yaml.ref(["notify", "remindEvery"]);
  let ms: number;
  try {
    ms = parseDuration(typeof value === "number" ? `${value}s` : value);
  } catch (error) {
    ctx.bag.error(at, `"${value}": ${(error as Error).message}`);
    return DEFAULT_REMIND_AFTER_MS;
  }
  // Whole seconds under the shortest the schema's minimum already refused.
  if (typeof value === "string" && ms < SHORTEST_REMIND_AFTER_MS) ctx.bag.error(at, `${value} is too short: remind at most every ${formatDurationSetting(SHORTEST_REMIND_AFTER_MS)} (\`when: always\` tells every run)`);
  return ms;
}

/** Why a text is not a webhook URL we can POST to (said without the URL, which may carry a token); null when it is one. */
export function webhookUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return "the webhook is not a valid URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return `the webhook URL must be https, not ${url.protocol.replace(/:$/, "")}`;
  // The URL carries its token and the body a run's summary: in clear text only to this machine.
  if (url.protocol === "http:" && !isLoopback(url.hostname)) {
    return `the webhook URL must be https (http only to this machine: localhost, 127.0.0.1 or [::1]), not http to another machine`;
  }
  return null;
}

/** localhost, 127.0.0.0/8 or ::1: a relay on this machine, where nothing crosses the network. */
function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  return host === "localhost" || host.endsWith(".localhost") || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === "[::1]";
}
