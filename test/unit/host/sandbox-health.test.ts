import { describe, expect, it } from "vitest";
import { describeHealthCheck, phaseHealth, readSandboxStatus, sandboxHealthCheck, sandboxStatusJson } from "../../../src/host/nemoclaw/sandbox-health.js";

/** A `SandboxStatusReport` as NemoClaw prints it (NC@d50338aa:src/lib/actions/sandbox/status-snapshot.ts). */
function report(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      schemaVersion: 1,
      name: "alpha",
      found: true,
      agent: "openclaw",
      phase: "Ready",
      gatewayState: "present",
      inferenceHealth: { ok: true, probed: true, providerLabel: "nvidia-prod", endpoint: "https://inference.local/v1/models", detail: "Inference gateway responded HTTP 200 on https://inference.local/v1/models (full chain reachable)." },
      rpcIssue: null,
      failureLayer: null,
      terminalRuntimeHealth: null,
      dockerPaused: false,
      ...overrides,
    },
    null,
    2,
  );
}

const UNREACHABLE = "Inference gateway unreachable on https://inference.local/v1/models from inside the sandbox. DNS may have failed or the openclaw gateway / auth proxy is not running.";

describe("which check a release has", () => {
  it("phase before v0.0.56 and without NemoClaw, status --json after, with the inference route from v0.0.78", () => {
    expect(sandboxHealthCheck(null)).toBe("phase");
    expect(sandboxHealthCheck("0.0.38")).toBe("phase");
    expect(sandboxHealthCheck("0.0.55")).toBe("phase");
    expect(sandboxHealthCheck("0.0.56")).toBe("status-json");
    expect(sandboxHealthCheck("v0.0.77")).toBe("status-json");
    expect(sandboxHealthCheck("0.0.78")).toBe("status-json-inference");
    expect(sandboxHealthCheck("0.0.124")).toBe("status-json-inference");
    // Newer than known: treated as the newest release the tool knows.
    expect(sandboxHealthCheck("0.0.999")).toBe("status-json-inference");
    expect(sandboxHealthCheck("0.1.0")).toBe("phase");
    expect(sandboxStatusJson("alpha").display).toBe("nemoclaw alpha status --json");
    expect(describeHealthCheck("status-json-inference", "alpha")).toBe("`nemoclaw alpha status --json` (phase and the in-sandbox inference route)");
  });
});

describe("readSandboxStatus", () => {
  it("healthy: present, Ready, no issue, the route answers", () => {
    expect(readSandboxStatus({ exitCode: 0, stdout: report(), stderr: "" }, "status-json-inference")).toEqual({
      healthy: true,
      detail: "Ready; inference: Inference gateway responded HTTP 200 on https://inference.local/v1/models (full chain reachable).",
    });
  });

  it("v0.0.78+: the failed route and the non-zero exit", () => {
    const stdout = report({ inferenceHealth: { ok: false, probed: true, providerLabel: "nvidia-prod", endpoint: "https://inference.local/v1/models", detail: UNREACHABLE, failureLabel: "unreachable" } });
    expect(readSandboxStatus({ exitCode: 1, stdout, stderr: "" }, "status-json-inference")).toEqual({ healthy: false, detail: `inference: ${UNREACHABLE}` });
  });

  it("v0.0.78+: a non-zero exit alone is NemoClaw's verdict", () => {
    expect(readSandboxStatus({ exitCode: 1, stdout: report(), stderr: "" }, "status-json-inference")).toEqual({ healthy: false, detail: "status exited 1" });
  });

  it("v0.0.56–v0.0.77: exit 0 with a non-Ready phase or a failing subprobe is still unhealthy", () => {
    expect(readSandboxStatus({ exitCode: 0, stdout: report({ phase: "Provisioning" }), stderr: "" }, "status-json")).toEqual({ healthy: false, detail: "phase Provisioning" });
    const subprobe = { ok: true, probed: true, providerLabel: "Ollama", endpoint: "http://127.0.0.1:11434", detail: "ok", subprobes: [{ ok: false, probed: true, providerLabel: "Inference gateway chain", endpoint: "https://inference.local/v1/models", detail: UNREACHABLE, probeLabel: "gateway", failureLabel: "unreachable" }] };
    expect(readSandboxStatus({ exitCode: 0, stdout: report({ inferenceHealth: subprobe }), stderr: "" }, "status-json").detail).toBe(`inference: ${UNREACHABLE}`);
    // The exit code of these releases ignores inference: exit 0 with a healthy report is healthy.
    expect(readSandboxStatus({ exitCode: 0, stdout: report({ inferenceHealth: null }), stderr: "" }, "status-json")).toEqual({ healthy: true, detail: "Ready" });
  });

  it("a paused container is unhealthy though its phase is Ready and NemoClaw exits 0", () => {
    expect(readSandboxStatus({ exitCode: 0, stdout: report({ dockerPaused: true }), stderr: "" }, "status-json-inference")).toEqual({
      healthy: false,
      detail: "its container is paused (`docker unpause` it)",
    });
  });

  it("names every problem the report has", () => {
    const stdout = report({ gatewayState: "gateway_error", phase: null, rpcIssue: { kind: "image_drift" }, failureLayer: "sandbox_container_stopped", inferenceHealth: null });
    expect(readSandboxStatus({ exitCode: 1, stdout, stderr: "" }, "status-json").detail).toBe(
      "gateway state gateway_error; phase unknown; OpenShell RPC issue image_drift; failure layer sandbox_container_stopped",
    );
  });

  it("no report at all is unhealthy, with the output's last lines", () => {
    expect(readSandboxStatus({ exitCode: 1, stdout: "", stderr: "  Sandbox 'alpha' does not exist.\n  Run 'nemoclaw onboard' to create one.\n" }, "status-json-inference")).toEqual({
      healthy: false,
      detail: "no status report (exit 1): Sandbox 'alpha' does not exist. / Run 'nemoclaw onboard' to create one.",
    });
    expect(readSandboxStatus({ exitCode: 0, stdout: '{"schemaVersion":2}', stderr: "" }, "status-json").healthy).toBe(false);
  });

  it("the observed phase", () => {
    expect(phaseHealth("Ready")).toEqual({ healthy: true, detail: "Ready" });
    expect(phaseHealth("Error")).toEqual({ healthy: false, detail: "phase Error" });
    expect(phaseHealth(null)).toEqual({ healthy: false, detail: "not present on its gateway" });
  });
});
