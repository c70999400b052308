import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TransportError } from "../../../src/transport/types.js";
import { parseWaves } from "../../../src/apply/waves.js";
import { command, gateway, hostPlan, observed, plan, step } from "./fixtures.js";
import { expectValidEvents, harness } from "./harness.js";
import { formatRecap } from "../../../src/report/recap.js";
import { createColors } from "../../../src/report/color.js";

/** A cluster-era sandbox as NemoClaw creates it (no GPU flag, --no-bootstrap on OpenShell 0.0.36). */
const CLUSTER_ERA_TARGET = { sandbox: "alice", gateway: "nemoclaw", agent: "openclaw", gpu: false, openshell: "0.0.36" };

describe("applyPlan: order, results and locks", () => {
  it("runs each host's steps in dependency order, locks and releases every host, exit 0", async () => {
    const h = harness({ hosts: ["a", "b"] });
    const summary = await h.run(
      plan([
        hostPlan("a", [step("second", ["first"]), step("first")]),
        hostPlan("b", [step("only")]),
      ]),
    );
    expect(h.calls.filter((call) => call.host === "a").map((call) => call.argv[1])).toEqual(["first", "second"]);
    expect(summary.exitCode).toBe(0);
    expect(summary.hosts.map((host) => [host.host, host.status])).toEqual([
      ["a", "ok"],
      ["b", "ok"],
    ]);
    expect(h.released.sort()).toEqual(["a", "b"]);
    expect(h.ofType("lock-acquired").map((event) => event.host).sort()).toEqual(["a", "b"]);
    expect(h.events[0]?.type).toBe("run-started");
    expect(h.events.at(-1)?.type).toBe("run-finished");
    expect(h.events.map((event) => event.seq)).toEqual(h.events.map((_, index) => index + 1));
  });

  it("tells of a lock given back with the last step after that step and the host have finished, as for any host", async () => {
    const h = harness({ hosts: ["a"] });
    await h.run(plan([hostPlan("a", [step("first"), step("second", ["first"])])]));
    expect(h.events.filter((event) => "host" in event && event.host === "a").map((event) => event.type).slice(-4)).toEqual(["step-started", "step-finished", "host-finished", "lock-released"]);
  });

  it("does not lock or touch hosts with nothing to do, and reports planned unreachable and blocked hosts apart", async () => {
    const h = harness({ hosts: ["quiet", "down", "drift"] });
    const block = ["", "  OpenShell gateway schema preflight failed before applying fleet changes.", "  No sandbox data was changed."];
    const summary = await h.run(
      plan([
        hostPlan("quiet", []),
        hostPlan("down", [], { status: "unreachable", notes: [{ level: "warning", message: "connect ECONNREFUSED" }] }),
        hostPlan("drift", [], { status: "blocked", block: { driver: "host-process", installedVersion: "0.0.72", runningVersion: "0.0.71", gateway: "nemoclaw", lines: block } }),
      ]),
    );
    expect(h.calls).toEqual([]);
    expect(h.ofType("lock-acquired")).toEqual([]);
    expect(summary.hosts.map((host) => host.status)).toEqual(["no-changes", "unreachable", "blocked"]);
    expect(summary.hosts[1]?.message).toBe("connect ECONNREFUSED");
    expect(summary.hosts[2]?.block).toEqual(block);
    // Preflight refusal (8) is more severe than unreachable (4).
    expect(summary.exitCode).toBe(8);
  });

  it("takes over the lock and observation the plan's own observation made: no second lock, no second probe", async () => {
    const h = harness({ hosts: ["a", "quiet"], refreshLocked: ["a", "quiet"] });
    const summary = await h.run(plan([hostPlan("a", [step("first"), step("second", ["first"])]), hostPlan("quiet", [])]));
    expect(summary.exitCode).toBe(0);
    expect(h.refreshTaken.sort()).toEqual(["a", "quiet"]);
    // One round trip per step, each checked by the observation it carries; none to lock or observe first.
    expect(h.trips.filter((trip) => trip.host === "a").map((trip) => [trip.argv.map((argv) => argv[1]), trip.releases])).toEqual([
      [["first"], false],
      [["second"], true],
    ]);
    expect(h.observations.get("a")).toBe(2);
    expect(h.ofType("lock-acquired").map((event) => event.host)).toEqual(["a"]);
    // The host with nothing to do gives its plan-time lock back.
    expect(h.released).toContain("quiet");
    expect(h.observations.get("quiet")).toBeUndefined();
  });

  it("checks a lock clear and a gateway restart by reading their sandbox again; other steps by observing the host", async () => {
    const h = harness({ hosts: ["a"], refreshLocked: ["a"] });
    const sandboxStep = (kind: "lock-clear" | "sandbox-gateway-restart" | "sandbox-recover", after: string[] = []) =>
      step(`${kind}:alice`, after, { kind, target: { kind: "sandbox", name: "alice", gateway: "nemoclaw" } });
    await h.run(plan([hostPlan("a", [sandboxStep("lock-clear"), sandboxStep("sandbox-gateway-restart", ["lock-clear:alice"]), sandboxStep("sandbox-recover", ["sandbox-gateway-restart:alice"])])]));
    expect(h.trips.map((trip) => trip.checks)).toEqual(["nemoclaw/alice", "nemoclaw/alice", null]);
  });

  it("a failed step skips what depends on it, independent steps still run, exit 5", async () => {
    const h = harness({
      hosts: ["a"],
      respond: (call) => (call.argv[1] === "broken" ? { exitCode: 3, stderr: "boom" } : {}),
    });
    const summary = await h.run(plan([hostPlan("a", [step("broken"), step("after", ["broken"]), step("later", ["after"]), step("independent")])]));
    expect(h.stepEvent("a", "broken")).toMatchObject({ status: "failed", exitCode: 3, error: "exit 3: echo broken", output: "boom" });
    expect(h.stepEvent("a", "after")).toMatchObject({ status: "skipped", error: "not run: broken did not succeed" });
    expect(h.stepEvent("a", "later")).toMatchObject({ status: "skipped", error: "not run: after did not succeed" });
    expect(h.stepEvent("a", "independent").status).toBe("ok");
    expect(summary.hosts[0]?.status).toBe("failed");
    expect(summary.exitCode).toBe(5);
  });

  it("counts okExitCodes as success", async () => {
    const h = harness({ hosts: ["a"], respond: () => ({ exitCode: 1 }) });
    await h.run(plan([hostPlan("a", [step("grep", [], { commands: [command(["grep", "x"], { okExitCodes: [0, 1] })] })])]));
    expect(h.stepEvent("a", "grep").status).toBe("ok");
  });

  it("refuses a host whose lock another run holds, naming the holder, exit 7", async () => {
    const holder = { runId: "20261122T090000Z-aaaaaa", user: "alice", machine: "ops-box", pid: 4711, startedAt: "2026-11-22T09:00:00Z", expiresAt: "2026-11-22T11:00:00Z" };
    const h = harness({ hosts: ["a", "b"], held: { a: holder } });
    const summary = await h.run(plan([hostPlan("a", [step("x")]), hostPlan("b", [step("y")])]));
    expect(h.hostStatus("a")).toBe("locked");
    expect(summary.hosts[0]?.message).toContain("alice@ops-box (pid 4711)");
    expect(summary.hosts[0]?.holder).toEqual(holder);
    expect(h.calls.map((call) => call.host)).toEqual(["b"]);
    expect(summary.exitCode).toBe(7);
  });

  describe("--lock-timeout", () => {
    const holder = { runId: "20261122T090000Z-aaaaaa", user: "alice", machine: "ops-box", pid: 4711, startedAt: "2026-11-22T09:00:00Z", expiresAt: "2026-11-22T11:00:00Z" };

    it("waits for a held lock — told as lock-waiting — and then runs the host", async () => {
      const h = harness({ hosts: ["a"], options: { lockTimeoutMs: 300_000 } });
      const acquire = h.deps.acquireLock;
      h.deps.acquireLock = async (connection, options) => {
        expect(options.wait?.timeoutMs).toBe(300_000);
        options.wait?.onWait?.(holder);
        await options.wait?.sleep(1_000);
        return acquire(connection, options);
      };
      const summary = await h.run(plan([hostPlan("a", [step("x")])]));
      expect(h.ofType("lock-waiting")).toEqual([expect.objectContaining({ host: "a", holder, timeoutMs: 300_000 })]);
      expect(summary.hosts[0]).toMatchObject({ status: "ok", waitingForLock: null });
      expect(summary.exitCode).toBe(0);
    });

    it("refuses the host as without a wait once it runs out, saying how long it waited", async () => {
      const h = harness({ hosts: ["a"], options: { lockTimeoutMs: 60_000 } });
      h.deps.acquireLock = async () => ({ acquired: false, holder, reason: "its lease is live", waitedMs: 60_000 });
      const summary = await h.run(plan([hostPlan("a", [step("x")])]));
      expect(summary.hosts[0]).toMatchObject({ status: "locked", holder });
      expect(summary.hosts[0]?.message).toMatch(/^locked by run 20261122T090000Z-aaaaaa by alice@ops-box \(pid 4711\).*; waited 60s for it$/);
      expect(summary.exitCode).toBe(7);
    });

    it("a Ctrl-C while waiting ends the wait at once: the host is not started (exit 130)", async () => {
      const h = harness({ hosts: ["a"], options: { lockTimeoutMs: 600_000 } });
      let sleptWith: AbortSignal | undefined;
      h.deps.sleep = async (_ms, signal) => {
        sleptWith = signal;
        await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
      };
      h.deps.acquireLock = async (_connection, options) => {
        options.wait?.onWait?.(holder);
        setImmediate(() => h.control.interrupt());
        await options.wait?.sleep(15_000);
        expect(options.wait?.stopped()).toBe(true);
        return { acquired: false, holder, reason: "its lease is live", waitedMs: 1 };
      };
      const summary = await h.run(plan([hostPlan("a", [step("x")])]));
      expect(sleptWith?.aborted).toBe(true);
      expect(summary.hosts[0]).toMatchObject({ status: "skipped", message: "not started: the run was interrupted while waiting for the host lock" });
      expect(h.calls).toEqual([]);
      expect(summary.exitCode).toBe(130);
    });

    it("without it, a held lock is refused at once: no wait is asked for", async () => {
      const h = harness({ hosts: ["a"] });
      let asked: unknown = "not called";
      h.deps.acquireLock = async (_connection, options) => {
        asked = options.wait;
        return { acquired: false, holder, reason: "its lease is live" };
      };
      await h.run(plan([hostPlan("a", [step("x")])]));
      expect(asked).toBeUndefined();
    });
  });

  it("reports a host whose connection fails as unreachable (4), apart from failed hosts (5 wins)", async () => {
    const h = harness({ hosts: ["a", "b"], unreachable: ["a"], respond: () => ({ exitCode: 1 }) });
    const summary = await h.run(plan([hostPlan("a", [step("x")]), hostPlan("b", [step("y")])]));
    expect(summary.hosts.map((host) => host.status)).toEqual(["unreachable", "failed"]);
    expect(summary.exitCode).toBe(5);
    expect(h.ofType("run-finished")[0]?.hosts).toMatchObject({ unreachable: 1, failed: 1 });
  });

  it("reports a host that stops answering mid-run as unreachable, not failed", async () => {
    const lost = new TransportError("unreachable", "a", "connection lost");
    const h = harness({ hosts: ["a"], respond: (call) => (call.argv[1] === "second" ? { error: lost } : {}) });
    const summary = await h.run(plan([hostPlan("a", [step("first"), step("second"), step("third")])]));
    expect(h.calls.filter((call) => call.argv[1] === "second")).toHaveLength(3);
    expect(summary.hosts[0]).toMatchObject({ status: "unreachable" });
    expect(h.stepEvent("a", "third")).toMatchObject({ status: "skipped", error: "not started: the host stopped answering" });
    expect(summary.exitCode).toBe(4);
  });

  it("never runs more hosts at once than the concurrency cap", async () => {
    let inFlight = 0;
    let most = 0;
    const h = harness({
      hosts: ["a", "b", "c", "d", "e"],
      options: { concurrency: 2 },
      respond: async () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
        return {};
      },
    });
    await h.run(plan(["a", "b", "c", "d", "e"].map((host) => hostPlan(host, [step("s")]))));
    expect(most).toBe(2);
    expect(h.calls).toHaveLength(5);
  });
});

describe("applyPlan: waves and the failure threshold", () => {
  const five = ["h1", "h2", "h3", "h4", "h5"];
  const fivePlan = () => plan(five.map((host) => hostPlan(host, [step("s")])));

  it("stops later waves when a wave's failures exceed the maximum", async () => {
    const h = harness({
      hosts: five,
      options: { waves: parseWaves("1,2"), maxFailPercentage: 0 },
      respond: (call) => (call.host === "h2" ? { exitCode: 1 } : {}),
    });
    const summary = await h.run(fivePlan());
    expect(h.ofType("wave-started").map((event) => event.hosts)).toEqual([["h1"], ["h2", "h3"]]);
    expect(h.ofType("threshold-exceeded")).toMatchObject([{ wave: 2, failPercentage: 50, maxFailPercentage: 0, skipped: ["h4", "h5"] }]);
    expect(h.calls.map((call) => call.host).sort()).toEqual(["h1", "h2", "h3"]);
    expect(summary.hosts.map((host) => host.status)).toEqual(["ok", "failed", "ok", "skipped", "skipped"]);
    expect(summary.hosts[3]?.message).toContain("exceeded the maximum failure percentage (50% > 0%)");
    expect(summary.exitCode).toBe(5);
  });

  it("goes on when the failure percentage only equals the maximum", async () => {
    const h = harness({
      hosts: five,
      options: { waves: parseWaves("1,2"), maxFailPercentage: 50 },
      respond: (call) => (call.host === "h2" ? { exitCode: 1 } : {}),
    });
    await h.run(fivePlan());
    expect(h.ofType("threshold-exceeded")).toEqual([]);
    expect(h.ofType("wave-started")).toHaveLength(3);
    expect(h.calls).toHaveLength(5);
  });

  it("counts unreachable hosts towards the threshold", async () => {
    const h = harness({ hosts: five, unreachable: ["h1"], options: { waves: parseWaves("1"), maxFailPercentage: 0 } });
    await h.run(fivePlan());
    expect(h.ofType("threshold-exceeded")[0]?.skipped).toEqual(["h2", "h3", "h4", "h5"]);
  });

  it("puts only hosts with work into waves", async () => {
    const h = harness({ hosts: ["idle", "busy1", "busy2"], options: { waves: parseWaves("1") } });
    await h.run(plan([hostPlan("idle", []), hostPlan("busy1", [step("s")]), hostPlan("busy2", [step("s")])]));
    expect(h.ofType("wave-started").map((event) => event.hosts)).toEqual([["busy1"], ["busy2"]]);
  });
});

describe("applyPlan: stale plans", () => {
  it("refuses a host whose facts changed since the plan, showing what changed and how the steps would differ", async () => {
    const h = harness({
      hosts: ["a", "b"],
      fingerprints: (obs, keys) => Object.fromEntries(keys.map((key) => [key, obs.host === "a" && key === "registry:alice" ? "changed" : "same"])),
    });
    h.deps.replan = () => hostPlan("a", [step("policy-add:alice"), step("sandbox-rebuild:alice")]);
    const summary = await h.run(
      plan([
        hostPlan("a", [step("policy-add:alice")], { fingerprints: { "registry:alice": "same", "gateway:nemoclaw": "same" }, factValues: { "registry:alice": { policies: [] } } }),
        hostPlan("b", [step("policy-add:bob")], { fingerprints: { "registry:bob": "same" } }),
      ]),
    );
    expect(h.hostStatus("a")).toBe("stale");
    expect(summary.hosts[0]?.changedFacts).toEqual([{ key: "registry:alice", fields: [{ field: "f", before: '{"policies":[]}', after: "now(registry:alice)" }] }]);
    expect(summary.hosts[0]?.stepDrift).toEqual({ removed: [], added: [{ id: "sandbox-rebuild:alice", summary: "because of sandbox-rebuild:alice" }], changed: [] });
    expect(h.stepEvent("a", "policy-add:alice")).toMatchObject({ status: "skipped", error: "not started: the plan is stale for this host" });
    expect(h.calls.map((call) => call.host)).toEqual(["b"]);
    expect(summary.exitCode).toBe(6);
  });
});

describe("applyPlan: preflight", () => {
  const block = ["", "  OpenShell gateway schema preflight failed before applying fleet changes.", "  No sandbox data was changed."];

  it("refuses the host with the exact block when the re-check finds drift, running nothing after it", async () => {
    const h = harness({ hosts: ["a"], preflight: () => block });
    const summary = await h.run(plan([hostPlan("a", [step("preflight:a", [], { commands: [] }), step("backup:alice", ["preflight:a"]), step("policy-add:bob")])]));
    expect(h.calls).toEqual([]);
    expect(h.backups).toEqual([]);
    expect(summary.hosts[0]).toMatchObject({ status: "blocked", block });
    expect(h.stepEvent("a", "policy-add:bob").status).toBe("skipped");
    expect(summary.exitCode).toBe(8);
  });

  it("passes when CLI and gateways agree", async () => {
    const h = harness({ hosts: ["a"] });
    await h.run(plan([hostPlan("a", [step("preflight:a", [], { commands: [] }), step("policy-add:bob", ["preflight:a"])])]));
    expect(h.stepEvent("a", "preflight:a").status).toBe("ok");
    expect(h.calls).toHaveLength(1);
  });
});

describe("applyPlan: retries", () => {
  // NemoClaw's own report of a busy gateway supervisor (NC@9708c264:src/lib/actions/sandbox/gateway-restart.ts).
  const BUSY_STDOUT = "\n  Restarting OpenClaw gateway in 'alice'...\n";
  const BUSY_STDERR = "  Failure layer: privileged control unavailable - gateway restart failed for 'alice'.\n  SUPERVISOR_BUSY\n";
  const restartStep = () => step("gateway-restart:alice", [], { commands: [command(["nemoclaw", "alice", "gateway", "restart"])] });

  it("retries gateway restart when NemoClaw reports SUPERVISOR_BUSY, with backoff events", async () => {
    const h = harness({ hosts: ["a"], respond: (_call, attempt) => (attempt === 1 ? { exitCode: 1, stdout: BUSY_STDOUT, stderr: BUSY_STDERR } : { stdout: "restarted" }) });
    await h.run(plan([hostPlan("a", [restartStep()])]));
    expect(h.calls).toHaveLength(2);
    expect(h.ofType("step-retrying")).toMatchObject([{ step: "gateway-restart:alice", attempt: 2, reason: "SUPERVISOR_BUSY" }]);
    expect(h.stepEvent("a", "gateway-restart:alice")).toMatchObject({ status: "ok", attempts: 2 });
  });

  it.each([
    ["the bare controller marker, which no host command prints", { exitCode: 1, stderr: "SUPERVISOR_BUSY\n" }],
    ["SUPERVISOR_UNAVAILABLE (an image older than the controller)", { exitCode: 1, stdout: BUSY_STDOUT, stderr: BUSY_STDERR.replace("SUPERVISOR_BUSY", "SUPERVISOR_UNAVAILABLE") }],
    ["another sandbox's report", { exitCode: 1, stdout: BUSY_STDOUT.replace("alice", "bob"), stderr: BUSY_STDERR.replace("alice", "bob") }],
    ["more output than the report", { exitCode: 1, stdout: BUSY_STDOUT, stderr: `${BUSY_STDERR}  GATEWAY_FAILED\n` }],
    ["another exit code", { exitCode: 2, stdout: BUSY_STDOUT, stderr: BUSY_STDERR }],
  ])("does not retry gateway restart on %s", async (_name, response) => {
    const h = harness({ hosts: ["a"], respond: () => response });
    await h.run(plan([hostPlan("a", [restartStep()])]));
    expect(h.calls).toHaveLength(1);
  });

  it("does not retry NemoClaw's busy report from another command, nor an unknown failure", async () => {
    const recover = harness({ hosts: ["a"], respond: () => ({ exitCode: 1, stdout: BUSY_STDOUT, stderr: BUSY_STDERR }) });
    await recover.run(plan([hostPlan("a", [step("lock-clear:alice", [], { commands: [command(["nemoclaw", "alice", "recover"])] })])]));
    expect(recover.calls).toHaveLength(1);
    const h = harness({ hosts: ["a"], respond: () => ({ exitCode: 1, stdout: "partial", stderr: "SUPERVISOR_BUSY" }) });
    await h.run(plan([hostPlan("a", [step("x")])]));
    expect(h.calls).toHaveLength(1);
  });

  it("retries image transfer resets of sandbox creation and gives up after the attempt limit", async () => {
    const h = harness({ hosts: ["a"], respond: () => ({ exitCode: 1, stderr: "Connection reset by peer" }) });
    await h.run(plan([hostPlan("a", [step("sandbox-create:alice")])]));
    expect(h.calls).toHaveLength(3);
    expect(h.stepEvent("a", "sandbox-create:alice")).toMatchObject({ status: "failed", attempts: 3, failureKind: "image_transfer_reset" });
  });

  it("retries a transport reset but not a timeout", async () => {
    const reset = harness({
      hosts: ["a"],
      respond: (_call, attempt) => (attempt === 1 ? { error: new TransportError("unreachable", "a", "connection reset") } : {}),
    });
    await reset.run(plan([hostPlan("a", [step("x")])]));
    expect(reset.stepEvent("a", "x")).toMatchObject({ status: "ok", attempts: 2 });

    const slow = harness({ hosts: ["a"], respond: () => ({ timedOut: true }) });
    await slow.run(plan([hostPlan("a", [step("x")])]));
    expect(slow.calls).toHaveLength(1);
    expect(slow.stepEvent("a", "x")).toMatchObject({ status: "failed", error: "timed out: echo x" });
  });

  it("gives every command the step's remaining time as its timeout", async () => {
    const h = harness({ hosts: ["a"], options: { stepTimeoutMs: 5_000 } });
    await h.run(plan([hostPlan("a", [step("x")])]));
    expect(h.calls[0]?.timeoutMs).toBeGreaterThan(0);
    expect(h.calls[0]?.timeoutMs).toBeLessThanOrEqual(5_000);
  });
});

describe("applyPlan: postconditions", () => {
  it("fails a step the re-plan still wants, with the planner's desired vs observed", async () => {
    const again = step("policy-add:alice", [], {
      reason: {
        summary: "add policy preset npm",
        desired: { field: "policy.presets", value: ["npm"] },
        observed: { fact: "registry:alice", value: [] },
      },
    });
    const h = harness({ hosts: ["a"], replan: (host) => hostPlan(host, [again]) });
    const summary = await h.run(plan([hostPlan("a", [step("policy-add:alice")])]));
    expect(h.stepEvent("a", "policy-add:alice")).toMatchObject({
      status: "failed",
      error: 'postcondition failed: expected policy.presets = ["npm"]; saw registry:alice = []',
      postcondition: { expected: 'policy.presets = ["npm"]', seen: "registry:alice = []" },
    });
    expect(summary.exitCode).toBe(5);
  });

  it("re-observes after each step so the check sees the new state", async () => {
    const h = harness({
      hosts: ["a"],
      replan: (host, _observed, calls) => hostPlan(host, calls.length > 0 ? [] : [step("policy-add:alice")]),
    });
    await h.run(plan([hostPlan("a", [step("policy-add:alice")])]));
    expect(h.stepEvent("a", "policy-add:alice").status).toBe("ok");
  });

  it("fails a step whose facts cannot be read back", async () => {
    const h = harness({
      hosts: ["a"],
      replan: (host) => hostPlan(host, [], { notes: [{ level: "warning", message: "registry unknown: corrupt JSON", fact: "registry:alice" }] }),
    });
    await h.run(plan([hostPlan("a", [step("policy-add:alice", [], { facts: ["registry:alice"] })])]));
    expect(h.stepEvent("a", "policy-add:alice").postcondition).toEqual({ expected: "registry:alice readable after the step", seen: "registry unknown: corrupt JSON" });
  });

  it("checks a restore by the sandbox being back and Ready", async () => {
    const h = harness({ hosts: ["a"], observe: (host) => observed(host, { gateways: { state: "known", value: [gateway("nemoclaw", [])] } }) });
    await h.run(plan([hostPlan("a", [step("restore:alice", [], { kind: "restore", params: { when: "always", from: "x", policy: null } })])]));
    expect(h.stepEvent("a", "restore:alice").postcondition).toEqual({ expected: "sandbox alice Ready on gateway nemoclaw", seen: "sandbox alice not present" });
  });
});

describe("applyPlan: secrets", () => {
  const withSecret = () =>
    step("sandbox-create:alice", [], {
      commands: [
        command(["nemoclaw", "onboard", "--non-interactive"], {
          env: { NEMOCLAW_SANDBOX_NAME: { value: "alice" }, NVIDIA_INFERENCE_API_KEY: { secret: { kind: "env", name: "NV_KEY" } } },
          display: "env NEMOCLAW_SANDBOX_NAME=alice NVIDIA_INFERENCE_API_KEY=<secret env:NV_KEY> nemoclaw onboard --non-interactive",
        }),
      ],
    });

  it("passes resolved secrets as secretEnv only and scrubs them from output", async () => {
    const h = harness({ hosts: ["a"], secrets: { NV_KEY: "nvapi-SECRET-123" }, respond: () => ({ exitCode: 1, stderr: "rejected key nvapi-SECRET-123" }) });
    await h.run(plan([hostPlan("a", [withSecret()])]));
    expect(h.calls[0]).toMatchObject({ env: { NEMOCLAW_SANDBOX_NAME: "alice" }, secretEnv: { NVIDIA_INFERENCE_API_KEY: "nvapi-SECRET-123" } });
    expect(h.calls[0]?.argv.join(" ")).not.toContain("nvapi-SECRET-123");
    expect(JSON.stringify(h.events)).not.toContain("nvapi-SECRET-123");
    expect(h.stepEvent("a", "sandbox-create:alice").output).toBe("rejected key [REDACTED]");
  });

  it("fails the host before any step when a secret cannot be resolved, naming the steps that need it", async () => {
    const h = harness({ hosts: ["a"] });
    const summary = await h.run(plan([hostPlan("a", [withSecret()])]));
    expect(summary.hosts[0]).toMatchObject({ status: "failed", message: "secret env:NV_KEY: environment variable NV_KEY is not set (needed by sandbox-create:alice)" });
    expect(h.ofType("step-started")).toEqual([]);
    expect(h.calls).toEqual([]);
    expect(h.released).toEqual(["a"]);
    expect(summary.exitCode).toBe(5);
  });

  it("a stale host is refused as stale (exit 6) even when a secret its plan needs is missing", async () => {
    const h = harness({ hosts: ["a"], fingerprints: (_observed, keys) => Object.fromEntries(keys.map((key) => [key, "changed"])) });
    const summary = await h.run(plan([hostPlan("a", [withSecret()], { fingerprints: { "registry:alice": "same" } })]));
    expect(summary.hosts[0]).toMatchObject({ status: "stale" });
    expect(summary.exitCode).toBe(6);
  });
});

describe("applyPlan: sandbox creation failures", () => {
  it("classifies an arm64 image-tar upload 404 and prints the image-reference workaround", async () => {
    const h = harness({
      hosts: ["a"],
      respond: () => ({ exitCode: 1, stdout: "Successfully tagged openshell/sandbox-from:42\n", stderr: "failed to upload image tar into container" }),
    });
    await h.run(plan([hostPlan("a", [step("sandbox-create:alice", [], { params: { arm64: true, imageRefWorkaround: false, imageRefTarget: CLUSTER_ERA_TARGET } })])]));
    const event = h.stepEvent("a", "sandbox-create:alice");
    expect(event.failureKind).toBe("image_upload_container_missing");
    expect(event.hint).toContain("docker push localhost:5000/openshell/sandbox-from:42");
    expect(h.calls).toHaveLength(1);
  });

  it("carries out the image-reference workaround when the fleet file allows it", async () => {
    const h = harness({
      hosts: ["a"],
      respond: (call) =>
        call.argv[1] === "onboard" && !call.argv.includes("--resume")
          ? { exitCode: 1, stdout: "  Successfully tagged openshell/sandbox-from:42\n", stderr: "Error: failed to upload image tar into container" }
          : {},
    });
    await h.run(
      plan([
        hostPlan("a", [
          step("sandbox-create:alice", [], {
            commands: [command(["nemoclaw", "onboard", "--non-interactive"], { env: { NEMOCLAW_SANDBOX_NAME: { value: "alice" } } })],
            params: { arm64: true, imageRefWorkaround: true, imageRefTarget: CLUSTER_ERA_TARGET },
          }),
        ]),
      ]),
    );
    expect(h.calls.map((call) => (call.argv[0] === "sh" ? call.argv.slice(4) : call.argv.slice(0, 4)).join(" "))).toEqual([
      "nemoclaw onboard --non-interactive",
      "docker start registry",
      "docker run -d -p",
      "docker tag openshell/sandbox-from:42 localhost:5000/openshell/sandbox-from:42",
      "docker push localhost:5000/openshell/sandbox-from:42",
      "openclaw --from localhost:5000/openshell/sandbox-from:42 --name alice --no-bootstrap -- env CHAT_UI_URL=http://127.0.0.1:18789 NEMOCLAW_DASHBOARD_PORT=18789 nemoclaw-start",
      "nemoclaw onboard --non-interactive --resume",
    ]);
    expect(h.calls[5]?.env).toEqual({ OPENSHELL_GATEWAY: "nemoclaw" });
    expect(h.calls[6]?.env).toEqual({ NEMOCLAW_SANDBOX_NAME: "alice" });
    const event = h.stepEvent("a", "sandbox-create:alice");
    expect(event.status).toBe("ok");
    expect(event.notes[0]).toContain("created from localhost:5000/openshell/sandbox-from:42 with the image-reference workaround");
  });

  it("does not carry out the workaround on x86_64", async () => {
    const h = harness({ hosts: ["a"], respond: () => ({ exitCode: 1, stdout: "Built image openshell/sandbox-from:1\n", stderr: "failed to upload image tar into container" }) });
    await h.run(plan([hostPlan("a", [step("sandbox-create:alice", [], { params: { arm64: false, imageRefWorkaround: true } })])]));
    expect(h.calls).toHaveLength(1);
    expect(h.stepEvent("a", "sandbox-create:alice").hint).not.toContain("localhost:5000");
  });

  it("gives the TLS hint for the step's gateway", async () => {
    const h = harness({ hosts: ["a"], respond: () => ({ exitCode: 1, stderr: "invalid peer certificate: UnknownIssuer" }) });
    await h.run(plan([hostPlan("a", [step("sandbox-create:alice", [], { target: { kind: "sandbox", name: "alice", gateway: "nemoclaw-8081" } })])]));
    expect(h.stepEvent("a", "sandbox-create:alice")).toMatchObject({ failureKind: "tls_cert_mismatch" });
    expect(h.stepEvent("a", "sandbox-create:alice").hint).toContain("openshell gateway trust -g nemoclaw-8081");
  });
});

describe("applyPlan: backups", () => {
  const backupThenRebuild = () => [
    step("backup:alice@nightly", [], { kind: "backup", commands: [], params: { policy: "nightly", verify: true } }),
    step("sandbox-rebuild:alice", ["backup:alice@nightly"], { risk: "disruptive" }),
    step("restore:alice", ["sandbox-rebuild:alice"], { kind: "restore", commands: [], params: { from: "backup:alice@nightly", policy: "nightly", when: "always" } }),
  ];

  it("takes the backup through the backup service before the disruptive step and restores from it", async () => {
    const h = harness({ hosts: ["a"] });
    await h.run(plan([hostPlan("a", backupThenRebuild())]));
    expect(h.backups).toEqual(["a/alice@nightly"]);
    expect(h.restores).toEqual(["a/alice<-b-alice"]);
    expect(h.stepEvent("a", "backup:alice@nightly").notes[0]).toContain("verified");
  });

  it("a recreate NemoClaw reports as a partial restore fails its step, naming the backup that holds the state", async () => {
    const warning = "  Restoring workspace state from pre-recreate backup...\n  Warning: partial restore. Manual recovery: /home/op/.nemoclaw/rebuild-backups/alice/2026-11-22T10-00-01-318Z\n";
    const h = harness({ hosts: ["a"], respond: (call) => (call.argv[0] === "nemoclaw" ? { stderr: warning } : {}) });
    const recreate = step("sandbox-recreate:alice", [], { kind: "sandbox-recreate", risk: "disruptive", commands: [command(["nemoclaw", "onboard", "--non-interactive", "--recreate-sandbox"])] });
    const summary = await h.run(plan([hostPlan("a", [recreate, step("policy-add:alice", ["sandbox-recreate:alice"])])]));
    expect(h.stepEvent("a", "sandbox-recreate:alice")).toMatchObject({
      status: "failed",
      error: 'NemoClaw recreated alice but put its workspace back only partly ("partial restore"); the sandbox runs without its previous state',
      hint: expect.stringContaining('nemoclaw alice snapshot restore "2026-11-22T10-00-01-318Z"'),
    });
    expect(h.stepEvent("a", "policy-add:alice").status).toBe("skipped");
    expect(summary.exitCode).toBe(5);
  });

  it("a sandbox NemoClaw's installer rebuilt with a partial restore gets this run's backup back, though it survived", async () => {
    const warning = "  ⚠ Sandbox 'alice' rebuilt but some post-restore steps were incomplete\n    State restore was incomplete — backup available at: /home/op/.nemoclaw/rebuild-backups/alice/2026-11-22T10-00-01-318Z\n";
    const h = harness({ hosts: ["a"], respond: (call) => (call.argv[0] === "sh" ? { stdout: warning } : {}) });
    await h.run(
      plan([
        hostPlan("a", [
          step("backup:alice@nightly", [], { kind: "backup", commands: [], params: { policy: "nightly", verify: true } }),
          step("nemoclaw-install:a", ["backup:alice@nightly"], {
            kind: "nemoclaw-install",
            target: { kind: "host", name: "a" },
            commands: [command(["sh", "-c", "install"])],
            params: { nemoclaw: "0.0.76", openshell: { min: "0.0.72", max: "0.0.72" } },
          }),
          step("restore:alice", ["nemoclaw-install:a"], {
            kind: "restore",
            commands: [command(["nemoclaw", "onboard", "--recreate-sandbox"])],
            params: { from: "backup:alice@nightly", policy: "nightly", when: "sandbox-missing", recreateIfMissing: true },
          }),
        ]),
      ]),
    );
    expect(h.stepEvent("a", "nemoclaw-install:a").notes).toContain("NemoClaw's installer restored alice only partly (state kept in /home/op/.nemoclaw/rebuild-backups/alice/2026-11-22T10-00-01-318Z)");
    expect(h.restores).toEqual(["a/alice<-b-alice"]);
  });

  it("a failed backup refuses the disruptive step that needed it", async () => {
    const h = harness({ hosts: ["a"], backupFails: true });
    const summary = await h.run(plan([hostPlan("a", backupThenRebuild())]));
    expect(h.stepEvent("a", "backup:alice@nightly")).toMatchObject({ status: "failed", error: "tar stream broke" });
    expect(h.stepEvent("a", "sandbox-rebuild:alice")).toMatchObject({ status: "skipped", error: "not run: backup:alice@nightly did not succeed" });
    expect(h.calls).toEqual([]);
    expect(summary.exitCode).toBe(5);
  });

  const snapshotThenRetire = (verify: boolean) => [
    step("backup:alice", [], {
      kind: "backup",
      commands: [command(["nemoclaw", "alice", "snapshot", "create", "--name", "fleet-1"])],
      params: { policy: null, snapshot: "fleet-1", verify },
    }),
    step("gateway-retire:nemoclaw", ["backup:alice"], {
      kind: "gateway-retire",
      target: { kind: "gateway", name: "nemoclaw" },
      risk: "destructive",
      commands: [command(["openshell", "gateway", "destroy", "-g", "nemoclaw"])],
      params: { gateway: "nemoclaw", requiresVerifiedBackups: ["backup:alice"] },
    }),
  ];
  const listsSnapshot = (manifest: Record<string, unknown>) => (call: { argv: string[] }) =>
    call.argv[0] === "sh" && call.argv[2]?.includes("rebuild-backups") ? { stdout: `2026-11-22T10-00-00-000Z\t4\t${JSON.stringify(manifest)}\n` } : {};

  it("a NemoClaw snapshot the plan needs verified is checked by the manifest NemoClaw writes last", async () => {
    const h = harness({ hosts: ["a"], respond: listsSnapshot({ version: 1, sandboxName: "alice", name: "fleet-1" }) });
    await h.run(plan([hostPlan("a", snapshotThenRetire(true))]));
    expect(h.stepEvent("a", "backup:alice").status).toBe("ok");
    expect(h.stepEvent("a", "backup:alice").notes).toContain("NemoClaw snapshot fleet-1 (2026-11-22T10-00-00-000Z): 4 files, manifest written, verified");
    // The retire ran (its postcondition is judged against the harness's unchanged observation).
    expect(h.calls.map((call) => call.argv.join(" "))).toContain("openshell gateway destroy -g nemoclaw");
  });

  it("a snapshot without its manifest fails the backup, and nothing is retired", async () => {
    const h = harness({ hosts: ["a"], respond: listsSnapshot({ version: 1, sandboxName: "alice", name: "other" }) });
    await h.run(plan([hostPlan("a", snapshotThenRetire(true))]));
    expect(h.stepEvent("a", "backup:alice")).toMatchObject({ status: "failed", error: "a: checking snapshot fleet-1: no snapshot of alice with a manifest naming fleet-1 was found" });
    expect(h.calls.map((call) => call.argv.join(" "))).not.toContain("openshell gateway destroy -g nemoclaw");
  });

  it("a step that requires verified backups refuses when this run's backup was not verified", async () => {
    const h = harness({ hosts: ["a"] });
    await h.run(plan([hostPlan("a", snapshotThenRetire(false))]));
    expect(h.stepEvent("a", "gateway-retire:nemoclaw")).toMatchObject({ status: "failed", error: "refusing gateway-retire:nemoclaw: no verified backup from backup:alice in this run" });
    expect(h.calls.map((call) => call.argv.join(" "))).not.toContain("openshell gateway destroy -g nemoclaw");
  });

  it("a backup that failed verification counts as failed", async () => {
    const h = harness({ hosts: ["a"], backupVerified: false });
    await h.run(plan([hostPlan("a", backupThenRebuild())]));
    expect(h.stepEvent("a", "backup:alice@nightly").status).toBe("failed");
    expect(h.calls).toEqual([]);
  });

  it("a backup the step needs verified must be verified", async () => {
    const h = harness({ hosts: ["a"], backupVerified: null });
    await h.run(plan([hostPlan("a", backupThenRebuild())]));
    expect(h.stepEvent("a", "backup:alice@nightly").error).toContain("was not verified");
  });

  it("without a policy the backup is NemoClaw's on-host snapshot command", async () => {
    const h = harness({ hosts: ["a"] });
    const snapshot = step("backup:alice", [], { kind: "backup", commands: [command(["nemoclaw", "alice", "snapshot", "create", "--name", "fleet-x"])], params: { policy: null } });
    await h.run(plan([hostPlan("a", [snapshot])]));
    expect(h.backups).toEqual([]);
    expect(h.calls.map((call) => call.argv.join(" "))).toEqual(["nemoclaw alice snapshot create --name fleet-x"]);
  });

  it("a restore planned for a missing sandbox does nothing when the sandbox survived", async () => {
    const h = harness({ hosts: ["a"] });
    const restore = step("restore:alice", [], {
      kind: "restore",
      commands: [command(["nemoclaw", "onboard", "--non-interactive"])],
      params: { from: "backup:alice@nightly", policy: "nightly", when: "sandbox-missing", recreateIfMissing: true },
    });
    await h.run(plan([hostPlan("a", [restore])]));
    expect(h.calls).toEqual([]);
    expect(h.stepEvent("a", "restore:alice")).toMatchObject({ status: "ok", notes: ["alice survived; nothing to restore"] });
  });

  it("a restore that recreates only when missing puts the content back into a sandbox that is there, without recreating it", async () => {
    const h = harness({ hosts: ["a"] });
    const restore = step("restore:alice", [], {
      kind: "restore",
      commands: [command(["nemoclaw", "onboard", "--non-interactive", "--recreate-sandbox"]), command(["nemoclaw", "alice", "snapshot", "restore", "fleet-1", "--yes"])],
      params: { from: "backup:alice", policy: null, when: "always", recreateIfMissing: true },
    });
    await h.run(plan([hostPlan("a", [restore])]));
    expect(h.calls.map((call) => call.argv.join(" "))).toEqual(["nemoclaw alice snapshot restore fleet-1 --yes"]);
    expect(h.stepEvent("a", "restore:alice").status).toBe("ok");
  });
});

describe("applyPlan: interruption", () => {
  it("first Ctrl-C lets the running step finish, starts nothing new, records where it stopped, exit 130", async () => {
    let h: ReturnType<typeof harness>;
    h = harness({
      hosts: ["a", "b"],
      options: { concurrency: 1 },
      respond: (call) => {
        if (call.argv[1] === "one") h.control.interrupt();
        return {};
      },
    });
    const summary = await h.run(plan([hostPlan("a", [step("one"), step("two", ["one"])]), hostPlan("b", [step("three")])]));
    expect(h.calls.map((call) => call.argv[1])).toEqual(["one"]);
    expect(h.stepEvent("a", "one").status).toBe("ok");
    expect(summary.hosts.map((host) => host.status)).toEqual(["interrupted", "skipped"]);
    const finished = h.ofType("run-finished")[0];
    expect(finished).toMatchObject({ interrupted: true, exitCode: 130 });
    expect(finished?.stoppedAt).toEqual([{ host: "a", step: null, notStarted: ["two"] }]);
    expect(h.released).toEqual(["a"]);
    expect(summary.exitCode).toBe(130);
  });

  it("a Ctrl-C after every started host had finished its work says so instead of an empty list", async () => {
    let h: ReturnType<typeof harness>;
    h = harness({
      hosts: ["a", "b"],
      options: { concurrency: 1 },
      respond: () => {
        h.control.interrupt();
        return {};
      },
    });
    const summary = await h.run(plan([hostPlan("a", [step("one")]), hostPlan("b", [step("two")])]));
    expect(summary.stoppedAt).toEqual([]);
    const recap = formatRecap(summary, createColors(false)).join("\n");
    expect(recap).toContain("interrupted; no host was part-way through its work\n");
    expect(recap).not.toContain("stopped at:");
  });

  it("second Ctrl-C aborts the running command and marks the step cancelled", async () => {
    let h: ReturnType<typeof harness>;
    h = harness({
      hosts: ["a"],
      respond: () => {
        h.control.interrupt();
        h.control.interrupt();
        return { error: new TransportError("cancelled", "a", "aborted") };
      },
    });
    const summary = await h.run(plan([hostPlan("a", [step("long"), step("next", ["long"])])]));
    expect(h.control.abortSignal.aborted).toBe(true);
    expect(h.stepEvent("a", "long").status).toBe("cancelled");
    expect(summary.hosts[0]?.status).toBe("interrupted");
    expect(summary.stoppedAt).toEqual([{ host: "a", step: "long", notStarted: ["next"] }]);
    expect(h.ofType("run-interrupting").map((event) => event.stage)).toEqual(["draining", "aborting"]);
  });
});

describe("applyPlan: stale registry recovery", () => {
  const original = `${JSON.stringify({ defaultSandbox: "alice", sandboxes: { alice: { name: "alice", gatewayName: "nemoclaw", policies: [] } } }, null, 2)}\n`;
  const recover = () =>
    step("sandbox-stale-recover:alice", [], {
      kind: "sandbox-stale-recover",
      commands: [command(["nemoclaw", "alice", "rebuild", "--yes"])],
      params: { sandbox: "alice", gateway: "nemoclaw", registry: { snapshot: true, restoreExactlyOnFailure: true }, shields: { clearStaleState: true, reapply: true } },
    });
  const setup = () => {
    const home = mkdtempSync(join(tmpdir(), "ncf-stale-"));
    mkdirSync(join(home, ".nemoclaw", "state"), { recursive: true });
    writeFileSync(join(home, ".nemoclaw", "sandboxes.json"), original);
    writeFileSync(join(home, ".nemoclaw", "state", "shields-alice.json"), '{"shieldsDown":false}');
    return home;
  };

  it("puts the registry entry back exactly when the recreate fails", async () => {
    const home = setup();
    try {
      const h = harness({
        hosts: ["a"],
        home,
        respond: () => {
          // A failed rebuild that dropped the entry on its way down.
          writeFileSync(join(home, ".nemoclaw", "sandboxes.json"), '{"defaultSandbox":null,"sandboxes":{}}');
          return { exitCode: 1, stderr: "Error: sandbox create failed" };
        },
      });
      await h.run(plan([hostPlan("a", [recover()])]));
      expect(readFileSync(join(home, ".nemoclaw", "sandboxes.json"), "utf8")).toBe(original);
      expect(h.stepEvent("a", "sandbox-stale-recover:alice")).toMatchObject({ status: "failed", notes: ["registry entry alice restored exactly as before the step"] });
      expect(existsSync(join(home, ".nemoclaw", "state", "shields-alice.json"))).toBe(true);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("clears the old sandbox's shields state after success and says shields must be re-applied", async () => {
    const home = setup();
    try {
      const h = harness({ hosts: ["a"], home });
      await h.run(plan([hostPlan("a", [recover()])]));
      // The recreate's round trip keeps the host lock: the shields clean-up after it still needs it.
      expect(h.trips.map((trip) => trip.releases)).toEqual([false, false]);
      expect(h.released).toEqual(["a"]);
      const event = h.stepEvent("a", "sandbox-stale-recover:alice");
      expect(event.status).toBe("ok");
      expect(event.notes).toContain("recovered from a stale registry entry");
      expect(event.notes.join("\n")).toContain("must be re-applied");
      expect(h.ofType("host-note").map((note) => note.message).join("\n")).toContain("must be re-applied");
      expect(existsSync(join(home, ".nemoclaw", "state", "shields-alice.json"))).toBe(false);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe("applyPlan: a risk ceiling", () => {
  it("held-back steps are pending in the header, the tally and the recap; the run exits 2 (changes pending)", async () => {
    const h = harness({ hosts: ["a", "b"] });
    const held = { id: "sandbox-gateway-restart:alice", kind: "sandbox-gateway-restart" as const, risk: "disruptive" as const, summary: "a guard has mode 644", because: "disruptive is above --max-risk safe" };
    const ceiling = plan([hostPlan("a", [step("lock-clear:bob")]), hostPlan("b", [], { status: "changes", heldBack: [held] })]);
    const summary = await h.run({ ...ceiling, options: { ...ceiling.options, maxRisk: "safe" } });
    expect(h.ofType("run-started")[0]).toMatchObject({ maxRisk: "safe", heldBack: { b: [held] } });
    expect(h.calls.map((call) => `${call.host} ${call.argv.join(" ")}`)).toEqual(["a echo lock-clear:bob"]);
    expect(summary.hosts.map((host) => [host.host, host.status, host.heldBack.map((entry) => entry.id)])).toEqual([
      ["a", "ok", []],
      ["b", "no-changes", ["sandbox-gateway-restart:alice"]],
    ]);
    expect(summary.exitCode).toBe(2);
    const recap = formatRecap(summary, createColors(false)).join("\n");
    expect(recap).toContain("pending sandbox-gateway-restart:alice [disruptive]: held back, disruptive is above --max-risk safe");
    expect(recap).toContain("exit 2 (changes pending: steps held back)");
    expectValidEvents(h.events);
  });

  it("a failure elsewhere is still the run's exit code", async () => {
    const h = harness({ hosts: ["a", "b"], respond: () => ({ exitCode: 1 }) });
    const held = { id: "x", kind: "sandbox-rebuild" as const, risk: "disruptive" as const, summary: "s", because: "b" };
    const summary = await h.run(plan([hostPlan("a", [step("policy-add:bob")]), hostPlan("b", [], { status: "changes", heldBack: [held] })]));
    expect(summary.exitCode).toBe(5);
  });
});
