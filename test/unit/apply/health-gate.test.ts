import { describe, expect, it } from "vitest";
import { formatEventLines } from "../../../src/report/progress-lines.js";
import { changedSandboxes } from "../../../src/apply/health-gate.js";
import { parseWaves } from "../../../src/apply/waves.js";
import { formatRecap } from "../../../src/report/recap.js";
import { createColors } from "../../../src/report/color.js";
import { desiredHost, gateway, hostPlan, observed, plan, sandbox, step } from "./fixtures.js";
import { expectValidEvents, harness, type Call } from "./harness.js";

const UNREACHABLE = "Inference gateway unreachable on https://inference.local/v1/models from inside the sandbox. DNS may have failed or the openclaw gateway / auth proxy is not running.";

function status(inference: { ok: boolean; detail: string }, phase = "Ready"): string {
  return JSON.stringify({ schemaVersion: 1, name: "alice", found: true, phase, gatewayState: "present", inferenceHealth: { probed: true, providerLabel: "nvidia-prod", endpoint: "https://inference.local/v1/models", ...inference }, rpcIssue: null, failureLayer: null });
}

const isStatus = (call: Call) => call.argv.join(" ") === "nemoclaw alice status --json";
const onRelease = (version: string) => (host: string) => observed(host, { nemoclaw: { state: "known", value: { installed: true, version, path: "/home/u/.local/bin/nemoclaw" } } });

describe("the health gate", () => {
  it("waits with growing pauses until the changed sandbox is healthy by NemoClaw's own status; the host is ok", async () => {
    let round = 0;
    const h = harness({
      hosts: ["a"],
      observe: onRelease("0.0.124"),
      options: { healthGate: { timeoutMs: 300_000 } },
      respond: (call) => {
        if (!isStatus(call)) return {};
        round += 1;
        return round < 3 ? { exitCode: 1, stdout: status({ ok: false, detail: UNREACHABLE }) } : { stdout: status({ ok: true, detail: "Inference gateway responded HTTP 200" }) };
      },
    });
    const summary = await h.run(plan([hostPlan("a", [step("policy-add:alice")])]));
    expect(h.hostStatus("a")).toBe("ok");
    expect(h.sleeps).toEqual([2_000, 4_000]);
    expect(h.ofType("health-gate-started")).toMatchObject([{ host: "a", sandboxes: ["nemoclaw/alice"], timeoutMs: 300_000 }]);
    expect(h.ofType("health-gate-finished")).toMatchObject([
      { host: "a", status: "healthy", attempts: 3, sandboxes: [{ sandbox: "alice", healthy: true, check: "`nemoclaw alice status --json` (phase and the in-sandbox inference route)" }] },
    ]);
    // The gate runs under the host lock: before it is released.
    const order = h.events.filter((event) => "host" in event && event.host === "a").map((event) => event.type);
    expect(order.indexOf("health-gate-finished")).toBeLessThan(order.indexOf("lock-released"));
    expect(summary.exitCode).toBe(0);
  });

  it("a sandbox still unhealthy when the time runs out fails its host, names it, the check and its output, reminds of the backups, and stops the later waves", async () => {
    const h = harness({
      hosts: ["a", "b", "c"],
      observe: onRelease("0.0.124"),
      options: { healthGate: { timeoutMs: 60_000 }, waves: parseWaves("1"), maxFailPercentage: 0 },
      respond: (call) => (isStatus(call) && call.host === "b" ? { exitCode: 1, stdout: status({ ok: false, detail: UNREACHABLE }) } : isStatus(call) ? { stdout: status({ ok: true, detail: "ok" }) } : {}),
    });
    h.deps.fleet.backupPolicies[0]!.beforeDisruptive = true;
    const steps = () => [
      step("backup:alice@nightly", [], { kind: "backup", params: { policy: "nightly", purposes: ["before-disruptive"] }, commands: [] }),
      step("sandbox-recreate:alice", ["backup:alice@nightly"], { kind: "sandbox-recreate", risk: "disruptive" }),
    ];
    const summary = await h.run(plan([hostPlan("a", steps()), hostPlan("b", steps()), hostPlan("c", steps())]));
    expect(Object.fromEntries(h.ofType("host-finished").map((event) => [event.host, event.status]))).toEqual({ a: "ok", b: "failed", c: "skipped" });
    expect(h.ofType("threshold-exceeded")).toMatchObject([{ wave: 2, skipped: ["c"] }]);
    const gate = h.ofType("health-gate-finished").find((event) => event.host === "b")!;
    expect(gate).toMatchObject({ status: "unhealthy", sandboxes: [{ sandbox: "alice", gateway: "nemoclaw", healthy: false, detail: `inference: ${UNREACHABLE}` }], backups: ["alice: backup b-alice at /backups/b/alice (verified)"] });
    expect(gate.sandboxes[0]!.output).toContain('"ok":false');
    // 2 + 4 + 8 + 16 + 30 = 60 s: checked at once, then until the deadline and not after.
    expect(gate.attempts).toBe(6);
    const message = h.ofType("host-finished").find((event) => event.host === "b")!.message!;
    expect(message).toBe(
      `health gate: after 1m, alice (gateway nemoclaw) is not healthy by \`nemoclaw alice status --json\` (phase and the in-sandbox inference route): inference: ${UNREACHABLE} ` +
        "The backups taken before the change: alice: backup b-alice at /backups/b/alice (verified). Restore with `nemoclaw backup restore b/alice /fleet/fleet.yaml` (policy backups) or `nemoclaw <sandbox> snapshot restore <label>` on the host (NemoClaw snapshots).",
    );
    expect(summary.exitCode).toBe(5);
    const recap = formatRecap(summary, createColors(false)).join("\n");
    expect(recap).toContain("alice | {");
    expect(h.calls.some((call) => call.host === "c")).toBe(false);

    expectValidEvents(h.events);
    const lines = h.events.flatMap((event) => formatEventLines(event, createColors(false))).join("\n");
    expect(lines).toContain("[b] health gate: waiting up to 1m00s for nemoclaw/alice to be healthy");
    expect(lines).toContain("[b] ✗ health gate failed (1m00s, 6 rounds)");
    expect(lines).toContain(`✗ nemoclaw/alice: inference: ${UNREACHABLE}`);
    expect(lines).toContain("backups taken before the change:\n      alice: backup b-alice at /backups/b/alice (verified)");
  });

  it("interrupted while it waits, the recap says the host stopped in the health gate and why each sandbox was not yet healthy", async () => {
    const h = harness({
      hosts: ["a"],
      observe: onRelease("0.0.124"),
      options: { healthGate: { timeoutMs: 300_000 } },
      respond: (call) => {
        if (!isStatus(call)) return {};
        h.control.interrupt();
        return { exitCode: 1, stdout: status({ ok: false, detail: UNREACHABLE }) };
      },
    });
    const summary = await h.run(plan([hostPlan("a", [step("policy-add:alice")])]));
    expect(h.hostStatus("a")).toBe("interrupted");
    const recap = formatRecap(summary, createColors(false)).join("\n");
    expect(recap).toContain("interrupted during the health gate");
    expect(recap).toContain(`alice: not yet healthy when interrupted: inference: ${UNREACHABLE}`);
    expect(recap).not.toContain("alice | {");
    expect(recap).toContain("interrupted; stopped at:\n  a: during the health gate\n");
  });

  it("on a release without status --json it reads the observed phase, observing the host again each round", async () => {
    let observations = 0;
    const h = harness({
      hosts: ["a"],
      options: { healthGate: { timeoutMs: 60_000 } },
      observe: (host) => {
        observations += 1;
        const phase = observations < 3 ? "Provisioning" : "Ready";
        return { ...onRelease("0.0.50")(host), gateways: { state: "known", value: [gateway("nemoclaw", [sandbox("alice", { phase })])] } };
      },
    });
    await h.run(plan([hostPlan("a", [step("sandbox-rebuild:alice", [], { kind: "sandbox-rebuild", risk: "disruptive" })])]));
    expect(h.calls.some(isStatus)).toBe(false);
    expect(h.ofType("health-gate-finished")).toMatchObject([{ status: "healthy", sandboxes: [{ healthy: true, detail: "Ready", check: "the phase `openshell sandbox list` reports (this release has no `status --json`)" }] }]);
    expect(h.hostStatus("a")).toBe("ok");
  });

  it("does nothing without apply.healthGate, or when the steps changed no sandbox", async () => {
    const none = harness({ hosts: ["a"], observe: onRelease("0.0.124") });
    await none.run(plan([hostPlan("a", [step("policy-add:alice")])]));
    expect(none.ofType("health-gate-started")).toEqual([]);
    expect(none.calls.some(isStatus)).toBe(false);
    const backupOnly = harness({ hosts: ["a"], observe: onRelease("0.0.124"), options: { healthGate: { timeoutMs: 60_000 } } });
    await backupOnly.run(plan([hostPlan("a", [step("backup:alice", [], { kind: "backup", params: { snapshot: "fleet-x", purposes: ["due"] } })])]));
    expect(backupOnly.ofType("health-gate-started")).toEqual([]);
  });

  it("a failed step fails the host without a gate", async () => {
    const h = harness({ hosts: ["a"], observe: onRelease("0.0.124"), options: { healthGate: { timeoutMs: 60_000 } }, respond: (call) => (isStatus(call) ? {} : { exitCode: 1 }) });
    await h.run(plan([hostPlan("a", [step("policy-add:alice")])]));
    expect(h.hostStatus("a")).toBe("failed");
    expect(h.ofType("health-gate-started")).toEqual([]);
  });
});

describe("changedSandboxes", () => {
  it("each sandbox step's sandbox; a gateway step's sandboxes; every sandbox for an install; nothing for backups or deletes", () => {
    const host = desiredHost("a");
    const desired = (name: string, gatewayName: string) => ({ ...host.sandboxes[0]!, name, gateway: gatewayName }) as (typeof host.sandboxes)[number];
    host.sandboxes = [desired("alice", "nemoclaw"), desired("bob", "nemoclaw-8081")];
    const names = (steps: Parameters<typeof changedSandboxes>[1]) => changedSandboxes(host, steps).map((target) => `${target.gateway}/${target.sandbox}`);
    expect(names([step("backup:alice", [], { kind: "backup" }), step("sandbox-delete:old", [], { kind: "sandbox-delete" })])).toEqual([]);
    expect(names([step("lock-clear:alice", [], { kind: "lock-clear" }), step("sandbox-recover:alice", [], { kind: "sandbox-recover" })])).toEqual(["nemoclaw/alice"]);
    expect(names([step("gateway-recover:nemoclaw-8081", [], { kind: "gateway-recover", target: { kind: "gateway", name: "nemoclaw-8081" } })])).toEqual(["nemoclaw-8081/bob"]);
    expect(names([step("nemoclaw-install:a", [], { kind: "nemoclaw-install", target: { kind: "host", name: "a" } })])).toEqual(["nemoclaw/alice", "nemoclaw-8081/bob"]);
  });

  it("an inference change, only the sandboxes it names; never a sandbox whose own step --max-risk held back", () => {
    const host = desiredHost("a");
    const desired = (name: string) => ({ ...host.sandboxes[0]!, name, gateway: "nemoclaw" }) as (typeof host.sandboxes)[number];
    host.sandboxes = [desired("alice"), desired("bob")];
    const inference = step("inference-set:nemoclaw", [], { kind: "inference-set", target: { kind: "gateway", name: "nemoclaw" }, params: { gateway: "nemoclaw", sandboxes: ["bob"] } });
    expect(changedSandboxes(host, [inference]).map((target) => target.sandbox)).toEqual(["bob"]);
    const gatewayStart = step("gateway-start:nemoclaw", [], { kind: "gateway-start", target: { kind: "gateway", name: "nemoclaw" } });
    expect(changedSandboxes(host, [gatewayStart], new Set(["alice"])).map((target) => target.sandbox)).toEqual(["bob"]);
  });
});
