// @ts-check
// The `nemoclaw` CLI (sandbox-first grammar: `nemoclaw <sandbox> <action>`). Output is what
// NemoClaw prints when stdout is not a terminal (no colour). Behaviour follows
// nemoclaw-surface.md; texts the reference does not quote are documented in README.md.

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bold, green } from "../lib/ansi.mjs";
import { backupSandboxState, listBackups, restoreSandboxState } from "../lib/backups.mjs";
import { readActiveGateway } from "../lib/gateways.mjs";
import {
  applyPresets,
  createManagedSandbox,
  detectRpcIssue,
  ensureGateway,
  PROVIDER_ALIASES,
  preflightBlock,
  PROVIDERS,
  printArm64Hints,
  recoverAgent,
  refuseOnRpcIssue,
  resolveOpenshell,
  say,
  selectGateway,
} from "../lib/nemoclaw-core.mjs";
import { nemoclawGatewayName } from "../lib/paths.mjs";
import { PRESET_HOSTS, TIER_PRESETS } from "../lib/policy.mjs";
import { entryGatewayName, readRegistry, updateRegistry } from "../lib/registry.mjs";
import { agentRunning, sandboxRoot } from "../lib/sandbox.mjs";
import { deleteSandbox } from "../lib/sandboxes.mjs";
import { gatewayAnswers, loadState, reportedPhase, updateState } from "../lib/state.mjs";
import { compareVersions, isClusterEra } from "../lib/versions.mjs";
import { readJsonIfExists, sha256, SimExit, uuid, writeFileAtomic } from "../lib/util.mjs";

/**
 * @typedef {import("../lib/runtime.mjs").ToolContext} ToolContext
 * @typedef {import("../lib/state.mjs").SimState} SimState
 * @typedef {import("../lib/state.mjs").Gateway} Gateway
 * @typedef {import("../lib/registry.mjs").RegistryEntry} RegistryEntry
 */

const RULE = "  ──────────────────────────────────────────────────";
const RESERVED_NAMES = ["onboard", "list", "status", "debug", "help", "backup-all", "upgrade-sandboxes", "update", "gc", "inference", "credentials", "agents", "resources", "tunnel", "uninstall", "setup", "setup-spark", "deploy", "use", "sandbox"];

/** @param {ToolContext} ctx */
export async function run(ctx) {
  const [first, ...rest] = ctx.args;
  if (first === "--version" || first === "-v" || first === "-V") {
    say(ctx, `nemoclaw v${ctx.version}`);
    return 0;
  }
  switch (first) {
    case "onboard":
      return onboard(ctx, rest);
    case "list":
      return list(ctx, rest);
    case "backup-all":
      return backupAll(ctx);
    case "inference":
      return inference(ctx, rest);
    case "sandbox":
      // Canonical form: `nemoclaw sandbox <action> <name> …`.
      return sandboxAction(ctx, rest[1] ?? "", rest[0] ?? "", rest.slice(2));
    case undefined:
    case "help":
    case "--help":
    case "-h":
      say(ctx, "Usage: nemoclaw <command> | nemoclaw <sandbox> <action>\n\n  onboard, list, backup-all, <sandbox> status|rebuild|destroy|recover|snapshot|shields|policy-add|policy-remove|policy-list");
      return 0;
  }
  if (RESERVED_NAMES.includes(first)) return notSimulated(ctx, first);
  return sandboxAction(ctx, first, rest[0] ?? "", rest.slice(1));
}

/** @param {ToolContext} ctx @param {string} what */
function notSimulated(ctx, what) {
  ctx.err(`fleet-sim: 'nemoclaw ${what}' is not simulated\n`);
  return 64;
}

/** @param {ToolContext} ctx @param {string} text @returns {never} */
function die(ctx, text) {
  ctx.err(`${text}\n`);
  throw new SimExit(1);
}

/** @param {string[]} args @param {string} name */
const has = (args, name) => args.includes(name);

/** @param {string[]} args @param {string} name */
function valueOf(args, name) {
  const index = args.indexOf(name);
  if (index >= 0) return args[index + 1];
  const inline = args.find((arg) => arg.startsWith(`${name}=`));
  return inline?.slice(name.length + 1);
}

/** @param {ToolContext} ctx */
function requireOpenshell(ctx) {
  const cli = resolveOpenshell(ctx);
  if (!cli) die(ctx, "  ✗ openshell CLI not found. Install OpenShell (https://github.com/NVIDIA/OpenShell) and re-run.");
  return cli;
}

/** @param {ToolContext} ctx @param {string[]} args */
function confirmed(ctx, args) {
  return has(args, "--yes") || has(args, "-y") || has(args, "--force") || ctx.env.NEMOCLAW_NON_INTERACTIVE === "1";
}

/** @param {string} name */
function validSandboxName(name) {
  return /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name) && !RESERVED_NAMES.includes(name);
}

// ─── onboard ──────────────────────────────────────────────────────────────────────────────

/** @param {ToolContext} ctx @param {string} title */
function step(ctx, title) {
  say(ctx);
  say(ctx, `  ${title}`);
  say(ctx, RULE);
}

/**
 * @param {ToolContext} ctx
 * @param {string[]} args
 */
async function onboard(ctx, args) {
  const env = ctx.env;
  if (!has(args, "--non-interactive") && env.NEMOCLAW_NON_INTERACTIVE !== "1") {
    return notSimulated(ctx, "onboard (interactive wizard; pass --non-interactive)");
  }
  if (!has(args, "--yes-i-accept-third-party-software") && env.NEMOCLAW_ACCEPT_THIRD_PARTY_SOFTWARE !== "1") {
    die(ctx, "  Third-party software notice not accepted.\n  Re-run with --yes-i-accept-third-party-software or set NEMOCLAW_ACCEPT_THIRD_PARTY_SOFTWARE=1.");
  }
  const resume = has(args, "--resume");
  const session = resume ? readJsonIfExists(ctx.paths.session) : null;
  const name = valueOf(args, "--name") ?? env.NEMOCLAW_SANDBOX_NAME ?? env.NEMOCLAW_SANDBOX ?? env.SANDBOX_NAME ?? session?.sandboxName ?? "my-assistant";
  if (!validSandboxName(name)) {
    die(ctx, `  Invalid sandbox name '${name}': use 1-63 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit.`);
  }
  const providerKey = PROVIDER_ALIASES[env.NEMOCLAW_PROVIDER ?? ""] ?? env.NEMOCLAW_PROVIDER ?? session?.provider ?? "build";
  const provider = PROVIDERS[providerKey];
  if (!provider) die(ctx, `  Unknown provider '${providerKey}'. Valid providers: ${Object.keys(PROVIDERS).join(", ")}.`);
  const model = env.NEMOCLAW_MODEL ?? session?.model ?? provider.model;
  const endpointUrl = env.NEMOCLAW_ENDPOINT_URL ?? session?.endpointUrl ?? null;
  const port = Number(env.NEMOCLAW_GATEWAY_PORT ?? session?.gatewayPort ?? 8080);
  const gatewayName = nemoclawGatewayName(port);
  const from = valueOf(args, "--from") ?? env.NEMOCLAW_FROM_DOCKERFILE ?? session?.metadata?.fromDockerfile ?? null;
  const recreate = has(args, "--recreate-sandbox") || env.NEMOCLAW_RECREATE_SANDBOX === "1";
  const tier = env.NEMOCLAW_POLICY_TIER ?? "balanced";
  const mode = env.NEMOCLAW_POLICY_MODE ?? "suggested";
  const presets =
    mode === "skip" ? [] : mode === "custom" ? (env.NEMOCLAW_POLICY_PRESETS ?? "").split(",").map((p) => p.trim()).filter(Boolean) : (TIER_PRESETS[tier] ?? []);
  const gpuMode = has(args, "--no-gpu") || has(args, "--no-sandbox-gpu") ? "0" : (env.NEMOCLAW_SANDBOX_GPU ?? "auto");
  const agent = valueOf(args, "--agent") ?? env.NEMOCLAW_AGENT ?? null;

  writeSession(ctx, { sandboxName: name, provider: providerKey, model, endpointUrl, gatewayPort: port, status: "in_progress", from, lastStepStarted: "preflight" });
  say(ctx);
  say(ctx, "  NemoClaw Onboarding");
  say(ctx, "  ===================");

  step(ctx, "[1/8] Preflight checks");
  const preflightState = loadState(ctx.paths);
  if (!preflightState.docker.installed || preflightState.docker.daemon !== "running") {
    failStep(ctx, "preflight", "  ✗ Docker is not running. Start Docker (or install it) and re-run 'nemoclaw onboard'.");
  }
  say(ctx, "  ✓ Docker is running");
  say(ctx, "  ✓ Container runtime: docker");
  const cli = requireOpenshell(ctx);
  const range = preflightState.nemoclaw;
  if (range?.openshellMin && compareVersions(cli.version, range.openshellMin) < 0) {
    failStep(ctx, "preflight", `  ✗ openshell ${cli.version} is below the minimum required by this NemoClaw release.`);
  }
  if (range?.openshellMax && compareVersions(cli.version, range.openshellMax) > 0) {
    failStep(ctx, "preflight", `  ✗ openshell ${cli.version} is above the maximum supported by this NemoClaw release.`);
  }
  say(ctx, `  ✓ openshell CLI: openshell ${cli.version}`);
  const existingGateway = preflightState.gateways[gatewayName];
  say(
    ctx,
    existingGateway && gatewayAnswers(preflightState, existingGateway)
      ? `  ✓ Port ${port} already owned by healthy NemoClaw runtime (OpenShell gateway)`
      : `  ✓ Port ${port} available (OpenShell gateway)`,
  );
  const gpus = preflightState.host.gpus ?? [];
  const gpu = gpus[0];
  if (gpu) say(ctx, `  ✓ NVIDIA GPU detected (${gpu.name}${gpu.memoryMiB ? `, ${gpu.memoryMiB} MB` : ""})`);
  else say(ctx, "  ⓘ No NVIDIA GPU detected");
  const sandboxGpu = gpu !== undefined && gpuMode !== "0";
  say(ctx, `  ✓ Sandbox GPU: ${sandboxGpu ? `enabled (${gpuMode})` : "disabled by configuration"}`);

  step(ctx, "[2/8] Starting OpenShell gateway");
  writeSession(ctx, { lastStepStarted: "gateway" });
  await updateState(ctx.paths, (state) => ensureGateway(ctx, state, { name: gatewayName, port, cli })).catch((error) => failOn(ctx, "gateway", error));

  step(ctx, `[3/8] Configuring inference provider`);
  const credential = provider.credentialEnv ? env[provider.credentialEnv] : undefined;
  if (provider.credentialEnv && !credential) {
    failStep(ctx, "inference", `  ${provider.credentialEnv} is required for ${provider.label} in non-interactive mode.\n  Set it in the environment and re-run 'nemoclaw onboard --non-interactive'.`);
  }
  if (providerKey === "custom" && !endpointUrl) failStep(ctx, "inference", "  NEMOCLAW_ENDPOINT_URL is required for the OpenAI-compatible endpoint provider.");
  say(ctx, `  Using ${provider.label} with model: ${model}`);

  step(ctx, "[4/8] Setting up inference provider");
  selectGateway(ctx, gatewayName);
  await updateState(ctx.paths, (state) => {
    const gateway = /** @type {Gateway} */ (state.gateways[gatewayName]);
    const existed = Boolean(gateway.providers[provider.providerName]);
    gateway.providers[provider.providerName] = {
      type: provider.type,
      credentialEnv: provider.credentialEnv,
      credentialSha256: credential ? sha256(credential) : null,
    };
    gateway.inference = { provider: provider.providerName, model };
    say(ctx, `${bold(green("✓"))} ${existed ? "Updated" : "Created"} provider ${provider.providerName}`);
  });
  say(ctx, `  ✓ Inference route set: ${provider.providerName} / ${model}`);

  step(ctx, "[5/8] Messaging channels");
  say(ctx, "  Skipping messaging channels.");

  step(ctx, "[6/8] Creating sandbox");
  writeSession(ctx, { lastStepStarted: "sandbox" });
  const outcome = await updateState(ctx.paths, async (state) => {
    const gateway = /** @type {Gateway} */ (state.gateways[gatewayName]);
    const existing = gateway.sandboxes[name];
    if (existing && !recreate && reportedPhase(state, existing) === "Ready") {
      say(ctx, `  ✓ Sandbox '${name}' already exists and is Ready (pass --recreate-sandbox to rebuild it)`);
      return { ok: /** @type {const} */ (true), imageTag: existing.image, created: false };
    }
    if (existing) {
      say(ctx, `  Deleting existing sandbox '${name}'...`);
      deleteSandbox(ctx.paths, state, gateway, name);
    }
    const result = await createManagedSandbox(ctx, state, gateway, { name, from, model, presets });
    return { ...result, created: true };
  });
  if (!outcome.ok) {
    writeFailureDiagnostics(ctx, name, "output" in outcome ? outcome.output : "");
    printArm64HintsIfArm(ctx, name, outcome.imageTag);
    failStep(ctx, "sandbox", "  ✗ Sandbox creation failed.");
  }

  step(ctx, "[7/8] Setting up OpenClaw inside sandbox");
  await updateState(ctx.paths, async (state) => {
    const gateway = /** @type {Gateway} */ (state.gateways[gatewayName]);
    const sandbox = gateway.sandboxes[name];
    if (sandbox && !agentRunning(sandbox)) {
      const result = await recoverAgent(ctx, state, gateway, sandbox);
      if (result === "refused") failStep(ctx, "openclaw", `  ✗ OpenClaw gateway could not be launched safely inside sandbox '${name}'.`);
    }
  });
  say(ctx, "  ✓ OpenClaw gateway launched inside sandbox");

  step(ctx, "[8/8] Policy presets");
  const applied = await updateState(ctx.paths, (state) => {
    const sandbox = state.gateways[gatewayName]?.sandboxes[name];
    if (!sandbox) return [];
    applyPresets(ctx, sandbox, presets);
    return [...sandbox.presets];
  });
  const state = loadState(ctx.paths);
  const sandbox = state.gateways[gatewayName]?.sandboxes[name];
  await updateRegistry(
    ctx.paths,
    (registry) => {
      /** @type {Record<string, unknown>} */
      const previous = registry.sandboxes[name] ?? {};
      registry.sandboxes[name] = {
        ...previous,
        name,
        createdAt: typeof previous.createdAt === "string" && !outcome.created ? previous.createdAt : new Date().toISOString(),
        model,
        provider: provider.providerName,
        endpointUrl,
        credentialEnv: provider.credentialEnv,
        gpuEnabled: sandboxGpu,
        hostGpuDetected: gpu !== undefined,
        sandboxGpuEnabled: sandboxGpu,
        sandboxGpuMode: gpuMode,
        sandboxGpuDevice: env.NEMOCLAW_SANDBOX_GPU_DEVICE ?? null,
        openshellDriver: isClusterEra(cli.version) ? "kubernetes" : "docker",
        openshellVersion: cli.version,
        policies: applied,
        policyTier: mode === "custom" ? null : tier,
        policyPresetsFinalized: true,
        agent,
        agentVersion: state.options.openclawVersion,
        nemoclawVersion: ctx.version,
        fromDockerfile: from,
        imageTag: sandbox?.image ?? outcome.imageTag,
        dashboardPort: 18789,
        gatewayName,
        gatewayPort: port,
      };
      registry.defaultSandbox ??= name;
    },
    ctx.err,
  );
  writeSession(ctx, { status: "complete", lastStepStarted: "policies" });
  say(ctx);
  say(ctx, RULE);
  say(ctx, `  Sandbox      ${name} (Landlock + seccomp + netns)`);
  say(ctx, `  Model        ${model} (${provider.label})`);
  say(ctx, RULE);
  say(ctx, `  Run:         nemoclaw ${name} connect`);
  say(ctx, `  Status:      nemoclaw ${name} status`);
  say(ctx, `  Logs:        nemoclaw ${name} logs --follow`);
  say(ctx, RULE);
  return 0;
}

/** @param {ToolContext} ctx @param {string} name @param {string} imageTag */
function printArm64HintsIfArm(ctx, name, imageTag) {
  const state = loadState(ctx.paths);
  if (["aarch64", "arm64"].includes(state.host.arch)) printArm64Hints(ctx, { name, imageTag });
}

/** @param {ToolContext} ctx @param {string} name @param {string} output */
function writeFailureDiagnostics(ctx, name, output) {
  const dir = join(ctx.paths.nemoclawDir, "onboard-failures", `${new Date().toISOString().replace(/[:.]/g, "-")}-${name}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, "summary.txt"), `Sandbox create failed for '${name}'.\n\n${output}\n`, { mode: 0o600 });
  ctx.err(`  Diagnostics saved to ${dir}\n`);
}

/**
 * Persist the onboard session (tmp + rename), merging into the previous one.
 * @param {ToolContext} ctx
 * @param {Record<string, unknown>} fields
 */
function writeSession(ctx, fields) {
  const previous = readJsonIfExists(ctx.paths.session) ?? { version: 1, sessionId: uuid(), startedAt: new Date().toISOString(), resumable: true, mode: "non-interactive" };
  const { from, gatewayPort, ...rest } = fields;
  const next = {
    ...previous,
    ...rest,
    ...(gatewayPort !== undefined ? { gatewayPort } : {}),
    ...(from !== undefined ? { metadata: { gatewayName: nemoclawGatewayName(Number(gatewayPort ?? previous.gatewayPort ?? 8080)), fromDockerfile: from } } : {}),
    updatedAt: new Date().toISOString(),
  };
  mkdirSync(ctx.paths.nemoclawDir, { recursive: true, mode: 0o700 });
  writeFileAtomic(ctx.paths.session, `${JSON.stringify(next, null, 2)}\n`, 0o600);
}

/** @param {ToolContext} ctx @param {string} stepName @param {string} message @returns {never} */
function failStep(ctx, stepName, message) {
  writeSession(ctx, { status: "failed", failure: { step: stepName, message: message.trim(), recordedAt: new Date().toISOString() } });
  return die(ctx, message);
}

/** @param {ToolContext} ctx @param {string} stepName @param {unknown} error @returns {never} */
function failOn(ctx, stepName, error) {
  writeSession(ctx, { status: "failed", failure: { step: stepName, message: String(error), recordedAt: new Date().toISOString() } });
  throw error;
}

// ─── list / backup-all ────────────────────────────────────────────────────────────────────

/** @param {ToolContext} ctx @param {string[]} args */
function list(ctx, args) {
  const registry = readRegistry(ctx.paths);
  const state = loadState(ctx.paths);
  const rows = Object.values(registry.sandboxes).map((/** @type {RegistryEntry} */ entry) => {
    const gateway = state.gateways[entryGatewayName(entry)];
    const live = gateway?.sandboxes[entry.name];
    return { ...entry, isDefault: registry.defaultSandbox === entry.name, livePhase: live && gateway && gatewayAnswers(state, gateway) ? reportedPhase(state, live) : null };
  });
  if (has(args, "--json")) {
    const result = {
      schemaVersion: 1,
      defaultSandbox: registry.defaultSandbox,
      recovery: { recoveredFromSession: false, recoveredFromGateway: false },
      lastOnboardedSandbox: readJsonIfExists(ctx.paths.session)?.sandboxName ?? null,
      sandboxes: rows,
    };
    say(ctx, JSON.stringify(result, null, 2));
    return 0;
  }
  if (rows.length === 0) {
    say(ctx, "  No sandboxes registered. Run 'nemoclaw onboard' to create one.");
    return 0;
  }
  say(ctx);
  say(ctx, "  Sandboxes:");
  for (const row of rows) {
    say(ctx, `    ${row.name}${row.isDefault ? " *" : ""}`);
    const { model, provider, gpuEnabled } = /** @type {Record<string, unknown>} */ (row);
    say(ctx, `      model: ${model ?? "unknown"}  provider: ${provider ?? "unknown"}  GPU: ${gpuEnabled ? "on" : "off"}  policies: ${(row.policies ?? []).join(", ") || "none"}`);
  }
  say(ctx);
  say(ctx, "  * = default sandbox");
  return 0;
}

/**
 * `backup-all`: the sandboxes the currently selected gateway lists as Ready; everything else
 * (including sandboxes on other per-port gateways) is skipped as "not running".
 * @param {ToolContext} ctx
 */
async function backupAll(ctx) {
  const registry = readRegistry(ctx.paths);
  const entries = Object.values(registry.sandboxes);
  if (entries.length === 0) {
    say(ctx, "  No sandboxes registered. Nothing to back up.");
    return 0;
  }
  const cli = requireOpenshell(ctx);
  const state = loadState(ctx.paths);
  const selected = ctx.env.OPENSHELL_GATEWAY || readActiveGateway(ctx.paths);
  const gateway = selected ? state.gateways[selected] : undefined;
  if (selected) refuseOnRpcIssue(ctx, state, { gatewayName: selected, cliVersion: cli.version, action: "backing up registered sandboxes", command: "nemoclaw backup-all" });
  if (!gateway || !gatewayAnswers(state, gateway)) {
    die(ctx, `  Could not list sandboxes on the OpenShell gateway${selected ? ` '${selected}'` : ""} (it is not reachable); nothing was backed up.`);
  }
  let backed = 0;
  let skipped = 0;
  for (const entry of entries) {
    const sandbox = gateway.sandboxes[entry.name];
    if (!sandbox || reportedPhase(state, sandbox) !== "Ready") {
      say(ctx, `  Skipping '${entry.name}' (not running)`);
      skipped++;
      continue;
    }
    say(ctx, `  Backing up '${entry.name}'...`);
    const result = backupSandboxState(ctx.paths, sandboxRoot(ctx.paths, gateway.name, sandbox.name), {
      sandbox: entry.name,
      agentVersion: typeof entry.agentVersion === "string" ? entry.agentVersion : null,
      presets: entry.policies ?? [],
    });
    say(ctx, `  ✓ ${entry.name}: ${result.dirs} dirs, ${result.files} files → ${result.manifest.backupPath}`);
    backed++;
  }
  say(ctx);
  say(ctx, `  Pre-upgrade backup: ${backed} backed up, 0 failed, ${skipped} skipped`);
  if (backed > 0) say(ctx, `  Backups stored in: ${ctx.paths.backupsDir}`);
  if (ctx.env.NEMOCLAW_REQUIRE_ALL_SANDBOX_BACKUPS === "1" && skipped > 0) {
    die(ctx, `\n  Strict pre-upgrade backup requires every registered sandbox to be backed up; ${skipped} sandbox(es) were skipped.`);
  }
  return 0;
}

// ─── per-sandbox actions ──────────────────────────────────────────────────────────────────

/**
 * @param {ToolContext} ctx
 * @param {string} name
 * @param {string} action
 * @param {string[]} args
 */
async function sandboxAction(ctx, name, action, args) {
  const registry = readRegistry(ctx.paths);
  const entry = registry.sandboxes[name];
  if (!entry) {
    if (action === "status" && has(args, "--json")) {
      say(ctx, JSON.stringify({ schemaVersion: 1, name, found: false }, null, 2));
      return 1;
    }
    die(ctx, `  Sandbox '${name}' is not registered. Run 'nemoclaw list' to see registered sandboxes.`);
  }
  switch (action) {
    case "status":
      return status(ctx, entry, args);
    case "rebuild":
      return rebuild(ctx, entry, args);
    case "destroy":
      return destroy(ctx, entry, args);
    case "recover":
      return recover(ctx, entry);
    case "snapshot":
      return snapshot(ctx, entry, args);
    case "shields":
      return shields(ctx, entry, args);
    case "policy-add":
      return policyChange(ctx, entry, args, "add");
    case "policy-remove":
      return policyChange(ctx, entry, args, "remove");
    case "policy-list":
      return policyList(ctx, entry);
  }
  return notSimulated(ctx, `<sandbox> ${action}`);
}

/**
 * `nemoclaw inference get [--json] [--sandbox N]` and `nemoclaw inference set --provider P --model M
 * [--sandbox N]`: the route is gateway-wide; the sandbox (default: the registry's default) picks the
 * gateway, and `set` records the route on every registry row of that gateway, as NemoClaw syncs them.
 * @param {ToolContext} ctx @param {string[]} args
 */
async function inference(ctx, args) {
  const [verb, ...flags] = args;
  const registry = readRegistry(ctx.paths);
  const name = valueOf(flags, "--sandbox") ?? registry.defaultSandbox ?? Object.keys(registry.sandboxes)[0];
  const entry = name ? registry.sandboxes[name] : undefined;
  if (!entry) die(ctx, name ? `  Sandbox '${name}' does not exist.` : "  No sandboxes are registered. Run 'nemoclaw onboard' first.");
  const { gatewayName, gateway, answers } = liveContext(ctx, entry);
  if (!gateway || !answers) die(ctx, `  OpenShell gateway '${gatewayName}' is not reachable. Run 'openshell status' to check it.`);
  if (verb === "get") {
    const route = gateway.inference;
    if (!route) die(ctx, "  OpenShell inference route is not configured.");
    say(ctx, has(flags, "--json") ? JSON.stringify({ provider: route.provider, model: route.model }, null, 2) : `Provider: ${route.provider}\nModel: ${route.model}`);
    return 0;
  }
  if (verb !== "set") return notSimulated(ctx, `inference ${verb ?? ""}`.trim());
  const provider = valueOf(flags, "--provider");
  const model = valueOf(flags, "--model");
  if (!provider || !model) die(ctx, "  Usage: nemoclaw inference set --provider <provider> --model <model> [--sandbox <name>]");
  if (!gateway.providers[provider]) die(ctx, `  Provider '${provider}' is not registered on gateway '${gatewayName}'. Add it with 'nemoclaw credentials add ${provider}'.`);
  await updateState(ctx.paths, (state) => {
    const live = /** @type {Gateway} */ (state.gateways[gatewayName]);
    live.inference = { provider, model };
  });
  await updateRegistry(
    ctx.paths,
    (rows) => {
      for (const row of Object.values(rows.sandboxes)) {
        if (entryGatewayName(row) === gatewayName) Object.assign(row, { provider, model });
      }
    },
    ctx.err,
  );
  say(ctx, `  ✓ Inference route set: ${provider} / ${model}`);
  return 0;
}

/** @param {ToolContext} ctx @param {RegistryEntry} entry */
function liveContext(ctx, entry) {
  const state = loadState(ctx.paths);
  const gatewayName = entryGatewayName(entry);
  const gateway = state.gateways[gatewayName];
  const answers = Boolean(gateway && gatewayAnswers(state, gateway));
  const sandbox = answers ? gateway?.sandboxes[entry.name] : undefined;
  return { state, gatewayName, gateway, answers, sandbox };
}

/** @param {ToolContext} ctx @param {RegistryEntry} entry @param {string[]} args */
function status(ctx, entry, args) {
  const cli = resolveOpenshell(ctx);
  const { state, gatewayName, gateway, answers, sandbox } = liveContext(ctx, entry);
  const issue = cli ? detectRpcIssue(ctx, state, gatewayName, cli.version) : null;
  const gatewayState = issue ? "gateway_schema_mismatch" : !answers ? "gateway_error" : sandbox ? "present" : "missing";
  const container = sandbox?.container ? state.docker.containers.find((c) => c.name === sandbox.container) : undefined;
  const failureLayer = state.docker.daemon !== "running" ? "docker_unreachable" : container && !container.running ? "sandbox_container_stopped" : null;
  const report = {
    schemaVersion: 1,
    name: entry.name,
    found: true,
    agent: entry.agent ?? "openclaw",
    gatewayName,
    phase: sandbox ? reportedPhase(state, sandbox) : null,
    gatewayState,
    agentGatewayRunning: sandbox ? agentRunning(sandbox) : false,
    inferenceHealth: gateway?.inference ? { provider: gateway.inference.provider, model: gateway.inference.model, healthy: answers } : null,
    rpcIssue: issue ? { kind: issue.kind } : null,
    openshellDriver: entry.openshellDriver ?? null,
    openshellVersion: entry.openshellVersion ?? null,
    policies: entry.policies ?? [],
    failureLayer,
    terminalRuntimeHealth: null,
    dockerPaused: false,
  };
  const healthy = gatewayState === "present" && report.phase === "Ready" && !failureLayer;
  if (has(args, "--json")) {
    say(ctx, JSON.stringify(report, null, 2));
    return healthy ? 0 : 1;
  }
  if (issue && cli) {
    ctx.err(
      preflightBlock({
        action: `checking sandbox '${entry.name}'`,
        command: `nemoclaw ${entry.name} status`,
        installed: cli.version,
        issue,
        gatewayName,
        driver: gateway?.driver ?? "unknown",
      }),
    );
    return 1;
  }
  say(ctx);
  say(ctx, `  Sandbox: ${entry.name}`);
  say(ctx, `    Gateway:   ${gatewayName} (${answers ? "healthy" : "unreachable"})`);
  say(ctx, `    Phase:     ${report.phase ?? "not present on the gateway"}`);
  say(ctx, `    Agent:     ${report.agent} (${report.agentGatewayRunning ? "gateway running" : "gateway not running"})`);
  say(ctx, `    OpenShell: ${report.openshellVersion ?? "unknown"} (${report.openshellDriver ?? "unknown"} driver)`);
  say(ctx, `    Policies:  ${report.policies.join(", ") || "none"}`);
  if (gatewayState === "missing") {
    say(ctx);
    say(ctx, `  Sandbox '${entry.name}' is registered locally, but is not present in the live OpenShell gateway.`);
    say(ctx, "  Your local registry entry has been preserved — nothing was removed.");
    say(ctx, `  Recreate it with 'nemoclaw ${entry.name} rebuild --yes', or remove it with 'nemoclaw ${entry.name} destroy'.`);
  }
  return healthy ? 0 : 1;
}

/**
 * `<name> rebuild --yes`: back up, destroy, recreate, restore, reapply presets. A sandbox
 * registered but absent from its (healthy, named) gateway is recreated from the registry
 * metadata instead; if that recreate fails the registry entry is restored exactly.
 * @param {ToolContext} ctx
 * @param {RegistryEntry} entry
 * @param {string[]} args
 */
async function rebuild(ctx, entry, args) {
  const command = `nemoclaw ${entry.name} rebuild --yes`;
  if (!confirmed(ctx, args)) die(ctx, `  Rebuilding '${entry.name}' backs it up, destroys and recreates it. Re-run with --yes to confirm.`);
  const cli = requireOpenshell(ctx);
  const gatewayName = entryGatewayName(entry);
  refuseOnRpcIssue(ctx, loadState(ctx.paths), { gatewayName, cliVersion: cli.version, action: `rebuilding sandbox '${entry.name}'`, command });
  const { gateway, answers, sandbox } = liveContext(ctx, entry);
  if (!gateway || !answers) die(ctx, `  Gateway '${gatewayName}' for sandbox '${entry.name}' is not reachable; the registry entry was preserved and nothing was changed.`);
  selectGateway(ctx, gatewayName);
  const registrySnapshot = JSON.parse(JSON.stringify(entry));
  const model = typeof entry.model === "string" ? entry.model : PROVIDERS.build?.model ?? "";
  // The inner non-interactive onboard reads the settings only a recreate applies from its environment.
  const env = ctx.env;
  const from = env.NEMOCLAW_FROM_DOCKERFILE ?? (typeof entry.fromDockerfile === "string" ? entry.fromDockerfile : null);
  const recreated = {
    ...(env.NEMOCLAW_SANDBOX_GPU ? { sandboxGpuMode: env.NEMOCLAW_SANDBOX_GPU, sandboxGpuEnabled: env.NEMOCLAW_SANDBOX_GPU !== "0", gpuEnabled: env.NEMOCLAW_SANDBOX_GPU !== "0" } : {}),
    ...(env.NEMOCLAW_AGENT ? { agent: env.NEMOCLAW_AGENT } : {}),
    ...(env.NEMOCLAW_POLICY_TIER ? { policyTier: env.NEMOCLAW_POLICY_TIER } : {}),
    fromDockerfile: from,
  };
  const presets = entry.policies ?? [];
  let manifest = null;
  if (sandbox) {
    say(ctx, `  Backing up '${entry.name}' before rebuild...`);
    const backup = backupSandboxState(ctx.paths, sandboxRoot(ctx.paths, gatewayName, entry.name), {
      sandbox: entry.name,
      agentVersion: typeof entry.agentVersion === "string" ? entry.agentVersion : null,
      presets,
    });
    manifest = backup.manifest;
    say(ctx, `  ✓ State backed up: ${backup.dirs} dirs, ${backup.files} files → ${manifest.backupPath}`);
  } else {
    say(ctx, `⚠ Sandbox '${entry.name}' is registered locally but absent from the live OpenShell gateway.`);
    say(ctx, "  No live workspace state to back up — recreating from the preserved registry metadata.");
  }
  const outcome = await updateState(ctx.paths, async (state) => {
    const live = /** @type {Gateway} */ (state.gateways[gatewayName]);
    if (live.sandboxes[entry.name]) {
      say(ctx, `  Deleting sandbox '${entry.name}'...`);
      deleteSandbox(ctx.paths, state, live, entry.name);
    }
    const result = await createManagedSandbox(ctx, state, live, { name: entry.name, from, model, presets });
    if (result.ok) applyPresets(ctx, result.sandbox, presets);
    return result;
  });
  if (!outcome.ok) {
    await updateRegistry(
      ctx.paths,
      (registry) => {
        registry.sandboxes[entry.name] = registrySnapshot;
      },
      ctx.err,
    );
    printArm64HintsIfArm(ctx, entry.name, outcome.imageTag);
    die(ctx, `  ✗ Rebuild of '${entry.name}' failed; the registry entry was restored unchanged.`);
  }
  if (manifest) {
    restoreSandboxState(sandboxRoot(ctx.paths, gatewayName, entry.name), manifest);
    say(ctx, "  ✓ State restored");
  }
  await updateRegistry(
    ctx.paths,
    (registry) => {
      registry.sandboxes[entry.name] = { ...registry.sandboxes[entry.name], ...recreated, name: entry.name, imageTag: outcome.imageTag, openshellVersion: cli.version, nemoclawVersion: ctx.version };
    },
    ctx.err,
  );
  say(ctx, manifest ? `  ✓ Sandbox '${entry.name}' rebuilt` : `  ✓ Recovered from a stale registry entry: '${entry.name}' was recreated from its preserved registry metadata.`);
  return 0;
}

/** @param {ToolContext} ctx @param {RegistryEntry} entry @param {string[]} args */
async function destroy(ctx, entry, args) {
  if (!confirmed(ctx, args)) die(ctx, `  Destroying '${entry.name}' deletes the sandbox and its state. Re-run with --yes to confirm.`);
  const { gatewayName, gateway, answers } = liveContext(ctx, entry);
  if (!answers && !has(args, "--force")) {
    die(ctx, `  Gateway '${gatewayName}' is not reachable; pass --force to remove only the local registry entry for '${entry.name}'.`);
  }
  if (gateway && answers) {
    await updateState(ctx.paths, (state) => {
      const live = state.gateways[gatewayName];
      if (live) deleteSandbox(ctx.paths, state, live, entry.name);
    });
  }
  await updateRegistry(
    ctx.paths,
    (registry) => {
      delete registry.sandboxes[entry.name];
      if (registry.defaultSandbox === entry.name) registry.defaultSandbox = Object.keys(registry.sandboxes)[0] ?? null;
    },
    ctx.err,
  );
  rmSync(join(ctx.paths.nemoclawStateDir, `shields-${entry.name}.json`), { force: true });
  say(ctx, `  ✓ Sandbox '${entry.name}' destroyed`);
  return 0;
}

/** @param {ToolContext} ctx @param {RegistryEntry} entry */
async function recover(ctx, entry) {
  const state = loadState(ctx.paths);
  const gatewayName = entryGatewayName(entry);
  const gateway = state.gateways[gatewayName];
  if (entry.openshellDriver === "kubernetes" || gateway?.driver === "cluster-container") {
    die(ctx, `  Privileged control is unavailable for sandbox '${entry.name}' (OpenShell driver: kubernetes).\n  Run 'nemoclaw ${entry.name} rebuild --yes' to recover it.`);
  }
  if (state.docker.daemon !== "running") die(ctx, "  Docker is not reachable; cannot recover the sandbox gateway.");
  const sandbox = gateway?.sandboxes[entry.name];
  const container = sandbox?.container ? state.docker.containers.find((c) => c.name === sandbox.container) : undefined;
  if (!gateway || !sandbox || !container) die(ctx, `  No running container found for sandbox '${entry.name}'. Run 'nemoclaw ${entry.name} rebuild --yes'.`);
  if (!container.running) die(ctx, `  Sandbox '${entry.name}' container is stopped. Start it with 'docker start ${container.name}' and retry.`);
  say(ctx, `  Recovering OpenClaw gateway in sandbox '${entry.name}'...`);
  const result = await updateState(ctx.paths, async (live) => {
    const liveGateway = /** @type {Gateway} */ (live.gateways[gatewayName]);
    return recoverAgent(ctx, live, liveGateway, /** @type {import("../lib/state.mjs").Sandbox} */ (liveGateway.sandboxes[entry.name]));
  });
  if (result === "refused") return 1;
  say(ctx, result === "already-running" ? `  ✓ OpenClaw gateway is already running in '${entry.name}'` : `  ✓ OpenClaw gateway relaunched in '${entry.name}'`);
  return 0;
}

/** @param {ToolContext} ctx @param {RegistryEntry} entry @param {string[]} args */
async function snapshot(ctx, entry, args) {
  const [sub, ...rest] = args;
  const gatewayName = entryGatewayName(entry);
  if (sub === "list") {
    const backups = listBackups(ctx.paths, entry.name);
    if (backups.length === 0) {
      say(ctx, `  No snapshots found for '${entry.name}'.`);
      return 0;
    }
    say(ctx, `  Snapshots for '${entry.name}':`);
    backups.forEach((manifest, index) => say(ctx, `    v${index + 1}  ${manifest.timestamp}${manifest.name ? `  ${manifest.name}` : ""}`));
    return 0;
  }
  const cli = requireOpenshell(ctx);
  const { answers, sandbox } = liveContext(ctx, entry);
  if (sub === "create") {
    refuseOnRpcIssue(ctx, loadState(ctx.paths), { gatewayName, cliVersion: cli.version, action: `snapshotting sandbox '${entry.name}'`, command: `nemoclaw ${entry.name} snapshot create` });
    if (!answers || !sandbox) die(ctx, `  Sandbox '${entry.name}' is not running; cannot take a snapshot.`);
    const result = backupSandboxState(ctx.paths, sandboxRoot(ctx.paths, gatewayName, entry.name), {
      sandbox: entry.name,
      agentVersion: typeof entry.agentVersion === "string" ? entry.agentVersion : null,
      presets: entry.policies ?? [],
      label: valueOf(rest, "--name"),
    });
    say(ctx, `  ✓ Snapshot created: ${result.manifest.backupPath}`);
    return 0;
  }
  if (sub === "restore") {
    refuseOnRpcIssue(ctx, loadState(ctx.paths), { gatewayName, cliVersion: cli.version, action: `restoring sandbox '${entry.name}'`, command: `nemoclaw ${entry.name} snapshot restore` });
    const shieldsState = readJsonIfExists(join(ctx.paths.nemoclawStateDir, `shields-${entry.name}.json`));
    if (shieldsState && shieldsState.shieldsDown === false) {
      die(ctx, `  Shields are up for '${entry.name}'. Run 'nemoclaw ${entry.name} shields down' before restoring a snapshot.`);
    }
    if (!answers || !sandbox) die(ctx, `  Sandbox '${entry.name}' is not running; cannot restore a snapshot.`);
    const backups = listBackups(ctx.paths, entry.name);
    const selector = rest.find((arg) => !arg.startsWith("-"));
    const manifest = selector
      ? (/^v\d+$/.test(selector) ? backups[Number(selector.slice(1)) - 1] : undefined) ?? backups.find((m) => m.name === selector) ?? backups.find((m) => m.timestamp === selector)
      : backups[backups.length - 1];
    if (!manifest) die(ctx, `  No snapshot ${selector ? `'${selector}' ` : ""}found for '${entry.name}'.`);
    restoreSandboxState(sandboxRoot(ctx.paths, gatewayName, entry.name), manifest);
    say(ctx, `  ✓ Restored '${entry.name}' from ${manifest.timestamp}`);
    return 0;
  }
  return notSimulated(ctx, `<sandbox> snapshot ${sub ?? ""}`);
}

/** @param {ToolContext} ctx @param {RegistryEntry} entry @param {string[]} args */
function shields(ctx, entry, args) {
  const [sub, ...rest] = args;
  const path = join(ctx.paths.nemoclawStateDir, `shields-${entry.name}.json`);
  const current = readJsonIfExists(path);
  if (sub === "status") {
    const mode = !current ? "mutable_default" : current.shieldsDown === false ? "locked" : current.shieldsDown === true ? "temporarily_unlocked" : "error";
    const label = { mutable_default: "not configured (mutable default)", locked: "UP (locked)", temporarily_unlocked: "DOWN (temporarily unlocked)", error: "unknown (state file unreadable)" }[mode];
    say(ctx, `  Shields for '${entry.name}': ${label}`);
    return 0;
  }
  if (sub !== "up" && sub !== "down") return notSimulated(ctx, `<sandbox> shields ${sub ?? ""}`);
  mkdirSync(ctx.paths.nemoclawStateDir, { recursive: true, mode: 0o700 });
  const now = new Date().toISOString();
  const next =
    sub === "up"
      ? { shieldsDown: false, updatedAt: now }
      : { shieldsDown: true, shieldsDownAt: now, shieldsDownTimeout: valueOf(rest, "--timeout") ?? "5m", shieldsDownReason: valueOf(rest, "--reason") ?? null, shieldsDownPolicy: valueOf(rest, "--policy") ?? "permissive", updatedAt: now };
  writeFileAtomic(path, `${JSON.stringify(next, null, 2)}\n`, 0o600);
  say(ctx, sub === "up" ? `  ✓ Shields up for '${entry.name}'` : `  ✓ Shields down for '${entry.name}' (auto-relock in ${next.shieldsDownTimeout})`);
  return 0;
}

/**
 * @param {ToolContext} ctx
 * @param {RegistryEntry} entry
 * @param {string[]} args
 * @param {"add" | "remove"} change
 */
async function policyChange(ctx, entry, args, change) {
  const preset = args.find((arg) => !arg.startsWith("-"));
  if (!preset || !PRESET_HOSTS[preset]) {
    die(ctx, `  Unknown preset '${preset ?? ""}'. Available presets: ${Object.keys(PRESET_HOSTS).join(", ")}`);
  }
  if (!confirmed(ctx, args)) die(ctx, `  ${change === "add" ? "Applying" : "Removing"} preset '${preset}' changes the live sandbox policy. Re-run with --yes to confirm.`);
  const { gatewayName, answers, sandbox } = liveContext(ctx, entry);
  if (!answers || !sandbox) die(ctx, `  Sandbox '${entry.name}' is not running on gateway '${gatewayName}'; the policy was not changed.`);
  const changed = await updateState(ctx.paths, (state) => {
    const live = /** @type {import("../lib/state.mjs").Sandbox} */ (state.gateways[gatewayName]?.sandboxes[entry.name]);
    if (change === "add") {
      if (live.presets.includes(preset)) return false;
      applyPresets(ctx, live, [preset]);
      return true;
    }
    if (!live.presets.includes(preset)) return false;
    say(ctx, `  Narrowing sandbox egress — removing: ${(PRESET_HOSTS[preset] ?? []).join(", ")}`);
    live.presets = live.presets.filter((p) => p !== preset);
    live.policyVersion += 1;
    live.resourceVersion += 1;
    say(ctx, `✓ Policy version ${live.policyVersion} submitted (hash: ${sha256(`${live.id}:${live.presets.join(",")}`).slice(0, 12)})`);
    say(ctx, `✓ Policy version ${live.policyVersion} loaded (active version: ${live.policyVersion})`);
    say(ctx, `  Removed preset: ${preset}`);
    return true;
  });
  if (!changed) {
    say(ctx, change === "add" ? `  Preset '${preset}' is already applied to '${entry.name}'.` : `  Preset '${preset}' is not applied to '${entry.name}'.`);
    return 0;
  }
  await updateRegistry(
    ctx.paths,
    (registry) => {
      const row = registry.sandboxes[entry.name];
      if (!row) return;
      const policies = row.policies ?? [];
      row.policies = change === "add" ? [...policies, preset] : policies.filter((p) => p !== preset);
    },
    ctx.err,
  );
  return 0;
}

/** @param {ToolContext} ctx @param {RegistryEntry} entry */
function policyList(ctx, entry) {
  const applied = entry.policies ?? [];
  say(ctx, `  Policy presets for '${entry.name}':`);
  for (const preset of Object.keys(PRESET_HOSTS)) say(ctx, `    ${applied.includes(preset) ? "●" : "○"} ${preset}`);
  return 0;
}

