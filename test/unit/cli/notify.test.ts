/**
 * Run notices against a real HTTP server on loopback: what arrives (JSON or Slack's form), when,
 * that it carries no secret, and that a failing webhook is a warning and nothing more.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EventBus, type ApplyEvent, type NoticeState } from "../../../src/apply/events.js";
import { Redactor } from "../../../src/apply/redact.js";
import { parseWaves } from "../../../src/apply/waves.js";
import type { NotifySettings } from "../../../src/config/types.js";
import { notifierFor, RunNotifier } from "../../../src/cli/notify.js";
import { postWithFetch, type ProcessDeps } from "../../../src/cli/session-deps.js";
import { hostPlan, observed, plan, step } from "../apply/fixtures.js";
import { harness } from "../apply/harness.js";

interface Received {
  path: string;
  contentType: string | undefined;
  body: unknown;
}

let server: Server;
let base: string;
let received: Received[] = [];
let answers: number[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      received.push({ path: request.url ?? "", contentType: request.headers["content-type"], body: JSON.parse(body) });
      response.statusCode = answers.shift() ?? 200;
      response.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  received = [];
  answers = [];
});

/** The URL's path stands for the token a real webhook URL carries. */
const TOKEN = "T0001/B0002/hookTOKENabc123";

function settings(overrides: Partial<NotifySettings> = {}): NotifySettings {
  return { webhook: { url: `${base}/services/${TOKEN}` }, format: "json", when: "changes", remindAfterMs: 86_400_000, source: { file: "/fleet/fleet.yaml", line: 20, column: 1, path: "notify" }, ...overrides };
}

function processDeps(env: NodeJS.ProcessEnv = {}): ProcessDeps & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    stdout: { write: () => true },
    stderr: { write: (text: string) => warnings.push(text) },
    env,
    now: () => new Date("2026-11-22T10:00:00Z"),
    identity: { user: "ops", machine: "ctl", pid: 1, pidScope: "boot-1:4026531836" },
    journalDir: "/nonexistent",
    onInterrupt: () => () => undefined,
    exit: () => undefined,
    postWebhook: postWithFetch,
  };
}

const UNREACHABLE = "Inference gateway unreachable on https://inference.local/v1/models from inside the sandbox.";

/** A rollout in waves of one whose second host fails its health gate; pauses between tries are recorded, not waited. */
async function gatedRollout(notify: NotifySettings, deps: ProcessDeps & { warnings: string[] }, pauses: number[] = []): Promise<void> {
  const h = harness({
    hosts: ["a", "b", "c"],
    observe: (host) => observed(host, { nemoclaw: { state: "known", value: { installed: true, version: "0.0.124", path: "/x" } } }),
    options: { healthGate: { timeoutMs: 10_000 }, waves: parseWaves("1"), maxFailPercentage: 0 },
    respond: (call) =>
      call.argv.includes("status")
        ? call.host === "b"
          ? { exitCode: 1, stdout: JSON.stringify({ schemaVersion: 1, found: true, phase: "Ready", gatewayState: "present", inferenceHealth: { ok: false, detail: UNREACHABLE }, rpcIssue: null, failureLayer: null }) }
          : { stdout: JSON.stringify({ schemaVersion: 1, found: true, phase: "Ready", gatewayState: "present", inferenceHealth: null, rpcIssue: null, failureLayer: null }) }
        : {},
  });
  const notifier = await RunNotifier.open(notify, "run-test", h.deps.redactor, {
    resolveSecret: () => Promise.reject(new Error("unused")),
    post: postWithFetch,
    stderr: deps.stderr,
    sleep: async (ms) => void pauses.push(ms),
    record: () => undefined,
    previous: () => null,
    now: () => new Date(),
  });
  h.deps.events.subscribe(notifier!.onEvent);
  await h.run(plan([hostPlan("a", [step("policy-add:alice")]), hostPlan("b", [step("policy-add:alice")]), hostPlan("c", [step("policy-add:alice")])]));
  await notifier!.finish();
}

/** One scheduled run of the same job, `failing` or not, at `at`, after a run that recorded `previous`: what it recorded and what the webhook was told. */
async function scheduled(when: NotifySettings["when"], failing: boolean, at: string, previous: NoticeState | null, overrides: Partial<NotifySettings> = {}) {
  received = [];
  const h = harness({ hosts: ["a"], respond: () => (failing ? { exitCode: 1 } : {}) });
  let state: NoticeState | null = null;
  const notifier = await RunNotifier.open(settings({ when, ...overrides }), "run", h.deps.redactor, {
    resolveSecret: () => Promise.reject(new Error("unused")),
    post: postWithFetch,
    stderr: { write: () => true },
    sleep: async () => {},
    record: ({ trouble, since, told }) => void (state = { trouble, since, told }),
    previous: () => previous,
    now: () => new Date(at),
  });
  h.deps.events.subscribe(notifier!.onEvent);
  await h.run(plan([hostPlan("a", [step("policy-add:alice")])]));
  await notifier!.finish();
  return { state: state as NoticeState | null, told: received.map((request) => (request.body as { trouble: unknown }).trouble) };
}

describe("webhook notices", () => {
  it("JSON: at once when a health gate stops the rollout, and at the end: hosts by outcome, the gate's verdict, what is pending", async () => {
    const deps = processDeps();
    await gatedRollout(settings(), deps);
    expect(received.map((request) => [request.path, request.contentType, (request.body as { event: string }).event])).toEqual([
      [`/services/${TOKEN}`, "application/json", "rollout-stopped"],
      [`/services/${TOKEN}`, "application/json", "run-finished"],
    ]);
    const end = received[1]!.body;
    expect(end).toMatchObject({
      kind: "nemoclaw-fleet-run",
      version: 1,
      runId: "run-test",
      source: "fleet",
      exitCode: 5,
      hosts: { ok: ["a"], failed: ["b"], skipped: ["c"] },
      problems: [{ host: "b", status: "failed", message: expect.stringContaining(`alice (gateway nemoclaw) is not healthy`) }],
      healthGates: [
        { host: "a", status: "healthy" },
        { host: "b", status: "unhealthy", sandboxes: [{ sandbox: "alice", gateway: "nemoclaw", healthy: false, detail: `inference: ${UNREACHABLE}` }] },
      ],
      pending: [{ host: "c", steps: [{ id: "policy-add:alice", risk: null, because: expect.stringMatching(/^not started: wave 2 exceeded/) }] }],
      stopped: { wave: 2, skipped: ["c"] },
    });
    expect((received[0]!.body as { exitCode: unknown }).exitCode).toBeNull();
    expect(deps.warnings).toEqual([]);
  });

  it("Slack: a text message in mrkdwn", async () => {
    await gatedRollout(settings({ format: "slack" }), processDeps());
    expect(received).toHaveLength(2);
    const [stopped, end] = received.map((request) => request.body as { text: string });
    expect(Object.keys(stopped!)).toEqual(["text"]);
    expect(stopped!.text).toMatch(/^nemoclaw apply on fleet `lab` \(run run-test\): \*rollout stopped by a health gate\*/);
    expect(end!.text).toContain("*failed* (exit 5)");
    expect(end!.text).toContain("• ok: a\n• failed: b\n• skipped: c");
    expect(end!.text).toContain("Pending on c: policy-add:alice");
  });

  it("never sends a secret the run resolved, nor the URL itself", async () => {
    const deps = processDeps({ HOOK: `${base}/services/${TOKEN}` });
    const redactor = new Redactor();
    redactor.add("nvapi-leaked-SECRET-value");
    const bus = new EventBus("run-secret");
    const notifier = await notifierFor({ ...settings(), webhook: { ref: { kind: "env", name: "HOOK" } } }, bus, redactor, deps);
    bus.emit({ type: "run-started", toolVersion: "0.1.0", identity: { user: "ops", machine: "ctl", pid: 1, pidScope: "boot-1:4026531836" }, fleet: { name: "lab", file: "/f.yaml", digest: "x" }, planHash: "0".repeat(64), source: "fleet", selection: { limit: null, hosts: ["a"] }, waves: [["a"]], concurrency: 1, maxFailPercentage: 0, journal: null, steps: { a: [] } });
    bus.emit({ type: "host-finished", host: "a", status: "failed", durationMs: 1, sessions: 2, message: `echoed nvapi-leaked-SECRET-value and ${base}/services/${TOKEN}`, block: null, changedFacts: null, stepDrift: null, holder: null });
    bus.emit({ type: "run-finished", exitCode: 5, durationMs: 1, interrupted: false, stoppedAt: [], hosts: { ok: 0, "no-changes": 0, failed: 1, unreachable: 0, blocked: 0, stale: 0, locked: 0, skipped: 0, interrupted: 0 } });
    await notifier!.finish();
    const text = JSON.stringify(received[0]!.body);
    expect(text).toContain("echoed [REDACTED] and [REDACTED]");
    expect(text).not.toContain("SECRET");
    expect(text).not.toContain(TOKEN);
  });

  it("a failing webhook is tried twice, then a warning naming only its origin; the run goes on", async () => {
    answers = [500, 503];
    const deps = processDeps();
    const pauses: number[] = [];
    await gatedRollout(settings({ when: "problems" }), deps, pauses);
    expect(received.map((request) => (request.body as { event: string }).event)).toEqual(["rollout-stopped", "rollout-stopped", "run-finished"]);
    expect(pauses).toEqual([2_000]);
    expect(deps.warnings).toEqual([
      `warning: notify: the webhook at ${base} did not take the stopped-rollout notice: it answered HTTP 503; the run's result is unchanged\n`,
    ]);
    expect(deps.warnings.join("")).not.toContain(TOKEN);
  });

  it("a referenced webhook that fails is named by its reference, never by a part of its URL", async () => {
    answers = [500, 500];
    const deps = processDeps();
    const recorded: unknown[] = [];
    const notifier = await RunNotifier.open(settings({ webhook: { ref: { kind: "env", name: "HOOK" } }, when: "always" }), "run-x", new Redactor(), {
      // A provider whose token is the host name.
      resolveSecret: async () => "https://hook-t0001-secret42.hooks.example/services/x",
      post: async () => 500,
      stderr: deps.stderr,
      sleep: async () => {},
      record: (body) => void recorded.push(body),
      previous: () => null,
      now: () => new Date("2026-11-22T10:00:00Z"),
    });
    await notifier!.finish();
    expect(recorded).toEqual([{ type: "notify-finished", webhook: "env:HOOK", delivered: 0, problems: ["the webhook env:HOOK did not take the run notice: it answered HTTP 500"], trouble: "exit 130", since: "2026-11-22T10:00:00.000Z", told: null }]);
    expect(deps.warnings).toEqual(["warning: notify: the webhook env:HOOK did not take the run notice: it answered HTTP 500; the run's result is unchanged\n"]);
    expect(deps.warnings.join("")).not.toContain("secret42");
  });

  it("a webhook nobody answers is a warning", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const deps = processDeps();
    const notifier = await RunNotifier.open(settings({ webhook: { url: `http://127.0.0.1:${port}/hook/${TOKEN}` }, when: "always" }), "run-x", new Redactor(), { resolveSecret: () => Promise.reject(new Error("unused")), post: postWithFetch, stderr: deps.stderr, sleep: async () => {}, record: () => undefined, previous: () => null, now: () => new Date() });
    await notifier!.finish();
    expect(deps.warnings).toHaveLength(1);
    expect(deps.warnings[0]).toMatch(new RegExp(`^warning: notify: the webhook at http://127\\.0\\.0\\.1:${port} did not take the run notice: it could not be reached \\(fetch failed\\)`));
  });

  it("`when` decides which runs are told: changes skips a run with nothing to do, problems skips a clean one", async () => {
    const noticeOf = async (when: NotifySettings["when"], hosts: Parameters<typeof plan>[0]) => {
      received = [];
      const h = harness({ hosts: hosts.map((host) => host.host) });
      const notifier = await notifierFor(settings({ when }), h.deps.events, h.deps.redactor, processDeps());
      await h.run(plan(hosts));
      await notifier?.finish();
      return received.length;
    };
    expect(await noticeOf("changes", [hostPlan("a", [])])).toBe(0);
    expect(await noticeOf("always", [hostPlan("a", [])])).toBe(1);
    expect(await noticeOf("changes", [hostPlan("a", [step("policy-add:alice")])])).toBe(1);
    expect(await noticeOf("problems", [hostPlan("a", [step("policy-add:alice")])])).toBe(0);
    const held = { id: "x", kind: "sandbox-rebuild" as const, risk: "disruptive" as const, summary: "s", because: "disruptive is above --max-risk safe" };
    expect(await noticeOf("changes", [hostPlan("a", [], { status: "changes", heldBack: [held] })])).toBe(0);
  });

  it("a trouble that lasts is told when it starts, again when that notice did not arrive, once a day while it lasts, and when it ends", async () => {
    const T0 = "2026-11-22T10:00:00.000Z";
    // The webhook is down when the trouble starts: nothing arrives, so nothing counts as told.
    answers = [503, 503];
    const first = await scheduled("problems", true, T0, null);
    // (tried twice: a 503 may pass)
    expect(first).toEqual({ state: { trouble: "exit 5 a:failed", since: T0, told: null }, told: [{ state: "new", since: T0 }, { state: "new", since: T0 }] });
    const retried = await scheduled("problems", true, "2026-11-22T10:05:00.000Z", first.state);
    expect(retried).toEqual({ state: { trouble: "exit 5 a:failed", since: T0, told: "2026-11-22T10:05:00.000Z" }, told: [{ state: "continuing", since: T0 }] });
    // The same trouble five minutes later: not told again, under either setting.
    const quiet = await scheduled("problems", true, "2026-11-22T10:10:00.000Z", retried.state);
    expect(quiet).toEqual({ state: retried.state, told: [] });
    expect((await scheduled("changes", true, "2026-11-22T10:10:00.000Z", retried.state)).told).toEqual([]);
    expect((await scheduled("always", true, "2026-11-22T10:10:00.000Z", retried.state)).told).toEqual([{ state: "continuing", since: T0 }]);
    // A day after it was last told, it is told again; then its end is told, once.
    const reminded = await scheduled("problems", true, "2026-11-23T10:05:00.000Z", quiet.state);
    expect(reminded).toEqual({ state: { trouble: "exit 5 a:failed", since: T0, told: "2026-11-23T10:05:00.000Z" }, told: [{ state: "continuing", since: T0 }] });
    const recovered = await scheduled("problems", false, "2026-11-23T10:10:00.000Z", reminded.state);
    expect(recovered).toEqual({ state: { trouble: null, since: null, told: null }, told: [{ state: "recovered", since: T0 }] });
    expect((await scheduled("problems", false, "2026-11-23T10:15:00.000Z", recovered.state)).told).toEqual([]);
  });

  it("reminds of a lasting trouble as often as remindEvery says", async () => {
    const T0 = "2026-11-22T10:00:00.000Z";
    const told = { trouble: "exit 5 a:failed", since: T0, told: T0 };
    const everyFourHours = { remindAfterMs: 4 * 3_600_000 };
    expect((await scheduled("problems", true, "2026-11-22T13:55:00.000Z", told, everyFourHours)).told).toEqual([]);
    expect((await scheduled("problems", true, "2026-11-22T14:00:00.000Z", told, everyFourHours)).told).toEqual([{ state: "continuing", since: T0 }]);
  });

  it("a clock set back never silences a reminder: a last notice later than now is due", async () => {
    // Told at 10:00 by a clock that ran a day ahead; corrected, the next run's clock says the day before.
    const told = { trouble: "exit 5 a:failed", since: "2026-11-23T09:00:00.000Z", told: "2026-11-23T10:00:00.000Z" };
    const after = await scheduled("problems", true, "2026-11-22T10:05:00.000Z", told);
    expect(after).toEqual({ state: { ...told, told: "2026-11-22T10:05:00.000Z" }, told: [{ state: "continuing", since: told.since }] });
    // Told again by the corrected clock, the trouble goes quiet until the next reminder is due.
    expect((await scheduled("problems", true, "2026-11-22T10:10:00.000Z", after.state)).told).toEqual([]);
  });

  it("a reference that cannot be resolved, or is no URL, is a warning, nothing is sent, and the run's journal says why", async () => {
    const deps = processDeps({ NOT_A_URL: "hooks.example.com/x", PLAIN_HTTP: "http://hooks.example.com/x/hunter2" });
    const recorded = async (name: string) => {
      const bus = new EventBus("r");
      const events: ApplyEvent[] = [];
      bus.subscribe((event) => events.push(event));
      const notifier = await notifierFor(settings({ webhook: { ref: { kind: "env", name } }, when: "always" }), bus, new Redactor(), deps);
      await notifier!.finish();
      return events.map(({ type, ...rest }) => (type === "notify-finished" ? { webhook: (rest as { webhook: string }).webhook, delivered: (rest as { delivered: number }).delivered, problems: (rest as { problems: string[] }).problems } : type));
    };
    expect(await recorded("MISSING")).toEqual([{ webhook: "env:MISSING", delivered: 0, problems: ["secret env:MISSING: environment variable MISSING is not set; this run was not reported"] }]);
    expect(await recorded("NOT_A_URL")).toEqual([{ webhook: "env:NOT_A_URL", delivered: 0, problems: ["env:NOT_A_URL: the webhook is not a valid URL; this run was not reported"] }]);
    expect(await recorded("PLAIN_HTTP")).toEqual([{ webhook: "env:PLAIN_HTTP", delivered: 0, problems: ["env:PLAIN_HTTP: the webhook URL must be https (http only to this machine: localhost, 127.0.0.1 or [::1]), not http to another machine; this run was not reported"] }]);
    expect(received).toEqual([]);
    expect(deps.warnings).toEqual([
      "warning: notify: secret env:MISSING: environment variable MISSING is not set; this run is not reported\n",
      "warning: notify: env:NOT_A_URL: the webhook is not a valid URL; this run is not reported\n",
      "warning: notify: env:PLAIN_HTTP: the webhook URL must be https (http only to this machine: localhost, 127.0.0.1 or [::1]), not http to another machine; this run is not reported\n",
    ]);
  });

  it("a delivered notice is counted in the journal, after run-finished", async () => {
    const h = harness({ hosts: ["a"] });
    const events: ApplyEvent[] = [];
    h.deps.events.subscribe((event) => events.push(event));
    const notifier = await notifierFor(settings({ when: "always" }), h.deps.events, h.deps.redactor, processDeps());
    await h.run(plan([hostPlan("a", [step("policy-add:alice")])]));
    await notifier!.finish();
    expect(events.slice(-2).map((event) => event.type)).toEqual(["run-finished", "notify-finished"]);
    expect(events.at(-1)).toMatchObject({ webhook: base, delivered: 1, problems: [] });
    expect(received).toHaveLength(1);
  });

});
