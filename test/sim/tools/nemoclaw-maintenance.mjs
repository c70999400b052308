// @ts-check
// `nemoclaw list`, `backup-all`, `upgrade-sandboxes` and `inference set|get`, per release.

import { backupSandboxState, listBackups } from "../lib/backups.mjs";
import { readActiveGateway } from "../lib/gateways.mjs";
import { agentDisplay, refuseOnRpcIssue, requireOpenshell, say } from "../lib/nemoclaw-core.mjs";
import { entryGatewayName, readRegistry, updateRegistry } from "../lib/registry.mjs";
import { NC } from "../lib/releases.mjs";
import { sandboxRoot } from "../lib/sandbox.mjs";
import { gatewayAnswers, loadState, reportedPhase, updateState } from "../lib/state.mjs";
import { readJsonIfExists, SimExit } from "../lib/util.mjs";
import { atLeast } from "../lib/versions.mjs";
import { notSimulated } from "./nemoclaw.mjs";
import { die, liveContext, parseOrExit, runSandboxAction } from "./nemoclaw-sandbox.mjs";

/**
 * @typedef {import("../lib/runtime.mjs").ToolContext} ToolContext
 * @typedef {import("../lib/registry.mjs").RegistryEntry} RegistryEntry
 * @typedef {import("../lib/state.mjs").Gateway} Gateway
 */

/**
 * `list`. A `--json` row is NemoClaw's projection of the registry entry, with every field present
 * and its fallbacks (`buildSandboxInventoryRow`, NC@d50338aa:src/lib/inventory/index.ts:181-216);
 * the GPU and OpenShell fields arrived with the Docker driver (#3001; before it,
 * NC@eb15e55e^:src/lib/inventory-commands.ts:126-145). No SSH session is ever open on a simulated sandbox.
 * @param {ToolContext} ctx @param {string[]} args
 */
export function list(ctx, args) {
  const parsed = parseOrExit(ctx, "list", args);
  const registry = readRegistry(ctx.paths);
  const orNull = (/** @type {unknown} */ value) => (typeof value === "string" && value ? value : null);
  const rows = Object.values(registry.sandboxes).map((/** @type {RegistryEntry} */ entry) => ({
    name: entry.name,
    model: orNull(entry.model),
    provider: orNull(entry.provider),
    gpuEnabled: entry.gpuEnabled === true,
    ...(atLeast(ctx.version, NC.dockerDriver)
      ? {
          hostGpuDetected: entry.hostGpuDetected === true,
          sandboxGpuEnabled: typeof entry.sandboxGpuEnabled === "boolean" ? entry.sandboxGpuEnabled : entry.gpuEnabled === true,
          sandboxGpuMode: orNull(entry.sandboxGpuMode),
          sandboxGpuDevice: orNull(entry.sandboxGpuDevice),
          openshellDriver: orNull(entry.openshellDriver),
          openshellVersion: orNull(entry.openshellVersion),
        }
      : {}),
    policies: Array.isArray(entry.policies) ? entry.policies : [],
    agent: orNull(entry.agent),
    ...(entry.dashboardPort != null ? { dashboardPort: entry.dashboardPort } : {}),
    isDefault: registry.defaultSandbox === entry.name,
    activeSessionCount: null,
    connected: false,
  }));
  if (parsed.flags.get("json")) {
    const result = {
      ...(atLeast(ctx.version, NC.dockerDriver) ? { schemaVersion: 1 } : {}),
      defaultSandbox: registry.defaultSandbox,
      recovery: { recoveredFromSession: false, recoveredFromGateway: 0 },
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
    say(ctx, `      model: ${row.model ?? "unknown"}  provider: ${row.provider ?? "unknown"}  GPU: ${row.gpuEnabled ? "on" : "off"}  policies: ${row.policies.join(", ") || "none"}`);
  }
  say(ctx);
  say(ctx, "  * = default sandbox");
  return 0;
}

/**
 * `backup-all` (NC@d50338aa:src/lib/actions/maintenance.ts:31-154): the registered sandboxes that
 * are Ready on the selected gateway (OPENSHELL_GATEWAY, else the active one); everything else is
 * skipped. Exit 1 when a backup failed, or — from ≈v0.0.76 — when one was skipped under
 * NEMOCLAW_REQUIRE_ALL_SANDBOX_BACKUPS=1.
 * @param {ToolContext} ctx @param {string[]} args
 */
export async function backupAll(ctx, args) {
  parseOrExit(ctx, "backup-all", args);
  const registry = readRegistry(ctx.paths);
  const entries = Object.values(registry.sandboxes);
  if (entries.length === 0) {
    say(ctx, "  No sandboxes registered. Nothing to back up.");
    return 0;
  }
  const cli = requireOpenshell(ctx);
  const state = loadState(ctx.paths);
  const selected = ctx.env.OPENSHELL_GATEWAY?.trim() || readActiveGateway(ctx.paths);
  const gateway = selected ? state.gateways[selected] : undefined;
  if (selected) refuseOnRpcIssue(ctx, state, { gatewayName: selected, cliVersion: cli.version, action: "backing up registered sandboxes", command: "nemoclaw backup-all" });
  const live = gateway && gatewayAnswers(state, gateway) ? gateway : null;
  let backed = 0;
  let failed = 0;
  let skipped = 0;
  for (const entry of entries) {
    const sandbox = live?.sandboxes[entry.name];
    if (!live || !sandbox || reportedPhase(state, sandbox) !== "Ready") {
      say(ctx, `  Skipping '${entry.name}' (not running)`);
      skipped++;
      continue;
    }
    say(ctx, `  Backing up '${entry.name}'...`);
    if (state.options.backupFails.includes(entry.name)) {
      ctx.err(`  ✗ ${entry.name}: backup failed (workspace)\n`);
      failed++;
      continue;
    }
    const result = backupSandboxState(ctx.paths, sandboxRoot(ctx.paths, live.name, sandbox.name), {
      version: ctx.version,
      sandbox: entry.name,
      agentVersion: typeof entry.agentVersion === "string" ? entry.agentVersion : null,
      presets: entry.policies ?? [],
    });
    say(ctx, `  ✓ ${entry.name}: ${result.dirs} dirs, ${result.files} files → ${result.manifest.backupPath}`);
    backed++;
  }
  say(ctx);
  say(ctx, `  Pre-upgrade backup: ${backed} backed up, ${failed} failed, ${skipped} skipped`);
  if (backed > 0) say(ctx, "  Backups stored in: ~/.nemoclaw/rebuild-backups/");
  if (failed > 0) return 1;
  if (atLeast(ctx.version, NC.strictBackupAll) && ctx.env.NEMOCLAW_REQUIRE_ALL_SANDBOX_BACKUPS === "1" && skipped > 0) {
    ctx.err(`\n  Strict pre-upgrade backup requires every registered sandbox to be backed up; ${skipped} sandbox(es) were skipped.\n  Resolve each skipped sandbox using its reason above and retry.\n`);
    return 1;
  }
  return 0;
}

/**
 * `upgrade-sandboxes [--check] [--auto] [--yes]` (NC@d50338aa:src/lib/actions/upgrade-sandboxes.ts:223-438):
 * a sandbox is stale when its recorded agent version differs from the one this release bundles;
 * only the selected gateway is covered. `--check` exits 0 even when sandboxes are stale.
 * @param {ToolContext} ctx @param {string[]} args
 */
export async function upgradeSandboxes(ctx, args) {
  const parsed = parseOrExit(ctx, "upgrade-sandboxes", args);
  const registry = readRegistry(ctx.paths);
  const entries = Object.values(registry.sandboxes);
  if (entries.length === 0) {
    say(ctx, "  No sandboxes found in the registry.");
    return 0;
  }
  const state = loadState(ctx.paths);
  const selected = ctx.env.OPENSHELL_GATEWAY?.trim() || readActiveGateway(ctx.paths);
  const expected = state.options.openclawVersion;
  /** @type {{ entry: RegistryEntry; running: boolean }[]} */
  const stale = [];
  /** @type {RegistryEntry[]} */
  const unobserved = [];
  /** @type {RegistryEntry[]} */
  const prepared = [];
  for (const entry of entries) {
    const { gateway, answers, sandbox } = liveContext(ctx, entry);
    if (!gateway || !answers || entryGatewayName(entry) !== selected) {
      unobserved.push(entry);
      continue;
    }
    if (!sandbox) {
      // Absent from the gateway: recoverable only from a validated pre-upgrade backup.
      if (ctx.env.NEMOCLAW_RESTORE_LATEST_BACKUP_ON_RECREATE === "1" && listBackups(ctx.paths, entry.name, ctx.version).length > 0) prepared.push(entry);
      continue;
    }
    if (entry.agentVersion !== expected) stale.push({ entry, running: reportedPhase(state, sandbox) === "Ready" });
  }
  if (prepared.length > 0) {
    say(ctx);
    say(ctx, "  Prepared backup recovery:");
    for (const entry of prepared) say(ctx, `    ${entry.name}  ${/** @type {{ timestamp: string }} */ (listBackups(ctx.paths, entry.name, ctx.version).at(-1)).timestamp}  (non-Ready)`);
  }
  if (stale.length === 0 && prepared.length === 0) {
    say(ctx, "  All sandboxes are up to date.");
    return 0;
  }
  if (stale.length > 0) {
    say(ctx);
    say(ctx, "  Stale sandboxes:");
    for (const { entry, running } of stale) say(ctx, `    ${entry.name}  ${agentDisplay(entry.agent)} v${String(entry.agentVersion ?? "?")} → v${expected}  (${running ? "running" : "stopped"})`);
  }
  say(ctx);
  if (parsed.flags.get("check")) {
    if (stale.length > 0) say(ctx, `  ${stale.length} sandbox(es) need upgrading.`);
    if (prepared.length > 0) say(ctx, `  ${prepared.length} non-Ready sandbox(es) have a validated pre-upgrade backup.`);
    say(ctx, "  Run `nemoclaw upgrade-sandboxes` to rebuild them.");
    return 0;
  }
  if (unobserved.length > 0) say(ctx, `  Skipping ${unobserved.length} sandbox(es) not observed on the selected gateway — verify their recorded gateway or start them first.`);
  const runnable = [...stale.filter((item) => item.running), ...prepared.map((entry) => ({ entry, running: true }))];
  if (runnable.length === 0) {
    say(ctx, "  No running stale sandboxes to rebuild.");
    return 0;
  }
  if (!parsed.flags.get("auto") && !parsed.flags.get("yes")) return notSimulated(ctx, "upgrade-sandboxes (interactive confirmation)");
  let rebuilt = 0;
  let failed = 0;
  for (const { entry } of runnable) {
    try {
      const code = await runSandboxAction(ctx, entry.name, "rebuild", ["--yes"]);
      if (code === 0) rebuilt++;
      else {
        ctx.err(`  ⚠ Failed to rebuild '${entry.name}': exit ${code}\n`);
        failed++;
      }
    } catch (error) {
      if (!(error instanceof SimExit)) throw error;
      ctx.err(`  ⚠ Failed to rebuild '${entry.name}': exit ${error.code}\n`);
      failed++;
    }
  }
  say(ctx);
  if (rebuilt > 0) say(ctx, `  ✓ ${rebuilt} sandbox(es) rebuilt.`);
  if (failed > 0) {
    ctx.err(`  ⚠ ${failed} sandbox(es) failed — see errors above.\n`);
    return 1;
  }
  return 0;
}

/** OpenShell provider names `inference set` accepts (NC@d50338aa:src/lib/actions/inference-set.ts:130-183). */
const GATEWAY_PROVIDERS = ["nvidia-prod", "nvidia-nim", "nvidia-router", "openai-api", "anthropic-prod", "compatible-anthropic-endpoint", "gemini-api", "compatible-endpoint", "hermes-provider", "ollama-local", "vllm-local"];
const ONBOARD_KEYS = /** @type {Record<string, string>} */ ({
  anthropiccompatible: "compatible-anthropic-endpoint", build: "nvidia-prod", cloud: "nvidia-prod", openai: "openai-api", anthropic: "anthropic-prod",
  gemini: "gemini-api", hermes: "hermes-provider", hermesprovider: "hermes-provider", nous: "hermes-provider", "nous-portal": "hermes-provider",
  custom: "compatible-endpoint", ollama: "ollama-local", vllm: "vllm-local", nim: "nvidia-nim", "nim-local": "nvidia-nim", routed: "nvidia-router",
});

/**
 * `nemoclaw inference set|get` and the sandbox-first `nemoclaw <sb> inference set` (≥ ≈v0.0.74).
 * `set` switches the gateway-wide route (`openshell inference set -g <gw> …`) and rewrites the
 * route on every registry row of that gateway. Errors of `failWithLines` carry no indent.
 * @param {ToolContext} ctx
 * @param {string[]} args `set|get` and its flags
 * @param {string | null} sandboxFirst
 */
export async function inference(ctx, args, sandboxFirst) {
  const [verb, ...rest] = args;
  if (verb === "get") {
    if (!atLeast(ctx.version, NC.inferenceGet)) return unknownGlobal(ctx, "inference");
    const parsed = parseOrExit(ctx, "inference:get", rest);
    const entry = selectedEntry(ctx, /** @type {string | undefined} */ (parsed.flags.get("sandbox")));
    const { gateway, answers } = liveContext(ctx, entry);
    if (!gateway || !answers || !gateway.inference) die(ctx, "  OpenShell inference route is not configured.");
    say(ctx, parsed.flags.get("json") ? JSON.stringify({ provider: gateway.inference.provider, model: gateway.inference.model }, null, 2) : `Provider: ${gateway.inference.provider}\nModel: ${gateway.inference.model}`);
    return 0;
  }
  if (verb !== "set") return verb === undefined && !atLeast(ctx.version, NC.inferenceSet) ? unknownGlobal(ctx, "inference") : notSimulated(ctx, `inference ${verb ?? ""}`.trim());
  if (!atLeast(ctx.version, NC.inferenceSet)) return unknownGlobal(ctx, "inference");
  const parsed = parseOrExit(ctx, sandboxFirst ? "sandbox:inference:set" : "inference:set", sandboxFirst ? [sandboxFirst, ...rest] : rest);
  const rawProvider = /** @type {string | undefined} */ (parsed.flags.get("provider"));
  const model = /** @type {string | undefined} */ (parsed.flags.get("model"));
  if (!rawProvider || !model) missingProviderOrModel(ctx, sandboxFirst);
  const provider = /** @type {string} */ (rawProvider);
  const mapped = atLeast(ctx.version, NC.inferenceSetOnboardKeys) ? (ONBOARD_KEYS[provider.toLowerCase()] ?? provider) : provider;
  const fail = (/** @type {string} */ text, code = 2) => {
    ctx.err(`${text}\n`);
    throw new SimExit(code);
  };
  if (!GATEWAY_PROVIDERS.includes(mapped)) fail(`Unsupported provider '${provider}'. Supported providers: ${GATEWAY_PROVIDERS.join(", ")}.`);
  if (!/^[A-Za-z0-9._:/-]+$/.test(/** @type {string} */ (model))) fail("Invalid model id. Model values may only contain letters, numbers, '.', '_', ':', '/', and '-'.");
  const registry = readRegistry(ctx.paths);
  const name = sandboxFirst ?? /** @type {string | undefined} */ (parsed.flags.get("sandbox")) ?? registry.defaultSandbox ?? undefined;
  if (!name) fail("No sandbox selected. Pass --sandbox <name> or create a sandbox with nemoclaw onboard.");
  const entry = registry.sandboxes[/** @type {string} */ (name)];
  if (!entry) return fail(`Sandbox '${name}' is not registered.`);
  if (entry.agent === "langchain-deepagents-code") fail(`nemoclaw inference set supports OpenClaw and Hermes sandboxes; '${name}' uses 'langchain-deepagents-code'. Deep Agents Code bakes its model into the sandbox image at build time.`);
  const { gatewayName, gateway, answers } = liveContext(ctx, entry);
  if (!gateway || !answers) fail(`OpenShell inference route update failed with exit 1.\nOpenShell detail: gateway '${gatewayName}' is not reachable`, 1);
  const live = /** @type {Gateway} */ (gateway);
  if (!live.providers[mapped]) {
    const registered = Object.keys(live.providers);
    fail(
      `OpenShell inference route update failed with exit 1.\nOpenShell detail: provider '${mapped}' not found\n${registered.length > 0 ? `Registered providers: ${registered.join(", ")}` : "No providers registered"}\nTip: register a new provider with \`nemoclaw onboard\`.`,
      1,
    );
  }
  say(ctx, `  Setting OpenShell inference route: ${mapped} / ${model}`);
  await updateState(ctx.paths, (state) => {
    const target = /** @type {Gateway} */ (state.gateways[gatewayName]);
    target.inference = { provider: mapped, model: /** @type {string} */ (model) };
    target.routes ??= {};
    target.routes["inference.local"] = { provider: mapped, model: /** @type {string} */ (model), version: (target.routes["inference.local"]?.version ?? 0) + 1, timeoutSecs: 0 };
  });
  await updateRegistry(
    ctx.paths,
    (rows) => {
      for (const row of Object.values(rows.sandboxes)) {
        if (entryGatewayName(row) === gatewayName) Object.assign(row, { provider: mapped, model });
      }
    },
    ctx.err,
  );
  say(ctx, `  Syncing OpenClaw model identity in sandbox '${name}'...`);
  say(ctx, `  Inference route synced for '${name}': ${mapped}/${model}`);
  return 0;
}

/**
 * `inference set` without --provider/--model, by era: oclif's required flags (v0.0.39–v0.0.55),
 * the OpenShell hint (v0.0.56–v0.0.75), NemoClaw's own usage text (≥ v0.0.76).
 * @param {ToolContext} ctx
 * @param {string | null} sandboxFirst
 * @returns {never}
 */
function missingProviderOrModel(ctx, sandboxFirst) {
  if (atLeast(ctx.version, NC.inferenceSetOnboardKeys)) {
    const form = sandboxFirst ? `nemoclaw ${sandboxFirst} inference set --provider <provider> --model <model>` : "nemoclaw inference set --provider <provider> --model <model> [--sandbox <name>]";
    ctx.err(`  nemoclaw inference set requires --provider and --model.\n\n  Run: ${form}\n  NemoClaw must perform this operation so it can protect every sandbox sharing the target gateway.\n\n  Run 'nemoclaw help' for NemoClaw commands.\n`);
    throw new SimExit(1);
  }
  if (atLeast(ctx.version, NC.inferenceSetHint)) {
    ctx.err("  Unknown nemoclaw command: inference set\n\n  This operation belongs to OpenShell.\n  Run: openshell inference set -g nemoclaw --model <model> --provider <provider>\n  To also sync the running sandbox config, pass --provider and --model to nemoclaw inference set.\n\n  Run 'nemoclaw help' for NemoClaw commands.\n");
    throw new SimExit(1);
  }
  const text = "The following error occurred:\n  Missing required flag provider\nSee more help with --help";
  if (atLeast(ctx.version, NC.flagValidationPrinted)) ctx.err(`  ${text}\n`);
  else ctx.err(`FailedFlagValidationError: ${text}\n    at Parser.parse (node_modules/@oclif/core/lib/parser/parse.js)\n\nNode.js ${process.version}\n`);
  throw new SimExit(atLeast(ctx.version, NC.flagValidationPrinted) ? 2 : 1);
}

/** Before `inference` existed the dispatcher treated the word as a sandbox name. @param {ToolContext} ctx @param {string} word */
function unknownGlobal(ctx, word) {
  ctx.err(`  Sandbox '${word}' does not exist.\n  Run 'nemoclaw onboard' to create one.\n`);
  return 1;
}

/** @param {ToolContext} ctx @param {string | undefined} name */
function selectedEntry(ctx, name) {
  const registry = readRegistry(ctx.paths);
  const chosen = name ?? registry.defaultSandbox ?? Object.keys(registry.sandboxes)[0];
  const entry = chosen ? registry.sandboxes[chosen] : undefined;
  if (!entry) die(ctx, chosen ? `  Sandbox '${chosen}' does not exist.` : "  No sandboxes are registered. Run 'nemoclaw onboard' first.");
  return entry;
}
