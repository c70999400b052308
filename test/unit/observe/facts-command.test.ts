/** `nemoclaw facts`: rendering and exit codes, with injected load/select/observe. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseExposition, stateOf, valueOf } from "../../support/exposition.js";
import { type FactsCommandDeps, runFactsCommand } from "../../../src/cli/facts.js";
import { FleetValidationError } from "../../../src/config/diagnostics.js";
import type { DesiredFleet } from "../../../src/config/types.js";
import { assembleHost, unreachableHost } from "../../../src/observe/host.js";
import { parseProbeOutput } from "../../../src/host/probe/sections.js";
import type { ObservedFleet } from "../../../src/observe/types.js";
import { fixture } from "./fixtures.js";
import { baseSections, NONCE, probeStdout } from "./probe-output.js";

const guardLines = [
  "NCF-GUARDS-BEGIN",
  "guard-missing|/tmp/nemoclaw-proxy-env.sh",
  "guard|/tmp/nemoclaw-sandbox-safety-net.js|0|root|0|root|644|regular file",
  "guard|/tmp/nemoclaw-ciao-network-guard.js|0|root|0|root|444|regular file",
  'lock|/tmp/openclaw-998/gateway.3f2a9c1d.lock|{"pid":41}',
  "NCF-GUARDS-END",
].join("\n");

const spark = assembleHost(
  "spark-01",
  parseProbeOutput(
    probeStdout(baseSections([
      { name: "registry", body: '{"defaultSandbox":"alpha","sandboxes":{"alpha":{"name":"alpha","gatewayPort":8080},"ghost":{"name":"ghost"}}}' },
      { name: "gateway-metadata", key: "user nemoclaw", body: '{"name":"nemoclaw","gateway_endpoint":"http://127.0.0.1:8080","gateway_port":8080}' },
      { name: "runtime-marker", key: "openshell-docker-gateway", body: fixture("files/runtime-marker.json") },
      { name: "process", key: "4242", body: "alive yes\nexe /home/dgx/.local/bin/openshell-gateway\narg /home/dgx/.local/bin/openshell-gateway" },
      { name: "running-version", key: "4242 exe", body: "openshell-gateway 0.0.69" },
      { name: "status", key: "nemoclaw", body: fixture("status/text-nemoclaw-sample.txt") },
      { name: "sandbox-list", key: "nemoclaw", body: fixture("sandbox-list/json-0.0.44.json") },
      { name: "sandbox-guards", key: "nemoclaw alpha", body: guardLines },
    ])),
    NONCE,
  ),
  { observedAt: "2026-07-08T00:00:00.000Z", durationMs: 900, unreachable: null },
);
const down = unreachableHost("spark-02", { kind: "unreachable", message: "connect ECONNREFUSED 10.0.0.2:22" }, "2026-07-08T00:00:00.000Z", 3);

function deps(observed: ObservedFleet, overrides: Partial<FactsCommandDeps> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const fleet = { hosts: [] } as unknown as DesiredFleet;
  const value: FactsCommandDeps = {
    load: async () => ({ fleet, warnings: [] }),
    select: () => observed.hosts.map((host) => host.host),
    observe: async () => observed,
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    env: {},
    now: () => new Date("2026-07-08T00:01:00.000Z"),
    ...overrides,
  };
  return { value, out, err };
}

const options = { inventory: ["hosts.yml"], json: false, color: true };

describe("nemoclaw facts", () => {
  it("--json prints the observed fleet; exit 0 when every host answered", async () => {
    const { value, out } = deps({ hosts: [spark] });
    expect(await runFactsCommand(undefined, { ...options, json: true }, value)).toBe(0);
    expect(JSON.parse(out.join(""))).toEqual(JSON.parse(JSON.stringify({ hosts: [spark] })));
  });

  it("exit 4 when a host was unreachable", async () => {
    const { value } = deps({ hosts: [spark, down] });
    expect(await runFactsCommand(undefined, { ...options, json: true }, value)).toBe(4);
  });

  it("a compact human summary: drift, guard problems, stale registry entries, unreachable hosts", async () => {
    const { value, out, err } = deps({ hosts: [spark, down] });
    expect(await runFactsCommand("fleet.yaml", options, value)).toBe(4);
    const text = out.join("");
    expect(text).not.toMatch(/\x1b\[/);
    expect(err.join("")).toBe("Observing 2 hosts…\n");
    expect(text).toContain("spark-01  aarch64 · DGX Spark · Ubuntu 24.04.3 LTS · kernel 6.8.0-1014-nvidia");
    expect(text).toMatch(/OpenShell\s+CLI 0\.0\.72 \(\/home\/dgx\/\.local\/bin\/openshell\) · gateway binary 0\.0\.72/);
    expect(text).toMatch(/● nemoclaw {2}:8080 {2}host-process {2}0\.0\.69 ≠ CLI 0\.0\.72 {2}pid 4242 {2}healthy: connected/);
    expect(text).toContain(
      "alpha  Ready  /tmp/nemoclaw-proxy-env.sh is missing; /tmp/nemoclaw-sandbox-safety-net.js has mode 644, not 0444; stale gateway lock /tmp/openclaw-998/gateway.3f2a9c1d.lock (pid 41 is gone) · agent gateway not running",
    );
    expect(text).toContain("Registry   2 sandboxes, default alpha\n        alpha → nemoclaw\n        ghost → nemoclaw (not on its gateway)\n");
    expect(text).toContain("spark-02  ✗ unreachable: connect ECONNREFUSED 10.0.0.2:22");
    expect(text.trimEnd().split("\n").at(-1)).toBe("2 hosts, 1 unreachable, 1 gateway (1 healthy), 1 sandbox, 1 with guard problems");
  });

  it("colours only when asked for", async () => {
    const { value, out } = deps({ hosts: [spark] }, { env: { FORCE_COLOR: "1" } });
    await runFactsCommand(undefined, options, value);
    expect(out.join("")).toMatch(/\x1b\[31m/);
  });

  it("an invalid fleet file is exit 3 with positioned diagnostics", async () => {
    const diagnostic = { file: "fleet.yaml", line: 4, column: 3, path: "hosts[0].name", message: "host name is empty", severity: "error" as const };
    const { value, err } = deps({ hosts: [] }, { load: async () => Promise.reject(new FleetValidationError([diagnostic])) });
    expect(await runFactsCommand("fleet.yaml", options, value)).toBe(3);
    expect(err.join("")).toContain("fleet.yaml:4:3: hosts[0].name: host name is empty");
  });

  it("--metrics-file writes what was observed, as the textfile collector reads it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "facts-metrics-"));
    try {
      const path = join(dir, "facts.prom");
      const { value } = deps({ hosts: [spark, down] });
      expect(await runFactsCommand(undefined, { ...options, json: true, metricsFile: path }, value)).toBe(4);
      const text = readFileSync(path, "utf8");
      expect(text.split("\n")[0]).toBe("# nemoclaw facts, 2026-07-08T00:01:00.000Z");
      const families = parseExposition(text);
      expect(valueOf(families, "nemoclaw_host_up", { host: "spark-01" })).toBe(1);
      expect(valueOf(families, "nemoclaw_host_up", { host: "spark-02" })).toBe(0);
      expect(valueOf(families, "nemoclaw_host_schema_drift", { host: "spark-01" })).toBe(1);
      expect(families.get("nemoclaw_gateway_info")!.samples[0]!.labels).toEqual({ host: "spark-01", gateway: "nemoclaw", driver: "host-process", running_version: "0.0.69" });
      expect(stateOf(families, "nemoclaw_sandbox_guard_state", { host: "spark-01", sandbox: "alpha" })).toBe("problem");
      expect(valueOf(families, "nemoclaw_sandbox_stale_gateway_locks", { host: "spark-01", sandbox: "alpha" })).toBe(1);
      expect(valueOf(families, "nemoclaw_registry_stale_entries", { host: "spark-01" })).toBe(1);
      // facts compares nothing with the fleet file: no host state.
      expect(families.has("nemoclaw_host_state")).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("--metrics-file it cannot write is refused before any host is observed", async () => {
    let observed = false;
    const { value, err } = deps({ hosts: [spark] }, { observe: async () => ((observed = true), { hosts: [spark] }) });
    expect(await runFactsCommand(undefined, { ...options, metricsFile: "/nonexistent-dir/facts.prom" }, value)).toBe(1);
    expect(err.join("")).toBe("nemoclaw facts: --metrics-file /nonexistent-dir/facts.prom: directory /nonexistent-dir does not exist\n");
    expect(observed).toBe(false);
  });
});
