import { describe, expect, it } from "vitest";
import type { ApplyEvent, ChangedFact, StepDrift } from "../../../src/apply/events.js";
import { RunTally } from "../../../src/apply/tally.js";
import { createColors } from "../../../src/report/color.js";
import { chooseProgressMode, jsonLinesView, plainLinesView } from "../../../src/report/progress.js";
import { formatDuration } from "../../../src/report/progress-format.js";
import { ListrDefaultRendererLogLevels } from "listr2";
import { hostTitle, iconColors, ListrView } from "../../../src/report/progress-listr.js";
import { formatRecap } from "../../../src/report/recap.js";
import { parseWaves } from "../../../src/apply/waves.js";
import { command, hostPlan, plan, step } from "./fixtures.js";
import { expectValidEvents, harness } from "./harness.js";

const plain = createColors(false);
const holder = { runId: "20261122T090000Z-aaaaaa", user: "alice", machine: "ops-box", pid: 4711, startedAt: "2026-11-22T09:00:00Z", expiresAt: "2026-11-22T11:00:00Z" };

/** A run with something of everything: success, failure with hint, lock held, threshold skip. */
async function mixedRun(): Promise<ApplyEvent[]> {
  const h = harness({
    hosts: ["ok-host", "bad-host", "held-host", "late-host"],
    held: { "held-host": holder },
    options: { waves: parseWaves("1,2"), maxFailPercentage: 0, lockTimeoutMs: 30_000 },
    respond: (call) =>
      call.host === "bad-host" ? { exitCode: 1, stdout: "Successfully tagged openshell/sandbox-from:9\n", stderr: "failed to upload image tar into container" } : { stdout: "fine" },
  });
  await h.run(
    plan([
      hostPlan("ok-host", [step("policy-add:alice", [], { commands: [command(["nemoclaw", "alice", "policy-add", "npm", "--yes"])] })]),
      hostPlan("bad-host", [step("sandbox-create:bob", [], { params: { arm64: true, imageRefWorkaround: false, imageRefTarget: { sandbox: "bob", gateway: "nemoclaw", agent: "openclaw", gpu: false, openshell: "0.0.36" } } }), step("shields:bob", ["sandbox-create:bob"])]),
      hostPlan("held-host", [step("policy-add:carol")]),
      hostPlan("late-host", [step("policy-add:dave")]),
    ]),
  );
  return h.events;
}

describe("the events contract", () => {
  it("every event of a run validates against schemas/events.schema.json", async () => {
    const events = await mixedRun();
    const types = new Set(events.map((event) => event.type));
    expect([...types]).toEqual(expect.arrayContaining(["run-started", "wave-started", "step-started", "step-finished", "host-finished", "threshold-exceeded", "run-finished", "lock-waiting"]));
    expectValidEvents(events);
  });

  it("--json writes one event per line, parseable back into the same events", async () => {
    const events = await mixedRun();
    let out = "";
    const view = jsonLinesView((text) => (out += text));
    events.forEach(view.onEvent);
    expect(out.trimEnd().split("\n").map((line) => JSON.parse(line))).toEqual(events);
  });
});

describe("an empty lock file taken over", () => {
  it("is a valid lock-acquired event without a holder, and the line view says why it was taken", () => {
    const at = "2026-11-22T10:00:00.000Z";
    const reason = ".nemoclaw-fleet/lock.json was empty and older than the lease (60 min)";
    const event: ApplyEvent = { v: 1, runId: "r", seq: 1, at, type: "lock-acquired", host: "a", reclaimed: { holder: null, reason } } as ApplyEvent;
    expectValidEvents([event]);
    let out = "";
    plainLinesView((text) => (out += text), plain).onEvent(event);
    expect(out).toContain(`[a] reclaimed the host lock: ${reason}`);
  });
});

describe("the plain line view", () => {
  it("names the host on every line, shows commands, failures with output and hints, refusals and the threshold", async () => {
    let out = "";
    const view = plainLinesView((text) => (out += text), plain);
    (await mixedRun()).forEach(view.onEvent);
    expect(out).toContain("apply run-test: 4 hosts, 4 with changes, 3 waves (concurrency 4, max fail 0%)");
    expect(out).toContain("[ok-host] ▶ policy-add:alice");
    expect(out).toContain("$ nemoclaw alice policy-add npm --yes");
    expect(out).toMatch(/\[bad-host\] ✗ sandbox-create:bob \(\d+ms\): exit 1: echo sandbox-create:bob/);
    expect(out).toContain("failure kind: image_upload_container_missing");
    expect(out).toContain("| failed to upload image tar into container");
    expect(out).toContain("hint: The gateway is healthy, but OpenShell's large image-tar upload failed (status code 404).");
    expect(out).toContain("        1. docker run -d -p 5000:5000 --restart=always --name registry registry:2");
    expect(out).toContain("        5. nemoclaw onboard --non-interactive --resume");
    expect(out).toContain("[bad-host] – shields:bob: not run: sandbox-create:bob did not succeed");
    expect(out).toContain("[held-host] waiting up to 30.0s for the host lock of run 20261122T090000Z-aaaaaa by alice@ops-box (pid 4711)");
    expect(out).toMatch(/\[held-host\] locked( \(\d+ms\))?: locked by run 20261122T090000Z-aaaaaa by alice@ops-box \(pid 4711\).*; waited 30s for it/);
    expect(out).toContain("wave 2 exceeded the maximum failure percentage (50% > 0%): not starting late-host");
    expect(out).not.toContain("\x1b[");
  });

  it("colours when asked to", async () => {
    let out = "";
    const view = plainLinesView((text) => (out += text), createColors(true));
    (await mixedRun()).forEach(view.onEvent);
    expect(out).toContain("\x1b[31m");
  });
});

describe("the recap", () => {
  it("lists every host with its outcome, the detail of what went wrong, totals and the exit code", async () => {
    const events = await mixedRun();
    const text = formatRecap(RunTally.fromEvents("run-test", events).summary(), plain).join("\n");
    expect(text).toMatch(/ok-host\s+ok\s+1 ok/);
    expect(text).toMatch(/bad-host\s+failed\s+0 ok, 1 failed, 1 skipped/);
    expect(text).toContain("✗ sandbox-create:bob: exit 1");
    expect(text).toContain("held by run 20261122T090000Z-aaaaaa by alice@ops-box (pid 4711)");
    expect(text).toMatch(/late-host\s+skipped/);
    expect(text).toContain("fleet: 4 hosts — 1 ok, 1 failed, 1 locked, 1 skipped");
    expect(text).toContain("exit 5 (failed hosts)");
  });

  it("explains a stale host field by field, and lists only the steps a new plan would do differently", () => {
    const at = "2026-11-22T10:00:00.000Z";
    const base = { v: 1 as const, runId: "r", at };
    const finished = (seq: number, host: string, changedFacts: ChangedFact[], stepDrift: StepDrift): ApplyEvent => ({
      ...base,
      seq,
      type: "host-finished",
      host,
      status: "stale",
      durationMs: 5,
      sessions: 2,
      message: "the host changed since the plan was made; re-run `nemoclaw plan`",
      block: null,
      changedFacts,
      stepDrift,
      holder: null,
    });
    const events: ApplyEvent[] = [
      finished(1, "p1", [{ key: "registry:alice", fields: [{ field: "policies", before: '["npm"]', after: '["npm","pypi"]' }, { field: "model", before: '"a"', after: '"b"' }] }, { key: "sandbox:nemoclaw/bob", fields: [{ field: "", before: '{"name":"bob"}', after: "null" }] }], {
        added: [{ id: "policy-remove:alice", summary: "remove policy preset pypi" }],
        removed: [],
        changed: [{ id: "inference-set:alice", before: "route to a", after: "route to b" }],
      }),
      finished(2, "p2", [{ key: "registry:carol", fields: [], masked: ["endpointUrl"] }, { key: "registry:dave", now: '{"policies":[]}' }], { added: [], removed: [], changed: [] }),
    ];
    const text = formatRecap(RunTally.fromEvents("r", events).summary(), plain).join("\n");
    expect(text).toContain(
      [
        "      changed: registry:alice",
        '        policies: ["npm"] → ["npm","pypi"]',
        '        model: "a" → "b"',
        '      changed: sandbox:nemoclaw/bob: {"name":"bob"} → null',
        "      a new plan would add policy-remove:alice: remove policy preset pypi",
        "      a new plan would change inference-set:alice: route to a → route to b",
      ].join("\n"),
    );
    expect(text).toContain("      changed: registry:carol: a masked field (endpointUrl)\n      changed: registry:dave, now {\"policies\":[]}\n      a new plan would have the same steps; re-plan to carry them out");
    expect(text).not.toContain("would drop");
    let out = "";
    const view = plainLinesView((line) => (out += line), plain);
    events.forEach(view.onEvent);
    expect(out).toContain('[p1] stale (5ms): the host changed since the plan was made; re-run `nemoclaw plan`\n    changed: registry:alice\n      policies: ["npm"] → ["npm","pypi"]');
  });

  it("says where a run that died stopped, from its journal alone", () => {
    const at = "2026-11-22T10:00:00.000Z";
    const base = { v: 1 as const, runId: "r", at };
    const events: ApplyEvent[] = [
      { ...base, seq: 1, type: "run-started", toolVersion: "0.1.0", identity: { user: "u", machine: "m", pid: 1, pidScope: "boot-1:4026531836" }, fleet: { name: "f", file: "f.yaml", digest: "d" }, planHash: "0".repeat(64), source: "fleet", selection: { limit: null, hosts: ["a"] }, waves: [["a"]], concurrency: 1, maxFailPercentage: 0, journal: null, steps: { a: ["one", "two", "three"] } },
      { ...base, seq: 2, type: "host-started", host: "a", steps: 3 },
      { ...base, seq: 3, type: "step-started", host: "a", step: "one", kind: "policy-add", target: "x", commands: [], attempt: 1 },
      { ...base, seq: 4, type: "step-finished", host: "a", step: "one", kind: "policy-add", status: "ok", durationMs: 5, attempts: 1, exitCode: 0, output: "", error: null, failureKind: null, hint: null, postcondition: null, notes: [] },
      { ...base, seq: 5, type: "step-started", host: "a", step: "two", kind: "policy-add", target: "x", commands: [], attempt: 1 },
    ];
    const summary = RunTally.fromEvents("r", events).summary();
    expect(summary).toMatchObject({ complete: false, interrupted: true, exitCode: 130, stoppedAt: [{ host: "a", step: "two", notStarted: ["three"] }] });
    const text = formatRecap(summary, plain).join("\n");
    expect(text).toContain("the run ended without finishing (killed or crashed)");
    expect(text).toContain("a: during two; not started: three");
  });
});

describe("the live view", () => {
  it("titles a host by its current step and that step's clock", () => {
    const tally = new RunTally("r");
    const base = { v: 1 as const, runId: "r" };
    tally.apply({ ...base, seq: 1, at: "2026-11-22T10:00:00.000Z", type: "host-started", host: "a", steps: 2 });
    tally.apply({ ...base, seq: 2, at: "2026-11-22T10:00:00.000Z", type: "step-started", host: "a", step: "sandbox-create:x", kind: "sandbox-create", target: "x", commands: [], attempt: 1 });
    const state = tally.hostState("a");
    if (!state) throw new Error("no state");
    expect(hostTitle(state, new Date("2026-11-22T10:01:05.000Z"), 1)).toBe("a: [1/1] sandbox-create:x 1m05s");
  });

  it("after a Ctrl-C, says at once on every line what the interruption does to that host", () => {
    const tally = new RunTally("r");
    const base = { v: 1 as const, runId: "r", at: "2026-11-22T10:00:00.000Z" };
    tally.apply({ ...base, seq: 1, type: "run-started", toolVersion: "0", identity: { user: "u", machine: "m", pid: 1, pidScope: "boot-1:4026531836" }, fleet: { name: "f", file: "f", digest: "d" }, planHash: "h", source: "fleet", selection: { limit: null, hosts: ["a", "b", "c"] }, waves: [["a", "b"], ["c"]], concurrency: 1, maxFailPercentage: 0, journal: null, steps: { a: ["one", "two"], b: ["x"], c: ["y"] } });
    tally.apply({ ...base, seq: 2, type: "host-started", host: "a", steps: 2 });
    tally.apply({ ...base, seq: 3, type: "step-started", host: "a", step: "one", kind: "sandbox-create", target: "x", commands: [], attempt: 1 });
    tally.apply({ ...base, seq: 4, type: "host-started", host: "b", steps: 1 });
    const now = new Date("2026-11-22T10:00:10.000Z");
    const title = (host: string, stage: "draining" | "aborting") => hostTitle(tally.hostState(host)!, now, 2, stage);
    expect(title("a", "draining")).toBe("a: [1/2] one 10.0s — interrupted: finishing this step, then stopping (Ctrl-C again aborts)");
    expect(title("b", "draining")).toBe("b: preparing (lock, facts) — interrupted: stopping (Ctrl-C again aborts)");
    expect(title("c", "draining")).toBe("c: will not start (interrupted)");
    expect(title("a", "aborting")).toBe("a: [1/2] one 10.0s — aborting");
  });

  it("shows waiting hosts with their wave", () => {
    const tally = new RunTally("r");
    tally.apply({ v: 1, runId: "r", seq: 1, at: "2026-11-22T10:00:00.000Z", type: "host-note", host: "b", level: "info", message: "x" });
    expect(hostTitle(tally.hostState("b")!, new Date(), 2)).toBe("b: waiting (wave 2)");
  });

  it("shows a host waiting for another run's lock (--lock-timeout), with the time left, until it gets it", () => {
    const tally = new RunTally("r");
    const at = "2026-11-22T10:00:00.000Z";
    tally.apply({ v: 1, runId: "r", seq: 1, at, type: "host-started", host: "a", steps: 1 });
    tally.apply({ v: 1, runId: "r", seq: 2, at, type: "lock-waiting", host: "a", holder, timeoutMs: 300_000 });
    expect(hostTitle(tally.hostState("a")!, new Date("2026-11-22T10:01:00.000Z"), null)).toBe("a: waiting for the host lock of run 20261122T090000Z-aaaaaa (alice@ops-box), 4m00s left");
    tally.apply({ v: 1, runId: "r", seq: 3, at, type: "lock-acquired", host: "a", reclaimed: null });
    expect(hostTitle(tally.hostState("a")!, new Date("2026-11-22T10:01:00.000Z"), null)).toBe("a: preparing (lock, facts)");
  });

  it("follows a whole run to the end", async () => {
    const view = new ListrView(createColors(false), { renderer: "silent" });
    (await mixedRun()).forEach(view.onEvent);
    await expect(view.finish()).resolves.toBeUndefined();
  });
});

describe("choosing a view", () => {
  it("JSON wins, then a terminal gets the live view, anything else plain lines", () => {
    expect(chooseProgressMode({ json: true, isTTY: true })).toBe("json");
    expect(chooseProgressMode({ json: false, isTTY: true })).toBe("live");
    expect(chooseProgressMode({ json: false, isTTY: false })).toBe("lines");
  });
  it("a terminal too short for one line per host gets plain lines, which lose no host off screen", () => {
    expect(chooseProgressMode({ json: false, isTTY: true, hosts: 17, rows: 20 })).toBe("live");
    expect(chooseProgressMode({ json: false, isTTY: true, hosts: 60, rows: 20 })).toBe("lines");
    expect(chooseProgressMode({ json: true, isTTY: true, hosts: 60, rows: 20 })).toBe("json");
  });
  it("formats durations compactly", () => {
    expect([450, 1_250, 59_940, 65_000, 3_725_000].map(formatDuration)).toEqual(["450ms", "1.3s", "59.9s", "1m05s", "1h02m"]);
  });
});

describe("the live view's icon colours", () => {
  it("follow the CLI's colour decision instead of listr2's own reading of the environment", () => {
    const plain = iconColors(createColors(false));
    const painted = iconColors(createColors(true));
    expect(plain[ListrDefaultRendererLogLevels.COMPLETED]?.("✔")).toBe("✔");
    expect(plain[ListrDefaultRendererLogLevels.FAILED]?.("✖")).toBe("✖");
    expect(painted[ListrDefaultRendererLogLevels.COMPLETED]?.("✔")).toBe("\x1b[32m✔\x1b[39m");
    expect(painted[ListrDefaultRendererLogLevels.FAILED]?.("✖")).toBe("\x1b[31m✖\x1b[39m");
  });
});
