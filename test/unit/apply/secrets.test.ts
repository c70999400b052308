import { describe, expect, it } from "vitest";
import { readRunSecrets } from "../../../src/apply/secrets.js";
import { resolveSecret } from "../../../src/config/secrets.js";
import type { DesiredSandbox, SecretRef } from "../../../src/config/types.js";
import { command, fleet, hostPlan, plan, step } from "./fixtures.js";

const KEY: SecretRef = { kind: "file", path: "/keys/nvidia" };
const AT = { file: "/fleet/fleet.yaml", line: 14, column: 17, path: "sandboxes[0].credential" };

function create(name: string, ref: SecretRef = KEY) {
  return step(`sandbox-create:${name}`, [], { commands: [command(["nemoclaw", "onboard"], { env: { NVIDIA_INFERENCE_API_KEY: { secret: ref } } })] });
}

function fleetWriting(ref: SecretRef) {
  const desired = fleet(["a", "b"]);
  desired.hosts[1]!.sandboxes.push({ name: "alice", credential: ref, credentialSource: AT } as DesiredSandbox);
  return desired;
}

describe("the secrets a run's steps need, read before the run", () => {
  it("reads each reference once, for every step that names it", async () => {
    const reads: string[] = [];
    const secrets = await readRunSecrets(plan([hostPlan("a", [create("alice")]), hostPlan("b", [create("bob"), step("policy-add:bob")])]), fleetWriting(KEY), async (ref) => {
      reads.push(JSON.stringify(ref));
      return "nvapi-key";
    });
    expect(secrets).toEqual({ values: new Map([["file:/keys/nvidia", "nvapi-key"]]) });
    expect(reads).toHaveLength(1);
  });

  it("a file holding more than one line is refused where the fleet file names it, without its value", async () => {
    const resolve = (ref: SecretRef) => resolveSecret(ref, { readFile: async () => "nvapi-first\nnvapi-second\n" });
    const secrets = await readRunSecrets(plan([hostPlan("b", [create("alice")])]), fleetWriting(KEY), resolve);
    expect(secrets).toEqual({
      problems: [{ at: AT, message: "secret file:/keys/nvidia: the value holds more than one line; a provider key is one line; needed by sandbox-create:alice on b" }],
    });
  });

  it("an empty variable is said to be empty, not unset", async () => {
    const ref: SecretRef = { kind: "env", name: "NV_KEY" };
    const secrets = await readRunSecrets(plan([hostPlan("a", [create("alice", ref)])]), fleetWriting(ref), (r) => resolveSecret(r, { env: { NV_KEY: "" } }));
    expect(secrets).toEqual({ problems: [{ at: AT, message: "secret env:NV_KEY: environment variable NV_KEY is empty; needed by sandbox-create:alice on a" }] });
  });
});
