// @ts-check
// `openshell inference set|get` (user route `inference.local`, or `sandbox-system` with
// `--system`): one route per gateway, per workspace from 0.0.88. Texts follow
// OS@v0.0.72:crates/openshell-cli/src/run.rs:5740-5930 and OS@v0.0.111:…/run.rs:5070-5345.

import { bold, cyan, dimmed, mietteError } from "../lib/ansi.mjs";
import { isPresent, valueOf } from "../lib/clap.mjs";
import { connect, fail, resolveGateway } from "../lib/openshell-context.mjs";
import { gatewayByPort, updateState } from "../lib/state.mjs";
import { atLeast, SINCE } from "../lib/versions.mjs";

/**
 * @typedef {import("../lib/runtime.mjs").ToolContext} ToolContext
 * @typedef {import("../lib/openshell-context.mjs").Globals} Globals
 * @typedef {import("../lib/clap.mjs").Matches} Matches
 * @typedef {import("../lib/state.mjs").InferenceRoute} InferenceRoute
 */

/**
 * @param {ToolContext} ctx
 * @param {Globals} globals
 * @param {"set" | "get"} action
 * @param {Matches} m
 */
export async function runInference(ctx, globals, action, m) {
  const target = resolveGateway(ctx, globals);
  const { gateway } = connect(ctx, target);
  const system = isPresent(m, "system");
  const routeKey = system ? "sandbox-system" : "inference.local";
  const workspaces = atLeast(ctx.version, SINCE.workspaces);
  if (action === "get") {
    const routes = system ? [routeKey] : ["inference.local", "sandbox-system"];
    const text = routes.map((key) => routeBlock(ctx, key, gateway.routes?.[key] ?? null, workspaces, globals.workspace, !system)).join("\n");
    ctx.out(text);
    return 0;
  }
  const provider = /** @type {string} */ (valueOf(m, "provider"));
  const model = /** @type {string} */ (valueOf(m, "model"));
  if (!provider.trim()) fail(ctx, mietteError("provider_name is required"));
  if (!model.trim()) fail(ctx, mietteError("model_id is required"));
  if (!gateway.providers[provider]) {
    fail(ctx, mietteError(workspaces ? `provider '${provider}' not found in workspace '${globals.workspace}'` : `provider '${provider}' not found`));
  }
  const timeout = Number(valueOf(m, "timeout") ?? 0);
  const route = await updateState(ctx.paths, (state) => {
    const live = /** @type {import("../lib/state.mjs").Gateway} */ (gatewayByPort(state, target.port));
    live.routes ??= {};
    const version = (live.routes[routeKey]?.version ?? 0) + 1;
    const next = { provider, model, version, timeoutSecs: timeout };
    live.routes[routeKey] = next;
    if (!system) live.inference = { provider, model };
    return next;
  });
  const label = system ? "System inference configured:" : workspaces ? "Inference configured:" : "Gateway inference configured:";
  let text = `${bold(cyan(label))}\n\n`;
  if (workspaces) text += `  ${dimmed("Workspace:")} ${globals.workspace}\n`;
  text += `  ${dimmed("Route:")} ${routeKey}\n  ${dimmed("Provider:")} ${route.provider}\n  ${dimmed("Model:")} ${route.model}\n  ${dimmed("Version:")} ${route.version}\n${timeoutLine(route.timeoutSecs)}`;
  ctx.out(text);
  return 0;
}

/** @param {number} seconds */
function timeoutLine(seconds) {
  return seconds === 0 ? `  ${dimmed("Timeout:")} 60s (default)\n` : `  ${dimmed("Timeout:")} ${seconds}s\n`;
}

/**
 * @param {ToolContext} ctx
 * @param {string} key
 * @param {InferenceRoute | null} route
 * @param {boolean} workspaces
 * @param {string} workspace
 * @param {boolean} both `inference get` without `--system` prints both routes
 */
function routeBlock(ctx, key, route, workspaces, workspace, both) {
  const system = key === "sandbox-system";
  const label = both ? (system ? "System inference:" : workspaces ? "Inference:" : "Gateway inference:") : system ? "System inference:" : workspaces ? "Inference:" : "Gateway inference:";
  let text = `${bold(cyan(label))}\n\n`;
  if (!route) return `${text}  ${dimmed("Not configured")}\n`;
  if (workspaces) text += `  ${dimmed("Workspace:")} ${workspace}\n`;
  void ctx;
  return `${text}  ${dimmed("Provider:")} ${route.provider}\n  ${dimmed("Model:")} ${route.model}\n  ${dimmed("Version:")} ${route.version}\n${timeoutLine(route.timeoutSecs)}`;
}
