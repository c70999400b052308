// @ts-check
// The `nemoclaw` CLI front controller, per release: `--version`, global commands, the
// sandbox-first grammar `nemoclaw <sandbox> <action> …` and the native `nemoclaw sandbox <action>
// <sandbox> …`. Each command line is checked against the release's flags (lib/nemoclaw-cli.mjs)
// with oclif's texts before anything runs; unknown actions and sandboxes get the dispatcher's
// texts (NC@d50338aa:src/lib/cli/public-dispatch.ts). Output is what NemoClaw prints when stdout
// is not a terminal (no colour).

import { GLOBAL_COMMANDS, sandboxActions } from "../lib/nemoclaw-cli.mjs";
import { say, uncaught } from "../lib/nemoclaw-core.mjs";
import { readRegistry, updateRegistry } from "../lib/registry.mjs";
import { NC } from "../lib/releases.mjs";
import { gatewayAnswers, loadState, updateState } from "../lib/state.mjs";
import { atLeast } from "../lib/versions.mjs";
import { backupAll, inference, list, upgradeSandboxes } from "./nemoclaw-maintenance.mjs";
import { onboard } from "./nemoclaw-onboard.mjs";
import { runSandboxAction } from "./nemoclaw-sandbox.mjs";

/** @typedef {import("../lib/runtime.mjs").ToolContext} ToolContext */

/** @param {ToolContext} ctx */
export async function run(ctx) {
  const [first, ...rest] = ctx.args;
  if (first === "--version" || first === "-v" || first === "version") {
    say(ctx, `nemoclaw v${ctx.version}`);
    return 0;
  }
  if (first === undefined || first === "help" || first === "--help" || first === "-h") return notSimulated(ctx, "help");
  checkEnvironment(ctx);
  switch (first) {
    case "onboard":
      return onboard(ctx, rest);
    case "list":
      return list(ctx, rest);
    case "backup-all":
      return backupAll(ctx, rest);
    case "upgrade-sandboxes":
      return upgradeSandboxes(ctx, rest);
    case "inference":
      return inference(ctx, rest, null);
    case "sandbox": {
      // Native grammar: `nemoclaw sandbox <action> [<sub>] <name> …`.
      const [action = "", ...more] = rest;
      const nested = ["snapshot", "shields", "policy", "gateway", "inference"].includes(action) && more[0] && !more[0].startsWith("-") ? more.shift() : undefined;
      const name = more.shift() ?? "";
      return dispatchSandbox(ctx, name, action === "policy" && nested ? `policy-${nested}` : action, [...(nested && action !== "policy" ? [nested] : []), ...more]);
    }
  }
  if (GLOBAL_COMMANDS.includes(first)) return notSimulated(ctx, first);
  const action = rest[0] === undefined || rest[0].startsWith("-") ? "connect" : rest[0];
  return dispatchSandbox(ctx, first, action, rest[0] === undefined || rest[0].startsWith("-") ? rest : rest.slice(1));
}

/** @param {ToolContext} ctx @param {string} what */
export function notSimulated(ctx, what) {
  ctx.err(`fleet-sim: 'nemoclaw ${what}' is not simulated\n`);
  return 64;
}

/**
 * Settings NemoClaw validates when its modules load, for any command: a bad gateway port or bind
 * address throws before anything runs (NC@d50338aa:src/lib/core/ports.ts:13-120,
 * core/gateway-address.ts:13-25).
 * @param {ToolContext} ctx
 */
function checkEnvironment(ctx) {
  const raw = ctx.env.NEMOCLAW_GATEWAY_PORT;
  if (raw !== undefined && raw !== "") {
    const port = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || port < 1024 || port > 65535) uncaught(ctx, `Invalid port: NEMOCLAW_GATEWAY_PORT="${raw}" — must be an integer between 1024 and 65535`);
    if (port >= 18789 && port <= 18799) uncaught(ctx, `Invalid port: NEMOCLAW_GATEWAY_PORT="${port}" — must not overlap the 18789-18799 dashboard port range`);
    const reserved = /** @type {Record<number, string>} */ ({ 8000: "vLLM / NIM inference", 11434: "Ollama inference", 11435: "Ollama auth proxy", 11436: "Bedrock Runtime adapter" })[port];
    if (reserved) uncaught(ctx, `Invalid port: NEMOCLAW_GATEWAY_PORT="${port}" — must not overlap the ${reserved} default port (${port})`);
  }
  // Read (and checked) from #3425 (v0.0.40); earlier releases ignore the variable.
  const bind = atLeast(ctx.version, NC.bindAddress) ? ctx.env.NEMOCLAW_GATEWAY_BIND_ADDRESS : undefined;
  if (bind !== undefined && bind !== "" && !["127.0.0.1", "0.0.0.0"].includes(bind.trim())) {
    uncaught(ctx, `Invalid gateway bind address: NEMOCLAW_GATEWAY_BIND_ADDRESS="${bind}" — must be either 127.0.0.1 or 0.0.0.0`);
  }
}

/**
 * The sandbox-first grammar: action known to the release? sandbox registered (or recoverable
 * from the live gateway)? Then the action runs.
 * @param {ToolContext} ctx
 * @param {string} name
 * @param {string} action
 * @param {string[]} args
 */
async function dispatchSandbox(ctx, name, action, args) {
  const registry = readRegistry(ctx.paths);
  const known = sandboxActions(ctx.version).includes(action);
  if (!known) {
    if (registry.sandboxes[name]) {
      ctx.err(`  Unknown action: ${action}\n  Valid actions: ${sandboxActions(ctx.version).join(", ")}\n`);
      if (atLeast(ctx.version, NC.toolDisclosure)) ctx.err(`  Example: nemoclaw ${name} connect\n`);
      return 1;
    }
    const names = Object.keys(registry.sandboxes);
    ctx.err(`  Unknown command: ${name}\n\n`);
    if (names.length > 0) ctx.err(`  Registered sandboxes: ${names.join(", ")}\n  Try: nemoclaw <sandbox-name> connect\n\n`);
    ctx.err("  Run 'nemoclaw help' for usage.\n");
    return 1;
  }
  if (!/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) {
    if (name.length > 63) uncaught(ctx, `sandbox name too long (max 63 chars): '${name.slice(0, 20)}...'. Allowed format: 1-63 characters, lowercase, starts with a letter, letters/numbers/internal hyphens only, ends with letter/number.`);
    uncaught(ctx, `Invalid sandbox name: '${name}'. Allowed format: 1-63 characters, lowercase, starts with a letter, letters/numbers/internal hyphens only, ends with letter/number.`);
  }
  if (!registry.sandboxes[name] && !(await recoverRegistryEntry(ctx, name))) {
    const names = Object.keys(readRegistry(ctx.paths).sandboxes);
    ctx.err(`  Sandbox '${name}' does not exist.\n`);
    if (names.length > 0) ctx.err(`\n  Registered sandboxes: ${names.join(", ")}\n  Run 'nemoclaw list' to see all sandboxes.\n`);
    else ctx.err("  Run 'nemoclaw onboard' to create one.\n");
    return 1;
  }
  const code = await runSandboxAction(ctx, name, action, args);
  if (code === 0 && CHANGING_ACTIONS.has(action)) await breakInferenceIfFaulted(ctx, name);
  return code;
}

/** Sandbox actions that change a sandbox (relaunch, recreate, re-policy, re-route it). */
const CHANGING_ACTIONS = new Set(["rebuild", "recover", "gateway", "policy-add", "policy-remove", "inference", "start"]);

/**
 * The `inferenceBreaksOnChange` fault: once NemoClaw has changed the sandbox, its in-sandbox
 * inference route stops answering (the field's "upgraded, exited 0, no longer answers inference").
 * @param {ToolContext} ctx
 * @param {string} name
 */
async function breakInferenceIfFaulted(ctx, name) {
  if (!(loadState(ctx.paths).options.inferenceBreaksOnChange ?? []).includes(name)) return;
  await updateState(ctx.paths, (state) => {
    const broken = new Set(state.options.inferenceBroken ?? []);
    broken.add(name);
    state.options.inferenceBroken = [...broken];
  });
}

/**
 * `recoverRegistryEntries`: a sandbox live on NemoClaw's gateway but missing from
 * `sandboxes.json` is registered again from what the gateway reports.
 * @param {ToolContext} ctx
 * @param {string} name
 */
async function recoverRegistryEntry(ctx, name) {
  const state = loadState(ctx.paths);
  const gateway = Object.values(state.gateways).find((candidate) => candidate.sandboxes[name] && gatewayAnswers(state, candidate) && candidate.name.startsWith("nemoclaw"));
  const sandbox = gateway?.sandboxes[name];
  if (!gateway || !sandbox?.managed) return false;
  await updateRegistry(
    ctx.paths,
    (registry) => {
      registry.sandboxes[name] = { name, createdAt: new Date(sandbox.createdAtMs).toISOString(), gatewayName: gateway.name, gatewayPort: gateway.port, policies: [...sandbox.presets], agent: null, openshellDriver: gateway.driver === "cluster-container" ? "kubernetes" : "docker" };
    },
    ctx.err,
  );
  return true;
}
