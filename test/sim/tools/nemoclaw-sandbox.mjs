// @ts-check
// `nemoclaw <sandbox> <action>`: status, rebuild, destroy, recover, gateway restart, stop/start,
// snapshot, shields, policy-add/remove/list, inference — each as the selected release does it.

import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { backupSandboxState, listBackups, restoreSandboxState } from "../lib/backups.mjs";
import { OclifError, parseCommandLine } from "../lib/nemoclaw-cli.mjs";
import {
  AGENTS,
  agentDisplay,
  agentName,
  agentProduct,
  applyPresets,
  createManagedSandbox,
  detectRpcIssue,
  preflightBlock,
  printArm64Hints,
  recoverAgent,
  recoveryMode,
  refuseOnRpcIssue,
  removePresetFromPolicy,
  requireOpenshell,
  resolveOpenshell,
  say,
  selectGateway,
} from "../lib/nemoclaw-core.mjs";
import { presetHosts, presetNames } from "../lib/policy.mjs";
import { entryGatewayName, hasAcceptedUsageNotice, readRegistry, updateRegistry } from "../lib/registry.mjs";
import { NC } from "../lib/releases.mjs";
import { agentRunning, sandboxRoot } from "../lib/sandbox.mjs";
import { deleteSandbox, startContainer, stopContainer } from "../lib/sandboxes.mjs";
import { readActiveGateway } from "../lib/gateways.mjs";
import { containerByName, gatewayAnswers, loadState, reportedPhase, updateState } from "../lib/state.mjs";
import { readJsonIfExists, SimExit, writeFileAtomic } from "../lib/util.mjs";
import { atLeast } from "../lib/versions.mjs";
import { inference } from "./nemoclaw-maintenance.mjs";
import { notSimulated } from "./nemoclaw.mjs";

/**
 * @typedef {import("../lib/runtime.mjs").ToolContext} ToolContext
 * @typedef {import("../lib/state.mjs").Gateway} Gateway
 * @typedef {import("../lib/state.mjs").Sandbox} Sandbox
 * @typedef {import("../lib/registry.mjs").RegistryEntry} RegistryEntry
 * @typedef {import("../lib/oclif.mjs").OclifResult} OclifResult
 */

/** @param {ToolContext} ctx @param {string} text @returns {never} */
export function die(ctx, text) {
  ctx.err(`${text}\n`);
  throw new SimExit(1);
}

/**
 * Parse, printing oclif's refusal as NemoClaw does.
 * @param {ToolContext} ctx
 * @param {string} id
 * @param {string[]} argv
 */
export function parseOrExit(ctx, id, argv) {
  try {
    return parseCommandLine(ctx.version, id, argv);
  } catch (error) {
    if (error instanceof OclifError) {
      ctx.err(error.text);
      throw new SimExit(error.exitCode);
    }
    throw error;
  }
}

/** @param {OclifResult} parsed @param {string} name */
const flag = (parsed, name) => parsed.flags.get(name);

/**
 * @param {ToolContext} ctx
 * @param {string} name
 * @param {string} action
 * @param {string[]} args
 */
export async function runSandboxAction(ctx, name, action, args) {
  const entry = /** @type {RegistryEntry} */ (readRegistry(ctx.paths).sandboxes[name]);
  const withName = [name, ...args];
  switch (action) {
    case "status":
      return status(ctx, entry, parseOrExit(ctx, "sandbox:status", withName));
    case "rebuild":
      return rebuild(ctx, entry, parseOrExit(ctx, "sandbox:rebuild", withName));
    case "destroy":
      return destroy(ctx, entry, parseOrExit(ctx, "sandbox:destroy", withName));
    case "recover":
      parseOrExit(ctx, "sandbox:recover", withName);
      return recover(ctx, entry);
    case "gateway":
      if (args[0] !== "restart") return notSimulated(ctx, `<sandbox> gateway ${args[0] ?? ""}`.trim());
      return gatewayRestart(ctx, entry, parseOrExit(ctx, "sandbox:gateway:restart", [name, ...args.slice(1)]));
    case "stop":
    case "start":
      parseOrExit(ctx, `sandbox:${action}`, withName);
      return stopOrStart(ctx, entry, action);
    case "snapshot":
      return snapshot(ctx, entry, args);
    case "shields":
      return shields(ctx, entry, args);
    case "policy-add":
    case "policy-remove":
      return policyChange(ctx, entry, parseOrExit(ctx, action === "policy-add" ? "sandbox:policy:add" : "sandbox:policy:remove", withName), action === "policy-add" ? "add" : "remove");
    case "policy-list":
      parseOrExit(ctx, "sandbox:policy:list", withName);
      return policyList(ctx, entry);
    case "inference":
      if (args[0] === "set" && atLeast(ctx.version, NC.toolDisclosure)) return inference(ctx, args, name);
      return notSimulated(ctx, `<sandbox> inference ${args[0] ?? ""}`.trim());
  }
  return notSimulated(ctx, `<sandbox> ${action}`);
}

/** @param {ToolContext} ctx @param {RegistryEntry} entry */
export function liveContext(ctx, entry) {
  const state = loadState(ctx.paths);
  const gatewayName = entryGatewayName(entry);
  const gateway = state.gateways[gatewayName];
  const answers = Boolean(gateway && gatewayAnswers(state, gateway));
  const sandbox = answers ? gateway?.sandboxes[entry.name] : undefined;
  return { state, gatewayName, gateway, answers, sandbox };
}

/**
 * `ensureLiveSandboxOrExit` before recover, restart and snapshots (NC@d50338aa:src/lib/actions/sandbox/gateway-state.ts:489-620).
 * @param {ToolContext} ctx
 * @param {RegistryEntry} entry
 */
function requireLiveSandbox(ctx, entry) {
  const live = liveContext(ctx, entry);
  if (!live.answers) {
    die(ctx, `  Unable to verify sandbox '${entry.name}' against the live OpenShell gateway.\n  Check \`openshell status\` and the active gateway, then retry.`);
  }
  if (!live.sandbox) {
    die(
      ctx,
      `  Sandbox '${entry.name}' is registered locally, but is not present in the live OpenShell gateway.\n  Your local registry entry has been preserved — nothing was removed.\n  Recreate it with \`nemoclaw ${entry.name} rebuild --yes\`.\n  Or remove it with \`nemoclaw ${entry.name} destroy\` and run \`nemoclaw onboard\`.`,
    );
  }
  const phase = reportedPhase(live.state, live.sandbox);
  if (phase !== "Ready" && phase !== "Stopped") {
    die(ctx, `  Sandbox '${entry.name}' is stuck in '${phase}' phase.\n  Check \`openshell sandbox get ${entry.name}\`, or rebuild it with \`nemoclaw ${entry.name} rebuild --yes\`.`);
  }
  return { ...live, sandbox: /** @type {Sandbox} */ (live.sandbox), gateway: /** @type {Gateway} */ (live.gateway) };
}

// ─── status ───────────────────────────────────────────────────────────────────────────────

/**
 * `<sb> status`. The `--json` report has NemoClaw's fields in its order, each from the release that
 * added it (NC@f6120bb4:src/lib/actions/sandbox/status.ts for v0.0.56; NC@d50338aa:src/lib/actions/sandbox/status-snapshot.ts:258-323
 * for v0.0.76, kept for later releases): model and provider are the gateway's live route, else the
 * registry's; the GPU and OpenShell fields are the registry's, with NemoClaw's fallbacks.
 * @param {ToolContext} ctx @param {RegistryEntry} entry @param {OclifResult} parsed
 */
function status(ctx, entry, parsed) {
  const cli = resolveOpenshell(ctx);
  const { state, gatewayName, gateway, answers, sandbox } = liveContext(ctx, entry);
  const issue = cli ? detectRpcIssue(ctx, state, gatewayName, cli.version) : null;
  const gatewayState = issue ? "gateway_schema_mismatch" : !answers ? "gateway_error" : sandbox ? "present" : "missing";
  const present = Boolean(sandbox) && gatewayState === "present";
  const container = sandbox?.container ? containerByName(state, sandbox.container) : undefined;
  const failureLayer = state.docker.daemon !== "running" ? "docker_unreachable" : container && !container.running && sandbox?.phase !== "Stopped" ? "sandbox_container_stopped" : null;
  const agent = typeof entry.agent === "string" && entry.agent ? entry.agent : "openclaw";
  const route = present ? gateway?.inference : undefined;
  const since = (/** @type {string} */ release, /** @type {Record<string, unknown>} */ fields) => (atLeast(ctx.version, release) ? fields : {});
  const report = {
    schemaVersion: 1,
    name: entry.name,
    found: true,
    ...since(NC.statusAgent, { agent, agentDisplayName: agentProduct(agent), agentRuntime: AGENTS[agent]?.runtime ?? "unknown" }),
    model: route?.model || entry.model || "unknown",
    provider: route?.provider || entry.provider || "unknown",
    phase: present && sandbox ? reportedPhase(state, sandbox) : null,
    gatewayState,
    inferenceHealth: inferenceHealth(ctx, state, entry.name, { gateway, answers, present }),
    rpcIssue: issue ? { kind: issue.kind } : null,
    hostGpuDetected: entry.hostGpuDetected === true,
    sandboxGpuEnabled: typeof entry.sandboxGpuEnabled === "boolean" ? entry.sandboxGpuEnabled : entry.gpuEnabled === true,
    sandboxGpuMode: entry.sandboxGpuMode || null,
    sandboxGpuDevice: entry.sandboxGpuDevice || null,
    ...since(NC.statusGpuProof, { sandboxGpuProof: entry.sandboxGpuProof || null }),
    openshellDriver: entry.openshellDriver || "unknown",
    openshellVersion: entry.openshellVersion || "unknown",
    policies: (entry.policies ?? []).filter((policy) => typeof policy === "string"),
    ...since(NC.statusFailureLayer, { failureLayer }),
    ...since(NC.statusTerminalRuntime, { terminalRuntimeHealth: null }),
    ...since(NC.statusFailureLayer, { dockerPaused: false }),
  };
  // Exit 1 unless present with no RPC issue (and, from v0.0.57, no failure layer); phase does not
  // change it (NC@d50338aa:src/commands/sandbox/status.ts); from ≈v0.0.78 a failed inference route
  // does (real-cli-2026-12 §12).
  const layerFails = atLeast(ctx.version, NC.statusFailureLayer) && failureLayer !== null;
  const routeFailed = atLeast(ctx.version, NC.statusInferenceRoute) && report.inferenceHealth?.ok === false;
  const exitCode = gatewayState === "present" && !layerFails && !routeFailed ? 0 : 1;
  if (flag(parsed, "json")) {
    say(ctx, JSON.stringify(report, null, 2));
    return exitCode;
  }
  if (issue && cli) {
    ctx.err(preflightBlock({ action: `checking sandbox '${entry.name}'`, command: `nemoclaw ${entry.name} status`, installed: cli.version, issue, gatewayName, driver: gateway?.driver ?? "unknown" }));
    return 1;
  }
  say(ctx);
  say(ctx, `  Sandbox: ${entry.name}`);
  say(ctx, `    Gateway:   ${gatewayName} (${answers ? "healthy" : "unreachable"})`);
  say(ctx, `    Phase:     ${report.phase ?? "not present on the gateway"}`);
  say(ctx, `    Agent:     ${agent} (${sandbox && agentRunning(sandbox) ? "gateway running" : "gateway not running"})`);
  say(ctx, `    OpenShell: ${report.openshellVersion} (${report.openshellDriver} driver)`);
  say(ctx, `    Policies:  ${report.policies.join(", ") || "none"}`);
  if (report.inferenceHealth) say(ctx, `    Inference: ${report.inferenceHealth.ok ? "healthy" : "unhealthy"} (${report.inferenceHealth.detail})`);
  if (gatewayState === "missing") {
    say(ctx);
    say(ctx, `  Sandbox '${entry.name}' is registered locally, but is not present in the live OpenShell gateway.`);
    say(ctx, "  Your local registry entry has been preserved — nothing was removed.");
  }
  return exitCode;
}

/** The in-sandbox route check's texts (NC@d50338aa:src/lib/actions/sandbox/process-recovery.ts:395-437). */
const INFERENCE_ENDPOINT = "https://inference.local/v1/models";

/**
 * `inferenceHealth` of `<sb> status`. Up to ≈v0.0.77 it is a host-side reachability probe of the
 * provider (NC@d50338aa:src/lib/inference/health.ts), which cannot see a sandbox whose own route is
 * broken; from ≈v0.0.78 the in-sandbox `https://inference.local/v1/models` check is authoritative.
 * @param {ToolContext} ctx
 * @param {import("../lib/state.mjs").SimState} state
 * @param {string} name
 * @param {{ gateway: Gateway | undefined; answers: boolean; present: boolean }} live
 */
function inferenceHealth(ctx, state, name, live) {
  if (!atLeast(ctx.version, NC.statusInferenceRoute) || !live.present) {
    const route = live.gateway?.inference;
    return route ? { ok: live.answers, probed: true, providerLabel: route.provider, endpoint: null, detail: live.answers ? "reachable" : "unreachable" } : null;
  }
  const providerLabel = live.gateway?.inference?.provider ?? "Inference gateway chain";
  if ((state.options.inferenceBroken ?? []).includes(name)) {
    return {
      ok: false,
      probed: true,
      providerLabel,
      endpoint: INFERENCE_ENDPOINT,
      detail: `Inference gateway unreachable on ${INFERENCE_ENDPOINT} from inside the sandbox. DNS may have failed or the openclaw gateway / auth proxy is not running.`,
      failureLabel: "unreachable",
    };
  }
  return { ok: true, probed: true, providerLabel, endpoint: INFERENCE_ENDPOINT, detail: `Inference gateway responded HTTP 200 on ${INFERENCE_ENDPOINT} (full chain reachable).` };
}

// ─── rebuild ──────────────────────────────────────────────────────────────────────────────

/** The onboard selection rebuild removes from its environment (#5787 ≈v0.0.69; #5876/#6251 ≈v0.0.74). */
const ISOLATED_FIRST = ["NEMOCLAW_AGENT", "NEMOCLAW_PROVIDER", "NEMOCLAW_PROVIDER_KEY", "NEMOCLAW_ENDPOINT_URL", "NEMOCLAW_MODEL"];
const ISOLATED_LATER = [
  "NEMOCLAW_COMPAT_MODEL", "NEMOCLAW_CLOUD_EXPERIMENTAL_MODEL", "NEMOCLAW_PREFERRED_API", "NEMOCLAW_REASONING", "NEMOCLAW_VLLM_MODEL",
  "NEMOCLAW_VLLM_EXTRA_ARGS_JSON", "NEMOCLAW_FROM_DOCKERFILE", "NEMOCLAW_WEB_SEARCH_PROVIDER", "NEMOCLAW_POLICY_TIER", "NEMOCLAW_POLICY_MODE",
  "NEMOCLAW_POLICY_PRESETS", "NEMOCLAW_SANDBOX_GPU", "NEMOCLAW_SANDBOX_GPU_DEVICE", "NEMOCLAW_TOOL_DISCLOSURE",
];

/** @param {string} version */
export function isolatedVariables(version) {
  if (atLeast(version, NC.rebuildIsolationFull)) return [...ISOLATED_FIRST, ...ISOLATED_LATER];
  if (atLeast(version, NC.rebuildIsolation)) return ISOLATED_FIRST;
  return [];
}

/**
 * `<sb> rebuild --yes`: back up, delete, recreate from the registry and the recorded session,
 * restore, reapply presets. From ≈v0.0.69 the onboard selection in the environment is ignored
 * (§4.1); CPU/RAM are read on every rebuild. A sandbox registered but absent from its (healthy)
 * gateway is recreated from the registry; if that fails the registry entry is restored exactly.
 * @param {ToolContext} ctx @param {RegistryEntry} entry @param {OclifResult} parsed
 */
async function rebuild(ctx, entry, parsed) {
  const command = `nemoclaw ${entry.name} rebuild --yes`;
  if (!flag(parsed, "yes") && !flag(parsed, "force")) {
    // Without a terminal the confirmation reads no answer.
    say(ctx);
    say(ctx, `  Rebuild sandbox '${entry.name}'`);
    say(ctx, "  Proceed? [y/N]: ");
    say(ctx, "  Cancelled.");
    return 1;
  }
  if (atLeast(ctx.version, NC.rebuildIsolationFull) && !hasAcceptedUsageNotice(ctx.paths) && ctx.env.NEMOCLAW_ACCEPT_THIRD_PARTY_SOFTWARE !== "1") {
    ctx.err(
      "  Non-interactive onboarding requires --yes-i-accept-third-party-software or NEMOCLAW_ACCEPT_THIRD_PARTY_SOFTWARE=1.\n\n  Rebuild preflight failed: the current third-party software notice was not accepted.\n  Accept the current notice before rebuilding.\n  Sandbox is untouched — no data was lost.\n",
    );
    return 1;
  }
  const cli = requireOpenshell(ctx);
  const gatewayName = entryGatewayName(entry);
  refuseOnRpcIssue(ctx, loadState(ctx.paths), { gatewayName, cliVersion: cli.version, action: `rebuilding sandbox '${entry.name}'`, command });
  const { gateway, answers, sandbox } = liveContext(ctx, entry);
  if (!gateway || !answers) {
    die(ctx, `  Unable to verify sandbox '${entry.name}' against the live OpenShell gateway.\n  Check \`openshell status\` and the active gateway, then retry.`);
  }
  if (!sandbox && !atLeast(ctx.version, NC.staleRecovery)) {
    die(ctx, `  Sandbox '${entry.name}' is not running. Cannot back up state.\n  Start it first or recreate with \`nemoclaw onboard --recreate-sandbox\`.`);
  }
  // The inner onboard reads the environment minus what this release isolates.
  const isolated = new Set(isolatedVariables(ctx.version));
  /** @param {string} name */
  const fromEnv = (name) => (isolated.has(name) ? undefined : ctx.env[name] || undefined);
  const recordedAgent = typeof entry.agent === "string" && entry.agent ? entry.agent : "openclaw";
  const ambientAgent = ctx.env.NEMOCLAW_AGENT?.trim();
  if (isolated.has("NEMOCLAW_AGENT") && ambientAgent && (agentName(ambientAgent) ?? ambientAgent) !== recordedAgent) {
    const shown = ambientAgent.replace(/[\u0000-\u001f\u007f]/g, "");
    say(ctx, `  Ignoring ambient NEMOCLAW_AGENT='${shown.length > 80 ? `${shown.slice(0, 80)}…` : shown}' — rebuilding '${entry.name}' as its recorded agent '${recordedAgent}'.`);
  }
  if ((flag(parsed, "verbose") || ctx.env.NEMOCLAW_REBUILD_VERBOSE === "1") && isolated.size > 0) {
    const present = [...isolated].filter((name) => ctx.env[name]);
    if (present.length > 0) ctx.err(`  [rebuild ${new Date().toISOString()}] Ambient onboard-selection env present (${present.join(", ")}); will be isolated during recreate so '${entry.name}' rebuilds from its registry config\n`);
  }
  selectGateway(ctx, gatewayName, { quiet: true });
  const registrySnapshot = JSON.parse(JSON.stringify(entry));
  const agentOverride = fromEnv("NEMOCLAW_AGENT");
  const gpuOverride = fromEnv("NEMOCLAW_SANDBOX_GPU");
  const tierOverride = fromEnv("NEMOCLAW_POLICY_TIER");
  const from = fromEnv("NEMOCLAW_FROM_DOCKERFILE") ?? (typeof entry.fromDockerfile === "string" ? entry.fromDockerfile : null);
  const presets = entry.policies ?? [];
  const resources = resourcesFromEnv(ctx, cli.version);
  /** @type {import("../lib/backups.mjs").RebuildManifest | null} */
  let manifest = null;
  if (sandbox) {
    say(ctx, "  Backing up sandbox state...");
    const backup = backupSandboxState(ctx.paths, sandboxRoot(ctx.paths, gatewayName, entry.name), {
      version: ctx.version,
      sandbox: entry.name,
      agentVersion: typeof entry.agentVersion === "string" ? entry.agentVersion : null,
      presets,
    });
    manifest = backup.manifest;
    say(ctx, `  ✓ State backed up (${backup.dirs} directories, ${backup.files} files)`);
    say(ctx, `    Backup: ${manifest.backupPath}`);
    say(ctx, "  Deleting old sandbox...");
  } else {
    say(ctx, `⚠ Sandbox '${entry.name}' is registered locally but absent from the live OpenShell gateway.`);
    const prepared = ctx.env.NEMOCLAW_RESTORE_LATEST_BACKUP_ON_RECREATE === "1" ? listBackups(ctx.paths, entry.name, ctx.version).at(-1) : undefined;
    if (prepared) {
      manifest = prepared;
      say(ctx, `  Using prepared pre-upgrade backup: ${prepared.backupPath}`);
    } else say(ctx, "  No live workspace state to back up — recreating from the preserved registry metadata.");
  }
  const outcome = await updateState(ctx.paths, async (state) => {
    const live = /** @type {Gateway} */ (state.gateways[gatewayName]);
    if (live.sandboxes[entry.name]) {
      deleteSandbox(ctx.paths, state, live, entry.name);
      say(ctx, "  ✓ Old sandbox deleted");
    }
    say(ctx);
    say(ctx, "  Creating new sandbox with current image...");
    const model = typeof entry.model === "string" ? entry.model : "";
    const result = await createManagedSandbox(ctx, state, live, { name: entry.name, from, model, presets, gpu: gpuOverride ? gpuOverride !== "0" : Boolean(entry.sandboxGpuEnabled), gpuDevice: null, resources, providers: [] });
    if (result.ok) {
      result.sandbox.presets = [];
      applyPresets(ctx, result.sandbox, presets, { quiet: true });
    }
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
    printArm64HintsIfArm(ctx, entry.name, outcome.imageTag, "output" in outcome ? String(outcome.output) : "");
    if (manifest) {
      ctx.err(`\n  Recreate failed after sandbox was destroyed.\n  Backup is preserved at: ${manifest.backupPath}\n\n  To recover manually:\n    1. Fix the issue above (missing credential, Docker problem, etc.)\n    2. Run: nemoclaw onboard --resume\n       This will recreate sandbox '${entry.name}'.\n    3. Then restore your workspace state:\n       nemoclaw ${entry.name} snapshot restore "${manifest.timestamp}"\n\n`);
    } else {
      ctx.err(`\n  Recovery recreate failed.\n  Your local registry entry has been preserved — you can retry once the issue above is fixed.\n\n`);
    }
    return 1;
  }
  let restored = true;
  if (manifest) {
    say(ctx);
    say(ctx, "  Restoring workspace state...");
    if (loadState(ctx.paths).options.restoreFails.includes(entry.name)) {
      restored = false;
      // Every release (NC@f9cb3447:src/lib/actions/sandbox/rebuild.ts:836-842, NC@d50338aa:src/lib/actions/sandbox/rebuild-restore-phase.ts:195-201).
      ctx.err(`  Partial restore: none\n  Failed: ${manifest.backedUpDirs.join(", ")}\n  Manual restore available from: ${manifest.backupPath}\n`);
    } else {
      restoreSandboxState(sandboxRoot(ctx.paths, gatewayName, entry.name), manifest);
      say(ctx, `  ✓ State restored (${manifest.backedUpDirs.length} directories, ${manifest.stateFiles.length} files)`);
    }
  }
  if (presets.length > 0) {
    say(ctx);
    say(ctx, "  Restoring policy presets...");
    say(ctx, `  ✓ Policy presets restored: ${presets.join(", ")}`);
  }
  const state = loadState(ctx.paths);
  await updateRegistry(
    ctx.paths,
    (registry) => {
      registry.sandboxes[entry.name] = {
        ...registry.sandboxes[entry.name],
        ...(gpuOverride ? { sandboxGpuMode: gpuOverride, sandboxGpuEnabled: gpuOverride !== "0", gpuEnabled: gpuOverride !== "0" } : {}),
        ...(agentOverride ? { agent: agentName(agentOverride) ?? agentOverride } : {}),
        ...(tierOverride ? { policyTier: tierOverride } : {}),
        fromDockerfile: from,
        name: entry.name,
        imageTag: outcome.imageTag,
        openshellVersion: cli.version,
        openshellDriver: gateway.driver === "cluster-container" ? "kubernetes" : "docker",
        nemoclawVersion: ctx.version,
        agentVersion: state.options.openclawVersion,
      };
    },
    ctx.err,
  );
  if (!restored && manifest) {
    say(ctx);
    if (atLeast(ctx.version, NC.rebuildPostRestoreSteps)) {
      say(ctx, `  ⚠ Sandbox '${entry.name}' rebuilt but some post-restore steps were incomplete`);
      say(ctx, `    State restore was incomplete — backup available at: ${manifest.backupPath}`);
    } else {
      say(ctx, `  ⚠ Sandbox '${entry.name}' rebuilt but state restore was incomplete`);
      say(ctx, `    Backup available at: ${manifest.backupPath}`);
    }
    return 0;
  }
  say(ctx);
  say(ctx, manifest && sandbox ? `  ✓ Sandbox '${entry.name}' rebuilt successfully` : `  ✓ Recovered from a stale registry entry: '${entry.name}' was recreated from its preserved registry metadata.`);
  say(ctx, `    Now running: ${agentDisplay(agentOverride ?? entry.agent)} v${state.options.openclawVersion}`);
  return 0;
}

/**
 * NEMOCLAW_CPU / NEMOCLAW_RAM / NEMOCLAW_RESOURCE_PROFILE for the sandbox being created (read on
 * every call, never stored): only from ≈v0.0.52, and only when the installed OpenShell's
 * `sandbox create` has --cpu/--memory (0.0.41).
 * @param {ToolContext} ctx
 * @param {string} cliVersion
 * @returns {{ cpu: string | null; memory: string | null }}
 */
export function resourcesFromEnv(ctx, cliVersion) {
  if (!atLeast(ctx.version, NC.resourceProfiles) || !atLeast(cliVersion, "0.0.41")) return { cpu: null, memory: null };
  const profiles = /** @type {Record<string, { cpu: string; memory: string }>} */ ({
    creator: { cpu: "50%", memory: "50%" },
    gamer: { cpu: "25%", memory: "25%" },
    "game-developer": { cpu: "60%", memory: "60%" },
    developer: { cpu: "75%", memory: "75%" },
  });
  /** @type {{ cpu: string | null; memory: string | null }} */
  let selected = { cpu: null, memory: null };
  const profile = ctx.env.NEMOCLAW_RESOURCE_PROFILE;
  if (profile && profile !== "default") {
    const found = profiles[profile];
    if (!found) die(ctx, `  Unknown resource profile: '${profile}'\n  Valid profiles: ${["default", ...Object.keys(profiles)].join(", ")}`);
    selected = { ...found };
    say(ctx, `  Resource profile (env): ${profile}`);
  } else if (profile === "default") say(ctx, "  Resource profile (env): default (OpenShell defaults)");
  if (ctx.env.NEMOCLAW_CPU || ctx.env.NEMOCLAW_RAM) {
    selected = { cpu: ctx.env.NEMOCLAW_CPU || selected.cpu || "", memory: ctx.env.NEMOCLAW_RAM || selected.memory || "" };
    say(ctx, `  Resource overrides (env): cpu=${selected.cpu}, ram=${selected.memory}`);
  }
  return { cpu: selected.cpu || null, memory: selected.memory || null };
}

/**
 * NemoClaw's hints after a failed create (`printSandboxCreateRecoveryHints`): the image-reference
 * workaround only when the output shows OpenShell's image-tar upload failure (its classifier's
 * `image_upload_container_missing`, NC@e2db5ed7:src/lib/validation.ts), and only from the release
 * that has it; before, that failure is unclassified and gets the generic recovery lines.
 * @param {ToolContext} ctx @param {string} name @param {string} imageTag @param {string} output
 */
export function printArm64HintsIfArm(ctx, name, imageTag, output) {
  const state = loadState(ctx.paths);
  if (!["aarch64", "arm64"].includes(state.host.arch) || !/failed to upload image tar into container/.test(output)) return;
  if (atLeast(ctx.version, NC.imageUploadHints)) printArm64Hints(ctx, { name, imageTag });
  else ctx.err("  Recovery: nemoclaw onboard --resume\n  Or:      nemoclaw onboard\n");
}

// ─── destroy ──────────────────────────────────────────────────────────────────────────────

/** @param {ToolContext} ctx @param {RegistryEntry} entry @param {OclifResult} parsed */
async function destroy(ctx, entry, parsed) {
  if (!flag(parsed, "yes") && !flag(parsed, "force")) {
    say(ctx, `  Destroy sandbox '${entry.name}'?`);
    say(ctx, "  Type 'yes' to confirm, or press Enter to cancel [y/N]: ");
    return 1;
  }
  const { gatewayName, gateway, answers, sandbox } = liveContext(ctx, entry);
  if (!answers && !flag(parsed, "force")) {
    die(ctx, `  Failed to destroy sandbox '${entry.name}'.\n  Gateway '${gatewayName}' is not reachable; pass --force to remove only the local registry entry.`);
  }
  if (gateway && answers) {
    if (!sandbox) say(ctx, `  Sandbox '${entry.name}' was already absent from the live gateway.`);
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

// ─── recover, gateway restart, stop/start ─────────────────────────────────────────────────

/**
 * `<sb> recover` = `connect --probe-only` (quiet): only the probe result lines are printed
 * (NC@d50338aa:src/lib/actions/sandbox/connect.ts:244-293). Up to ≈v0.0.69 the recovery script
 * runs through `openshell sandbox exec` and its `[gateway-recovery]` lines reach stderr; from
 * ≈v0.0.70 nemoclaw-gateway-control runs it (`docker exec`), Docker-driver sandboxes only.
 * @param {ToolContext} ctx @param {RegistryEntry} entry
 */
async function recover(ctx, entry) {
  const cli = requireOpenshell(ctx);
  const gatewayName = entryGatewayName(entry);
  refuseOnRpcIssue(ctx, loadState(ctx.paths), { gatewayName, cliVersion: cli.version, action: `recovering sandbox '${entry.name}'`, command: `nemoclaw ${entry.name} recover` });
  const live = requireLiveSandbox(ctx, entry);
  const display = agentDisplay(entry.agent);
  const mode = recoveryMode(ctx.version);
  if (mode === "guard-chain" && live.gateway.driver === "cluster-container") {
    // Stand-in text: gateway control needs `docker exec` into a Docker-driver sandbox.
    die(ctx, `  Probe failed: could not inspect the ${display} gateway inside sandbox '${entry.name}'.`);
  }
  const outcome = await updateState(ctx.paths, async (state) => {
    const gateway = /** @type {Gateway} */ (state.gateways[gatewayName]);
    return recoverAgent(ctx, state, gateway, /** @type {Sandbox} */ (gateway.sandboxes[entry.name]), { mode });
  });
  if (mode !== "guard-chain") for (const line of outcome.log) ctx.err(`${line}\n`);
  if (outcome.result === "running") {
    say(ctx, `  Probe complete: ${display} gateway is running in '${entry.name}'.`);
    return 0;
  }
  if (outcome.result === "refused") {
    ctx.err(`  Probe failed: ${display} gateway is not running in '${entry.name}' and automatic recovery failed.\n  Check /tmp/gateway.log inside the sandbox for details.\n`);
    if (mode === "guard-chain") {
      ctx.err(`  Retry the managed restart from the host:\n    nemoclaw ${entry.name} gateway restart\n  If the sandbox image is incompatible or restart still fails, rebuild it:\n    nemoclaw ${entry.name} rebuild --yes\n`);
    }
    return 1;
  }
  say(ctx, `  Probe complete: recovered ${display} gateway in '${entry.name}'.`);
  return 0;
}

/**
 * `<sb> gateway restart [--quiet]` (≥ ≈v0.0.70): a forced relaunch that restores the whole
 * guard chain first (NC@d50338aa:src/lib/actions/sandbox/gateway-restart.ts:227-370). Failure
 * details are printed two spaces in (printGatewayRestartFailure).
 * @param {ToolContext} ctx @param {RegistryEntry} entry @param {OclifResult} parsed
 */
async function gatewayRestart(ctx, entry, parsed) {
  const quiet = Boolean(flag(parsed, "quiet"));
  const agent = typeof entry.agent === "string" && entry.agent ? entry.agent : "openclaw";
  const failLayer = (/** @type {string} */ layer, /** @type {string[]} */ details) => {
    ctx.err(`  Failure layer: ${layer} - gateway restart failed for '${entry.name}'.\n${details.map((line) => `  ${line}\n`).join("")}`);
    return 1;
  };
  if (agent !== "openclaw" && agent !== "hermes") {
    return failLayer("unsupported agent", [`Agent '${agent}' does not support gateway restart.`, "Gateway restart-supported agents: openclaw, hermes."]);
  }
  const live = requireLiveSandbox(ctx, entry);
  if (live.gateway.driver === "cluster-container") return failLayer("privileged control unavailable", ["SUPERVISOR_UNAVAILABLE"]);
  if (!quiet) {
    say(ctx);
    say(ctx, `  Restarting ${agentProduct(agent)} gateway in '${entry.name}'...`);
  }
  // Another lifecycle request holds the supervisor: the controller's bare SUPERVISOR_BUSY, reported
  // under the "privileged control unavailable" layer (NC@9708c264:src/lib/actions/sandbox/gateway-restart.ts,
  // classifyGatewayRestartFailure); NemoClaw does not retry it itself.
  const busy = await updateState(ctx.paths, async (state) => {
    const pending = state.options.supervisorBusy ?? [];
    const index = pending.indexOf(entry.name);
    if (index >= 0) pending.splice(index, 1);
    return index >= 0;
  });
  if (busy) return failLayer("privileged control unavailable", ["SUPERVISOR_BUSY"]);
  const outcome = await updateState(ctx.paths, async (state) => {
    const gateway = /** @type {Gateway} */ (state.gateways[live.gatewayName]);
    return recoverAgent(ctx, state, gateway, /** @type {Sandbox} */ (gateway.sandboxes[entry.name]), { mode: "guard-chain", force: true });
  });
  if (outcome.result === "refused") return failLayer("launch failure", ["GATEWAY_GUARDS_MISSING", ...outcome.log]);
  if (!quiet) say(ctx, `  ✓ Gateway restarted; health passed; forwards checked/recovered for '${entry.name}'.`);
  return 0;
}

/**
 * `<sb> stop|start` (≥ ≈v0.0.80): `docker stop|start` of the sandbox's labelled container; the
 * output lines are stand-ins (NC#6748 was not read).
 * @param {ToolContext} ctx @param {RegistryEntry} entry @param {"stop" | "start"} action
 */
async function stopOrStart(ctx, entry, action) {
  const { state, gatewayName, gateway, answers } = liveContext(ctx, entry);
  const sandbox = gateway?.sandboxes[entry.name];
  if (!gateway || !answers || !sandbox) die(ctx, `  Sandbox '${entry.name}' has no container on gateway '${gatewayName}'.`);
  if (!sandbox.container) die(ctx, `  Sandbox '${entry.name}' does not run in a Docker container (OpenShell driver: kubernetes).`);
  if (state.docker.daemon !== "running") die(ctx, "  Docker is not reachable.");
  await updateState(ctx.paths, async (live) => {
    const liveGateway = /** @type {Gateway} */ (live.gateways[gatewayName]);
    const liveSandbox = /** @type {Sandbox} */ (liveGateway.sandboxes[entry.name]);
    if (action === "stop") stopContainer(live, liveSandbox);
    else await startContainer(ctx.paths, live, liveGateway, liveSandbox);
  });
  say(ctx, action === "stop" ? `  ✓ Sandbox '${entry.name}' stopped` : `  ✓ Sandbox '${entry.name}' started`);
  return 0;
}

// ─── snapshots ────────────────────────────────────────────────────────────────────────────

/** @param {ToolContext} ctx @param {RegistryEntry} entry @param {string[]} args */
async function snapshot(ctx, entry, args) {
  const [sub, ...rest] = args;
  if (sub !== "create" && sub !== "list" && sub !== "restore") {
    if (sub === undefined) return notSimulated(ctx, "<sandbox> snapshot (usage)");
    // oclif runs `sandbox:snapshot` with the unknown word as its sandbox argument.
    ctx.err(` ›   Error: Unexpected argument: ${entry.name}\n ›   See more help with --help\n`);
    return 2;
  }
  const parsed = parseOrExit(ctx, `sandbox:snapshot:${sub}`, [entry.name, ...rest]);
  const gatewayName = entryGatewayName(entry);
  const backups = listBackups(ctx.paths, entry.name, ctx.version);
  if (sub === "list") {
    if (backups.length === 0) {
      say(ctx, `  No snapshots found for '${entry.name}'.`);
      return 0;
    }
    const rows = backups.map((manifest, index) => [`v${index + 1}`, manifest.name ?? "", manifest.timestamp, manifest.backupPath]);
    const widths = [7, 4, 9, 4].map((min, column) => Math.max(min, ...rows.map((row) => (row[column] ?? "").length)));
    const line = (/** @type {string[]} */ cells) => `    ${cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join("  ")}`;
    say(ctx, `  Snapshots for '${entry.name}':`);
    say(ctx);
    say(ctx, line(["Version", "Name", "Timestamp", "Path"]));
    for (const row of rows) say(ctx, line(row));
    say(ctx);
    say(ctx, `  ${backups.length} snapshot(s). Restore with:`);
    say(ctx, `    nemoclaw ${entry.name} snapshot restore [version|name|timestamp]`);
    return 0;
  }
  const cli = requireOpenshell(ctx);
  const { answers, sandbox } = snapshotLiveContext(ctx, entry);
  if (sub === "create") {
    const label = /** @type {string | undefined} */ (flag(parsed, "name"));
    refuseOnRpcIssue(ctx, loadState(ctx.paths), { gatewayName, cliVersion: cli.version, action: `snapshotting sandbox '${entry.name}'`, command: `nemoclaw ${entry.name} snapshot create` });
    if (label !== undefined) checkSnapshotName(ctx, entry.name, label, backups);
    say(ctx, `  Creating snapshot of '${entry.name}'${label ? ` (--name ${label})` : ""}...`);
    if (!answers || !sandbox) die(ctx, `  Sandbox '${entry.name}' is not running. Cannot create snapshot.`);
    if (!atLeast(ctx.version, NC.shieldsRemoved)) {
      const mode = shieldsMode(ctx, entry.name);
      if (atLeast(ctx.version, NC.snapshotShieldsWording)) {
        if (mode === "locked" || mode === "corrupt") die(ctx, `  Cannot create snapshot while shields are up.\n  Run \`nemoclaw ${entry.name} shields down\` first, then retry.`);
      } else if (mode === "locked") {
        // Before #4508 the state file is not consulted; copying the locked state fails ("previously exited 1 with the generic wording `Snapshot failed. Failed directories: ...`").
        die(ctx, "  Snapshot failed.\n  Failed directories: workspace");
      }
    }
    const state = loadState(ctx.paths);
    if (state.options.backupFails.includes(entry.name)) die(ctx, "  Snapshot failed.\n  Failed directories: workspace");
    const result = backupSandboxState(ctx.paths, sandboxRoot(ctx.paths, gatewayName, entry.name), {
      version: ctx.version,
      sandbox: entry.name,
      agentVersion: typeof entry.agentVersion === "string" ? entry.agentVersion : null,
      presets: entry.policies ?? [],
      label,
    });
    const version = listBackups(ctx.paths, entry.name, ctx.version).findIndex((manifest) => manifest.timestamp === result.manifest.timestamp) + 1;
    say(ctx, `  ✓ Snapshot v${version}${label ? ` name=${label}` : ""} created (${result.dirs} directories, ${result.files} files)`);
    say(ctx, `    ${result.manifest.backupPath}`);
    return 0;
  }
  refuseOnRpcIssue(ctx, loadState(ctx.paths), { gatewayName, cliVersion: cli.version, action: `restoring sandbox '${entry.name}'`, command: `nemoclaw ${entry.name} snapshot restore` });
  if (flag(parsed, "to")) return notSimulated(ctx, "<sandbox> snapshot restore --to");
  if (backups.length === 0) die(ctx, `  No snapshots found for '${entry.name}'.`);
  const selector = parsed.args.selector;
  const index = selector
    ? backups.findIndex((manifest, i) => `v${i + 1}` === selector || manifest.name === selector || manifest.timestamp === selector)
    : backups.length - 1;
  const manifest = backups[index];
  if (!manifest) {
    die(ctx, `  No snapshot matching '${selector}' found for '${entry.name}'.\n  Selector must be an exact version (v<N>), name, or timestamp.\n  Run: nemoclaw ${entry.name} snapshot list`);
  }
  say(ctx, `  Using ${selector ? "" : "latest "}snapshot v${index + 1}${manifest.name ? ` name=${manifest.name}` : ""} (${manifest.timestamp})`);
  if (!answers || !sandbox) die(ctx, `  Sandbox '${entry.name}' is not running. Cannot restore snapshot.`);
  say(ctx, `  Restoring snapshot into '${entry.name}'...`);
  restoreSandboxState(sandboxRoot(ctx.paths, gatewayName, entry.name), manifest);
  say(ctx, `  ✓ Restored ${manifest.backedUpDirs.length} directories, ${manifest.stateFiles.length} files`);
  await reconcileSnapshotPresets(ctx, entry, gatewayName, manifest);
  return 0;
}

/**
 * After the files, restore makes the sandbox's policy presets the snapshot's `policyPresets`,
 * adding and removing presets; a snapshot without that field (from before it was recorded) leaves
 * them alone (#2328, 09bcd0af, before the v0.0.25 release prep 6966f4b7;
 * NC@d50338aa:src/lib/actions/sandbox/snapshot.ts reconcileSnapshotPolicyPresets). Custom policies
 * (`customPolicies`, #5104) are not simulated: the simulator has none.
 * @param {ToolContext} ctx @param {RegistryEntry} entry @param {string} gatewayName @param {import("../lib/backups.mjs").RebuildManifest} manifest
 */
async function reconcileSnapshotPresets(ctx, entry, gatewayName, manifest) {
  if (!Array.isArray(manifest.policyPresets)) return;
  const wanted = manifest.policyPresets;
  const current = entry.policies ?? [];
  const toAdd = wanted.filter((preset) => !current.includes(preset));
  const toRemove = current.filter((preset) => !wanted.includes(preset));
  if (toAdd.length === 0 && toRemove.length === 0) return;
  const summary = [...(toAdd.length > 0 ? [`add ${toAdd.join(", ")}`] : []), ...(toRemove.length > 0 ? [`remove ${toRemove.join(", ")}`] : [])];
  say(ctx, `  Reconciling policy presets on '${entry.name}': ${summary.join("; ")}`);
  await updateState(ctx.paths, (state) => {
    const live = state.gateways[gatewayName]?.sandboxes[entry.name];
    if (!live) return;
    for (const preset of toRemove) {
      live.presets = live.presets.filter((p) => p !== preset);
      live.policyVersion += 1;
      live.resourceVersion += 1;
    }
    applyPresets(ctx, live, toAdd, { quiet: true });
  });
  await updateRegistry(
    ctx.paths,
    (registry) => {
      const row = registry.sandboxes[entry.name];
      if (row) row.policies = [...wanted];
    },
    ctx.err,
  );
}

/**
 * Where `snapshot create|restore` looks for the sandbox: from #5225 (≈v0.0.65) on its registered
 * gateway; before, `openshell sandbox list` without `-g`, i.e. on the selected gateway
 * (OPENSHELL_GATEWAY, else the active one; NC@4aa341ce^:src/lib/actions/sandbox/snapshot.ts:353-357,419-462).
 * @param {ToolContext} ctx @param {RegistryEntry} entry
 */
function snapshotLiveContext(ctx, entry) {
  const live = liveContext(ctx, entry);
  if (atLeast(ctx.version, NC.snapshotOwnGateway)) return live;
  const selected = ctx.env.OPENSHELL_GATEWAY?.trim() || readActiveGateway(ctx.paths);
  return selected === live.gatewayName ? live : { ...live, sandbox: undefined };
}

/**
 * Snapshot names (NC@d50338aa:src/lib/state/sandbox.ts:588-605,967-997): invalid, `v<N>` in any case
 * (VERSION_SELECTOR_RE is case-insensitive), or already taken by this sandbox.
 * @param {ToolContext} ctx
 * @param {string} sandbox
 * @param {string} label
 * @param {import("../lib/backups.mjs").RebuildManifest[]} backups
 */
function checkSnapshotName(ctx, sandbox, label, backups) {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(label)) {
    die(ctx, `  Invalid snapshot name '${label}'. Use 1–63 chars from [A-Za-z0-9._-], starting with an alphanumeric.`);
  }
  if (/^v\d+$/i.test(label)) die(ctx, `  Snapshot name '${label}' conflicts with the auto-assigned version format (v<N>). Pick a different name.`);
  const existing = backups.find((manifest) => manifest.name === label);
  if (existing) die(ctx, `  Snapshot name '${label}' already exists for '${sandbox}' (at ${existing.timestamp}). Pick a different name or delete the existing snapshot.`);
}

// ─── shields ──────────────────────────────────────────────────────────────────────────────

/**
 * The shields state of a sandbox (`~/.nemoclaw/state/shields-<sb>.json`): no file or a file
 * without `shieldsDown` → mutable default (NC@d50338aa:src/lib/shields/index.ts:706-712); a file
 * that is not JSON, or whose fields have the wrong types, is corrupt (`isShieldsState`, :869-882;
 * `permanent`, `chattrApplied` and `fileHashes`, which only some releases check, are not).
 * @param {ToolContext} ctx
 * @param {string} name
 * @returns {"mutable_default" | "locked" | "temporarily_unlocked" | "corrupt"}
 */
export function shieldsMode(ctx, name) {
  const path = join(ctx.paths.nemoclawStateDir, `shields-${name}.json`);
  if (!existsSync(path)) return "mutable_default";
  let state;
  try {
    state = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return "corrupt";
  }
  const typed = (/** @type {unknown} */ value, /** @type {string} */ type, nullable = true) =>
    value === undefined || (nullable && value === null) || (typeof value === type && (type !== "number" || Number.isFinite(value)));
  const shaped =
    state !== null && typeof state === "object" && !Array.isArray(state) &&
    typed(state.shieldsDown, "boolean", false) && typed(state.updatedAt, "string", false) && typed(state.shieldsDownTimeout, "number") &&
    ["shieldsDownAt", "shieldsDownReason", "shieldsDownPolicy", "shieldsPolicySnapshotPath"].every((key) => typed(state[key], "string"));
  if (!shaped) return "corrupt";
  if (state.shieldsDown === true) return "temporarily_unlocked";
  if (state.shieldsDown === false) return "locked";
  return "mutable_default";
}

/** @param {ToolContext} ctx @param {RegistryEntry} entry @param {string[]} args */
function shields(ctx, entry, args) {
  const [sub, ...rest] = args;
  if (sub !== "up" && sub !== "down" && sub !== "status") return notSimulated(ctx, `<sandbox> shields ${sub ?? ""}`.trim());
  const parsed = parseOrExit(ctx, `sandbox:shields:${sub}`, [entry.name, ...rest]);
  const path = join(ctx.paths.nemoclawStateDir, `shields-${entry.name}.json`);
  const mode = shieldsMode(ctx, entry.name);
  const current = readJsonIfExists(path);
  if (sub === "status") {
    if (mode === "corrupt") {
      ctx.err("  Shields: ERROR (state file is corrupt)\n");
      return 1;
    }
    if (mode === "mutable_default") {
      say(ctx, "  Shields: NOT CONFIGURED (default mutable state)");
      say(ctx, "  Config is mutable. Run `nemoclaw <sandbox> shields up` to opt into lockdown.");
      return 0;
    }
    if (mode === "locked") {
      say(ctx, "  Shields: UP (lockdown active)");
      return 0;
    }
    say(ctx, "  Shields: DOWN (temporarily unlocked)");
    const remaining = Math.max(0, Date.parse(current.shieldsDownAt) + Number(current.shieldsDownTimeout) * 1000 - Date.now());
    say(ctx, `  Auto-lockdown in: ${Math.floor(remaining / 60000)}m ${Math.floor((remaining % 60000) / 1000)}s`);
    return 0;
  }
  mkdirSync(ctx.paths.nemoclawStateDir, { recursive: true, mode: 0o700 });
  const now = new Date().toISOString();
  if (sub === "up") {
    if (mode === "locked") {
      say(ctx, "  Lockdown is already active.");
      return 0;
    }
    writeFileAtomic(path, `${JSON.stringify({ shieldsDown: false, updatedAt: now }, null, 2)}\n`, 0o600);
    say(ctx, `  Lockdown active for ${entry.name}`);
    return 0;
  }
  if (mode === "temporarily_unlocked") die(ctx, `  Config is already unlocked for ${entry.name} (since ${current.shieldsDownAt}).\n  Run \`nemoclaw shields up\` first, or use --extend (not yet implemented).`);
  const seconds = Number(flag(parsed, "timeout") ?? 300);
  const next = { shieldsDown: true, shieldsDownAt: now, shieldsDownTimeout: seconds, shieldsDownReason: flag(parsed, "reason") ?? null, shieldsDownPolicy: flag(parsed, "policy") ?? "permissive", updatedAt: now };
  writeFileAtomic(path, `${JSON.stringify(next, null, 2)}\n`, 0o600);
  say(ctx, `  Config unlocked for ${entry.name} (auto-lockdown in: ${Math.floor(seconds / 60)}m${seconds % 60 ? ` ${seconds % 60}s` : ""})`);
  return 0;
}

// ─── policy presets ───────────────────────────────────────────────────────────────────────

/**
 * `policy-add|policy-remove <preset> --yes`; confirmation is skipped by --yes, -y, --force or
 * NEMOCLAW_NON_INTERACTIVE=1. Re-adding an applied preset and removing an absent one exit 1
 * (NC@d50338aa:src/lib/actions/sandbox/policy-channel.ts:92-271).
 * @param {ToolContext} ctx @param {RegistryEntry} entry @param {OclifResult} parsed @param {"add" | "remove"} change
 */
async function policyChange(ctx, entry, parsed, change) {
  const raw = parsed.args.preset;
  const verb = change === "add" ? "policy-add" : "policy-remove";
  const confirmed = flag(parsed, "yes") || flag(parsed, "force") || ctx.env.NEMOCLAW_NON_INTERACTIVE === "1";
  if (!raw) {
    if (!confirmed) return notSimulated(ctx, `<sandbox> ${verb} (interactive preset picker)`);
    die(ctx, `  Non-interactive mode requires a preset name.\n  Usage: nemoclaw <sandbox> ${verb} <preset> [--yes] [--dry-run]`);
  }
  const preset = raw.trim().toLowerCase();
  const known = presetNames(ctx.version);
  const applied = entry.policies ?? [];
  if (!known.includes(preset)) die(ctx, `  Unknown preset '${raw}'.\n  Valid presets: ${(change === "add" ? known : applied).join(", ") || "(none)"}`);
  if (change === "add" && applied.includes(preset)) die(ctx, `  Preset '${preset}' is already applied.`);
  if (change === "remove" && !applied.includes(preset)) die(ctx, `  Preset '${preset}' is not applied.`);
  const hosts = presetHosts(preset);
  if (hosts.length > 0) say(ctx, `  Endpoints that would be ${change === "add" ? "opened" : "removed"}: ${hosts.join(", ")}`);
  if (flag(parsed, "dry-run")) {
    say(ctx, "  --dry-run: no changes applied.");
    return 0;
  }
  if (!confirmed) return notSimulated(ctx, `<sandbox> ${verb} (interactive confirmation)`);
  const { gatewayName, answers, sandbox } = liveContext(ctx, entry);
  if (!answers || !sandbox) die(ctx, `  Could not read current policy for sandbox '${entry.name}'.`);
  await updateState(ctx.paths, (state) => {
    const live = /** @type {Sandbox} */ (state.gateways[gatewayName]?.sandboxes[entry.name]);
    if (change === "add") applyPresets(ctx, live, [preset], { quiet: false });
    else removePresetFromPolicy(ctx, live, preset);
  });
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
  const { answers } = liveContext(ctx, entry);
  say(ctx);
  say(ctx, `  Policy presets for sandbox '${entry.name}':`);
  for (const preset of presetNames(ctx.version)) say(ctx, `    ${applied.includes(preset) ? "●" : "○"} ${preset}`);
  if (!answers) {
    say(ctx);
    say(ctx, "  ⚠ Could not query gateway — showing local state only.");
  }
  say(ctx);
  return 0;
}
