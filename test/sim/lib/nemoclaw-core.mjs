// @ts-check
// What NemoClaw does on a host, shared by its commands: find the OpenShell binaries, detect
// schema drift (reference §4) and print the exact preflight block, bring its gateway up for a
// port (both drivers), create a sandbox with guards and a running OpenClaw gateway, apply
// policy presets, and repair a sandbox's guards (reference §5).

import { accessSync, constants, existsSync, readFileSync, realpathSync, rmSync } from "node:fs";
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
import { PRESET_HOSTS } from "./policy.mjs";
import {
  agentRunning,
  CRITICAL_GUARDS,
  emitGuards,
  guardIsSafe,
  GUARD_PATHS,
  holderAlive,
  packagedPreloadIsSafe,
  PROXY_ENV,
  sandboxRoot,
  staleAgentLocks,
  startHolder,
  stopHolder,
} from "./sandbox.mjs";
import { createSandbox } from "./sandboxes.mjs";
import { containerByName, gatewayRunning } from "./state.mjs";
import { collapseWhitespace, isRecordedProcessAlive, processCmdline, sha256, sleep, SimExit } from "./util.mjs";
import { isClusterEra } from "./versions.mjs";

/**
 * @typedef {import("./runtime.mjs").ToolContext} ToolContext
 * @typedef {import("./state.mjs").SimState} SimState
 * @typedef {import("./state.mjs").Gateway} Gateway
 * @typedef {import("./state.mjs").Sandbox} Sandbox
 * @typedef {{ kind: "image_drift"; image: string; version: string } | { kind: "host_process_drift"; binary: string; version: string } | { kind: "protobuf_mismatch"; output: string }} RpcIssue
 */

/** Inference providers NemoClaw's non-interactive onboard accepts (NEMOCLAW_PROVIDER). */
export const PROVIDERS = /** @type {Record<string, {providerName: string; label: string; credentialEnv: string | null; model: string; type: string}>} */ ({
  build: { providerName: "nvidia-prod", label: "NVIDIA Endpoints", credentialEnv: "NVIDIA_INFERENCE_API_KEY", model: "nvidia/nemotron-3-super-120b-a12b", type: "nvidia" },
  openai: { providerName: "openai-api", label: "OpenAI", credentialEnv: "OPENAI_API_KEY", model: "gpt-5", type: "openai" },
  anthropic: { providerName: "anthropic-prod", label: "Anthropic", credentialEnv: "ANTHROPIC_API_KEY", model: "claude-sonnet-4-5", type: "anthropic" },
  anthropicCompatible: { providerName: "compatible-anthropic-endpoint", label: "Other Anthropic-compatible endpoint", credentialEnv: "COMPATIBLE_ANTHROPIC_API_KEY", model: "claude-sonnet-4-5", type: "anthropic" },
  gemini: { providerName: "gemini-api", label: "Google Gemini", credentialEnv: "GEMINI_API_KEY", model: "gemini-2.5-pro", type: "openai" },
  custom: { providerName: "compatible-endpoint", label: "Other OpenAI-compatible endpoint", credentialEnv: "COMPATIBLE_API_KEY", model: "", type: "openai" },
  ollama: { providerName: "ollama-local", label: "Local Ollama", credentialEnv: null, model: "nemotron-3-nano:30b", type: "openai" },
  vllm: { providerName: "vllm-local", label: "Local vLLM", credentialEnv: null, model: "nvidia/nemotron-3-nano", type: "openai" },
  "nim-local": { providerName: "nim-local", label: "Local NIM", credentialEnv: null, model: "nvidia/nemotron-3-nano", type: "openai" },
});

export const PROVIDER_ALIASES = /** @type {Record<string, string>} */ ({ cloud: "build", nim: "nim-local" });

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
  const candidates = [ctx.env.NEMOCLAW_OPENSHELL_GATEWAY_BIN, join(dirname(openshellPath), "openshell-gateway"), ctx.paths.gatewayBin];
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
 * @param {{ name: string; port: number; cli: { path: string; version: string } }} options
 * @returns {Promise<Gateway>}
 */
export async function ensureGateway(ctx, state, options) {
  const existing = state.gateways[options.name];
  if (isClusterEra(options.cli.version)) {
    const image = ctx.env.OPENSHELL_CLUSTER_IMAGE || `ghcr.io/nvidia/openshell/cluster:${options.cli.version}`;
    const container = containerByName(state, `openshell-cluster-${options.name}`);
    if (container?.running && clusterImageVersion(container.image) === options.cli.version && existing) {
      say(ctx, "  [reuse] Skipping gateway (running)");
      say(ctx, "  Reusing healthy NemoClaw gateway.");
      return existing;
    }
    if (container && clusterImageVersion(container.image) !== options.cli.version) {
      say(ctx, `  Recreating gateway container with ${image} (existing gateway state is preserved)...`);
      state.docker.containers = state.docker.containers.filter((c) => c !== container);
    } else say(ctx, "  Starting gateway cluster...");
    deployClusterGateway(ctx.paths, state, { name: options.name, port: options.port, image, recreate: false });
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
 * `openshell gateway select <gw>` as NemoClaw runs it.
 * @param {ToolContext} ctx
 * @param {string} name
 */
export function selectGateway(ctx, name) {
  writeActiveGateway(ctx.paths, name);
  say(ctx, `${bold(green("✓"))} Active gateway set to '${name}'`);
}

/**
 * Onboard step 6 / rebuild: build the sandbox image and create the sandbox through the
 * gateway. In the cluster era a Dockerfile goes through the image-tar upload into the cluster
 * container, which is where the Linux arm64 404 fault strikes.
 * @param {ToolContext} ctx
 * @param {SimState} state
 * @param {Gateway} gateway
 * @param {{ name: string; from: string | null; model: string; presets: string[] }} options
 * @returns {Promise<{ ok: true; sandbox: Sandbox; imageTag: string } | { ok: false; imageTag: string; output: string }>}
 */
export async function createManagedSandbox(ctx, state, gateway, options) {
  say(ctx, `  Creating sandbox '${options.name}' (this takes a few minutes on first run)...`);
  const dockerfile = options.from && existsSync(options.from) ? options.from : null;
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
        return { ok: false, imageTag, output };
      }
      say(ctx, "  [progress] Uploaded to gateway");
    }
  }
  const command = ["env", "CHAT_UI_URL=http://127.0.0.1:18789", "NEMOCLAW_DASHBOARD_PORT=18789", `NEMOCLAW_MODEL=${options.model}`, "nemoclaw-start"];
  const sandbox = await createSandbox(ctx.paths, state, gateway, { name: options.name, image: imageTag, command, presets: [] });
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
 * The arm64 image-reference workaround hints (`printSandboxCreateRecoveryHints`, #3266).
 * @param {ToolContext} ctx
 * @param {{ name: string; imageTag: string }} options
 */
export function printArm64Hints(ctx, options) {
  const ref = options.imageTag;
  ctx.err(
    [
      "",
      "  Sandbox creation failed: OpenShell could not upload the sandbox image into the gateway (failed to upload image tar into container).",
      "  The gateway container is healthy; the large image-tar upload path fails on Linux arm64 (#3266).",
      "  Workaround: serve the image from a local registry and create the sandbox from the image reference:",
      "    1. docker run -d -p 5000:5000 --restart=always --name registry registry:2",
      `    2. docker tag ${ref} localhost:5000/${ref} && docker push localhost:5000/${ref}`,
      `    3. openshell sandbox create --from localhost:5000/${ref} --name ${options.name} --policy <your-policy-file> -- env <YOUR_RUNTIME_ENV> nemoclaw-start`,
      "  Or retry with: nemoclaw onboard --resume",
      "",
    ].join("\n"),
  );
}

/**
 * Apply presets to a live sandbox the way `policy-add` does, one policy version each.
 * @param {ToolContext} ctx
 * @param {Sandbox} sandbox
 * @param {string[]} presets
 */
export function applyPresets(ctx, sandbox, presets) {
  for (const preset of presets) {
    if (sandbox.presets.includes(preset)) continue;
    say(ctx, `  Widening sandbox egress — adding: ${(PRESET_HOSTS[preset] ?? []).join(", ")}`);
    sandbox.policyVersion += 1;
    sandbox.resourceVersion += 1;
    sandbox.presets.push(preset);
    const hash = sha256(`${sandbox.id}:${sandbox.presets.join(",")}`).slice(0, 12);
    say(ctx, `${bold(green("✓"))} Policy version ${sandbox.policyVersion} submitted (hash: ${hash})`);
    say(ctx, `${bold(green("✓"))} Policy version ${sandbox.policyVersion} loaded (active version: ${sandbox.policyVersion})`);
    say(ctx, `  Applied preset: ${preset}`);
  }
}

/**
 * NemoClaw's guard-chain recovery before an OpenClaw gateway relaunch (reference §5.2/§5.3):
 * restore missing or unsafe guards from the packaged preloads, remove stale gateway locks,
 * relaunch — and refuse to relaunch unguarded.
 * @param {ToolContext} ctx
 * @param {SimState} state
 * @param {Gateway} gateway
 * @param {Sandbox} sandbox
 * @returns {Promise<"already-running" | "relaunched" | "refused">}
 */
export async function recoverAgent(ctx, state, gateway, sandbox) {
  const root = sandboxRoot(ctx.paths, gateway.name, sandbox.name);
  const unsafe = GUARD_PATHS.filter((path) => !guardIsSafe(root, path, sandbox));
  if (agentRunning(sandbox) && unsafe.length === 0) return "already-running";
  if (unsafe.length > 0) {
    if (unsafe.includes(PROXY_ENV)) {
      say(ctx, `[gateway-recovery] WARNING: ${PROXY_ENV} missing or unsafe - restoring library guards from packaged preloads (#2478/#2701)`);
    }
    const sourcesSafe = CRITICAL_GUARDS.every((preload) => packagedPreloadIsSafe(root, preload));
    if (!sourcesSafe) {
      ctx.err(
        "[gateway-recovery] ERROR: NODE_OPTIONS missing safety-net preload or ciao preload after trusted recovery - refusing unguarded gateway relaunch (#2478/#2701)\n",
      );
      return "refused";
    }
    if (sandbox.foreignOwned.some((path) => unsafe.includes(path))) {
      // The foreign-owner mount lives in the running namespace: relaunch in a fresh one.
      stopHolder(sandbox);
      sandbox.foreignOwned = sandbox.foreignOwned.filter((path) => !unsafe.includes(path));
    }
    for (const path of unsafe) rmSync(join(root, path), { force: true });
    emitGuards(root, { generatedByRecovery: true, only: unsafe });
  }
  for (const lock of staleAgentLocks(root, sandbox)) rmSync(lock, { force: true });
  if (!agentRunning(sandbox)) {
    if (holderAlive(sandbox)) stopHolder(sandbox);
    sandbox.holder = await startHolder(ctx.paths, gateway.name, sandbox, { agentUid: state.options.agentUid });
  }
  return "relaunched";
}
