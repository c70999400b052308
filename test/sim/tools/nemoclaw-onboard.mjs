// @ts-check
// `nemoclaw onboard --non-interactive` as each release runs it: flag parsing, the validations of
// NC@d50338aa:src/lib/onboard (in the order they fire, with their texts and exit codes), the
// OpenShell version gate, the gateway, provider and route, reuse or recreate of the sandbox
// (with the pre-recreate backup from ≈v0.0.53), presets, the registry row and the session file.

import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { bold, green } from "../lib/ansi.mjs";
import { backupSandboxState, listBackups, restoreSandboxState } from "../lib/backups.mjs";
import { OclifError, parseCommandLine } from "../lib/nemoclaw-cli.mjs";
import {
  agentAliasSuffix,
  agentDisplay,
  agentName,
  agentNames,
  applyPresets,
  createManagedSandbox,
  ensureGateway,
  providerKey,
  credentialValue,
  providerTable,
  recoverAgent,
  recoveryMode,
  requireOpenshell,
  say,
  selectGateway,
  uncaught,
} from "../lib/nemoclaw-core.mjs";
import { installOpenshellPin } from "../lib/openshell-install.mjs";
import { nemoclawGatewayName } from "../lib/paths.mjs";
import { presetNames, TIER_PRESETS } from "../lib/policy.mjs";
import { hasAcceptedUsageNotice, readRegistry, saveUsageNoticeAcceptance, updateRegistry } from "../lib/registry.mjs";
import { NC } from "../lib/releases.mjs";
import { agentRunning, sandboxRoot } from "../lib/sandbox.mjs";
import { deleteSandbox } from "../lib/sandboxes.mjs";
import { gatewayAnswers, loadState, reportedPhase, updateState } from "../lib/state.mjs";
import { readJsonIfExists, sha256, SimExit, uuid, writeFileAtomic } from "../lib/util.mjs";
import { atLeast, compareVersions, isClusterEra } from "../lib/versions.mjs";
import { notSimulated } from "./nemoclaw.mjs";
import { printArm64HintsIfArm, resourcesFromEnv } from "./nemoclaw-sandbox.mjs";

/**
 * @typedef {import("../lib/runtime.mjs").ToolContext} ToolContext
 * @typedef {import("../lib/state.mjs").Gateway} Gateway
 * @typedef {import("../lib/state.mjs").Sandbox} Sandbox
 * @typedef {import("../lib/registry.mjs").RegistryEntry} RegistryEntry
 */

const RULE = "  ──────────────────────────────────────────────────";
const RESERVED = ["onboard", "list", "deploy", "setup", "setup-spark", "start", "stop", "status", "debug", "uninstall", "update", "credentials", "help", "sandbox"];
const NAME_FORMAT = "Allowed format: 1-63 characters, lowercase, starts with a letter, letters/numbers/internal hyphens only, ends with letter/number.";
/** Options the hand-written onboard parser knew (before ≈v0.0.34), and whether each takes a value. */
const HAND_PARSED = /** @type {Record<string, boolean>} */ ({
  "--non-interactive": false, "--resume": false, "--fresh": false, "--recreate-sandbox": false, "--name": true, "--from": true, "--agent": true,
  "--yes-i-accept-third-party-software": false, "--control-ui-port": true,
});

/** Stand-in usage line: the hand parser printed its usage after a refusal. */
const HAND_USAGE = "  Usage: nemoclaw onboard [--non-interactive] [--resume] [--recreate-sandbox] [--name <sandbox>] [--from <Dockerfile>] [--agent <agent>]";

/** @param {ToolContext} ctx @param {string} text @returns {never} */
function die(ctx, text) {
  ctx.err(`${text}\n`);
  throw new SimExit(1);
}

/** @param {ToolContext} ctx @param {string} title */
function step(ctx, title) {
  say(ctx);
  say(ctx, `  ${title}`);
  say(ctx, RULE);
}

/**
 * The flags of this onboard, whichever parser the release has.
 * @param {ToolContext} ctx
 * @param {string[]} args
 * @returns {Map<string, string | boolean | string[]>}
 */
function parseFlags(ctx, args) {
  if (atLeast(ctx.version, NC.onboardOclif)) {
    try {
      return parseCommandLine(ctx.version, "onboard", args).flags;
    } catch (error) {
      if (!(error instanceof OclifError)) throw error;
      ctx.err(error.text);
      throw new SimExit(error.exitCode);
    }
  }
  /** @type {Map<string, string | boolean | string[]>} */
  const flags = new Map();
  /** @type {string[]} */
  const unknown = [];
  for (let i = 0; i < args.length; i++) {
    const arg = /** @type {string} */ (args[i]);
    const name = arg.split("=")[0] ?? arg;
    const takesValue = HAND_PARSED[name];
    const exists =
      takesValue !== undefined &&
      !(name === "--fresh" && !atLeast(ctx.version, NC.onboardFresh)) &&
      !(name === "--name" && !atLeast(ctx.version, NC.onboardName)) &&
      !(name === "--control-ui-port" && !atLeast(ctx.version, NC.onboardControlUiPort));
    if (!exists) {
      unknown.push(arg);
      continue;
    }
    if (takesValue) {
      const value = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : args[++i];
      if (value === undefined) die(ctx, `  ${name} requires a value.`);
      flags.set(name.slice(2), value);
    } else flags.set(name.slice(2), true);
  }
  if (unknown.length > 0) {
    // Before v0.0.31 `--name <sb>` is refused as `  Unknown onboard option(s): --name, <sb>` (its value is an unknown word too).
    die(ctx, `  Unknown onboard option(s): ${unknown.join(", ")}\n${HAND_USAGE}`);
  }
  if (flags.get("resume") && flags.get("fresh")) die(ctx, "  --resume and --fresh are mutually exclusive.");
  return flags;
}

/**
 * @param {ToolContext} ctx
 * @param {string[]} args
 */
export async function onboard(ctx, args) {
  const env = ctx.env;
  const flags = parseFlags(ctx, args);
  /** @param {string} name */
  const value = (name) => {
    const found = flags.get(name);
    return typeof found === "string" ? found : undefined;
  };
  const nonInteractive = Boolean(flags.get("non-interactive")) || env.NEMOCLAW_NON_INTERACTIVE === "1";
  if (!nonInteractive) return notSimulated(ctx, "onboard (interactive wizard; pass --non-interactive)");

  // 1. Agent and --from, before anything else (NC@d50338aa:src/lib/onboard/command.ts:60-104).
  const flagAgent = value("agent");
  const rawAgent = (flagAgent ?? env.NEMOCLAW_AGENT ?? "").trim();
  const agent = rawAgent ? agentName(rawAgent, ctx.version) : null;
  if (rawAgent && !agent) {
    const available = agentNames(ctx.version);
    if (atLeast(ctx.version, NC.agentAliases)) {
      die(ctx, `  Unknown agent '${rawAgent}'${flagAgent === undefined ? " (from NEMOCLAW_AGENT)" : ""}. Available: ${available.join(", ")}${agentAliasSuffix(ctx.version)}`);
    }
    // Before #5881 the hand-written check takes exact names (NC@f373889b^:src/lib/onboard/legacy-command.ts:138-142);
    // an unknown NEMOCLAW_AGENT is thrown from resolveAgentName (agent/defs.ts:583-588) until #5973.
    if (flagAgent !== undefined) die(ctx, `  Unknown agent '${flagAgent}'. Available: ${available.join(", ")}\n${HAND_USAGE}`);
    if (!atLeast(ctx.version, NC.unknownAgentEnvClean)) uncaught(ctx, `Unknown agent '${env.NEMOCLAW_AGENT}' (from NEMOCLAW_AGENT). Available: ${available.join(", ")}`);
    die(ctx, `  Unknown agent '${rawAgent}' (from NEMOCLAW_AGENT). Available: ${available.join(", ")}`);
  }
  const fromFlag = value("from");
  if (fromFlag !== undefined) {
    const path = resolve(ctx.call.cwd, fromFlag);
    if (!existsSync(path)) die(ctx, `  --from path not found: ${path}`);
    if (!statSync(path).isFile()) die(ctx, `  --from must point to a Dockerfile: ${path}`);
  }

  // 2. Session, sandbox name, --from needs a name (entry-options.ts:76-131).
  const fresh = Boolean(flags.get("fresh"));
  if (fresh) rmSync(ctx.paths.session, { force: true });
  const previous = readJsonIfExists(ctx.paths.session);
  const autoResume = !fresh && atLeast(ctx.version, NC.autoResume) && previous?.status === "in_progress";
  const resume = Boolean(flags.get("resume")) || autoResume;
  const nameFromFlag = value("name");
  const requestedName = nameFromFlag ?? env.NEMOCLAW_SANDBOX_NAME;
  if (requestedName !== undefined) checkSandboxName(ctx, requestedName, nameFromFlag !== undefined ? "--name" : "NEMOCLAW_SANDBOX_NAME");
  const fromEnv = env.NEMOCLAW_FROM_DOCKERFILE;
  if ((fromFlag ?? fromEnv) && requestedName === undefined && !resume) {
    die(ctx, "  --from <Dockerfile> requires --name <sandbox> (or NEMOCLAW_SANDBOX_NAME) when running without a TTY or with --non-interactive.\n  A sandbox name cannot be prompted for in this context.");
  }

  // 3. Policy tier.
  const tier = env.NEMOCLAW_POLICY_TIER;
  if (tier !== undefined && !TIER_PRESETS[tier]) die(ctx, `  Unknown policy tier: ${tier}. Valid: restricted, balanced, open`);

  // 4. Third-party notice (usage-notice.ts:136-160).
  const acceptedNow = Boolean(flags.get("yes-i-accept-third-party-software")) || env.NEMOCLAW_ACCEPT_THIRD_PARTY_SOFTWARE === "1";
  if (!hasAcceptedUsageNotice(ctx.paths)) {
    printUsageNotice(ctx);
    if (!acceptedNow) die(ctx, "  Non-interactive onboarding requires --yes-i-accept-third-party-software or NEMOCLAW_ACCEPT_THIRD_PARTY_SOFTWARE=1.");
    ctx.err("  [non-interactive] Third-party software notice accepted via --yes-i-accept-third-party-software.\n");
    saveUsageNoticeAcceptance(ctx.paths);
  }

  // 6. --resume (session-bootstrap.ts:58-118).
  if (resume) {
    if (!previous || previous.resumable === false) {
      die(ctx, "  No resumable onboarding session was found.\n  --resume only continues an interrupted onboarding run.\n  To change configuration on an existing sandbox, rebuild it:\n    nemoclaw onboard");
    }
    /** @type {string[]} */
    const conflicts = [];
    if (requestedName !== undefined && previous.sandboxName && requestedName !== previous.sandboxName) conflicts.push(`  Resumable state belongs to sandbox '${previous.sandboxName}', not '${requestedName}'.`);
    if (agent && (previous.agent ?? "openclaw") !== agent) conflicts.push(`  Session was started with agent '${previous.agent ?? "openclaw"}', not '${agent}'.`);
    const recordedFrom = previous.metadata?.fromDockerfile ?? null;
    const requestedFrom = fromFlag ?? fromEnv ?? null;
    if (requestedFrom && !recordedFrom) conflicts.push(`  Session was started without --from; add --from '${requestedFrom}' to resume it.`);
    else if (requestedFrom && recordedFrom && resolve(ctx.call.cwd, requestedFrom) !== resolve(ctx.call.cwd, recordedFrom)) conflicts.push(`  Session was started with --from '${recordedFrom}', not '${requestedFrom}'.`);
    if (conflicts.length > 0) die(ctx, `${conflicts.join("\n")}\n  Run: nemoclaw onboard              # start a fresh onboarding session\n  Or rerun with the original settings to continue that session.`);
  }
  const session = resume ? previous : null;
  const name = requestedName ?? session?.sandboxName ?? "my-assistant";
  if (requestedName === undefined) checkSandboxName(ctx, name, "--name");
  const port = Number(env.NEMOCLAW_GATEWAY_PORT || session?.gatewayPort || 8080);
  // Before v0.0.57 the port changes only where `nemoclaw` listens when onboard starts it; a running
  // `nemoclaw` is reused as in the cluster era (NC@e0ab181d:src/lib/onboard.ts:4199-4210). The
  // host-process restart on the new port that #4422 reports is not modelled.
  const gatewayName = nemoclawGatewayName(atLeast(ctx.version, NC.perPortGateways) ? port : 8080);
  const from = fromFlag ?? fromEnv ?? session?.metadata?.fromDockerfile ?? null;
  const recreateRequested = Boolean(flags.get("recreate-sandbox")) || env.NEMOCLAW_RECREATE_SANDBOX === "1";
  const gpuRequest = gpuSelection(ctx, flags);

  writeSession(ctx, { sandboxName: name, gatewayPort: port, status: "in_progress", resumable: true, from, agent: agent ?? session?.agent ?? null, lastStepStarted: "preflight" });
  say(ctx);
  say(ctx, "  NemoClaw Onboarding");
  say(ctx, "  ===================");

  // [1/8] Preflight: Docker, the OpenShell version gate, sandbox GPU settings.
  step(ctx, "[1/8] Preflight checks");
  const preflight = loadState(ctx.paths);
  if (!preflight.docker.installed || preflight.docker.daemon !== "running") {
    failStep(ctx, "preflight", "  ✗ Docker is not running. Start Docker (or install it) and re-run 'nemoclaw onboard'.");
  }
  say(ctx, "  ✓ Docker is running");
  const gpuMode = atLeast(ctx.version, NC.dockerDriver) ? checkGpuSettings(ctx, gpuRequest, preflight) : gpuRequest.mode ?? "auto";
  let cli = requireOpenshell(ctx);
  const range = preflight.nemoclaw;
  if (range?.openshellMin && compareVersions(cli.version, range.openshellMin) < 0) {
    // Below the minimum the onboard installs the pinned release itself (openshell-install.ts:190-218).
    say(ctx, `  openshell ${cli.version} is below minimum required version. Upgrading...`);
    await installOpenshellPin(ctx, /** @type {string} */ (range.openshellMax ?? range.openshellMin));
    cli = requireOpenshell(ctx);
  }
  say(ctx, `  ✓ openshell CLI: openshell ${cli.version}`);
  if (range?.openshellMax && compareVersions(cli.version, range.openshellMax) > 0) {
    ctx.err(
      `\n  ✗ openshell ${cli.version} is above the maximum supported by this NemoClaw release.\n    blueprint.yaml max_openshell_version: ${range.openshellMax}\n\n    Upgrade NemoClaw to a version that supports your OpenShell release,\n    or install a supported OpenShell version:\n      https://github.com/NVIDIA/OpenShell/releases\n\n`,
    );
    writeSession(ctx, { status: "failed", failure: { step: "preflight", message: "openshell above maximum", recordedAt: new Date().toISOString() } });
    throw new SimExit(1);
  }
  const gpu = preflight.host.gpus?.[0];
  const sandboxGpu = gpu !== undefined && gpuMode !== "0";

  // [2/8] Gateway.
  step(ctx, "[2/8] Starting OpenShell gateway");
  writeSession(ctx, { lastStepStarted: "gateway" });
  // Refused from #5596 (v0.0.70); from #3425 (v0.0.40) until then 0.0.0.0 is taken.
  if (env.NEMOCLAW_GATEWAY_BIND_ADDRESS?.trim() === "0.0.0.0" && !isClusterEra(cli.version) && atLeast(ctx.version, NC.gatewayJwt)) {
    uncaught(ctx, "NEMOCLAW_GATEWAY_BIND_ADDRESS=0.0.0.0 is not supported for the OpenShell Docker-driver gateway while gateway JWT auth is active. Remove the override, or use NEMOCLAW_DASHBOARD_BIND for dashboard exposure.");
  }
  await updateState(ctx.paths, (state) => ensureGateway(ctx, state, { name: gatewayName, port, cli, ...(flags.get("gpu") ? { gpuFlag: "gpu" } : flags.get("no-gpu") ? { gpuFlag: "no-gpu" } : {}) }));

  // [3/8] Provider and model.
  step(ctx, "[3/8] Configuring inference provider");
  const key = providerKey(ctx, env.NEMOCLAW_PROVIDER) ?? session?.provider ?? "build";
  const provider = /** @type {import("../lib/nemoclaw-core.mjs").ProviderInfo} */ (providerTable(ctx.version)[key]);
  // getNonInteractiveModel: trimmed, empty = unset, then isSafeModelId (NC@d50338aa:src/lib/onboard/providers.ts:295-304,
  // src/lib/validation.ts:255-257; the same at 6966f4b7:src/lib/onboard.ts:2856-2864).
  const requestedModel = (env.NEMOCLAW_MODEL ?? "").trim() || null;
  if (requestedModel !== null && !/^[A-Za-z0-9._:/-]+$/.test(requestedModel)) {
    failStep(ctx, "inference", `  Invalid NEMOCLAW_MODEL for provider '${key}': ${requestedModel}\n  Model values may only contain letters, numbers, '.', '_', ':', '/', and '-'.`);
  }
  // The router serves the blueprint's model whatever was asked for (handleRoutedSelection: `state.model = bp.model`).
  const model = provider.fixedModel ? provider.model : (requestedModel ?? session?.model ?? provider.model);
  const endpointUrl = env.NEMOCLAW_ENDPOINT_URL ?? session?.endpointUrl ?? null;
  const credential = credentialValue(ctx, env, key, provider, (message) => failStep(ctx, "inference", message));
  if (key === "custom" && !endpointUrl) failStep(ctx, "inference", "  NEMOCLAW_ENDPOINT_URL is required for the OpenAI-compatible endpoint provider.");
  say(ctx, `  Using ${provider.label} with model: ${model}`);
  writeSession(ctx, { provider: key, model, endpointUrl });

  // [4/8] Provider on the gateway and the route.
  step(ctx, "[4/8] Setting up inference provider");
  selectGateway(ctx, gatewayName);
  await updateState(ctx.paths, (state) => {
    const gateway = /** @type {Gateway} */ (state.gateways[gatewayName]);
    const existed = Boolean(gateway.providers[provider.providerName]);
    gateway.providers[provider.providerName] = { type: provider.type, credentialEnv: provider.credentialEnv, credentialSha256: credential ? sha256(credential) : null };
    gateway.inference = { provider: provider.providerName, model };
    gateway.routes ??= {};
    gateway.routes["inference.local"] = { provider: provider.providerName, model, version: (gateway.routes["inference.local"]?.version ?? 0) + 1, timeoutSecs: 0 };
    say(ctx, `${bold(green("✓"))} ${existed ? "Updated" : "Created"} provider ${provider.providerName}`);
  });
  say(ctx, `  ✓ Inference route set: ${provider.providerName} / ${model}`);

  step(ctx, "[5/8] Messaging channels");
  say(ctx, "  Skipping messaging channels.");

  // [6/8] Sandbox: reuse, or recreate (with the pre-recreate backup) (onboard.ts:2307-2702).
  step(ctx, "[6/8] Creating sandbox");
  writeSession(ctx, { lastStepStarted: "sandbox" });
  const previousEntry = readRegistry(ctx.paths).sandboxes[name];
  const wantedAgent = agent ?? (typeof previousEntry?.agent === "string" ? previousEntry.agent : null) ?? "openclaw";
  const decision = decideSandbox(ctx, { name, gatewayName, previousEntry, recreateRequested, agent: agent ?? "openclaw", providerName: provider.providerName, model, gpuRequest });
  /** @type {import("../lib/backups.mjs").RebuildManifest | null} */
  let manifest = null;
  if (decision === "recreate") manifest = backupBeforeRecreate(ctx, name, gatewayName, previousEntry);
  const resources = resourcesFromEnv(ctx, cli.version);
  const outcome = await updateState(ctx.paths, async (state) => {
    const gateway = /** @type {Gateway} */ (state.gateways[gatewayName]);
    if (decision === "reuse") return { ok: /** @type {const} */ (true), imageTag: /** @type {Sandbox} */ (gateway.sandboxes[name]).image, created: false };
    if (gateway.sandboxes[name]) {
      say(ctx, `  Deleting and recreating sandbox '${name}'...`);
      deleteSandbox(ctx.paths, state, gateway, name);
    }
    const providers = atLeast(ctx.version, NC.dockerDriver) ? [provider.providerName] : [];
    const result = await createManagedSandbox(ctx, state, gateway, { name, from, model, presets: [], gpu: sandboxGpu && gpuMode === "1", gpuDevice: gpuRequest.device, resources, providers });
    return { ...result, created: true };
  });
  if (decision === "recreate") {
    await updateRegistry(ctx.paths, (registry) => void delete registry.sandboxes[name], ctx.err);
  }
  if (!outcome.ok) {
    writeFailureDiagnostics(ctx, name, "output" in outcome ? outcome.output : "");
    if ("argv" in outcome && outcome.imageTag) printArm64HintsIfArm(ctx, name, outcome.imageTag, "output" in outcome ? String(outcome.output) : "");
    failStep(ctx, "sandbox", "  ✗ Sandbox creation failed.");
  }
  if (manifest) {
    const fromUpgrade = ctx.env.NEMOCLAW_RESTORE_LATEST_BACKUP_ON_RECREATE === "1";
    say(ctx, `  Restoring workspace state from pre-${fromUpgrade ? "upgrade" : "recreate"} backup...`);
    if (loadState(ctx.paths).options.restoreFails.includes(name)) ctx.err(`  Warning: partial restore. Manual recovery: ${manifest.backupPath}\n`);
    else {
      restoreSandboxState(sandboxRoot(ctx.paths, gatewayName, name), manifest);
      say(ctx, `  ✓ State restored (${manifest.backedUpDirs.length} directories, ${manifest.stateFiles.length} files)`);
    }
  }

  // [7/8] Agent.
  step(ctx, `[7/8] Setting up ${agentDisplay(wantedAgent)} inside sandbox`);
  await updateState(ctx.paths, async (state) => {
    const gateway = /** @type {Gateway} */ (state.gateways[gatewayName]);
    const sandbox = gateway.sandboxes[name];
    if (sandbox && !agentRunning(sandbox)) {
      const result = await recoverAgent(ctx, state, gateway, sandbox, { mode: recoveryMode(ctx.version) });
      if (result.result === "refused") failStep(ctx, "openclaw", `  ✗ ${agentDisplay(wantedAgent)} gateway could not be launched safely inside sandbox '${name}'.`);
    }
  });
  say(ctx, `  ✓ ${agentDisplay(wantedAgent)} gateway launched inside sandbox`);

  // [8/8] Presets (policy-selection.ts:371-427): validated only now, after the sandbox exists.
  step(ctx, "[8/8] Policy presets");
  const presets = selectPresets(ctx, previousEntry, decision);
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
      const old = decision === "reuse" ? (registry.sandboxes[name] ?? {}) : {};
      registry.sandboxes[name] = {
        ...old,
        name,
        createdAt: typeof old.createdAt === "string" ? old.createdAt : new Date().toISOString(),
        model,
        provider: provider.providerName,
        endpointUrl,
        credentialEnv: provider.credentialEnv,
        gpuEnabled: sandboxGpu,
        hostGpuDetected: gpu !== undefined,
        sandboxGpuEnabled: sandboxGpu,
        sandboxGpuMode: gpuMode,
        sandboxGpuDevice: gpuRequest.device,
        openshellDriver: isClusterEra(cli.version) ? "kubernetes" : "docker",
        openshellVersion: cli.version,
        policies: applied,
        policyTier: (env.NEMOCLAW_POLICY_MODE ?? "").toLowerCase() === "custom" ? null : (tier ?? "balanced"),
        policyPresetsFinalized: true,
        agent: wantedAgent === "openclaw" ? null : wantedAgent,
        agentVersion: state.options.openclawVersion,
        nemoclawVersion: ctx.version,
        fromDockerfile: from,
        imageTag: sandbox?.image ?? outcome.imageTag,
        dashboardPort: 18789,
        ...(atLeast(ctx.version, NC.perPortGateways) ? { gatewayName, gatewayPort: port } : {}),
      };
      registry.defaultSandbox ??= name;
    },
    ctx.err,
  );
  writeSession(ctx, { status: "complete", resumable: false, lastStepStarted: "policies" });
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

/**
 * NemoClaw's sandbox-name rules (NC@d50338aa:src/lib/onboard/entry-options.ts:104-123,
 * name-validation.ts), plus OpenShell's ≤ 19 characters / no `--` from its 0.0.99 pin.
 * @param {ToolContext} ctx
 * @param {string} name
 * @param {"--name" | "NEMOCLAW_SANDBOX_NAME"} source
 */
function checkSandboxName(ctx, name, source) {
  if (!/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) {
    const lines = [name.length > 63 ? `  sandbox name too long (max 63 chars): '${name.slice(0, 20)}...'. ${NAME_FORMAT}` : `  Invalid sandbox name: '${name}'. ${NAME_FORMAT}`];
    if (/\s/.test(name)) lines.push("  Sandbox names cannot contain spaces.");
    if (name.length > 63) lines.push("  Sandbox names must be 63 characters or fewer.");
    const slug = name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/-+/g, "-").replace(/^[^a-z]+/, "").replace(/-+$/, "").slice(0, 63);
    if (slug && slug !== name) lines.push(`  Try: ${slug}`);
    die(ctx, lines.join("\n"));
  }
  if (RESERVED.includes(name)) {
    die(ctx, `  Reserved name: '${name}' is a NemoClaw CLI command.\n  Choose a different sandbox name (passed via ${source}) to avoid routing conflicts.`);
  }
  if (atLeast(ctx.version, NC.shortSandboxNames) && (name.length > 19 || name.includes("--"))) {
    // Stand-in text: NemoClaw's wording of OpenShell's routable-name rule is not quoted.
    die(ctx, `  Invalid sandbox name: '${name}'. OpenShell requires sandbox names of at most 19 characters without consecutive hyphens.`);
  }
}

/** @param {ToolContext} ctx — the notice itself is abridged (stand-in body). */
function printUsageNotice(ctx) {
  ctx.err(`\n  Third-Party Software Notice - NemoClaw Installer\n${RULE}\n  (notice text)\n\n`);
}

/**
 * The sandbox GPU selection from flags and environment.
 * @param {ToolContext} ctx
 * @param {Map<string, string | boolean | string[]>} flags
 * @returns {{ mode: string | null; device: string | null; explicit: boolean }}
 */
function gpuSelection(ctx, flags) {
  if (flags.get("sandbox-gpu") || flags.get("gpu")) return { mode: "1", device: /** @type {string | null} */ (flags.get("sandbox-gpu-device") ?? ctx.env.NEMOCLAW_SANDBOX_GPU_DEVICE ?? null), explicit: true };
  if (flags.get("no-sandbox-gpu") || flags.get("no-gpu")) return { mode: "0", device: ctx.env.NEMOCLAW_SANDBOX_GPU_DEVICE ?? null, explicit: true };
  const raw = ctx.env.NEMOCLAW_SANDBOX_GPU;
  return { mode: raw ?? null, device: ctx.env.NEMOCLAW_SANDBOX_GPU_DEVICE ?? null, explicit: raw !== undefined };
}

/**
 * `NEMOCLAW_SANDBOX_GPU[_DEVICE]` (≥ ≈v0.0.39; sandbox-gpu-mode.ts:28-83): every problem is one
 * `✗` line, then exit 1.
 * @param {ToolContext} ctx
 * @param {{ mode: string | null; device: string | null }} request
 * @param {import("../lib/state.mjs").SimState} state
 */
function checkGpuSettings(ctx, request, state) {
  const raw = (request.mode ?? "auto").trim().toLowerCase();
  const mode = raw === "auto" ? "auto" : ["1", "true", "yes", "on"].includes(raw) ? "1" : ["0", "false", "no", "off"].includes(raw) ? "0" : null;
  /** @type {string[]} */
  const problems = [];
  if (mode === null) problems.push("  ✗ NEMOCLAW_SANDBOX_GPU must be one of: auto, 1, 0.");
  if (request.device && mode !== "1") problems.push("  ✗ NEMOCLAW_SANDBOX_GPU_DEVICE requires sandbox GPU mode 1; set NEMOCLAW_SANDBOX_GPU=1 or pass --sandbox-gpu.");
  if (mode === "1" && !(state.host.gpus ?? []).length) problems.push("  ✗ Sandbox GPU was requested, but no NVIDIA GPU was detected on the host.");
  if (problems.length > 0) failStep(ctx, "preflight", `\n${problems.join("\n")}`);
  return /** @type {string} */ (mode);
}

/**
 * Reuse, recreate, or refuse, for a sandbox of this name that already exists.
 * @param {ToolContext} ctx
 * @param {{ name: string; gatewayName: string; previousEntry: RegistryEntry | undefined; recreateRequested: boolean; agent: string; providerName: string; model: string; gpuRequest: { mode: string | null; explicit: boolean } }} options
 * @returns {"create" | "reuse" | "recreate"}
 */
function decideSandbox(ctx, options) {
  const state = loadState(ctx.paths);
  const gateway = state.gateways[options.gatewayName];
  const existing = gateway && gatewayAnswers(state, gateway) ? gateway.sandboxes[options.name] : undefined;
  if (!existing) return "create";
  const note = (/** @type {string} */ line) => say(ctx, line);
  const entry = options.previousEntry;
  const recordedAgent = typeof entry?.agent === "string" && entry.agent ? entry.agent : "openclaw";
  if (recordedAgent !== options.agent) {
    if (!options.recreateRequested) {
      say(ctx, `  Sandbox '${options.name}' already exists as ${agentDisplay(recordedAgent)}.`);
      say(ctx, `  NemoClaw is onboarding ${agentDisplay(options.agent)} for this sandbox name.`);
      say(ctx, "  Side-by-side agents are supported, but each sandbox name has one agent type.");
      ctx.err(`  Aborting: choose a different name or set NEMOCLAW_RECREATE_SANDBOX=1 to recreate '${options.name}'.\n  Example: nemoclaw onboard --name ${options.agent === "hermes" ? "hermes" : options.agent === "openclaw" ? "my-assistant" : "deepagents-code"}\n`);
      throw new SimExit(1);
    }
    note(`  Sandbox '${options.name}' exists as ${agentDisplay(recordedAgent)} — recreating as ${agentDisplay(options.agent)}.`);
    return "recreate";
  }
  if (options.recreateRequested) {
    note(reportedPhase(state, existing) === "Ready" ? `  Sandbox '${options.name}' exists and is ready — recreating by explicit request.` : `  Sandbox '${options.name}' exists but is not ready — recreating it.`);
    return "recreate";
  }
  if (reportedPhase(state, existing) !== "Ready") {
    note(`  Sandbox '${options.name}' exists but is not ready — recreating it.`);
    return "recreate";
  }
  if (entry && typeof entry.provider === "string" && typeof entry.model === "string" && (entry.provider !== options.providerName || entry.model !== options.model)) {
    note("  [non-interactive] Recreating sandbox due to provider/model drift.");
    return "recreate";
  }
  if (atLeast(ctx.version, NC.dockerDriver) && options.gpuRequest.explicit && entry && entry.sandboxGpuMode !== options.gpuRequest.mode) {
    note(`  Sandbox '${options.name}' exists — recreating to apply sandbox GPU settings.`);
    return "recreate";
  }
  note(`  [non-interactive] Sandbox '${options.name}' exists and is ready — reusing it`);
  note("  Pass --recreate-sandbox or set NEMOCLAW_RECREATE_SANDBOX=1 to force recreation.");
  return "reuse";
}

/**
 * The backup taken before a recreate (≥ ≈v0.0.53, sandbox-backup-on-recreate.ts:25-58): a
 * failed or partial backup aborts before anything is deleted. With
 * NEMOCLAW_RESTORE_LATEST_BACKUP_ON_RECREATE=1 (the installer) the latest existing backup is used.
 * @param {ToolContext} ctx
 * @param {string} name
 * @param {string} gatewayName
 * @param {RegistryEntry | undefined} entry
 */
function backupBeforeRecreate(ctx, name, gatewayName, entry) {
  if (!atLeast(ctx.version, NC.recreateBackup) || ctx.env.NEMOCLAW_RECREATE_WITHOUT_BACKUP === "1") return null;
  if (ctx.env.NEMOCLAW_RESTORE_LATEST_BACKUP_ON_RECREATE === "1") {
    const latest = listBackups(ctx.paths, name, ctx.version).at(-1);
    if (latest) return latest;
  }
  const state = loadState(ctx.paths);
  say(ctx, "  Backing up workspace state before recreating sandbox...");
  const abort = "  Set NEMOCLAW_RECREATE_WITHOUT_BACKUP=1 to recreate without preserving state.";
  if (state.options.partialBackup.includes(name)) {
    ctx.err(`  Partial backup: 1 dirs / 1 files saved; 1 dirs / 0 files failed.\n  Aborting recreate — failed entries would be lost on delete.\n${abort}\n`);
    throw new SimExit(1);
  }
  if (state.options.backupFails.includes(name)) {
    ctx.err(`  State backup failed — aborting recreate to prevent data loss.\n${abort}\n`);
    throw new SimExit(1);
  }
  const result = backupSandboxState(ctx.paths, sandboxRoot(ctx.paths, gatewayName, name), {
    version: ctx.version,
    sandbox: name,
    agentVersion: typeof entry?.agentVersion === "string" ? entry.agentVersion : null,
    presets: entry?.policies ?? [],
  });
  say(ctx, `  ✓ State backed up (${result.dirs} directories, ${result.files} files)`);
  return result.manifest;
}

/**
 * NEMOCLAW_POLICY_MODE / _PRESETS / _TIER, and the presets carried over on recreate
 * (policy-selection.ts:371-427, policy-carryforward.ts:53-63).
 * @param {ToolContext} ctx
 * @param {RegistryEntry | undefined} previousEntry
 * @param {"create" | "reuse" | "recreate"} decision
 */
function selectPresets(ctx, previousEntry, decision) {
  const env = ctx.env;
  const rawMode = env.NEMOCLAW_POLICY_MODE;
  const requested = (env.NEMOCLAW_POLICY_PRESETS ?? "").split(",").map((p) => p.trim()).filter(Boolean);
  const tier = env.NEMOCLAW_POLICY_TIER ?? "balanced";
  let mode = (rawMode ?? "suggested").trim().toLowerCase();
  if (["default", "auto"].includes(mode)) mode = "suggested";
  if (mode === "list") mode = "custom";
  if (["none", "no"].includes(mode)) mode = "skip";
  if (!["suggested", "custom", "skip"].includes(mode)) {
    ctx.err(`  Unsupported NEMOCLAW_POLICY_MODE: ${rawMode}\n  Valid values: suggested, custom, skip (aliases: default/auto, list, none/no).\n`);
    if (TIER_PRESETS[rawMode ?? ""]) ctx.err(`  '${rawMode}' is a policy tier — did you mean NEMOCLAW_POLICY_TIER=${rawMode}?\n`);
    ctx.err(`  Falling back to suggested presets for tier '${tier}'.\n`);
    mode = "suggested";
  }
  const carried = decision === "recreate" ? (previousEntry?.policies ?? []) : [];
  if (carried.length > 0) {
    if (env.NEMOCLAW_POLICY_PRESETS !== undefined) say(ctx, `  [non-interactive] NEMOCLAW_POLICY_PRESETS overrides previous presets on recreate (was: ${carried.join(", ")}).`);
    else if (rawMode !== undefined) say(ctx, `  [non-interactive] NEMOCLAW_POLICY_MODE=${rawMode} overrides previous presets on recreate (was: ${carried.join(", ")}).`);
    else return carried;
  }
  if (mode === "skip") {
    say(ctx, "  [non-interactive] Skipping policy presets.");
    return [];
  }
  if (mode === "custom" && requested.length === 0) failStep(ctx, "policies", "  NEMOCLAW_POLICY_PRESETS is required when NEMOCLAW_POLICY_MODE=custom.");
  const presets = mode === "custom" || requested.length > 0 ? requested : (TIER_PRESETS[tier] ?? []);
  const unknown = presets.filter((preset) => !presetNames(ctx.version).includes(preset));
  if (unknown.length > 0) failStep(ctx, "policies", `  Unknown policy preset(s): ${unknown.join(", ")}`);
  return presets;
}

/** @param {ToolContext} ctx @param {string} name @param {string} output */
function writeFailureDiagnostics(ctx, name, output) {
  const dir = join(ctx.paths.nemoclawDir, "onboard-failures", `${new Date().toISOString().replace(/[:.]/g, "-")}-${name}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, "summary.txt"), `Sandbox create failed for '${name}'.\n\n${output}\n`, { mode: 0o600 });
  ctx.err(`  Diagnostics saved to ${dir}\n`);
}

/**
 * Persist the onboard session (tmp + rename, 0600), merging into the previous one.
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
