// The simulated `nemoclaw`, per release: onboard (validations in order, reuse, recreate with its
// backup), rebuild's environment isolation, recover by release band, gateway restart, stop/start,
// shields, snapshots, strict flags, inference set, backup-all and upgrade-sandboxes.

import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readSimState } from "../../sim/index.mjs";
import { hostsPerTest, type SimHost, stripAnsi } from "./harness.js";

const use = hostsPerTest();

const ONBOARD = ["onboard", "--non-interactive", "--yes-i-accept-third-party-software"];
const registry = (h: SimHost) => JSON.parse(readFileSync(join(h.home, ".nemoclaw/sandboxes.json"), "utf8"));
const inSandbox = (h: SimHost, name: string, script: string) => h.run("openshell", ["sandbox", "exec", "-n", name, "--", "sh", "-c", script]);

describe("onboard", { timeout: 120_000 }, () => {
  it("starts a host-process gateway for the port, creates a guarded sandbox, registers it, and reuses it", async () => {
    const h = await use({ arch: "x86_64" });
    const env = { NEMOCLAW_SANDBOX_NAME: "alpha", NEMOCLAW_GATEWAY_PORT: "8081", NVIDIA_INFERENCE_API_KEY: "nvapi-secret-value", NEMOCLAW_POLICY_MODE: "custom", NEMOCLAW_POLICY_PRESETS: "npm,github" };
    const result = await h.run("nemoclaw", ONBOARD, { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\n {2}\[1\/8\] Preflight checks\n {2}─+\n/);
    expect(result.stdout).toContain("  Applied preset: github\n");
    expect(statSync(join(h.home, ".nemoclaw/sandboxes.json")).mode & 0o777).toBe(0o600);
    expect(registry(h).sandboxes.alpha).toMatchObject({
      name: "alpha", provider: "nvidia-prod", credentialEnv: "NVIDIA_INFERENCE_API_KEY", gatewayName: "nemoclaw-8081", gatewayPort: 8081,
      openshellDriver: "docker", openshellVersion: "0.0.72", nemoclawVersion: "0.0.76", policies: ["npm", "github"], policyTier: null, agent: null,
    });
    const state = readSimState({ home: h.home });
    expect(state.gateways["nemoclaw-8081"]?.providers["nvidia-prod"]?.credentialSha256).toBe(createHash("sha256").update("nvapi-secret-value").digest("hex"));
    expect(JSON.stringify(state)).not.toContain("nvapi-secret-value");
    expect(state.calls[0]?.env).toContain("NVIDIA_INFERENCE_API_KEY");
    expect(JSON.parse(readFileSync(join(h.home, ".nemoclaw/usage-notice.json"), "utf8")).acceptedVersion).toBe("2026-04-01b");
    expect((await inSandbox(h, "alpha", "stat -c '%U %a' /tmp/nemoclaw-proxy-env.sh")).stdout).toBe("root 444\n");

    const again = await h.run("nemoclaw", ["onboard", "--non-interactive"], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(
      "  [non-interactive] Sandbox 'alpha' exists and is ready — reusing it\n  Pass --recreate-sandbox or set NEMOCLAW_RECREATE_SANDBOX=1 to force recreation.\n",
    );
  });

  it("validates in NemoClaw's order, with its texts and exit codes", async () => {
    const h = await use({ arch: "x86_64" });
    const ok = { NVIDIA_INFERENCE_API_KEY: "nvapi-k" };
    const onboard = (env: Record<string, string>, extra: string[] = []) => h.run("nemoclaw", [...ONBOARD, ...extra], { env: { ...ok, ...env } });
    expect(await onboard({}, ["--bogus"])).toMatchObject({ code: 2, stderr: "  Nonexistent flag: --bogus\nSee more help with --help\n" });
    expect(await onboard({}, ["--resume", "--fresh"])).toMatchObject({
      code: 2,
      stderr: "  The following errors occurred:\n  --fresh=true cannot also be provided when using --resume\n  --resume=true cannot also be provided when using --fresh\nSee more help with --help\n",
    });
    expect(await onboard({ NEMOCLAW_AGENT: "claude" })).toMatchObject({ code: 1 });
    expect((await onboard({ NEMOCLAW_AGENT: "claude" })).stderr).toBe(
      "  Unknown agent 'claude' (from NEMOCLAW_AGENT). Available: hermes, langchain-deepagents-code, openclaw (aliases: nemohermes → hermes; nemo-deepagents/dcode/deepagents/deepagents-code/langchain → langchain-deepagents-code)\n",
    );
    expect(await onboard({ NEMOCLAW_SANDBOX_NAME: "My_Box" })).toMatchObject({
      code: 1,
      stderr: "  Invalid sandbox name: 'My_Box'. Allowed format: 1-63 characters, lowercase, starts with a letter, letters/numbers/internal hyphens only, ends with letter/number.\n  Try: my-box\n",
    });
    expect((await onboard({ NEMOCLAW_SANDBOX_NAME: "status" })).stderr).toBe(
      "  Reserved name: 'status' is a NemoClaw CLI command.\n  Choose a different sandbox name (passed via NEMOCLAW_SANDBOX_NAME) to avoid routing conflicts.\n",
    );
    expect((await onboard({ NEMOCLAW_POLICY_TIER: "strict" })).stderr).toBe("  Unknown policy tier: strict. Valid: restricted, balanced, open\n");
    const provider = await onboard({ NEMOCLAW_PROVIDER: "OpenRouter" });
    expect(provider.code).toBe(1);
    expect(provider.stderr.endsWith(
      "  Unsupported NEMOCLAW_PROVIDER: openrouter\n  Valid values: build, openai, anthropic, anthropicCompatible, gemini, hermes-provider, ollama, custom, nim-local, vllm, routed, install-vllm, install-ollama, install-windows-ollama, start-windows-ollama\n",
    )).toBe(true);
    expect((await onboard({ NEMOCLAW_SANDBOX_GPU_DEVICE: "nvidia.com/gpu=0" })).stderr).toBe(
      "\n  ✗ NEMOCLAW_SANDBOX_GPU_DEVICE requires sandbox GPU mode 1; set NEMOCLAW_SANDBOX_GPU=1 or pass --sandbox-gpu.\n",
    );
    expect((await onboard({ NEMOCLAW_SANDBOX_GPU: "maybe" })).stderr).toBe("\n  ✗ NEMOCLAW_SANDBOX_GPU must be one of: auto, 1, 0.\n");
    const bind = await onboard({ NEMOCLAW_GATEWAY_BIND_ADDRESS: "10.0.0.1" });
    expect(bind.code).toBe(1);
    expect(bind.stderr.split("\n")[0]).toBe('Error: Invalid gateway bind address: NEMOCLAW_GATEWAY_BIND_ADDRESS="10.0.0.1" — must be either 127.0.0.1 or 0.0.0.0');
    expect((await onboard({ NEMOCLAW_GATEWAY_PORT: "18790" })).stderr.split("\n")[0]).toBe(
      'Error: Invalid port: NEMOCLAW_GATEWAY_PORT="18790" — must not overlap the 18789-18799 dashboard port range',
    );
    // The preset checks run at [8/8], after the sandbox was created.
    const custom = await onboard({ NEMOCLAW_SANDBOX_NAME: "alpha", NEMOCLAW_POLICY_MODE: "custom" });
    expect(custom.code).toBe(1);
    expect(custom.stdout).toContain("  ✓ Sandbox 'alpha' created\n");
    expect(custom.stderr).toBe("  NEMOCLAW_POLICY_PRESETS is required when NEMOCLAW_POLICY_MODE=custom.\n");
    expect((await onboard({ NEMOCLAW_SANDBOX_NAME: "alpha", NEMOCLAW_POLICY_MODE: "custom", NEMOCLAW_POLICY_PRESETS: "npm,nope" })).stderr).toBe("  Unknown policy preset(s): nope\n");
  });

  it("takes the NVIDIA key from the release's variable (NVIDIA_API_KEY before v0.0.65), or NEMOCLAW_PROVIDER_KEY", async () => {
    const h = await use({ nemoclaw: { version: "0.0.44" } });
    const env = { NEMOCLAW_SANDBOX_NAME: "alpha" };
    const refused = await h.run("nemoclaw", ONBOARD, { env: { ...env, NVIDIA_INFERENCE_API_KEY: "nvapi-k" } });
    expect(refused.code).toBe(1);
    expect(refused.stderr.endsWith("  NVIDIA_API_KEY (or NEMOCLAW_PROVIDER_KEY) is required for NVIDIA Endpoints in non-interactive mode.\n")).toBe(true);
    const badPrefix = await h.run("nemoclaw", ONBOARD, { env: { ...env, NEMOCLAW_PROVIDER_KEY: "sk-1" } });
    expect(badPrefix).toMatchObject({ code: 1 });
    expect(badPrefix.stderr.endsWith("  Invalid NVIDIA API key. Must start with nvapi-\n  Get a key from https://build.nvidia.com/settings/api-keys\n")).toBe(true);
    expect((await h.run("nemoclaw", ONBOARD, { env: { ...env, NVIDIA_API_KEY: "nvapi-k" } })).code).toBe(0);
  });

  it("asks for the third-party notice only until it was accepted once; openrouter only from v0.0.79", async () => {
    const h = await use({ nemoclaw: { version: "0.0.79" } });
    const refused = await h.run("nemoclaw", ["onboard", "--non-interactive"], { env: { NEMOCLAW_PROVIDER: "ollama" } });
    expect(refused.code).toBe(1);
    expect(refused.stderr.endsWith("  Non-interactive onboarding requires --yes-i-accept-third-party-software or NEMOCLAW_ACCEPT_THIRD_PARTY_SOFTWARE=1.\n")).toBe(true);
    const missingKey = await h.run("nemoclaw", ONBOARD, { env: { NEMOCLAW_PROVIDER: "open-router", NEMOCLAW_SANDBOX_NAME: "alpha" } });
    expect(missingKey.stderr).toContain("  [non-interactive] Third-party software notice accepted via --yes-i-accept-third-party-software.\n");
    expect(missingKey.stderr.endsWith("  OPENROUTER_API_KEY (or NEMOCLAW_PROVIDER_KEY) is required for OpenRouter in non-interactive mode.\n")).toBe(true);
    // Accepted once, it is not asked again.
    expect((await h.run("nemoclaw", ["onboard", "--non-interactive"], { env: { NEMOCLAW_PROVIDER: "openrouter" } })).stderr).not.toContain("Third-Party");
  });

  it("recreates with --fresh --name --recreate-sandbox: backup, delete, create, restore; presets carried over unless overridden", async () => {
    const h = await use({ arch: "x86_64", gateways: [{ sandboxes: [{ name: "alpha", presets: ["npm"], files: { "/sandbox/.openclaw/workspace/notes.md": "kept\n" } }] }] });
    const env = { NVIDIA_INFERENCE_API_KEY: "nvapi-k", NEMOCLAW_AGENT: "hermes" };
    const result = await h.run("nemoclaw", [...ONBOARD, "--fresh", "--name", "alpha", "--recreate-sandbox"], { env });
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    const at = (line: string) => lines.indexOf(line);
    expect(at("  Sandbox 'alpha' exists as OpenClaw — recreating as Hermes.")).toBeGreaterThan(0);
    expect(at("  Backing up workspace state before recreating sandbox...")).toBeGreaterThan(at("  Sandbox 'alpha' exists as OpenClaw — recreating as Hermes."));
    expect(at("  Deleting and recreating sandbox 'alpha'...")).toBeGreaterThan(at("  Backing up workspace state before recreating sandbox..."));
    expect(at("  Restoring workspace state from pre-recreate backup...")).toBeGreaterThan(at("  Deleting and recreating sandbox 'alpha'..."));
    expect(registry(h).sandboxes.alpha).toMatchObject({ agent: "hermes", policies: ["npm"] });
    expect((await inSandbox(h, "alpha", "cat /sandbox/.openclaw/workspace/notes.md")).stdout).toBe("kept\n");

    const overridden = await h.run("nemoclaw", [...ONBOARD, "--name", "alpha", "--recreate-sandbox"], { env: { ...env, NEMOCLAW_POLICY_PRESETS: "pypi" } });
    expect(overridden.stdout).toContain("  [non-interactive] NEMOCLAW_POLICY_PRESETS overrides previous presets on recreate (was: npm).\n");
    expect(registry(h).sandboxes.alpha.policies).toEqual(["pypi"]);

    const differentAgent = await h.run("nemoclaw", [...ONBOARD, "--name", "alpha"], { env: { NVIDIA_INFERENCE_API_KEY: "nvapi-k" } });
    expect(differentAgent.code).toBe(1);
    expect(differentAgent.stderr).toBe("  Aborting: choose a different name or set NEMOCLAW_RECREATE_SANDBOX=1 to recreate 'alpha'.\n  Example: nemoclaw onboard --name my-assistant\n");
  });

  it("aborts a recreate before deleting anything when the backup fails", async () => {
    const h = await use({ gateways: [{ sandboxes: [{ name: "alpha" }] }], faults: { backupFails: ["alpha"] } });
    const id = readSimState({ home: h.home }).gateways.nemoclaw?.sandboxes.alpha?.id;
    const result = await h.run("nemoclaw", [...ONBOARD, "--name", "alpha", "--recreate-sandbox"], { env: { NVIDIA_INFERENCE_API_KEY: "nvapi-k" } });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("  State backup failed — aborting recreate to prevent data loss.\n  Set NEMOCLAW_RECREATE_WITHOUT_BACKUP=1 to recreate without preserving state.\n");
    expect(readSimState({ home: h.home }).gateways.nemoclaw?.sandboxes.alpha?.id).toBe(id);
  });

  it("holds OpenShell to the release's pin: above the maximum refuses, below the minimum installs the pin", async () => {
    const above = await use({ nemoclaw: { version: "0.0.69" }, openshell: { version: "0.0.72" } });
    const refused = await above.run("nemoclaw", ONBOARD, { env: { NEMOCLAW_PROVIDER: "ollama" } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("\n  ✗ openshell 0.0.72 is above the maximum supported by this NemoClaw release.\n    blueprint.yaml max_openshell_version: 0.0.44\n");
    await above.stop();
    const below = await use({ nemoclaw: { version: "0.0.76" }, openshell: { version: "0.0.71" } });
    const upgraded = await below.run("nemoclaw", ONBOARD, { env: { NEMOCLAW_PROVIDER: "ollama", NEMOCLAW_SANDBOX_NAME: "alpha" } });
    expect(upgraded.code).toBe(0);
    expect(upgraded.stdout).toContain("  openshell 0.0.71 is below minimum required version. Upgrading...\n  ✓ openshell CLI: openshell 0.0.72\n");
    expect((await below.run("openshell", ["--version"])).stdout).toBe("openshell 0.0.72\n");
  });

  it("deploys a cluster-container gateway in the cluster era; gateway-control recover does not exist there", async () => {
    const h = await use({ arch: "x86_64", openshell: { version: "0.0.36" } });
    expect((await h.run("nemoclaw", ["--version"])).stdout).toBe("nemoclaw v0.0.38\n");
    const result = await h.run("nemoclaw", ONBOARD, { env: { NEMOCLAW_SANDBOX_NAME: "alpha", NEMOCLAW_PROVIDER: "ollama" } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("  Starting gateway cluster...\n");
    expect((await h.run("docker", ["ps", "--format", "{{.Names}} {{.Image}}"])).stdout).toBe("openshell-cluster-nemoclaw ghcr.io/nvidia/openshell/cluster:0.0.36\n");
    expect(registry(h).sandboxes.alpha.openshellDriver).toBe("kubernetes");
    // v0.0.38 knows `recover` (the in-sandbox script through openshell sandbox exec).
    expect((await h.run("nemoclaw", ["alpha", "recover"])).stdout).toBe("  Probe complete: OpenClaw gateway is running in 'alpha'.\n");
  });
});

describe("onboard, the cluster gateway's GPU", { timeout: 120_000 }, () => {
  const env = { NEMOCLAW_SANDBOX_NAME: "alpha", NEMOCLAW_PROVIDER: "ollama" };
  const deviceRequests = async (h: SimHost) =>
    (await h.run("docker", ["inspect", "--type", "container", "--format", "{{json .HostConfig.DeviceRequests}}", "openshell-cluster-nemoclaw"])).stdout;

  it("from v0.0.36 a detected NVIDIA GPU (GB10 by name) starts the gateway with --gpu; before, never", async () => {
    const h = await use({ openshell: { version: "0.0.36" } });
    const result = await h.run("nemoclaw", ONBOARD, { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("  NVIDIA GPU detected; enabling OpenShell GPU passthrough. Use --no-gpu to opt out.\n");
    expect(await deviceRequests(h)).toBe('[{"Driver":"nvidia","Count":-1,"DeviceIDs":null,"Capabilities":[["gpu","utility","compute"]],"Options":null}]\n');
    await h.stop();
    const old = await use({ nemoclaw: { version: "0.0.35" }, openshell: { version: "0.0.36" } });
    expect((await old.run("nemoclaw", ONBOARD, { env })).code).toBe(0);
    expect(await deviceRequests(old)).toBe("null\n");
  });

  it("--no-gpu starts it without; a host nvidia-smi cannot read gets none either", async () => {
    const h = await use({ openshell: { version: "0.0.36" } });
    expect((await h.run("nemoclaw", [...ONBOARD, "--no-gpu"], { env })).code).toBe(0);
    expect(await deviceRequests(h)).toBe("null\n");
    await h.stop();
    const failing = await use({ openshell: { version: "0.0.36" }, nvidiaSmi: "fails" });
    expect((await failing.run("nemoclaw", ONBOARD, { env })).code).toBe(0);
    expect(await deviceRequests(failing)).toBe("null\n");
  });

  it("refuses to reuse a running gateway that was started without GPU passthrough", async () => {
    const h = await use({ openshell: { version: "0.0.36" }, gateways: [{ port: 8080, gpu: false }] });
    const result = await h.run("nemoclaw", ONBOARD, { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "  Existing gateway was started without GPU passthrough.\n  To enable GPU, destroy the existing sandbox and gateway, then re-onboard:\n    nemoclaw <name> destroy --yes && nemoclaw onboard --gpu\n",
    );
    expect((await h.run("openshell", ["sandbox", "list"])).stdout).not.toContain("alpha");
  });
});

describe("onboard, per release", { timeout: 120_000 }, () => {
  const ollama = { NEMOCLAW_PROVIDER: "ollama" };

  it("before v0.0.31 refuses --name as an unknown option and takes the name from NEMOCLAW_SANDBOX_NAME; v0.0.31 takes --name", async () => {
    const old = await use({ nemoclaw: { version: "0.0.30" } });
    const refused = await old.run("nemoclaw", [...ONBOARD, "--name", "alpha"], { env: ollama });
    expect(refused.code).toBe(1);
    expect(refused.stderr.split("\n")[0]).toBe("  Unknown onboard option(s): --name, alpha");
    expect((await old.run("nemoclaw", ONBOARD, { env: { ...ollama, NEMOCLAW_SANDBOX_NAME: "alpha" } })).code).toBe(0);
    expect(Object.keys(registry(old).sandboxes)).toEqual(["alpha"]);
    await old.stop();
    const current = await use({ nemoclaw: { version: "0.0.31" } });
    expect((await current.run("nemoclaw", [...ONBOARD, "--name", "beta"], { env: ollama })).code).toBe(0);
    expect(Object.keys(registry(current).sandboxes)).toEqual(["beta"]);
  });

  it("before v0.0.57 onboard on another port keeps to the one gateway nemoclaw and records no gateway; from v0.0.57 it runs nemoclaw-<port>", async () => {
    const port8081 = { ...ollama, NEMOCLAW_GATEWAY_PORT: "8081" };
    const old = await use({ nemoclaw: { version: "0.0.56" }, gateways: [{ port: 8080, sandboxes: [{ name: "alpha" }] }] });
    expect((await old.run("nemoclaw", [...ONBOARD, "--name", "beta"], { env: port8081 })).code).toBe(0);
    const oldState = readSimState({ home: old.home });
    expect(Object.keys(oldState.gateways)).toEqual(["nemoclaw"]);
    expect(Object.keys(oldState.gateways.nemoclaw?.sandboxes ?? {}).sort()).toEqual(["alpha", "beta"]);
    expect(registry(old).sandboxes.beta).not.toHaveProperty("gatewayName");
    expect(registry(old).sandboxes.beta).not.toHaveProperty("gatewayPort");
    await old.stop();
    const current = await use({ nemoclaw: { version: "0.0.57" }, gateways: [{ port: 8080, sandboxes: [{ name: "alpha" }] }] });
    expect((await current.run("nemoclaw", [...ONBOARD, "--name", "beta"], { env: port8081 })).code).toBe(0);
    const state = readSimState({ home: current.home });
    expect(Object.keys(state.gateways).sort()).toEqual(["nemoclaw", "nemoclaw-8081"]);
    expect(Object.keys(state.gateways["nemoclaw-8081"]?.sandboxes ?? {})).toEqual(["beta"]);
    expect(registry(current).sandboxes.beta).toMatchObject({ gatewayName: "nemoclaw-8081", gatewayPort: 8081 });
  });

  it("langchain-deepagents-code only from v0.0.66, agent aliases only from v0.0.69, with each release's refusal", async () => {
    const h = await use({ nemoclaw: { version: "0.0.65" } });
    const refused = await h.run("nemoclaw", [...ONBOARD, "--name", "alpha", "--agent", "langchain-deepagents-code"], { env: ollama });
    expect(refused.code).toBe(1);
    expect(refused.stderr.split("\n")[0]).toBe("  Unknown agent 'langchain-deepagents-code'. Available: hermes, openclaw");
    const fromEnv = await h.run("nemoclaw", [...ONBOARD, "--name", "alpha"], { env: { ...ollama, NEMOCLAW_AGENT: "langchain-deepagents-code" } });
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.stderr.split("\n")[0]).toBe("Error: Unknown agent 'langchain-deepagents-code' (from NEMOCLAW_AGENT). Available: hermes, openclaw");
    await h.stop();
    const v66 = await use({ nemoclaw: { version: "0.0.66" } });
    const alias = await v66.run("nemoclaw", [...ONBOARD, "--name", "alpha", "--agent", "dcode"], { env: ollama });
    expect(alias.code).toBe(1);
    expect(alias.stderr.split("\n")[0]).toBe("  Unknown agent 'dcode'. Available: hermes, langchain-deepagents-code, openclaw");
    expect((await v66.run("nemoclaw", [...ONBOARD, "--name", "alpha", "--agent", "langchain-deepagents-code"], { env: ollama })).code).toBe(0);
    expect(registry(v66).sandboxes.alpha.agent).toBe("langchain-deepagents-code");
    await v66.stop();
    const v69 = await use({ nemoclaw: { version: "0.0.69" } });
    expect((await v69.run("nemoclaw", [...ONBOARD, "--name", "alpha", "--agent", "Deep_Agents"], { env: ollama })).code).toBe(0);
    expect(registry(v69).sandboxes.alpha.agent).toBe("langchain-deepagents-code");
  });

  it("records Local NIM as vllm-local and the router as nvidia-router with its own model; routed only from v0.0.36", async () => {
    const h = await use({ arch: "x86_64" });
    expect((await h.run("nemoclaw", [...ONBOARD, "--name", "nim"], { env: { NEMOCLAW_PROVIDER: "nim-local" } })).code).toBe(0);
    expect(registry(h).sandboxes.nim.provider).toBe("vllm-local");
    const missingKey = await h.run("nemoclaw", [...ONBOARD, "--name", "router"], { env: { NEMOCLAW_PROVIDER: "routed" } });
    expect(missingKey.code).toBe(1);
    expect(missingKey.stderr.endsWith("  NVIDIA_INFERENCE_API_KEY (or NEMOCLAW_PROVIDER_KEY) is required for Model Router in non-interactive mode.\n")).toBe(true);
    const routed = await h.run("nemoclaw", [...ONBOARD, "--name", "router"], { env: { NEMOCLAW_PROVIDER: "routed", NEMOCLAW_MODEL: "meta/llama-3.3-70b-instruct", NVIDIA_INFERENCE_API_KEY: "nvapi-k" } });
    expect(routed.code).toBe(0);
    expect(registry(h).sandboxes.router).toMatchObject({ provider: "nvidia-router", model: "nvidia-routed", credentialEnv: "NVIDIA_INFERENCE_API_KEY" });
    await h.stop();
    const old = await use({ nemoclaw: { version: "0.0.35" } });
    const refused = await old.run("nemoclaw", [...ONBOARD, "--name", "router"], { env: { NEMOCLAW_PROVIDER: "routed", NVIDIA_API_KEY: "nvapi-k" } });
    expect(refused.code).toBe(1);
    expect(refused.stderr.endsWith(
      "  Unsupported NEMOCLAW_PROVIDER: routed\n  Valid values: build, openai, anthropic, anthropicCompatible, gemini, ollama, custom, nim-local, vllm, install-vllm, install-ollama, install-windows-ollama, start-windows-ollama\n",
    )).toBe(true);
  });

  it("takes the managed local provider keys only from v0.0.35 (install-ollama up to v0.0.25 too) and the Hermes provider only from v0.0.39, with each release's Valid values line", async () => {
    const refusal = async (version: string, provider: string) => {
      const h = await use({ nemoclaw: { version } });
      const result = await h.run("nemoclaw", [...ONBOARD], { env: { NEMOCLAW_PROVIDER: provider, NEMOCLAW_SANDBOX_NAME: "alpha" } });
      await h.stop();
      return result;
    };
    // NC@64dd957e (v0.0.34) and NC@e0ab181d (v0.0.38): src/lib/onboard*/providers.ts `validProviders`.
    const v34 = await refusal("0.0.34", "install-vllm");
    expect(v34.code).toBe(1);
    expect(v34.stderr.endsWith("  Unsupported NEMOCLAW_PROVIDER: install-vllm\n  Valid values: build, openai, anthropic, anthropicCompatible, gemini, ollama, custom, nim-local, vllm\n")).toBe(true);
    const v38 = await refusal("0.0.38", "Nous-Portal");
    expect(v38.code).toBe(1);
    expect(v38.stderr.endsWith(
      "  Unsupported NEMOCLAW_PROVIDER: nous-portal\n  Valid values: build, openai, anthropic, anthropicCompatible, gemini, ollama, custom, nim-local, vllm, routed, install-vllm, install-ollama, install-windows-ollama, start-windows-ollama\n",
    )).toBe(true);
    // install-ollama was a key up to v0.0.25 as well (NC@6966f4b7:src/lib/onboard.ts:2847-2850).
    const v25 = await refusal("0.0.25", "install-vllm");
    expect(v25.stderr.endsWith("  Unsupported NEMOCLAW_PROVIDER: install-vllm\n  Valid values: build, openai, anthropic, anthropicCompatible, gemini, ollama, custom, nim-local, vllm, install-ollama\n")).toBe(true);
    expect((await refusal("0.0.25", "install-ollama")).stderr).not.toContain("Unsupported NEMOCLAW_PROVIDER");
    expect((await refusal("0.0.30", "install-ollama")).stderr).toContain("  Unsupported NEMOCLAW_PROVIDER: install-ollama\n");
    const v39 = await use({ nemoclaw: { version: "0.0.39" } });
    expect((await v39.run("nemoclaw", [...ONBOARD], { env: { NEMOCLAW_PROVIDER: "nous-portal", NEMOCLAW_SANDBOX_NAME: "alpha", OPENAI_API_KEY: "sk-test" } })).stderr).not.toContain("Unsupported NEMOCLAW_PROVIDER");
    await v39.stop();
  });

  it("refuses a model id outside [A-Za-z0-9._:/-] and takes a blank NEMOCLAW_MODEL as unset", async () => {
    const h = await use({});
    const refused = await h.run("nemoclaw", [...ONBOARD, "--name", "alpha"], { env: { ...ollama, NEMOCLAW_MODEL: "gpt 5" } });
    expect(refused.code).toBe(1);
    expect(refused.stderr.endsWith("  Invalid NEMOCLAW_MODEL for provider 'ollama': gpt 5\n  Model values may only contain letters, numbers, '.', '_', ':', '/', and '-'.\n")).toBe(true);
    expect((await h.run("nemoclaw", [...ONBOARD, "--name", "alpha"], { env: { ...ollama, NEMOCLAW_MODEL: "  " } })).code).toBe(0);
    expect(registry(h).sandboxes.alpha.model).toBe("nemotron-3-nano:30b");
  });

  it("NEMOCLAW_GATEWAY_BIND_ADDRESS: ignored before v0.0.40, 0.0.0.0 taken until v0.0.69, refused from v0.0.70", async () => {
    const wildcard = { ...ollama, NEMOCLAW_GATEWAY_BIND_ADDRESS: "0.0.0.0" };
    const v39 = await use({ nemoclaw: { version: "0.0.39" } });
    expect((await v39.run("nemoclaw", [...ONBOARD, "--name", "alpha"], { env: { ...ollama, NEMOCLAW_GATEWAY_BIND_ADDRESS: "10.0.0.1" } })).code).toBe(0);
    await v39.stop();
    const v69 = await use({ nemoclaw: { version: "0.0.69" } });
    expect((await v69.run("nemoclaw", [...ONBOARD, "--name", "alpha"], { env: wildcard })).code).toBe(0);
    await v69.stop();
    const v70 = await use({ nemoclaw: { version: "0.0.70" } });
    const refused = await v70.run("nemoclaw", [...ONBOARD, "--name", "alpha"], { env: wildcard });
    expect(refused.code).toBe(1);
    expect(refused.stderr.split("\n")).toContain(
      "Error: NEMOCLAW_GATEWAY_BIND_ADDRESS=0.0.0.0 is not supported for the OpenShell Docker-driver gateway while gateway JWT auth is active. Remove the override, or use NEMOCLAW_DASHBOARD_BIND for dashboard exposure.",
    );
  });
});

describe("rebuild", { timeout: 120_000 }, () => {
  it("from v0.0.69 ignores the onboard selection in its environment and says so for the agent; CPU/RAM count on every rebuild", async () => {
    const h = await use({ arch: "x86_64", gateways: [{ sandboxes: [{ name: "alpha", files: { "/sandbox/.openclaw/workspace/notes.md": "kept\n" } }] }] });
    const rebuilt = await h.run("nemoclaw", ["alpha", "rebuild", "--yes"], { env: { NEMOCLAW_AGENT: "hermes", NEMOCLAW_SANDBOX_GPU: "1", NEMOCLAW_CPU: "4", NEMOCLAW_RAM: "8Gi" } });
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout.split("\n")[0]).toBe("  Ignoring ambient NEMOCLAW_AGENT='hermes' — rebuilding 'alpha' as its recorded agent 'openclaw'.");
    expect(rebuilt.stdout).toContain("  Resource overrides (env): cpu=4, ram=8Gi\n");
    expect(registry(h).sandboxes.alpha).toMatchObject({ agent: null, sandboxGpuMode: "0" });
    const sandbox = () => readSimState({ home: h.home }).gateways.nemoclaw?.sandboxes.alpha;
    expect(sandbox()?.resources).toEqual({ cpu: "4", memory: "8Gi", gpu: false });
    expect((await inSandbox(h, "alpha", "cat /sandbox/.openclaw/workspace/notes.md")).stdout).toBe("kept\n");
    // Without them the limits are gone.
    expect((await h.run("nemoclaw", ["alpha", "rebuild", "--yes"])).code).toBe(0);
    expect(sandbox()?.resources).toEqual({ cpu: null, memory: null, gpu: false });
  });

  it("before v0.0.69 the inner onboard reads the selection from the environment", async () => {
    const h = await use({ nemoclaw: { version: "0.0.68" }, gateways: [{ sandboxes: [{ name: "alpha" }] }] });
    const rebuilt = await h.run("nemoclaw", ["alpha", "rebuild", "--yes"], { env: { NEMOCLAW_AGENT: "hermes" } });
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).not.toContain("Ignoring ambient");
    expect(registry(h).sandboxes.alpha.agent).toBe("hermes");
  });

  it("a partial restore is reported in each release's words: up to v0.0.59 `state restore was incomplete` / `Backup available at:`", async () => {
    for (const [version, last] of [
      ["0.0.59", ["  ⚠ Sandbox 'alpha' rebuilt but state restore was incomplete", "    Backup available at: "]],
      ["0.0.60", ["  ⚠ Sandbox 'alpha' rebuilt but some post-restore steps were incomplete", "    State restore was incomplete — backup available at: "]],
    ] as const) {
      const h = await use({ nemoclaw: { version }, gateways: [{ sandboxes: [{ name: "alpha" }] }], faults: { restoreFails: ["alpha"] } });
      const rebuilt = await h.run("nemoclaw", ["alpha", "rebuild", "--yes"]);
      expect(rebuilt.code).toBe(0);
      const backup = join(h.home, ".nemoclaw/rebuild-backups/alpha", readdirSync(join(h.home, ".nemoclaw/rebuild-backups/alpha"))[0]!);
      expect(stripAnsi(rebuilt.stdout).trimEnd().split("\n").slice(-2)).toEqual([last[0], `${last[1]}${backup}`]);
      expect(rebuilt.stderr).toContain(`  Partial restore: none\n  Failed: `);
      expect(rebuilt.stderr).toContain(`\n  Manual restore available from: ${backup}\n`);
    }
  });
});

describe("recover, gateway restart, stop/start, per release", { timeout: 120_000 }, () => {
  const broken = { name: "alpha", agentGateway: "stopped" as const, guards: { missing: ["/tmp/nemoclaw-proxy-env.sh"] } };

  it("before v0.0.35 there is no recover", async () => {
    const h = await use({ nemoclaw: { version: "0.0.33" }, gateways: [{ sandboxes: [{ name: "alpha" }] }] });
    expect(await h.run("nemoclaw", ["alpha", "recover"])).toMatchObject({
      code: 1,
      stderr: "  Unknown action: recover\n  Valid actions: connect, status, doctor, logs, policy-add, policy-remove, policy-list, skill, snapshot, share, rebuild, shields, config, channels, gateway-token, destroy\n",
    });
  });

  it("v0.0.35–v0.0.63 relaunch unguarded when the proxy env is missing", async () => {
    const h = await use({ nemoclaw: { version: "0.0.50" }, gateways: [{ sandboxes: [broken] }] });
    const result = await h.run("nemoclaw", ["alpha", "recover"]);
    expect(result).toMatchObject({
      code: 0,
      stdout: "  Probe complete: recovered OpenClaw gateway in 'alpha'.\n",
      stderr: "[gateway-recovery] WARNING: /tmp/nemoclaw-proxy-env.sh missing - gateway launching without library guards (#2478)\n",
    });
    expect((await inSandbox(h, "alpha", "test -e /tmp/nemoclaw-proxy-env.sh && echo present || echo missing; ps -eo args= | grep -c '^openclaw-gateway'")).stdout).toBe("missing\n1\n");
  });

  it("v0.0.64–v0.0.69 restore the guards from the packaged preloads", async () => {
    const h = await use({ nemoclaw: { version: "0.0.66" }, gateways: [{ sandboxes: [broken] }] });
    const result = await h.run("nemoclaw", ["alpha", "recover"]);
    expect(result.stderr).toBe("[gateway-recovery] WARNING: /tmp/nemoclaw-proxy-env.sh missing - restoring library guards from packaged preloads (#2478/#2701)\n");
    expect((await inSandbox(h, "alpha", "stat -c '%U %a' /tmp/nemoclaw-proxy-env.sh")).stdout).toBe("root 444\n");
    expect(await h.run("nemoclaw", ["alpha", "gateway", "restart"])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^ {2}Unknown action: gateway\n/) });
  });

  it("from v0.0.70 recover leaves a running gateway alone; gateway restart restores the guard chain, and refuses without the packaged preloads", async () => {
    const h = await use({ gateways: [{ sandboxes: [{ name: "alpha", guards: { missing: "all" } }, { name: "beta", preloadsMissing: ["ciao-network-guard.js"], guards: { missing: "all" } }] }] });
    expect((await h.run("nemoclaw", ["alpha", "recover"])).stdout).toBe("  Probe complete: OpenClaw gateway is running in 'alpha'.\n");
    expect((await inSandbox(h, "alpha", "ls /tmp/nemoclaw-proxy-env.sh 2>&1")).code).not.toBe(0);
    expect(await h.run("nemoclaw", ["alpha", "gateway", "restart"])).toMatchObject({
      code: 0,
      stdout: "\n  Restarting OpenClaw gateway in 'alpha'...\n  ✓ Gateway restarted; health passed; forwards checked/recovered for 'alpha'.\n",
    });
    expect((await inSandbox(h, "alpha", "stat -c '%U %a' /tmp/nemoclaw-proxy-env.sh /tmp/nemoclaw-seccomp-guard.js")).stdout).toBe("root 444\nroot 444\n");
    const refused = await h.run("nemoclaw", ["beta", "gateway", "restart", "--quiet"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.split("\n").slice(0, 2)).toEqual(["  Failure layer: launch failure - gateway restart failed for 'beta'.", "  GATEWAY_GUARDS_MISSING"]);
    expect(await h.run("nemoclaw", ["alpha", "stop"])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^ {2}Unknown action: stop\n/) });
  });

  it("gateway restart reports a busy supervisor as NemoClaw does, once per queued fault", async () => {
    const h = await use({ gateways: [{ sandboxes: [{ name: "alpha" }, { name: "beta" }] }], faults: { supervisorBusy: ["alpha", "beta"] } });
    // NC@9708c264:src/lib/actions/sandbox/gateway-restart.ts (restartSandboxGatewayWithDeps, printGatewayRestartFailure).
    expect(await h.run("nemoclaw", ["alpha", "gateway", "restart"])).toMatchObject({
      code: 1,
      stdout: "\n  Restarting OpenClaw gateway in 'alpha'...\n",
      stderr: "  Failure layer: privileged control unavailable - gateway restart failed for 'alpha'.\n  SUPERVISOR_BUSY\n",
    });
    expect(await h.run("nemoclaw", ["beta", "gateway", "restart", "--quiet"])).toMatchObject({
      code: 1,
      stdout: "",
      stderr: "  Failure layer: privileged control unavailable - gateway restart failed for 'beta'.\n  SUPERVISOR_BUSY\n",
    });
    expect(await h.run("nemoclaw", ["alpha", "gateway", "restart"])).toMatchObject({ code: 0, stdout: expect.stringContaining("✓ Gateway restarted") });
  });

  it("<sb> stop and start from v0.0.80", async () => {
    const h = await use({ nemoclaw: { version: "0.0.80" }, gateways: [{ sandboxes: [{ name: "alpha" }] }] });
    expect((await h.run("nemoclaw", ["alpha", "stop"])).code).toBe(0);
    expect(stripAnsi((await h.run("openshell", ["sandbox", "list"])).stdout)).toMatch(/alpha +\S+ \S+ +Provisioning\n/);
    expect((await h.run("nemoclaw", ["alpha", "start"])).code).toBe(0);
    expect(JSON.parse((await h.run("nemoclaw", ["alpha", "status", "--json"])).stdout)).toMatchObject({ phase: "Ready" });
    expect((await h.run("nemoclaw", ["alpha", "status"])).stdout).toMatch(/Agent: +openclaw \(gateway running\)/);
  });
});

describe("read formats: list --json and <sb> status --json", { timeout: 120_000 }, () => {
  // The report's keys in NemoClaw's order (NC@d50338aa:src/lib/actions/sandbox/status-snapshot.ts:296-323).
  const STATUS_KEYS_V76 = [
    "schemaVersion", "name", "found", "agent", "agentDisplayName", "agentRuntime", "model", "provider", "phase", "gatewayState",
    "inferenceHealth", "rpcIssue", "hostGpuDetected", "sandboxGpuEnabled", "sandboxGpuMode", "sandboxGpuDevice", "sandboxGpuProof",
    "openshellDriver", "openshellVersion", "policies", "failureLayer", "terminalRuntimeHealth", "dockerPaused",
  ];

  it("status --json has the report's fields in NemoClaw's order, with its fallbacks (v0.0.124)", async () => {
    const h = await use({
      nemoclaw: { version: "0.0.124" },
      gateways: [{ sandboxes: [{ name: "alpha" }, { name: "hermes1", registryEntry: { agent: "hermes", openshellDriver: null, openshellVersion: null } }] }],
    });
    const alpha = JSON.parse((await h.run("nemoclaw", ["alpha", "status", "--json"])).stdout);
    expect(Object.keys(alpha)).toEqual(STATUS_KEYS_V76);
    expect(alpha).toMatchObject({ agent: "openclaw", agentDisplayName: "OpenClaw", agentRuntime: "gateway", provider: "nvidia-prod", hostGpuDetected: false, sandboxGpuEnabled: false, sandboxGpuDevice: null, sandboxGpuProof: null });
    const hermes = JSON.parse((await h.run("nemoclaw", ["hermes1", "status", "--json"])).stdout);
    // agents/hermes/manifest.yaml's display_name; openshellDriver/-Version are always strings.
    expect(hermes).toMatchObject({ agent: "hermes", agentDisplayName: "Hermes Agent", openshellDriver: "unknown", openshellVersion: "unknown" });
  });

  it("status --json of v0.0.56 is #4323's report: no agent, failure layer, GPU proof or runtime fields", async () => {
    const h = await use({ nemoclaw: { version: "0.0.56" }, gateways: [{ sandboxes: [{ name: "alpha" }] }] });
    const report = JSON.parse((await h.run("nemoclaw", ["alpha", "status", "--json"])).stdout);
    expect(Object.keys(report)).toEqual([
      "schemaVersion", "name", "found", "model", "provider", "phase", "gatewayState", "inferenceHealth", "rpcIssue",
      "hostGpuDetected", "sandboxGpuEnabled", "sandboxGpuMode", "sandboxGpuDevice", "openshellDriver", "openshellVersion", "policies",
    ]);
  });

  it("a scenario's registry rows record gatewayName and gatewayPort only from v0.0.57, as onboard does", async () => {
    const old = await use({ nemoclaw: { version: "0.0.56" }, gateways: [{ sandboxes: [{ name: "alpha" }] }] });
    expect(registry(old).sandboxes.alpha).not.toHaveProperty("gatewayName");
    expect(registry(old).sandboxes.alpha).not.toHaveProperty("gatewayPort");
    const perPort = await use({ nemoclaw: { version: "0.0.57" }, gateways: [{ sandboxes: [{ name: "alpha" }] }] });
    expect(registry(perPort).sandboxes.alpha).toMatchObject({ gatewayName: "nemoclaw", gatewayPort: 8080 });
  });

  it("list --json rows carry every field with NemoClaw's fallbacks (NC@d50338aa:src/lib/inventory/index.ts:181-216)", async () => {
    const h = await use({ nemoclaw: { version: "0.0.124" }, gateways: [{ sandboxes: [{ name: "alpha", registryEntry: { sandboxGpuMode: "", dashboardPort: null } }] }] });
    const { sandboxes } = JSON.parse((await h.run("nemoclaw", ["list", "--json"])).stdout);
    expect(sandboxes).toEqual([
      {
        name: "alpha", model: "nvidia/nemotron-3-super-120b-a12b", provider: "nvidia-prod", gpuEnabled: false, hostGpuDetected: false, sandboxGpuEnabled: false,
        sandboxGpuMode: null, sandboxGpuDevice: null, openshellDriver: "docker", openshellVersion: "0.0.116", policies: [], agent: null,
        isDefault: true, activeSessionCount: null, connected: false,
      },
    ]);
  });
});

describe("shields, snapshots and strict flags", { timeout: 120_000 }, () => {
  it("before v0.0.56 a snapshot under raised shields fails as the copy does, without naming shields", async () => {
    // #4508 (488fb3c4) added the shields wording; it is first in the v0.0.56 release notes (23bcf776).
    const h = await use({ nemoclaw: { version: "0.0.55" }, gateways: [{ sandboxes: [{ name: "alpha" }] }], shields: { alpha: "up" } });
    const create = await h.run("nemoclaw", ["alpha", "snapshot", "create"]);
    expect(create).toMatchObject({ code: 1, stderr: "  Snapshot failed.\n  Failed directories: workspace\n" });
    expect((await h.run("nemoclaw", ["alpha", "shields", "down"])).code).toBe(0);
    expect((await h.run("nemoclaw", ["alpha", "snapshot", "create"])).code).toBe(0);
  });

  it("a shields state file of the wrong shape is corrupt, as NemoClaw's isShieldsState says; a scenario's lowered shields are the real shape", async () => {
    const h = await use({ gateways: [{ sandboxes: [{ name: "alpha" }, { name: "beta" }] }], shields: { alpha: "down" } });
    const file = JSON.parse(readFileSync(join(h.home, ".nemoclaw/state/shields-alpha.json"), "utf8"));
    expect(file).toMatchObject({ shieldsDown: true, shieldsDownTimeout: 300 });
    expect((await h.run("nemoclaw", ["alpha", "shields", "status"])).stdout.split("\n")[0]).toBe("  Shields: DOWN (temporarily unlocked)");
    // A duration string where NemoClaw keeps seconds (NC@d50338aa:src/lib/shields/index.ts:869-882).
    await h.run("sh", ["-c", `printf '{"shieldsDown":true,"shieldsDownTimeout":"5m"}' > ${h.home}/.nemoclaw/state/shields-beta.json`]);
    expect(await h.run("nemoclaw", ["beta", "shields", "status"])).toMatchObject({ code: 1, stderr: "  Shields: ERROR (state file is corrupt)\n" });
    expect((await h.run("nemoclaw", ["beta", "snapshot", "create"])).stderr).toContain("Cannot create snapshot while shields are up.");
  });

  it("snapshots are refused while shields are up; a state file without shieldsDown is the mutable default", async () => {
    const h = await use({ gateways: [{ sandboxes: [{ name: "alpha" }] }], shields: { alpha: "up" } });
    expect((await h.run("nemoclaw", ["alpha", "shields", "status"])).stdout).toBe("  Shields: UP (lockdown active)\n");
    expect(await h.run("nemoclaw", ["alpha", "snapshot", "create", "--name", "before"])).toMatchObject({
      code: 1,
      stdout: "  Creating snapshot of 'alpha' (--name before)...\n",
      stderr: "  Cannot create snapshot while shields are up.\n  Run `nemoclaw alpha shields down` first, then retry.\n",
    });
    expect(await h.run("nemoclaw", ["alpha", "shields", "down", "--timeout", "1h"])).toMatchObject({
      code: 1,
      stderr: "  Parsing --timeout \n\tDuration 3600s exceeds maximum of 1800s (30 minutes)\nSee more help with --help\n",
    });
    expect((await h.run("nemoclaw", ["alpha", "shields", "down"])).stdout).toBe("  Config unlocked for alpha (auto-lockdown in: 5m)\n");
    expect((await h.run("nemoclaw", ["alpha", "snapshot", "create", "--name", "before"])).code).toBe(0);
    // NemoClaw's texts for a taken label and a version-like one (NC@d50338aa:src/lib/state/sandbox.ts:596-603,985-996).
    const taken = await h.run("nemoclaw", ["alpha", "snapshot", "create", "--name", "before"]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/^ {2}Snapshot name 'before' already exists for 'alpha' \(at \S+\)\. Pick a different name or delete the existing snapshot\.\n$/);
    expect(await h.run("nemoclaw", ["alpha", "snapshot", "create", "--name", "V2"])).toMatchObject({
      code: 1,
      stderr: "  Snapshot name 'V2' conflicts with the auto-assigned version format (v<N>). Pick a different name.\n",
    });
    await h.run("sh", ["-c", `printf '{"updatedAt":"x"}' > ${h.home}/.nemoclaw/state/shields-alpha.json`]);
    expect((await h.run("nemoclaw", ["alpha", "shields", "status"])).stdout.split("\n")[0]).toBe("  Shields: NOT CONFIGURED (default mutable state)");
    const list = await h.run("nemoclaw", ["alpha", "snapshot", "list"]);
    expect(list.stdout).toMatch(/^ {2}Snapshots for 'alpha':\n\n {4}Version {2}Name {4}Timestamp {17}Path\n {4}v1 {7}before {2}\S+ {2}\S+\n\n {2}1 snapshot\(s\)\. Restore with:\n {4}nemoclaw alpha snapshot restore \[version\|name\|timestamp\]\n$/);
    expect((await h.run("nemoclaw", ["alpha", "snapshot", "restore", "before", "--yes"])).stdout).toMatch(/^ {2}Using snapshot v1 name=before \(\S+\)\n {2}Restoring snapshot into 'alpha'\.\.\.\n {2}✓ Restored \d+ directories, \d+ files\n$/);
  });

  it("from v0.0.117 there are no shields (and no snapshot refusal)", async () => {
    const h = await use({ nemoclaw: { version: "0.0.117" }, gateways: [{ sandboxes: [{ name: "alpha" }] }], shields: { alpha: "up" } });
    expect(await h.run("nemoclaw", ["alpha", "shields", "up"])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^ {2}Unknown action: shields\n/) });
    expect((await h.run("nemoclaw", ["alpha", "snapshot", "create"])).code).toBe(0);
  });

  it("refuses unknown flags from v0.0.34 (snapshot restore --yes only from v0.0.49) and ignored them before, except in snapshot create", async () => {
    const h = await use({ nemoclaw: { version: "0.0.48" }, gateways: [{ sandboxes: [{ name: "alpha" }] }], backups: [{ sandbox: "alpha" }] });
    expect(await h.run("nemoclaw", ["alpha", "snapshot", "restore", "v1", "--yes"])).toMatchObject({ code: 2, stderr: "  Nonexistent flag: --yes\nSee more help with --help\n" });
    expect(await h.run("nemoclaw", ["alpha", "status", "--json"])).toMatchObject({ code: 2, stderr: "  Nonexistent flag: --json\nSee more help with --help\n" });
    expect(await h.run("nemoclaw", ["alpha", "policy-add", "pypi", "--yes", "extra"])).toMatchObject({ code: 2, stderr: "  Unexpected argument: extra\nSee more help with --help\n" });
    await h.stop();
    const old = await use({ nemoclaw: { version: "0.0.33" }, gateways: [{ sandboxes: [{ name: "alpha" }] }] });
    expect((await old.run("nemoclaw", ["alpha", "policy-add", "pypi", "--yes", "--bogus"])).code).toBe(0);
    // Before oclif, `snapshot create` had the one hand parser that refuses (NC@954e6c2b:src/nemoclaw.ts:3328-3344).
    expect(await old.run("nemoclaw", ["alpha", "snapshot", "create", "--name", "before", "--yes"])).toMatchObject({ code: 1, stdout: "", stderr: "  Unknown flag: --yes\n" });
    expect(await old.run("nemoclaw", ["alpha", "snapshot", "create", "--name"])).toMatchObject({ code: 1, stdout: "", stderr: "  --name requires a value\n" });
    expect((await old.run("nemoclaw", ["alpha", "snapshot", "create", "--name", "before"])).code).toBe(0);
  });

  it("policy presets: add, list, remove; re-adding or removing an absent preset exits 1", async () => {
    const h = await use({ gateways: [{ sandboxes: [{ name: "alpha" }] }] });
    expect(await h.run("nemoclaw", ["alpha", "policy-add", "pypi", "--yes"])).toMatchObject({
      code: 0,
      stdout: "  Endpoints that would be opened: pypi.org, files.pythonhosted.org\n  Widening sandbox egress — adding: pypi.org, files.pythonhosted.org\n  Applied preset: pypi\n",
    });
    expect(await h.run("nemoclaw", ["alpha", "policy-add", "pypi", "--yes"])).toMatchObject({ code: 1, stderr: "  Preset 'pypi' is already applied.\n" });
    expect((await h.run("nemoclaw", ["alpha", "policy-list"])).stdout).toContain("    ● pypi\n");
    expect((await h.run("nemoclaw", ["alpha", "policy-remove", "pypi", "--yes"])).stdout).toContain("  Removed preset: pypi\n");
    expect(await h.run("nemoclaw", ["alpha", "policy-remove", "pypi", "--yes"])).toMatchObject({ code: 1, stderr: "  Preset 'pypi' is not applied.\n" });
    expect(await h.run("nemoclaw", ["ghost", "destroy", "--yes"])).toMatchObject({ code: 1, stderr: "  Sandbox 'ghost' does not exist.\n\n  Registered sandboxes: alpha\n  Run 'nemoclaw list' to see all sandboxes.\n" });
    expect((await h.run("nemoclaw", ["alpha", "destroy", "--yes"])).stdout).toBe("  ✓ Sandbox 'alpha' destroyed\n");
  });
});

describe("inference, backup-all, upgrade-sandboxes", { timeout: 120_000 }, () => {
  it("inference set: gateway providers (onboard keys from v0.0.76), and the bare command by era", async () => {
    const h = await use({ arch: "x86_64" });
    expect((await h.run("nemoclaw", ONBOARD, { env: { NEMOCLAW_SANDBOX_NAME: "alpha", NVIDIA_INFERENCE_API_KEY: "nvapi-k" } })).code).toBe(0);
    const set = await h.run("nemoclaw", ["inference", "set", "--provider", "build", "--model", "nvidia/llama-3.3-nemotron-super-49b-v1", "--sandbox", "alpha"]);
    expect(set).toMatchObject({ code: 0, stdout: expect.stringContaining("  Setting OpenShell inference route: nvidia-prod / nvidia/llama-3.3-nemotron-super-49b-v1\n") });
    expect(registry(h).sandboxes.alpha).toMatchObject({ provider: "nvidia-prod", model: "nvidia/llama-3.3-nemotron-super-49b-v1" });
    expect(await h.run("nemoclaw", ["inference", "set", "--provider", "acme", "--model", "m"])).toMatchObject({
      code: 2,
      stderr: "Unsupported provider 'acme'. Supported providers: nvidia-prod, nvidia-nim, nvidia-router, openai-api, anthropic-prod, compatible-anthropic-endpoint, gemini-api, compatible-endpoint, hermes-provider, ollama-local, vllm-local.\n",
    });
    const unregistered = await h.run("nemoclaw", ["inference", "set", "--provider", "openai-api", "--model", "gpt-5.4", "--sandbox", "alpha"]);
    expect(unregistered.code).toBe(1);
    expect(unregistered.stderr).toContain("OpenShell detail: provider 'openai-api' not found\nRegistered providers: nvidia-prod\n");
    expect((await h.run("nemoclaw", ["inference", "set"])).stderr.split("\n")[0]).toBe("  nemoclaw inference set requires --provider and --model.");
    expect(stripAnsi((await h.run("openshell", ["inference", "get"])).stdout)).toContain("Gateway inference:\n\n  Provider: nvidia-prod\n  Model: nvidia/llama-3.3-nemotron-super-49b-v1\n");
  });

  it("backup-all sees only the selected gateway; strict mode fails on skips from v0.0.76; upgrade-sandboxes --check exits 0 while stale", async () => {
    const h = await use({ gateways: [{ port: 8080, sandboxes: [{ name: "alpha", registryEntry: { agentVersion: "2026.5.22" } }] }, { port: 8081, sandboxes: [{ name: "beta" }] }] });
    const all = await h.run("nemoclaw", ["backup-all"]);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain("  Skipping 'beta' (not running)\n");
    expect(all.stdout).toContain("  Pre-upgrade backup: 1 backed up, 0 failed, 1 skipped\n");
    const strict = await h.run("nemoclaw", ["backup-all"], { env: { NEMOCLAW_REQUIRE_ALL_SANDBOX_BACKUPS: "1" } });
    expect(strict.code).toBe(1);
    expect(strict.stderr).toBe("\n  Strict pre-upgrade backup requires every registered sandbox to be backed up; 1 sandbox(es) were skipped.\n  Resolve each skipped sandbox using its reason above and retry.\n");
    expect((await h.run("nemoclaw", ["backup-all"], { env: { OPENSHELL_GATEWAY: "nemoclaw-8081", NEMOCLAW_REQUIRE_ALL_SANDBOX_BACKUPS: "1" } })).stdout).toContain("  Skipping 'alpha' (not running)\n");
    const check = await h.run("nemoclaw", ["upgrade-sandboxes", "--check"]);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain("  Stale sandboxes:\n    alpha  OpenClaw v2026.5.22 → v2026.6.10  (running)\n\n  1 sandbox(es) need upgrading.\n");
    expect(readdirSync(join(h.home, ".nemoclaw/rebuild-backups/alpha")).length).toBe(2);
  });
});
