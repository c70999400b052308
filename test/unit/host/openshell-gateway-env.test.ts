/**
 * A host whose environment exports OPENSHELL_GATEWAY: OpenShell's subcommand-level `--name`
 * options read it and win over the global -g, so every command the product names a gateway for
 * must still reach that gateway. Run against the simulated releases.
 */
import { describe, expect, it } from "vitest";
import { gatewayDestroy } from "../../../src/host/openshell/commands.js";
import { parseProbeOutput } from "../../../src/host/probe/sections.js";
import { buildProbeScript, newProbeNonce } from "../../../src/observe/probe.js";
import { hostsPerTest, stripAnsi } from "../sim/harness.js";

const use = hostsPerTest();
const OTHER = { OPENSHELL_GATEWAY: "nemoclaw-9000" };

describe("an exported OPENSHELL_GATEWAY", { timeout: 120_000 }, () => {
  it("does not turn the retirement of one cluster gateway into another's (0.0.36)", async () => {
    const h = await use({ openshell: { version: "0.0.36" }, gateways: [{ port: 8080 }, { port: 9000 }] });
    const [program, ...args] = gatewayDestroy("nemoclaw").argv;
    expect((await h.run(program!, args, { env: OTHER })).code).toBe(0);
    const containers = await h.run("docker", ["ps", "-a", "--format", "{{.Names}}"]);
    expect(containers.stdout.split("\n").filter(Boolean)).toEqual(["openshell-cluster-nemoclaw-9000"]);
  });

  it("does not make the probe read another gateway's local info (0.0.72)", async () => {
    const h = await use({ openshell: { version: "0.0.72" }, gateways: [{ port: 8080 }, { port: 9000 }] });
    const nonce = newProbeNonce();
    const script = buildProbeScript({ nonce, gatewayNames: ["nemoclaw", "nemoclaw-9000"], commandTimeoutSec: 20 });
    const result = await h.run("/bin/sh", ["-s"], { input: script, env: OTHER });
    const probe = parseProbeOutput(result.stdout, nonce);
    expect(stripAnsi(probe.get("gateway-info", "nemoclaw")?.body ?? "")).toMatch(/Gateway: nemoclaw\n[\s\S]*Gateway endpoint: \S+:8080\b/);
    expect(stripAnsi(probe.get("gateway-info", "nemoclaw-9000")?.body ?? "")).toMatch(/Gateway: nemoclaw-9000\n/);
  });
});
