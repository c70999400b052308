// @ts-check
// What NemoClaw does on a host, shared by its commands: find the OpenShell binaries, detect
// schema drift (reference §4) and print the exact preflight block, bring its gateway up for a
// port (both drivers), create a sandbox with guards and a running OpenClaw gateway, apply
// policy presets, and repair a sandbox's guards (reference §5).

import { accessSync, appendFileSync, constants, existsSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { bold, green, grpcStatus, mietteError } from "./ansi.mjs";
import {
  binaryVersion,
  clusterImageVersion,
  deployClusterGateway,
  readMetadata,
  startHostProcessGateway,
  stopHostProcessGateway,
  writeActiveGateway,
  writeMetadata,
} from "./gateways.mjs";
import { addImage, buildImage } from "./images.mjs";
import { gatewayStateDir } from "./paths.mjs";
import { presetHosts } from "./policy.mjs";
import { ClapError, parse } from "./clap.mjs";
import { openshellCommandTree } from "./openshell-cli.mjs";
import { sandboxNameProblem } from "./sandboxes.mjs";
import {
  agentRunning,
  CRITICAL_GUARDS,
  emitGuards,
  guardIsSafe,
  GUARD_PATHS,
  holderAlive,
  packagedPreloadIsSafe,
  PRELOADS,
  PROXY_ENV,
  sandboxRoot,
  staleAgentLocks,
  startHolder,
  stopHolder,
} from "./sandbox.mjs";
import { createSandbox } from "./sandboxes.mjs";
import { containerByName, gatewayRunning } from "./state.mjs";
import { collapseWhitespace, isRecordedProcessAlive, processCmdline, sha256, sleep, SimExit } from "./util.mjs";
import { atLeast, DOCKERFILE_FROM_REMOVED, isClusterEra } from "./versions.mjs";
import { NC, nvidiaGpuDetected } from "./releases.mjs";

/**
 * @typedef {import("./runtime.mjs").ToolContext} ToolContext
 * @typedef {import("./state.mjs").SimState} SimState
 * @typedef {import("./state.mjs").Gateway} Gateway
 * @typedef {import("./state.mjs").Sandbox} Sandbox
 * @typedef {{ kind: "image_drift"; image: string; version: string } | { kind: "host_process_drift"; binary: string; version: string } | { kind: "protobuf_mismatch"; output: string }} RpcIssue
 */

/**
 * @typedef {{ providerName: string; label: string; credentialEnv: string | null; model: string; type: string; local?: boolean; fixedModel?: boolean }} ProviderInfo
 */

/**
 * What each NEMOCLAW_PROVIDER key sets up (NC@d50338aa:src/lib/onboard/providers.ts:70-230): the
 * OpenShell provider name and the variable its credential comes from. Default models are the
 * simulator's.
 * @param {string} version NemoClaw release
 * @returns {Record<string, ProviderInfo>}
 */
export function providerTable(version) {
  // #5366 (ef8e43bd, first in v0.0.65) moved the NVIDIA key from NVIDIA_API_KEY to
  // NVIDIA_INFERENCE_API_KEY, keeping NVIDIA_API_KEY as a legacy alias (credentialValue below).
  const nvidiaKey = atLeast(version, NC.nvidiaInferenceKey) ? "NVIDIA_INFERENCE_API_KEY" : "NVIDIA_API_KEY";
  /** @type {Record<string, ProviderInfo>} */
  const table = {
    build: { providerName: "nvidia-prod", label: "NVIDIA Endpoints", credentialEnv: nvidiaKey, model: "nvidia/nemotron-3-super-120b-a12b", type: "nvidia" },
    openai: { providerName: "openai-api", label: "OpenAI", credentialEnv: "OPENAI_API_KEY", model: "gpt-5", type: "openai" },
    anthropic: { providerName: "anthropic-prod", label: "Anthropic", credentialEnv: "ANTHROPIC_API_KEY", model: "claude-sonnet-4-5", type: "anthropic" },
    anthropicCompatible: { providerName: "compatible-anthropic-endpoint", label: "Other Anthropic-compatible endpoint", credentialEnv: "COMPATIBLE_ANTHROPIC_API_KEY", model: "claude-sonnet-4-5", type: "anthropic" },
    gemini: { providerName: "gemini-api", label: "Google Gemini", credentialEnv: "GEMINI_API_KEY", model: "gemini-2.5-pro", type: "openai" },
    hermesProvider: { providerName: "hermes-provider", label: "Hermes Provider", credentialEnv: "OPENAI_API_KEY", model: "moonshotai/kimi-k2", type: "openai" },
    ollama: { providerName: "ollama-local", label: "Local Ollama", credentialEnv: null, model: "nemotron-3-nano:30b", type: "openai", local: true },
    custom: { providerName: "compatible-endpoint", label: "Other OpenAI-compatible endpoint", credentialEnv: "COMPATIBLE_API_KEY", model: "", type: "openai" },
    // Local NIM is recorded as `vllm-local` (NC@d50338aa:src/lib/onboard.ts:3300, provider-recovery.ts:17-25;
    // the same at 6966f4b7, v0.0.25); `nvidia-nim` is the legacy name of NVIDIA Endpoints.
    "nim-local": { providerName: "vllm-local", label: "Local NIM", credentialEnv: null, model: "nvidia/nemotron-3-nano", type: "openai", local: true },
    vllm: { providerName: "vllm-local", label: "Local vLLM", credentialEnv: null, model: "nvidia/nemotron-3-nano", type: "openai", local: true },
    // The routed blueprint profile: provider `nvidia-router`, model `nvidia-routed` whatever NEMOCLAW_MODEL
    // says, the NVIDIA key (NC@d50338aa:src/lib/onboard.ts:3196-3235, nemoclaw-blueprint/blueprint.yaml:88-94;
    // `NVIDIA_API_KEY` there before #5366).
    routed: { providerName: "nvidia-router", label: "Model Router", credentialEnv: nvidiaKey, model: "nvidia-routed", type: "openai", fixedModel: true },
    "install-vllm": { providerName: "vllm-local", label: "Managed vLLM", credentialEnv: null, model: "nvidia/nemotron-3-nano", type: "openai", local: true },
    "install-ollama": { providerName: "ollama-local", label: "Local Ollama", credentialEnv: null, model: "nemotron-3-nano:30b", type: "openai", local: true },
    "install-windows-ollama": { providerName: "ollama-local", label: "Windows Ollama", credentialEnv: null, model: "nemotron-3-nano:30b", type: "openai", local: true },
    "start-windows-ollama": { providerName: "ollama-local", label: "Windows Ollama", credentialEnv: null, model: "nemotron-3-nano:30b", type: "openai", local: true },
  };
  // `routed` (#2202) is not a NEMOCLAW_PROVIDER value before v0.0.36, the managed local keys (#3007)
  // not before v0.0.35 (install-ollama was one up to v0.0.25 as well), `hermesProvider` (#3320) not
  // before v0.0.39.
  if (!atLeast(version, NC.routed)) delete table.routed;
  if (!atLeast(version, NC.managedInferenceKeys)) {
    for (const key of ["install-vllm", "install-windows-ollama", "start-windows-ollama"]) delete table[key];
    if (!atLeast(NC.installOllamaUntil, version)) delete table["install-ollama"];
  }
  if (!atLeast(version, NC.hermesProvider)) delete table.hermesProvider;
  if (atLeast(version, NC.openrouter)) {
    table.openrouter = { providerName: "openrouter-api", label: "OpenRouter", credentialEnv: "OPENROUTER_API_KEY", model: "openrouter/auto", type: "openai" };
  }
  return table;
}

/**
 * `getNonInteractiveProvider`: trimmed, lower-cased, aliased; null when unset; an unknown key is
 * refused with the release's `Valid values:` line.
 * @param {ToolContext} ctx
 * @param {string | undefined} raw
 * @returns {string | null}
 */
export function providerKey(ctx, raw) {
  const key = (raw ?? "").trim().toLowerCase();
  if (!key) return null;
  /** @type {Record<string, string>} */
  const aliases = {
    cloud: "build",
    nim: "nim-local",
    anthropiccompatible: "anthropicCompatible",
    ...(atLeast(ctx.version, NC.hermesProvider)
      ? { hermes: "hermesProvider", "hermes-provider": "hermesProvider", hermesprovider: "hermesProvider", nous: "hermesProvider", "nous-portal": "hermesProvider" }
      : {}),
    ...(atLeast(ctx.version, NC.openrouter) ? { "open-router": "openrouter", openrouterai: "openrouter" } : {}),
  };
  const normalized = aliases[key] ?? key;
  const table = providerTable(ctx.version);
  if (!table[normalized]) {
    const valid = Object.keys(table).map((name) => (name === "hermesProvider" ? "hermes-provider" : name));
    ctx.err(`  Unsupported NEMOCLAW_PROVIDER: ${key}\n  Valid values: ${valid.join(", ")}\n`);
    throw new SimExit(1);
  }
  return normalized;
}

/**
 * The credential non-interactive onboard resolves for a provider, or exits 1 with the release's
 * text. NEMOCLAW_PROVIDER_KEY fills the provider's variable when that is unset (#648, every
 * supported release); from v0.0.65 NVIDIA_API_KEY is a legacy alias of NVIDIA_INFERENCE_API_KEY
 * (NC@d50338aa:src/lib/credentials/store.ts:51-53,215-225). An NVIDIA key must start with `nvapi-`
 * (src/lib/validation.ts `validateNvidiaApiKeyValue`). NemoClaw's credentials.json store is not
 * modelled: only the environment counts.
 * @param {ToolContext} ctx
 * @param {NodeJS.ProcessEnv} env
 * @param {string} key provider key
 * @param {ProviderInfo} provider
 * @param {(message: string) => never} fail prints the message and exits 1 (records the session failure)
 * @returns {string | undefined}
 */
export function credentialValue(ctx, env, key, provider, fail) {
  const envName = provider.credentialEnv;
  if (!envName) return undefined;
  const aliases = envName === "NVIDIA_INFERENCE_API_KEY" ? ["NVIDIA_API_KEY"] : [];
  const value = [envName, ...aliases].map((name) => (env[name] ?? "").trim()).find(Boolean) || (env.NEMOCLAW_PROVIDER_KEY ?? "").trim();
  const nvidia = envName === "NVIDIA_INFERENCE_API_KEY" || envName === "NVIDIA_API_KEY";
  const helpUrl = "https://build.nvidia.com/settings/api-keys";
  if (!value) {
    if (key === "build") {
      // logMissingNvidiaApiKeyHelp (#4426, v0.0.54) added the `Set with:` lines.
      const lines = [`  ${envName} (or NEMOCLAW_PROVIDER_KEY) is required for NVIDIA Endpoints in non-interactive mode.`];
      if (atLeast(ctx.version, NC.missingKeyHints)) lines.push("  Set with:", `  export ${envName}=nvapi-...`, `  Get a key from ${helpUrl}`);
      return fail(lines.join("\n"));
    }
    return fail(`  ${envName} (or NEMOCLAW_PROVIDER_KEY) is required for ${provider.label} in non-interactive mode.`);
  }
  if (nvidia && !value.startsWith("nvapi-")) return fail(`  Invalid NVIDIA API key. Must start with nvapi-\n  Get a key from ${helpUrl}`);
  return value;
}

/**
 * Agents NemoClaw can put in a sandbox, with (from v0.0.69) the aliases NEMOCLAW_AGENT and --agent
 * accept. `display` is `formatSandboxAgentName`'s (NC@9708c264:src/lib/onboard/sandbox-agent.ts:46-52);
 * `product` and `runtime` are the manifest's `display_name` and `runtime.kind` (default `gateway`,
 * NC@9708c264:agents/<agent>/manifest.yaml).
 */
export const AGENTS = /** @type {Record<string, { display: string; product: string; runtime: "gateway" | "terminal"; since?: string }>} */ ({
  openclaw: { display: "OpenClaw", product: "OpenClaw", runtime: "gateway" },
  hermes: { display: "Hermes", product: "Hermes Agent", runtime: "gateway" },
  "langchain-deepagents-code": { display: "LangChain Deep Agents Code", product: "LangChain Deep Agents Code", runtime: "terminal", since: NC.deepAgents },
});

/** Normalized selector → agent (NC@d50338aa:src/lib/agent/aliases.ts:4-37). */
const AGENT_ALIASES = /** @type {Record<string, string>} */ ({
  nemoclaw: "openclaw", "nemo-claw": "openclaw", nemohermes: "hermes", "nemo-hermes": "hermes",
  ...Object.fromEntries(
    [
      "nemo-deepagents", "nemo-deepagent", "nemodeepagents", "nemodeepagent", "dcode", "deepagent", "deepagents", "deep-agent", "deep-agents",
      "deepagentcode", "deepagentscode", "deepagent-code", "deepagents-code", "deep-agent-code", "deep-agents-code", "langchain", "langchain-code",
      "langchaindeepagent", "langchaindeepagents", "langchain-deepagent", "langchain-deepagents", "langchaindeepagentcode", "langchaindeepagentscode",
      "langchain-deepagent-code", "langchain-deepagents-code", "langchain-deep-agent", "langchain-deep-agents", "langchain-deep-agent-code",
      "langchain-deep-agents-code",
    ].map((alias) => [alias, "langchain-deepagents-code"]),
  ),
});

/**
 * The agents a release ships, as `listAgents()` lists them: sorted (NC@d50338aa:src/lib/agent/defs.ts:95-103).
 * @param {string} [version] NemoClaw release (absent: every agent)
 */
export function agentNames(version) {
  return Object.entries(AGENTS)
    .filter(([, agent]) => version === undefined || agent.since === undefined || atLeast(version, agent.since))
    .map(([name]) => name)
    .sort();
}

/**
 * The canonical agent a selector names in a release, or null. Before v0.0.69 only exact names count.
 * @param {string} raw
 * @param {string} [version] NemoClaw release (absent: every agent and alias)
 * @returns {string | null}
 */
export function agentName(raw, version) {
  const available = agentNames(version);
  if (version !== undefined && !atLeast(version, NC.agentAliases)) return available.includes(raw.trim()) ? raw.trim() : null;
  // resolveAgentNameAlias (aliases.ts:47-64): exact, then normalized, then an alias of an available agent.
  const trimmed = raw.trim();
  if (!trimmed) return null;
  if (available.includes(trimmed)) return trimmed;
  const normalize = (/** @type {string} */ value) => value.trim().toLowerCase().replace(/[\s_]+/g, "-").replace(/-+/g, "-");
  const key = normalize(trimmed);
  const exact = available.find((name) => normalize(name) === key);
  if (exact) return exact;
  const target = AGENT_ALIASES[key];
  return target && available.includes(target) ? target : null;
}

/**
 * ` (aliases: …)` after the agent list of an unknown-agent refusal (NC@d50338aa:src/lib/agent/aliases.ts:67-80).
 * @param {string} version
 */
export function agentAliasSuffix(version) {
  const available = agentNames(version);
  /** @type {string[]} */
  const aliases = [];
  if (available.includes("hermes")) aliases.push("nemohermes → hermes");
  if (available.includes("langchain-deepagents-code")) aliases.push("nemo-deepagents/dcode/deepagents/deepagents-code/langchain → langchain-deepagents-code");
  return aliases.length > 0 ? ` (aliases: ${aliases.join("; ")})` : "";
}

/** @param {unknown} agent registry value (null = OpenClaw) */
export function agentDisplay(agent) {
  return AGENTS[typeof agent === "string" && agent ? agent : "openclaw"]?.display ?? String(agent);
}

/** The agent's manifest `display_name` (`getAgentDisplayName`). @param {unknown} agent */
export function agentProduct(agent) {
  return AGENTS[typeof agent === "string" && agent ? agent : "openclaw"]?.product ?? String(agent);
}

/**
 * Node's report of an exception nothing catches (NemoClaw has no top-level handler): the
 * error line and a stand-in stack, exit 1.
 * @param {ToolContext} ctx
 * @param {string} message
 * @returns {never}
 */
export function uncaught(ctx, message) {
  ctx.err(`${message.startsWith("Error") ? message : `Error: ${message}`}\n    at Object.<anonymous> (nemoclaw/dist/nemoclaw.js)\n\nNode.js ${process.version}\n`);
  throw new SimExit(1);
}

/** @param {ToolContext} ctx @param {string} line */
export function say(ctx, line = "") {
  ctx.out(`${line}\n`);
}

/** @param {string} path */
function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * NemoClaw's binary resolution: NEMOCLAW_OPENSHELL_BIN, then PATH, then ~/.local/bin.
 * @param {ToolContext} ctx
 * @returns {{ path: string; version: string } | null}
 */
export function resolveOpenshell(ctx) {
  const candidates = [
    ctx.env.NEMOCLAW_OPENSHELL_BIN,
    ...(ctx.env.PATH ?? "").split(delimiter).map((dir) => join(dir, "openshell")),
    ctx.paths.openshellBin,
  ].filter((path) => path !== undefined && path.startsWith("/"));
  for (const path of /** @type {string[]} */ (candidates)) {
    if (!existsSync(path) || !isExecutable(path)) continue;
    const version = binaryVersion(path);
    // The simulator's PATH links stand for ~/.local/bin being on PATH: report the real file.
    if (version) return { path: realpathSync(path), version };
  }
  return null;
}

/**
 * The `openshell-gateway` NemoClaw would launch: NEMOCLAW_OPENSHELL_GATEWAY_BIN, then the one
 * beside the CLI, then ~/.local/bin.
 * @param {ToolContext} ctx
 * @param {string} openshellPath
 */
export function resolveGatewayBinary(ctx, openshellPath) {
  const candidates = [ctx.env.NEMOCLAW_OPENSHELL_GATEWAY_BIN, join(dirname(openshellPath), "openshell-gateway"), ctx.paths.gatewayBin, join(ctx.paths.systemBin, "openshell-gateway")];
  return candidates.find((path) => path && existsSync(path) && isExecutable(path) && binaryVersion(path)) ?? null;
}

/**
 * `detectOpenShellStateRpcPreflightIssue`: cluster image drift first, then host-process drift
 * (binary from the runtime marker when its pid is alive and its argv0 matches), then the
 * protobuf mismatch seen in OpenShell output.
 * @param {ToolContext} ctx
 * @param {SimState} state
 * @param {string} gatewayName
 * @param {string} cliVersion
 * @returns {RpcIssue | null}
 */
export function detectRpcIssue(ctx, state, gatewayName, cliVersion) {
  const container = containerByName(state, `openshell-cluster-${gatewayName}`);
  if (container?.running && state.docker.daemon === "running") {
    const version = clusterImageVersion(container.image);
    if (version && version !== cliVersion) return { kind: "image_drift", image: container.image, version };
  }
  const gateway = state.gateways[gatewayName];
  if (gateway?.driver === "host-process") {
    const marker = readMarker(gatewayStateDir(ctx.paths, gateway.port));
    if (marker && typeof marker.pid === "number" && typeof marker.gatewayBin === "string") {
      const argv0 = processCmdline(marker.pid)?.[0];
      const version = argv0 === marker.gatewayBin ? binaryVersion(marker.gatewayBin) : null;
      if (version && version !== cliVersion) return { kind: "host_process_drift", binary: marker.gatewayBin, version };
    }
  }
  if (gateway?.protobufMismatch && gatewayRunning(state, gateway)) {
    // What `openshell sandbox list` printed; NemoClaw quotes it whitespace-collapsed.
    return { kind: "protobuf_mismatch", output: mietteError(grpcStatus(cliVersion, "Internal", gateway.protobufMismatch)) };
  }
  return null;
}

/** @param {string} stateDir */
function readMarker(stateDir) {
  try {
    return JSON.parse(readFileSync(join(stateDir, "runtime.json"), "utf8"));
  } catch {
    return null;
  }
}

/**
 * `formatOpenShellStateRpcIssue` (reference §4), line for line.
 * @param {{ action: string; command: string; installed: string; issue: RpcIssue; gatewayName: string; driver: "cluster-container" | "host-process" | "unknown" }} options
 */
export function preflightBlock(options) {
  const { issue } = options;
  const lines = [""];
  lines.push(
    issue.kind === "protobuf_mismatch"
      ? `  OpenShell gateway/schema mismatch was detected while ${options.action}.`
      : `  OpenShell gateway schema preflight failed before ${options.action}.`,
  );
  lines.push(`  Installed OpenShell: ${options.installed}`);
  if (issue.kind === "image_drift") lines.push(`  Running gateway image: ${issue.image} (${issue.version})`);
  if (issue.kind === "host_process_drift") lines.push(`  Running gateway binary: ${issue.binary || "host-process gateway"} (${issue.version})`);
  if (issue.kind === "protobuf_mismatch") {
    lines.push("  NemoClaw saw protobuf/schema mismatch output from OpenShell.");
    lines.push(`  OpenShell output: ${collapseWhitespace(issue.output).slice(0, 260)}`);
  }
  lines.push(
    "",
    "  Refusing to trust OpenShell sandbox state while the host CLI and gateway schema may be out of sync.",
    "  No sandbox data was changed.",
    "",
    "  Recovery:",
    "    1. Run `nemoclaw onboard --resume` to repair or recreate the NemoClaw gateway with the installed OpenShell version.",
    `    2. Rerun \`${options.command}\` after \`openshell status\` reports a healthy NemoClaw gateway.`,
    "",
  );
  const driver = issue.kind === "image_drift" ? "cluster-container" : issue.kind === "host_process_drift" ? "host-process" : options.driver;
  if (driver === "cluster-container") {
    lines.push(
      `  If gateway recreation is required, preserve sandbox state first; do not remove \`openshell-cluster-${options.gatewayName}\` Docker volumes unless you have a backup and explicitly accept state loss.`,
    );
  } else if (driver === "host-process") {
    lines.push(
      "  If gateway recreation is required, preserve sandbox state first; do not delete sandbox volumes or backups until `openshell status` reports a healthy NemoClaw gateway on the installed OpenShell version.",
    );
  } else {
    lines.push(
      "  If gateway recreation is required, preserve sandbox state first; do not delete sandbox state, backups, or gateway data until `openshell status` reports a healthy NemoClaw gateway.",
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Refuse (exit 1, nothing changed) when the named gateway's state cannot be trusted.
 * @param {ToolContext} ctx
 * @param {SimState} state
 * @param {{ gatewayName: string; cliVersion: string; action: string; command: string }} options
 */
export function refuseOnRpcIssue(ctx, state, options) {
  const issue = detectRpcIssue(ctx, state, options.gatewayName, options.cliVersion);
  if (!issue) return;
  const gateway = state.gateways[options.gatewayName];
  ctx.err(
    preflightBlock({
      action: options.action,
      command: options.command,
      installed: options.cliVersion,
      issue,
      gatewayName: options.gatewayName,
      driver: gateway?.driver ?? "unknown",
    }),
  );
  throw new SimExit(1);
}

/**
 * Onboard step 2: reuse a healthy gateway on the installed version, otherwise (re)start it —
 * host process (Docker driver) from ≥0.0.37, cluster container before. Registers and selects it.
 * @param {ToolContext} ctx
 * @param {SimState} state
 * @param {{ name: string; port: number; cli: { path: string; version: string }; gpuFlag?: "gpu" | "no-gpu" }} options
 * @returns {Promise<Gateway>}
 */
export async function ensureGateway(ctx, state, options) {
  const existing = state.gateways[options.name];
  if (isClusterEra(options.cli.version)) {
    const image = ctx.env.OPENSHELL_CLUSTER_IMAGE || `ghcr.io/nvidia/openshell/cluster:${options.cli.version}`;
    const container = containerByName(state, `openshell-cluster-${options.name}`);
    const gpu = clusterGatewayGpu(ctx, state, options.gpuFlag);
    if (container?.running && clusterImageVersion(container.image) === options.cli.version && existing) {
      if (gpu && !container.gpu) {
        ctx.err("  Existing gateway was started without GPU passthrough.\n  To enable GPU, destroy the existing sandbox and gateway, then re-onboard:\n    nemoclaw <name> destroy --yes && nemoclaw onboard --gpu\n");
        throw new SimExit(1);
      }
      say(ctx, "  [reuse] Skipping gateway (running)");
      say(ctx, "  Reusing healthy NemoClaw gateway.");
      return existing;
    }
    if (container && clusterImageVersion(container.image) !== options.cli.version) {
      say(ctx, `  Recreating gateway container with ${image} (existing gateway state is preserved)...`);
      state.docker.containers = state.docker.containers.filter((c) => c !== container);
    } else say(ctx, "  Starting gateway cluster...");
    deployClusterGateway(ctx.paths, state, { name: options.name, port: options.port, image, recreate: false, gpu });
    say(ctx, "  Waiting for gateway health...");
    say(ctx, "  ✓ Gateway is healthy");
    return /** @type {Gateway} */ (state.gateways[options.name]);
  }
  const binary = resolveGatewayBinary(ctx, options.cli.path);
  if (!binary) {
    ctx.err(`  ✗ openshell-gateway was not found next to ${options.cli.path}. Reinstall OpenShell and re-run 'nemoclaw onboard'.\n`);
    throw new SimExit(1);
  }
  if (existing?.driver === "host-process" && isRecordedProcessAlive(existing.process) && !existing.unreachable) {
    if (existing.version === binaryVersion(binary)) {
      say(ctx, "  [reuse] Skipping gateway (running)");
      say(ctx, "  Reusing healthy NemoClaw gateway.");
      registerHostGateway(ctx, options.name, options.port);
      return existing;
    }
    say(ctx, `  Stopping OpenShell gateway '${options.name}' (openshell-gateway ${existing.version}) to restart it on ${binaryVersion(binary)}...`);
    stopHostProcessGateway(existing);
    for (let i = 0; i < 200 && isRecordedProcessAlive(existing.process); i++) await sleep(10);
  }
  say(ctx, "  Starting OpenShell Docker-driver gateway...");
  const result = await startHostProcessGateway(ctx.paths, state, { name: options.name, port: options.port, binary, cliVersion: options.cli.version });
  say(ctx, `  Gateway log: ${result.logPath}`);
  if (!result.started) {
    const tail = readFileSync(result.logPath, "utf8").trimEnd().split("\n").slice(-5);
    ctx.err(`  ✗ OpenShell gateway failed to start. Last lines of ${result.logPath}:\n${tail.map((line) => `    ${line}\n`).join("")}`);
    throw new SimExit(1);
  }
  say(ctx, "  ✓ Docker-driver gateway is healthy");
  registerHostGateway(ctx, options.name, options.port);
  return result.gateway;
}

/**
 * Cluster era from v0.0.36 (#2799): onboard passes `gateway start --gpu` on a host where it detects
 * an NVIDIA GPU (releases.mjs), unless `--no-gpu`; `--gpu` without one fails; and a running gateway
 * without GPU passthrough is refused, not reused (NC@e0ab181d:src/lib/onboard.ts:9771-9787, 9851-9868).
 * @param {ToolContext} ctx
 * @param {SimState} state
 * @param {"gpu" | "no-gpu" | undefined} flag
 */
function clusterGatewayGpu(ctx, state, flag) {
  if (!atLeast(ctx.version, NC.onboardGpu) || flag === "no-gpu") return false;
  const detected = nvidiaGpuDetected(state.host);
  if (flag === "gpu" && !detected) {
    ctx.err("  GPU passthrough requires an NVIDIA GPU detected by nvidia-smi.\n  Install NVIDIA drivers and the Container Toolkit, or rerun with --no-gpu.\n");
    throw new SimExit(1);
  }
  if (flag === "gpu") say(ctx, "  GPU passthrough requested; passing --gpu to OpenShell gateway and sandbox creation.");
  else if (detected) say(ctx, "  NVIDIA GPU detected; enabling OpenShell GPU passthrough. Use --no-gpu to opt out.");
  return detected || flag === "gpu";
}

/**
 * `openshell gateway add http://127.0.0.1:<port> --local --name <gw>` when missing.
 * @param {ToolContext} ctx
 * @param {string} name
 * @param {number} port
 */
function registerHostGateway(ctx, name, port) {
  if (readMetadata(ctx.paths, name)) return;
  writeMetadata(ctx.paths, { name, gateway_endpoint: `http://127.0.0.1:${port}`, is_remote: false, gateway_port: 0, auth_mode: "plaintext" });
}

/**
 * `openshell gateway select <gw>` as NemoClaw runs it (onboard relays OpenShell's line).
 * @param {ToolContext} ctx
 * @param {string} name
 * @param {{ quiet?: boolean }} [options]
 */
export function selectGateway(ctx, name, options = {}) {
  writeActiveGateway(ctx.paths, name);
  if (!options.quiet) say(ctx, `${bold(green("✓"))} Active gateway set to '${name}'`);
}

/** @param {ToolContext} ctx */
export function requireOpenshell(ctx) {
  const cli = resolveOpenshell(ctx);
  if (!cli) {
    ctx.err("  ✗ openshell CLI not found. Install OpenShell (https://github.com/NVIDIA/OpenShell) and re-run.\n");
    throw new SimExit(1);
  }
  return cli;
}

/**
 * @typedef {object} ManagedCreate
 * @property {string} name
 * @property {string | null} from Dockerfile path or image reference
 * @property {string} model
 * @property {string[]} presets
 * @property {boolean} gpu
 * @property {string | null} gpuDevice
 * @property {{ cpu: string | null; memory: string | null }} resources
 * @property {string[]} providers
 */

/**
 * The `openshell sandbox create` command line NemoClaw runs (NC@d50338aa:src/lib/onboard.ts,
 * sandbox-gpu-create.ts; resources only when `sandbox create --help` lists them).
 * @param {ManagedCreate} options
 * @param {string} source `--from` value
 * @param {string} policyFile
 */
export function nemoclawCreateArgv(options, source, policyFile) {
  return [
    "sandbox", "create", "--from", source, "--name", options.name, "--policy", policyFile,
    ...(options.gpu ? ["--gpu"] : []),
    ...(options.gpuDevice ? ["--gpu-device", options.gpuDevice] : []),
    ...(options.resources.cpu ? ["--cpu", options.resources.cpu] : []),
    ...(options.resources.memory ? ["--memory", options.resources.memory] : []),
    ...options.providers.flatMap((provider) => ["--provider", provider]),
    "--", "env", "CHAT_UI_URL=http://127.0.0.1:18789", "NEMOCLAW_DASHBOARD_PORT=18789", `NEMOCLAW_MODEL=${options.model}`, "nemoclaw-start",
  ];
}

/**
 * Onboard step 6 / rebuild: build the sandbox image and create the sandbox through the
 * installed `openshell`, whose own parser judges the command line first (a flag the installed
 * release lacks fails the create as it would on a host). In the cluster era a Dockerfile goes
 * through the image-tar upload into the cluster container, where the Linux arm64 404 strikes.
 * @param {ToolContext} ctx
 * @param {SimState} state
 * @param {Gateway} gateway
 * @param {ManagedCreate} options
 * @returns {Promise<{ ok: true; sandbox: Sandbox; imageTag: string } | { ok: false; imageTag: string; output: string; argv: string[] }>}
 */
export async function createManagedSandbox(ctx, state, gateway, options) {
  const cli = requireOpenshell(ctx);
  const dockerfile = options.from && existsSync(options.from) ? options.from : null;
  const policyFile = join(ctx.paths.nemoclawDir, "policies", `${options.name}.yaml`);
  const argv = nemoclawCreateArgv(options, dockerfile ? dirname(dockerfile) : (options.from ?? join(ctx.paths.nemoclawDir, "source")), policyFile);
  try {
    parse(openshellCommandTree(cli.version), argv, {});
  } catch (error) {
    if (!(error instanceof ClapError)) throw error;
    ctx.err(error.text);
    return { ok: false, imageTag: "", output: error.text, argv };
  }
  say(ctx, `  Creating sandbox '${options.name}' (this takes a few minutes on first run)...`);
  let imageTag = options.from && !dockerfile ? options.from : "";
  if (!imageTag) {
    say(ctx, "  Building sandbox image...");
    imageTag = `openshell/sandbox-from:${Math.floor(Date.now() / 1000)}`;
    const lines = dockerfile ? buildImage(state, dockerfile, imageTag) : defaultImageBuild(state, imageTag);
    for (const line of lines) say(ctx, `  ${line}`);
    say(ctx, `  Built image ${imageTag}`);
    if (gateway.driver === "cluster-container") {
      say(ctx, `  [progress] Exporting image ${imageTag}`);
      if (["aarch64", "arm64"].includes(state.host.arch) && state.options.arm64UploadFailure) {
        const output = `Error:   × failed to upload image tar into container\n  ╰─▶ Docker responded with status code 404: No such container: openshell-cluster-${gateway.name}`;
        for (const line of output.split("\n")) say(ctx, `  ${line}`);
        return { ok: false, imageTag, output, argv };
      }
      say(ctx, "  [progress] Uploaded to gateway");
    }
  }
  if (dockerfile && atLeast(cli.version, DOCKERFILE_FROM_REMOVED)) {
    const output = mietteError(`--from no longer builds local images: ${dirname(dockerfile)}\nBuild and push the image, then pass its reference to --from.`);
    ctx.err(output);
    return { ok: false, imageTag, output, argv };
  }
  const problem = sandboxNameProblem(gateway.version, options.name);
  if (problem) {
    const output = mietteError(grpcStatus(cli.version, "InvalidArgument", problem));
    ctx.err(output);
    return { ok: false, imageTag, output, argv };
  }
  const command = argv.slice(argv.indexOf("--") + 1);
  const sandbox = await createSandbox(ctx.paths, state, gateway, {
    name: options.name,
    image: imageTag,
    command,
    presets: [],
    resources: { cpu: options.resources.cpu, memory: options.resources.memory, gpu: options.gpu },
    providers: options.providers,
  });
  say(ctx, `  Created sandbox: ${options.name}`);
  say(ctx, "  Waiting for sandbox to become ready...");
  say(ctx, `  ✓ Sandbox '${options.name}' created`);
  return { ok: true, sandbox, imageTag };
}

/** NemoClaw's generated sandbox context (no user Dockerfile). @param {SimState} state @param {string} tag */
function defaultImageBuild(state, tag) {
  addImage(state, tag, `sha256:${sha256(tag)}`, "2.31GB");
  return ["Step 1/3 : FROM ghcr.io/nvidia/nemoclaw/sandbox-base:latest", "Step 2/3 : COPY nemoclaw-blueprint/ /opt/nemoclaw-blueprint/", "Step 3/3 : ENTRYPOINT [\"/usr/local/bin/nemoclaw-start\"]", `Successfully tagged ${tag}`];
}

/**
 * The arm64 image-reference workaround (`printSandboxCreateRecoveryHints`, #3266/#4934, reference
 * §11): step 3 is NemoClaw's own create command with the registry image and a policy placeholder,
 * without `--no-bootstrap`. The first lines are NemoClaw's (NC@e2db5ed7:src/lib/build-context.ts); the rest are stand-ins.
 * @param {ToolContext} ctx
 * @param {{ name: string; imageTag: string; argv?: string[] }} options
 */
export function printArm64Hints(ctx, options) {
  const ref = options.imageTag;
  const argv = [...(options.argv ?? nemoclawCreateArgv({ name: options.name, from: ref, model: "", presets: [], gpu: false, gpuDevice: null, resources: { cpu: null, memory: null }, providers: [] }, ref, "p"))];
  argv[argv.indexOf("--from") + 1] = `localhost:5000/${ref}`;
  argv[argv.indexOf("--policy") + 1] = "<your-policy-file>";
  const step3 = [...argv.slice(0, argv.indexOf("--")), "--", "env", "<YOUR_RUNTIME_ENV>", "nemoclaw-start"];
  ctx.err(
    [
      "",
      "  Hint: OpenShell built the sandbox image but failed to upload the image tar into the gateway container",
      "        (Docker 404 'container does not exist'). The gateway container is healthy — this is the",
      "        OpenShell large-tar upload path failing, not a missing gateway.",
      "  On Linux arm64 the image-tar upload path can fail although the gateway is healthy.",
      "  Workaround: serve the image from a local registry and create the sandbox from the image reference:",
      "    1. docker run -d -p 5000:5000 --restart=always --name registry registry:2",
      `    2. docker tag ${ref} localhost:5000/${ref} && docker push localhost:5000/${ref}`,
      `    3. openshell ${step3.join(" ")}`,
      "  Or retry with: nemoclaw onboard --resume",
      "",
    ].join("\n"),
  );
}

/**
 * Apply presets to a live sandbox the way `policy-add` does, one policy version each
 * (NC@d50338aa:src/lib/actions/sandbox/policy-channel.ts; `policy-add` prints the endpoints line
 * itself before confirming).
 * @param {ToolContext} ctx
 * @param {Sandbox} sandbox
 * @param {string[]} presets
 * @param {{ quiet?: boolean }} [options]
 */
export function applyPresets(ctx, sandbox, presets, options = {}) {
  for (const preset of presets) {
    if (sandbox.presets.includes(preset)) continue;
    if (!options.quiet) say(ctx, `  Widening sandbox egress — adding: ${presetHosts(preset).join(", ")}`);
    sandbox.policyVersion += 1;
    sandbox.resourceVersion += 1;
    sandbox.presets.push(preset);
    if (!options.quiet) say(ctx, `  Applied preset: ${preset}`);
  }
}

/**
 * @param {ToolContext} ctx
 * @param {Sandbox} sandbox
 * @param {string} preset
 */
export function removePresetFromPolicy(ctx, sandbox, preset) {
  say(ctx, `  Narrowing sandbox egress — removing: ${presetHosts(preset).join(", ")}`);
  sandbox.presets = sandbox.presets.filter((p) => p !== preset);
  sandbox.policyVersion += 1;
  sandbox.resourceVersion += 1;
  say(ctx, `  Removed preset: ${preset}`);
}

/**
 * @typedef {"fail-open" | "critical-preloads" | "guard-chain"} RecoveryMode
 * @typedef {{ result: "running" | "relaunched" | "refused"; log: string[] }} RecoveryOutcome
 */

/**
 * How a release repairs the agent gateway when it relaunches it (reference §5): before
 * ≈v0.0.64 the in-sandbox script relaunches even without the proxy-env file (fail-open); from
 * ≈v0.0.64 it restores the two critical preloads and the proxy env from the packaged sources;
 * from ≈v0.0.70 nemoclaw-gateway-control restores the whole guard chain.
 * @param {string} version NemoClaw release
 * @returns {RecoveryMode}
 */
export function recoveryMode(version) {
  if (atLeast(version, NC.gatewayControl)) return "guard-chain";
  if (atLeast(version, NC.recoverRestoresGuards)) return "critical-preloads";
  return "fail-open";
}

/**
 * Relaunch a sandbox's agent gateway the way the release's recovery does. A running gateway is
 * left alone unless `force` (`<sb> gateway restart`). The `[gateway-recovery]` lines go to the
 * sandbox's /tmp/gateway.log, and are returned for the caller.
 * @param {ToolContext} ctx
 * @param {SimState} state
 * @param {Gateway} gateway
 * @param {Sandbox} sandbox
 * @param {{ mode: RecoveryMode; force?: boolean }} options
 * @returns {Promise<RecoveryOutcome>}
 */
export async function recoverAgent(ctx, state, gateway, sandbox, options) {
  if (agentRunning(sandbox) && !options.force) return { result: "running", log: [] };
  const root = sandboxRoot(ctx.paths, gateway.name, sandbox.name);
  /** @type {string[]} */
  const log = [];
  const refuse = () => {
    writeGatewayLog(root, log);
    return /** @type {RecoveryOutcome} */ ({ result: "refused", log });
  };
  const proxyPresent = existsSync(join(root, PROXY_ENV));
  const nodeOptions = proxyPresent ? readFileSync(join(root, PROXY_ENV), "utf8") : "";
  const guardsNamed = nodeOptions.includes("nemoclaw-sandbox-safety-net") && nodeOptions.includes("nemoclaw-ciao-network-guard");
  if (options.mode === "fail-open") {
    if (!proxyPresent) log.push(`[gateway-recovery] WARNING: ${PROXY_ENV} missing - gateway launching without library guards (#2478)`);
    else if (!guardsNamed) {
      log.push(`[gateway-recovery] ERROR: ${PROXY_ENV} present but NODE_OPTIONS missing safety-net preload or ciao preload - refusing unguarded gateway relaunch (#2478)`);
      return refuse();
    }
  } else {
    const chain = options.mode === "guard-chain" ? GUARD_PATHS : [PROXY_ENV, ...CRITICAL_GUARDS.map((name) => `/tmp/nemoclaw-${name}`)];
    const unsafe = chain.filter((path) => !guardIsSafe(root, path, sandbox) || (path === PROXY_ENV && !guardsNamed));
    if (unsafe.length > 0) {
      if (options.mode === "guard-chain") log.push("[gateway-recovery] WARNING: /tmp guard chain missing or unsafe - restoring library guards from packaged preloads (#2478/#2701)");
      else if (!proxyPresent) log.push(`[gateway-recovery] WARNING: ${PROXY_ENV} missing - restoring library guards from packaged preloads (#2478/#2701)`);
      else if (!guardsNamed) log.push(`[gateway-recovery] WARNING: ${PROXY_ENV} incomplete - persisting library guards from packaged preloads (#2478/#2701)`);
      const sources = options.mode === "guard-chain" ? PRELOADS.filter((name) => GUARD_PATHS.includes(`/tmp/nemoclaw-${name}`)) : CRITICAL_GUARDS;
      const unavailable = sources.find((name) => !packagedPreloadIsSafe(root, name));
      if (unavailable) {
        log.push(`[gateway-recovery] ERROR: trusted preload source /usr/local/lib/nemoclaw/preloads/${unavailable} unavailable - refusing preload install`);
        return refuse();
      }
      if (sandbox.foreignOwned.some((path) => unsafe.includes(path))) {
        // The foreign-owner mount lives in the running namespace: relaunch in a fresh one.
        stopHolder(sandbox);
        sandbox.foreignOwned = sandbox.foreignOwned.filter((path) => !unsafe.includes(path));
      }
      for (const path of unsafe) rmSync(join(root, path), { force: true });
      emitGuards(root, { generatedByRecovery: true, only: unsafe });
    }
  }
  for (const lock of staleAgentLocks(root, sandbox)) rmSync(lock, { force: true });
  if (holderAlive(sandbox)) stopHolder(sandbox);
  sandbox.holder = await startHolder(ctx.paths, gateway.name, sandbox, { agentUid: state.options.agentUid });
  writeGatewayLog(root, log);
  return { result: "relaunched", log };
}

/** @param {string} root @param {string[]} lines */
function writeGatewayLog(root, lines) {
  if (lines.length > 0) appendFileSync(join(root, "tmp/gateway.log"), `${lines.join("\n")}\n`);
}
