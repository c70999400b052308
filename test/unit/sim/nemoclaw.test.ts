// The simulated `nemoclaw`: onboard in both eras, registry and session files, credentials
// recorded only as a digest, per-sandbox actions.

import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readSimState } from "../../sim/index.mjs";
import { type Scenario, type SimHost, startHost, stripAnsi } from "./harness.js";

let host: SimHost | undefined;
async function use(scenario: Scenario) {
  host = await startHost(scenario);
  return host;
}
afterEach(async () => {
  await host?.stop();
  host = undefined;
});

const ONBOARD = ["onboard", "--non-interactive", "--yes-i-accept-third-party-software"];

describe("nemoclaw onboard", { timeout: 90_000 }, () => {
  it("starts a host-process gateway for the port, creates a guarded sandbox and registers it", async () => {
    const h = await use({ arch: "x86_64" });
    const env = { NEMOCLAW_SANDBOX_NAME: "alpha", NEMOCLAW_GATEWAY_PORT: "8081", NVIDIA_INFERENCE_API_KEY: "nvapi-secret-value", NEMOCLAW_POLICY_MODE: "custom", NEMOCLAW_POLICY_PRESETS: "npm,github" };
    const result = await h.run("nemoclaw", ONBOARD, { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\n {2}\[1\/8\] Preflight checks\n {2}─+\n/);
    expect(result.stdout).toContain("  [8/8] Policy presets\n");
    expect(result.stdout).toContain("  Applied preset: github\n");

    const registry = JSON.parse(readFileSync(join(h.home, ".nemoclaw/sandboxes.json"), "utf8"));
    expect(statSync(join(h.home, ".nemoclaw/sandboxes.json")).mode & 0o777).toBe(0o600);
    expect(registry.defaultSandbox).toBe("alpha");
    expect(registry.sandboxes.alpha).toMatchObject({
      name: "alpha",
      provider: "nvidia-prod",
      credentialEnv: "NVIDIA_INFERENCE_API_KEY",
      gatewayName: "nemoclaw-8081",
      gatewayPort: 8081,
      openshellDriver: "docker",
      openshellVersion: "0.0.72",
      policies: ["npm", "github"],
    });
    const state = readSimState({ home: h.home });
    expect(state.gateways["nemoclaw-8081"]?.providers["nvidia-prod"]?.credentialSha256).toBe(createHash("sha256").update("nvapi-secret-value").digest("hex"));
    expect(JSON.stringify(state)).not.toContain("nvapi-secret-value");
    expect(state.calls[0]?.env).toContain("NVIDIA_INFERENCE_API_KEY");

    const marker = JSON.parse(readFileSync(join(h.home, ".local/state/nemoclaw/openshell-docker-gateway-8081/runtime.json"), "utf8"));
    expect(marker).toMatchObject({ version: 1, driver: "docker", arch: "x64", endpoint: "http://127.0.0.1:8081", gatewayBin: `${h.home}/.local/bin/openshell-gateway` });
    expect(readFileSync(join(h.home, ".config/openshell/active_gateway"), "utf8")).toBe("nemoclaw-8081");
    const guards = await h.run("openshell", ["sandbox", "exec", "-n", "alpha", "--", "stat", "-c", "%U %a", "/tmp/nemoclaw-proxy-env.sh"]);
    expect(guards.stdout).toBe("root 444\n");

    const again = await h.run("nemoclaw", ONBOARD, { env });
    expect(again.stdout).toContain("  [reuse] Skipping gateway (running)\n");
    expect(again.stdout).toContain("  ✓ Sandbox 'alpha' already exists and is Ready");
  });

  it("fails on a missing provider credential", async () => {
    const h = await use({});
    const result = await h.run("nemoclaw", ONBOARD, { env: { NEMOCLAW_PROVIDER: "openai" } });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("  OPENAI_API_KEY is required for OpenAI in non-interactive mode.\n  Set it in the environment and re-run 'nemoclaw onboard --non-interactive'.\n");
    expect(JSON.parse(readFileSync(join(h.home, ".nemoclaw/onboard-session.json"), "utf8"))).toMatchObject({ status: "failed", failure: { step: "inference" } });
  });

  it("deploys a cluster-container gateway in the 0.0.36 era; recover is unavailable there", async () => {
    const h = await use({ arch: "x86_64", openshell: { version: "0.0.36" } });
    const result = await h.run("nemoclaw", ONBOARD, { env: { NEMOCLAW_SANDBOX_NAME: "alpha", NEMOCLAW_PROVIDER: "ollama" } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("  Starting gateway cluster...\n");
    expect((await h.run("docker", ["ps", "--format", "{{.Names}} {{.Image}}"])).stdout).toBe("openshell-cluster-nemoclaw ghcr.io/nvidia/openshell/cluster:0.0.36\n");
    expect(JSON.parse(readFileSync(join(h.home, ".nemoclaw/sandboxes.json"), "utf8")).sandboxes.alpha.openshellDriver).toBe("kubernetes");
    const recover = await h.run("nemoclaw", ["alpha", "recover"]);
    expect(recover.code).toBe(1);
    expect(recover.stderr).toContain("Privileged control is unavailable for sandbox 'alpha' (OpenShell driver: kubernetes).");
  });
});

describe("per-sandbox actions", { timeout: 90_000 }, () => {
  it("snapshot create, list and restore; shields; policy presets; destroy", async () => {
    const h = await use({ gateways: [{ sandboxes: [{ name: "alpha", files: { "/sandbox/.openclaw/workspace/notes.md": "v1\n" } }] }] });
    expect((await h.run("nemoclaw", ["alpha", "snapshot", "create", "--name", "before"])).code).toBe(0);
    const backups = readdirSync(join(h.home, ".nemoclaw/rebuild-backups/alpha"));
    expect(backups).toHaveLength(1);
    const manifest = JSON.parse(readFileSync(join(h.home, ".nemoclaw/rebuild-backups/alpha", backups[0] ?? "", "rebuild-manifest.json"), "utf8"));
    expect(manifest).toMatchObject({ version: 1, sandboxName: "alpha", agentType: "openclaw", dir: "/sandbox/.openclaw", name: "before" });
    expect(manifest.backedUpDirs).toContain("workspace");

    await h.run("openshell", ["sandbox", "exec", "-n", "alpha", "--", "sh", "-c", "echo v2 > /sandbox/.openclaw/workspace/notes.md"]);
    expect((await h.run("nemoclaw", ["alpha", "snapshot", "list"])).stdout).toMatch(/^ {2}Snapshots for 'alpha':\n {4}v1 {2}\S+ {2}before\n$/);
    await h.run("nemoclaw", ["alpha", "shields", "up"]);
    expect((await h.run("nemoclaw", ["alpha", "shields", "status"])).stdout).toBe("  Shields for 'alpha': UP (locked)\n");
    expect((await h.run("nemoclaw", ["alpha", "snapshot", "restore", "v1"])).code).toBe(1);
    await h.run("nemoclaw", ["alpha", "shields", "down", "--timeout", "10m"]);
    expect((await h.run("nemoclaw", ["alpha", "snapshot", "restore", "v1"])).code).toBe(0);
    expect((await h.run("openshell", ["sandbox", "exec", "-n", "alpha", "--", "cat", "/sandbox/.openclaw/workspace/notes.md"])).stdout).toBe("v1\n");

    const add = await h.run("nemoclaw", ["alpha", "policy-add", "pypi", "--yes"]);
    expect(stripAnsi(add.stdout)).toMatch(
      /^ {2}Widening sandbox egress — adding: pypi\.org, files\.pythonhosted\.org\n✓ Policy version 2 submitted \(hash: [0-9a-f]{12}\)\n✓ Policy version 2 loaded \(active version: 2\)\n {2}Applied preset: pypi\n$/,
    );
    expect((await h.run("nemoclaw", ["alpha", "policy-list"])).stdout).toContain("    ● pypi\n");
    expect(JSON.parse(readFileSync(join(h.home, ".nemoclaw/sandboxes.json"), "utf8")).sandboxes.alpha.policies).toEqual(["pypi"]);
    expect((await h.run("nemoclaw", ["alpha", "policy-remove", "pypi", "--yes"])).stdout).toContain("  Removed preset: pypi\n");

    expect((await h.run("nemoclaw", ["alpha", "destroy", "--yes"])).stdout).toBe("  ✓ Sandbox 'alpha' destroyed\n");
    expect(stripAnsi((await h.run("openshell", ["sandbox", "list"])).stdout)).toBe("No sandboxes found.\n");
    expect((await h.run("nemoclaw", ["alpha", "status", "--json"])).stdout).toBe('{\n  "schemaVersion": 1,\n  "name": "alpha",\n  "found": false\n}\n');
  });
});

describe("nemoclaw inference", { timeout: 90_000 }, () => {
  it("switches the gateway-wide route to another model of a registered provider and records it", async () => {
    const h = await use({ arch: "x86_64" });
    const env = { NEMOCLAW_SANDBOX_NAME: "alpha", NVIDIA_INFERENCE_API_KEY: "nvapi-secret-value" };
    expect((await h.run("nemoclaw", ONBOARD, { env })).code).toBe(0);

    const set = await h.run("nemoclaw", ["inference", "set", "--provider", "nvidia-prod", "--model", "nvidia/llama-3.3-nemotron-super-49b-v1", "--sandbox", "alpha"]);
    expect(set.code).toBe(0);
    const get = await h.run("nemoclaw", ["inference", "get", "--sandbox", "alpha"]);
    expect(get.stdout).toBe("Provider: nvidia-prod\nModel: nvidia/llama-3.3-nemotron-super-49b-v1\n");
    const registry = JSON.parse(readFileSync(join(h.home, ".nemoclaw/sandboxes.json"), "utf8"));
    expect(registry.sandboxes.alpha).toMatchObject({ provider: "nvidia-prod", model: "nvidia/llama-3.3-nemotron-super-49b-v1" });

    const unregistered = await h.run("nemoclaw", ["inference", "set", "--provider", "openai-api", "--model", "gpt-5.4", "--sandbox", "alpha"]);
    expect(unregistered.code).toBe(1);
    expect(unregistered.stderr).toContain("Provider 'openai-api' is not registered on gateway 'nemoclaw'");
  });
});

describe("nemoclaw rebuild", { timeout: 90_000 }, () => {
  it("keeps the workspace and applies the recreate-only settings its inner onboard reads from the environment", async () => {
    const h = await use({ arch: "x86_64" });
    expect((await h.run("nemoclaw", ONBOARD, { env: { NEMOCLAW_SANDBOX_NAME: "alpha", NVIDIA_INFERENCE_API_KEY: "k", NEMOCLAW_SANDBOX_GPU: "1" } })).code).toBe(0);
    await h.run("openshell", ["sandbox", "exec", "-n", "alpha", "--", "sh", "-c", "echo kept > /sandbox/.openclaw/workspace/notes.md"]);

    const rebuilt = await h.run("nemoclaw", ["alpha", "rebuild", "--yes"], { env: { NEMOCLAW_SANDBOX_GPU: "0", NEMOCLAW_POLICY_TIER: "restricted" } });
    expect(rebuilt.code).toBe(0);
    const registry = JSON.parse(readFileSync(join(h.home, ".nemoclaw/sandboxes.json"), "utf8"));
    expect(registry.sandboxes.alpha).toMatchObject({ sandboxGpuMode: "0", sandboxGpuEnabled: false, policyTier: "restricted" });
    const notes = await h.run("openshell", ["sandbox", "exec", "-n", "alpha", "--", "cat", "/sandbox/.openclaw/workspace/notes.md"]);
    expect(notes.stdout).toBe("kept\n");
  });
});
