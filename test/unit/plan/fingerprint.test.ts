import { describe, expect, it } from "vitest";
import { canonicalJson, factFingerprints, factKeysOf, factValue } from "../../../src/plan/fingerprint.js";
import { converged, gateway, guardFile, GUARD_PATHS, hostPlanOf, known, liveSandbox, observedSandbox, registryEntries, safeGuards, unknown } from "./builders.js";

/** A deep copy with every object's keys in reverse order. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.keys(value).reverse().map((key) => [key, reversed((value as Record<string, unknown>)[key])]));
}

const KEYS = ["openshell", "gateway:nemoclaw", "gateway:nemoclaw/sandboxes", "sandbox:nemoclaw/assistant", "registry:assistant", "shields:assistant"];

describe("fact fingerprints", () => {
  it("are stable under volatile fields and key order", () => {
    const a = converged().observed;
    const b = converged().observed;
    b.observedAt = "2026-11-23T00:00:00.000Z";
    b.durationMs = 12_345;
    const reordered = reversed(b) as typeof b;
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(a));
    expect(factFingerprints(reordered, KEYS)).toEqual(factFingerprints(a, KEYS));
  });

  it("change when a fact a step depends on changes, and only that fact", () => {
    const before = converged().observed;
    const after = converged().observed;
    liveSandbox(after).guards = known(safeGuards({ files: [guardFile(GUARD_PATHS.proxyEnv, { mode: "644" }), guardFile(GUARD_PATHS.safetyNet), guardFile(GUARD_PATHS.ciao)] }));
    const old = factFingerprints(before, KEYS);
    const now = factFingerprints(after, KEYS);
    expect(now["sandbox:nemoclaw/assistant"]).not.toBe(old["sandbox:nemoclaw/assistant"]);
    for (const key of KEYS.filter((key) => key !== "sandbox:nemoclaw/assistant")) expect(now[key]).toBe(old[key]);
  });

  it("a new sibling sandbox changes the gateway's list but not the other sandbox's fact", () => {
    const before = converged().observed;
    const after = converged().observed;
    gateway(after).sandboxes = known([observedSandbox("assistant"), observedSandbox("coder")]);
    const old = factFingerprints(before, KEYS);
    const now = factFingerprints(after, KEYS);
    expect(now["gateway:nemoclaw/sandboxes"]).not.toBe(old["gateway:nemoclaw/sandboxes"]);
    expect(now["sandbox:nemoclaw/assistant"]).toBe(old["sandbox:nemoclaw/assistant"]);
    expect(now["gateway:nemoclaw"]).toBe(old["gateway:nemoclaw"]);
  });

  it("a registry row change is seen by that row's key only", () => {
    const after = converged().observed;
    registryEntries(after)[0]!.policies = ["pypi"];
    expect(factFingerprints(after, ["registry:assistant"])).not.toEqual(factFingerprints(converged().observed, ["registry:assistant"]));
  });

  it("a NemoClaw snapshot is found by sandbox and label: null until one of that name exists", () => {
    const observed = converged().observed;
    const key = "snapshot:assistant/fleet-20261122T093000Z";
    expect(factValue(observed, key)).toBeNull();
    const backup = { sandbox: "assistant", timestamp: "2026-11-22T09:30:01.000Z", name: "fleet-20261122T093000Z", path: "/home/u/.nemoclaw/rebuild-backups/assistant/2026-11-22T09-30-01-000Z", agentType: "openclaw", agentVersion: null };
    observed.hostBackups = known([{ ...backup, name: "other" }, { ...backup, sandbox: "coder" }]);
    expect(factValue(observed, key)).toBeNull();
    observed.hostBackups = known([backup]);
    expect(factValue(observed, key)).toEqual(backup);
  });

  it("missing resources fingerprint as null and unknown facts as their record", () => {
    const observed = converged().observed;
    expect(factValue(observed, "sandbox:nemoclaw/ghost")).toBeNull();
    expect(factValue(observed, "gateway:nemoclaw-9000")).toBeNull();
    observed.registry = unknown("unreadable", "EACCES");
    expect(factValue(observed, "registry:assistant")).toEqual({ state: "unknown", reason: "unreadable", excerpt: "EACCES" });
    expect(() => factValue(observed, "nonsense:x")).toThrow(/unknown fact key/);
  });

  it("canonical JSON sorts keys at every level and drops volatile fields", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 0 }], c: null }, observedAt: "now" })).toBe('{"a":{"c":null,"d":[2,{"x":0,"y":1}]},"b":1}');
  });

  it("a host plan carries a fingerprint for exactly the facts its steps name", () => {
    const scenario = converged();
    liveSandbox(scenario.observed).guards = known(safeGuards({ locks: [{ path: "/tmp/openclaw-1/gateway.a.lock", pid: null, stale: true }], agentGatewayPids: [] }));
    const plan = hostPlanOf(scenario);
    expect(Object.keys(plan.fingerprints)).toEqual(factKeysOf(plan));
    expect(factKeysOf(plan)).toEqual(["gateway:nemoclaw", "openshell", "sandbox:nemoclaw/assistant"]);
  });
});
