/**
 * Telling the fleet file's webhook (`notify:`) about a run: once at its end (as `when` says) and
 * at once when a health gate stops a rollout. The URL is a secret: resolved before the run,
 * registered with the run's redactor, and named in messages by its reference (`env:HOOK`), or by
 * its origin when the fleet file itself holds the URL. Every notice is
 * scrubbed of the run's secrets before it leaves. A webhook that fails is a warning on stderr and
 * never changes the run's exit code.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { formatSecretRef, resolveSecret } from "../config/secrets.js";
import type { NotifySettings, SecretRef } from "../config/types.js";
import { webhookUrlProblem } from "../config/resources/notify.js";
import type { ApplyEvent, EventBus } from "../apply/events.js";
import type { Redactor } from "../apply/redact.js";
import { RunTally } from "../apply/tally.js";
import { runNotice, slackMessage, worthNotifying, type RunNotice } from "../report/run-notice.js";
import type { Output, PostJson, ProcessDeps } from "./session-deps.js";

export interface NotifyDeps {
  resolveSecret(ref: SecretRef): Promise<string>;
  post: PostJson;
  stderr: Output;
  sleep(ms: number): Promise<void>;
}

/** One more try after this pause for a failure that may pass (no answer, 429, 5xx). */
const RETRY_AFTER_MS = 2_000;

/** How messages name the webhook: no part of a referenced URL (a provider may put its token in the host name). */
function webhookName(webhook: NotifySettings["webhook"]): string {
  if ("ref" in webhook) return `the webhook ${formatSecretRef(webhook.ref)}`;
  try {
    return `the webhook at ${new URL(webhook.url).origin}`;
  } catch {
    return "the webhook";
  }
}

export class RunNotifier {
  private readonly tally: RunTally;
  private readonly waveHosts = new Map<number, string[]>();
  /** Notices go out one after the other, in the order they were made. */
  private sending: Promise<void> = Promise.resolve();

  private constructor(
    private readonly settings: NotifySettings,
    private readonly url: string,
    private readonly redactor: Redactor,
    private readonly deps: NotifyDeps,
    runId: string,
  ) {
    this.tally = new RunTally(runId);
  }

  /** A notifier for this run, or null (no `notify:`, or its URL cannot be had: said as a warning). */
  static async open(settings: NotifySettings | null, runId: string, redactor: Redactor, deps: NotifyDeps): Promise<RunNotifier | null> {
    if (settings === null) return null;
    let url: string;
    if ("url" in settings.webhook) url = settings.webhook.url;
    else {
      try {
        url = (await deps.resolveSecret(settings.webhook.ref)).trim();
      } catch (error) {
        deps.stderr.write(`warning: notify: ${(error as Error).message}; this run is not reported\n`);
        return null;
      }
      const problem = webhookUrlProblem(url);
      if (problem !== null) {
        deps.stderr.write(`warning: notify: ${formatSecretRef(settings.webhook.ref)}: ${problem}; this run is not reported\n`);
        return null;
      }
    }
    redactor.add(url);
    return new RunNotifier(settings, url, redactor, deps, runId);
  }

  /** Subscribed to the run's events: folds them, and reports a rollout a health gate stopped at once. */
  readonly onEvent = (event: ApplyEvent): void => {
    this.tally.apply(event);
    if (event.type === "wave-started") this.waveHosts.set(event.wave, event.hosts);
    if (event.type !== "threshold-exceeded") return;
    const wave = new Set(this.waveHosts.get(event.wave) ?? []);
    const gated = this.tally.summary().hosts.some((host) => wave.has(host.host) && host.healthGate?.status === "unhealthy");
    if (gated) this.queue(runNotice(this.tally.summary(), "rollout-stopped"));
  };

  private queue(notice: RunNotice): void {
    this.sending = this.sending.then(() => this.send(notice));
  }

  /** After the run: its notice when `when` asks for it, and every send still under way. */
  async finish(): Promise<void> {
    const summary = this.tally.summary();
    if (worthNotifying(summary, this.settings.when)) this.queue(runNotice(summary, "run-finished"));
    await this.sending;
  }

  private async send(notice: RunNotice): Promise<void> {
    const payload = this.redactor.scrubValue(this.settings.format === "slack" ? slackMessage(notice) : notice);
    const body = JSON.stringify(payload);
    let failure = "";
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      try {
        const status = await this.deps.post(this.url, body);
        if (status >= 200 && status < 300) return;
        failure = `it answered HTTP ${status}`;
        if (status !== 429 && status < 500) break;
      } catch (error) {
        failure = `it could not be reached (${this.redactor.scrub((error as Error).message)})`;
      }
      if (attempt === 1) await this.deps.sleep(RETRY_AFTER_MS);
    }
    this.deps.stderr.write(`warning: notify: ${webhookName(this.settings.webhook)} did not take the ${notice.event === "rollout-stopped" ? "stopped-rollout" : "run"} notice: ${failure}; the run's result is unchanged\n`);
  }
}

/** The run's notifier, subscribed to its events and wired to this process; null without `notify:`. */
export async function notifierFor(settings: NotifySettings | null, bus: EventBus, redactor: Redactor, deps: ProcessDeps): Promise<RunNotifier | null> {
  const notifier = await RunNotifier.open(settings, bus.runId, redactor, {
    resolveSecret: (ref) => resolveSecret(ref, { env: deps.env }),
    post: deps.postWebhook,
    stderr: deps.stderr,
    sleep: (ms) => sleep(ms),
  });
  if (notifier) bus.subscribe(notifier.onEvent);
  return notifier;
}
