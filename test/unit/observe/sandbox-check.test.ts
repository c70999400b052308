import { describe, expect, it } from "vitest";
import { parseProbeOutput } from "../../../src/host/probe/sections.js";
import { checkedSandboxRead, checkTargetFor, withSandboxChecked } from "../../../src/observe/sandbox-check.js";
import { gateway, observed, sandbox } from "../apply/fixtures.js";

const NONCE = "0123456789abcdef0123456789abcdef";
const META = { observedAt: "2026-11-22T10:05:00.000Z", durationMs: 3, unreachable: null };
const TARGET = { gateway: "nemoclaw", sandbox: "alice", openshellVersion: "0.0.72" };

/** What the check script prints: the sections the full probe prints for the gateway's list and the sandbox. */
function answer(sections: { name: string; key: string; rc: number; body: string }[]): ReturnType<typeof parseProbeOutput> {
  const text = [...sections, { name: "done", key: "", rc: 0, body: "" }]
    .map((section) => `@@NCF ${NONCE} BEGIN ${section.name}${section.key ? ` ${section.key}` : ""}\n${section.body}\n@@NCF ${NONCE} END ${section.name} rc=${section.rc}\n`)
    .join("");
  return parseProbeOutput(text, NONCE);
}

describe("targeted checks", () => {
  it("are possible only where the last observation knows the gateway and the CLI's version", () => {
    expect(checkTargetFor(observed("a"), "nemoclaw", "alice")).toEqual(TARGET);
    expect(checkTargetFor(observed("a"), "nemoclaw-8081", "alice")).toBeNull();
    expect(checkTargetFor(observed("a", { openshell: { state: "unknown", reason: "cut off", excerpt: "" } }), "nemoclaw", "alice")).toBeNull();
    expect(checkTargetFor(observed("a", { unreachable: { kind: "timeout", message: "slow" } }), "nemoclaw", "alice")).toBeNull();
  });

  it("leave the judgement to a full observation when the sandbox's inside was not read", () => {
    const previous = observed("a", { gateways: { state: "known", value: [gateway("nemoclaw", [sandbox("alice"), sandbox("bob")])] } });
    const listFailed = withSandboxChecked(previous, answer([{ name: "sandbox-list", key: "nemoclaw", rc: 1, body: "Error:   × tcp connect error: Connection refused" }]), TARGET, META);
    expect(checkedSandboxRead(listFailed, TARGET)).toBe(false);
    const gone = withSandboxChecked(previous, answer([{ name: "sandbox-list", key: "nemoclaw", rc: 0, body: "NAME  PHASE\nbob   Ready" }]), TARGET, META);
    expect(checkedSandboxRead(gone, TARGET)).toBe(false);
    const notEntered = withSandboxChecked(previous, answer([{ name: "sandbox-list", key: "nemoclaw", rc: 0, body: "NAME   PHASE\nalice  Ready\nbob    Ready" }]), TARGET, META);
    expect(checkedSandboxRead(notEntered, TARGET)).toBe(false);
    expect(checkedSandboxRead(withSandboxChecked(previous, answer([]), TARGET, { ...META, unreachable: { kind: "timeout", message: "slow" } }), TARGET)).toBe(false);
  });

  it("keep the other sandboxes' insides as last seen, with their phase as listed now", () => {
    const previous = observed("a", { gateways: { state: "known", value: [gateway("nemoclaw", [sandbox("alice"), sandbox("bob")])] } });
    const checked = withSandboxChecked(previous, answer([{ name: "sandbox-list", key: "nemoclaw", rc: 0, body: "NAME   PHASE\nalice  Ready\nbob    Provisioning" }]), TARGET, META);
    const [, bob] = checked.gateways.state === "known" && checked.gateways.value[0]!.sandboxes.state === "known" ? checked.gateways.value[0]!.sandboxes.value : [];
    expect(bob).toMatchObject({ name: "bob", phase: "Provisioning", guards: sandbox("bob").guards });
    expect(checked.observedAt).toBe(META.observedAt);
  });
});
