/**
 * Telling the fleet file's webhook (`notify:`) about a run: once at its end (as `when` says) and
 * at once when a health gate stops a rollout. The URL is a secret: resolved before the run,
 * registered with the run's redactor, and named in messages by its reference (`env:HOOK`), or by
 * its origin when the fleet file itself holds the URL. Every notice is
 * scrubbed of the run's secrets before it leaves. A webhook that fails, or whose reference cannot
 * be read, is a warning on stderr and never changes the run's exit code; the run's journal records
 * it (`notify-finished`, after run-finished), so `nemoclaw history` and the metrics show a webhook
 * that has been failing unnoticed (docs/monitoring.md).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { formatSecretRef, resolveSecret } from "../config/secrets.js";
import type { NotifySettings, SecretRef } from "../config/types.js";
import { webhookUrlProblem } from "../config/resources/notify.js";
import type { ApplyEvent, EventBus, EventOf, NoticeState } from "../apply/events.js";
import type { Redactor } from "../apply/redact.js";
import { RunTally, type RunSummary } from "../apply/tally.js";
import { noticeDecision, runNotice, slackMessage, type RunNotice } from "../report/run-notice.js";
import { previousNoticeState } from "../apply/history.js";
import type { Output, PostJson, ProcessDeps } from "./session-deps.js";

export interface NotifyDeps {
  resolveSecret(ref: SecretRef): Promise<string>;
  post: PostJson;
  stderr: Output;
  sleep(ms: number): Promise<void>;
  /** Puts how the notices went into the run's event stream (its journal), once they are all sent. */
  record(body: Omit<EventOf<"notify-finished">, "v" | "runId" | "seq" | "at">): void;
  /** What the previous run of the same job recorded (its journal), or null. */
  previous(run: EventOf<"run-started">): NoticeState | null;
  now(): Date;
}

/** One more try after this pause for a failure that may pass (no answer, 429, 5xx). */
const RETRY_AFTER_MS = 2_000;

/** How messages name the webhook: no part of a referenced URL (a provider may put its token in the host name). */
function webhookLabel(webhook: NotifySettings["webhook"]): string {
  if ("ref" in webhook) return formatSecretRef(webhook.ref);
  try {
    return new URL(webhook.url).origin;
  } catch {
    return "the fleet file's URL";
  }
}

function webhookName(webhook: NotifySettings["webhook"]): string {
  return "ref" in webhook ? `the webhook ${webhookLabel(webhook)}` : `the webhook at ${webhookLabel(webhook)}`;
}

export class RunNotifier {
  private readonly tally: RunTally;
  private readonly waveHosts = new Map<number, string[]>();
  /** Notices go out one after the other, in the order they were made. */
  private sending: Promise<void> = Promise.resolve();

  /** Why a notice did not arrive, or why none could be sent; the journal gets them all. */
  private readonly problems: string[] = [];
  private delivered = 0;

  private constructor(
    private readonly settings: NotifySettings,
    /** Null when the webhook's reference cannot be had: nothing is sent, and the journal says why. */
    private readonly url: string | null,
    private readonly redactor: Redactor,
    private readonly deps: NotifyDeps,
    runId: string,
  ) {
    this.tally = new RunTally(runId);
  }

  /** A notifier for this run, or null without `notify:`. A URL that cannot be had is a warning, and recorded at the end. */
  static async open(settings: NotifySettings | null, runId: string, redactor: Redactor, deps: NotifyDeps): Promise<RunNotifier | null> {
    if (settings === null) return null;
    const unusable = (problem: string): RunNotifier => {
      deps.stderr.write(`warning: notify: ${problem}; this run is not reported\n`);
      const notifier = new RunNotifier(settings, null, redactor, deps, runId);
      notifier.problems.push(`${problem}; this run was not reported`);
      return notifier;
    };
    let url: string;
    if ("url" in settings.webhook) url = settings.webhook.url;
    else {
      try {
        url = (await deps.resolveSecret(settings.webhook.ref)).trim();
      } catch (error) {
        return unusable((error as Error).message);
      }
      const problem = webhookUrlProblem(url);
      const name = formatSecretRef(settings.webhook.ref);
      // The problem names no part of the URL, which is a secret: the journal gets it as it is.
      if (problem !== null) return unusable(`${name}: ${problem}`);
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
    if (gated) void this.queue(runNotice(this.tally.summary(), "rollout-stopped"));
  };

  /** Whether the notice arrived, once it has been sent after those before it. */
  private queue(notice: RunNotice): Promise<boolean> {
    const sent = this.sending.then(() => this.send(notice));
    this.sending = sent.then(() => undefined);
    return sent;
  }

  /** After the run: its notice when `when` asks for it, and every send still under way; then how they went, recorded and returned. */
  async finish(): Promise<RunSummary["notify"]> {
    const summary = this.tally.summary();
    const previous = summary.header ? this.deps.previous(summary.header) : null;
    const decision = noticeDecision(summary, this.settings, previous, this.deps.now());
    const delivered = decision.send ? await this.queue(runNotice(summary, "run-finished", decision.trouble)) : false;
    await this.sending;
    const outcome = { webhook: webhookLabel(this.settings.webhook), delivered: this.delivered, problems: [...this.problems], ...decision.state(delivered) };
    this.deps.record({ type: "notify-finished", ...outcome });
    return outcome;
  }

  private async send(notice: RunNotice): Promise<boolean> {
    if (this.url === null) return false;
    const payload = this.redactor.scrubValue(this.settings.format === "slack" ? slackMessage(notice) : notice);
    const body = JSON.stringify(payload);
    let failure = "";
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      try {
        const status = await this.deps.post(this.url, body);
        if (status >= 200 && status < 300) {
          this.delivered += 1;
          return true;
        }
        failure = `it answered HTTP ${status}`;
        if (status !== 429 && status < 500) break;
      } catch (error) {
        failure = `it could not be reached (${this.redactor.scrub((error as Error).message)})`;
      }
      if (attempt === 1) await this.deps.sleep(RETRY_AFTER_MS);
    }
    const problem = `${webhookName(this.settings.webhook)} did not take the ${notice.event === "rollout-stopped" ? "stopped-rollout" : "run"} notice: ${failure}`;
    this.problems.push(problem);
    this.deps.stderr.write(`warning: notify: ${problem}; the run's result is unchanged\n`);
    return false;
  }
}

/** The run's notifier, subscribed to its events and wired to this process; null without `notify:`. */
export async function notifierFor(settings: NotifySettings | null, bus: EventBus, redactor: Redactor, deps: ProcessDeps): Promise<RunNotifier | null> {
  const notifier = await RunNotifier.open(settings, bus.runId, redactor, {
    resolveSecret: (ref) => resolveSecret(ref, { env: deps.env }),
    post: deps.postWebhook,
    stderr: deps.stderr,
    sleep: (ms) => sleep(ms),
    record: (body) => void bus.emit(body),
    previous: (run) => previousNoticeState(deps.journalDir, run),
    now: deps.now,
  });
  if (notifier) bus.subscribe(notifier.onEvent);
  return notifier;
}
