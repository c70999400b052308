// @ts-check
// How `openshell` finds the gateway a command talks to (`resolve_gateway` in main.rs), the
// global arguments every command shares, and what it prints when nothing answers there.

import { mietteError, TRANSPORT_REFUSED } from "./ansi.mjs";
import { globalValue } from "./clap.mjs";
import { endpointPort, listMetadata, readActiveGateway, readMetadata } from "./gateways.mjs";
import { gatewayAnswers, gatewayByPort, loadState } from "./state.mjs";
import { SimExit } from "./util.mjs";
import { isClusterEra } from "./versions.mjs";

/**
 * @typedef {import("./runtime.mjs").ToolContext} ToolContext
 * @typedef {import("./clap.mjs").Matches} Matches
 * @typedef {{ gateway?: string; endpoint?: string; workspace: string }} Globals
 * @typedef {{ name: string; endpoint: string; port: number }} Target
 */

/**
 * The global arguments after clap propagated them (`-g` wins over `OPENSHELL_GATEWAY`).
 * @param {Matches} root
 * @returns {Globals}
 */
export function globalsOf(root) {
  const gateway = globalValue(root, "gateway")?.trim();
  return {
    gateway: gateway || undefined,
    endpoint: globalValue(root, "gateway_endpoint") || undefined,
    workspace: globalValue(root, "workspace") ?? "default",
  };
}

/**
 * `resolve_gateway`: the error texts changed when the cluster era ended (0.0.37).
 * @param {ToolContext} ctx
 */
export function noActiveGatewayText(ctx) {
  return isClusterEra(ctx.version)
    ? "No active gateway.\nSet one with: openshell gateway select <name>\nOr deploy a new gateway: openshell gateway start"
    : "No active gateway.\nSet one with: openshell gateway select <name>\nOr register one with: openshell gateway add <endpoint>";
}

/** @param {ToolContext} ctx @param {string} name */
function unknownGatewayText(ctx, name) {
  return isClusterEra(ctx.version)
    ? `Unknown gateway '${name}'.\nDeploy it first: openshell gateway start --name ${name}\nOr list available gateways: openshell gateway select`
    : `Unknown gateway '${name}'.\nRegister it first: openshell gateway add <endpoint> --name ${name}\nOr list available gateways: openshell gateway select`;
}

/**
 * The gateway a command talks to, or null with the error text `resolve_gateway` returns.
 * @param {ToolContext} ctx
 * @param {Globals} globals
 * @returns {{ target: Target; error: null } | { target: null; error: string }}
 */
export function tryResolveGateway(ctx, globals) {
  if (globals.endpoint) {
    const byEndpoint = listMetadata(ctx.paths).find((m) => m.gateway_endpoint === globals.endpoint);
    return { target: { name: globals.gateway ?? byEndpoint?.name ?? globals.endpoint, endpoint: globals.endpoint, port: endpointPort(globals.endpoint) }, error: null };
  }
  const name = globals.gateway ?? readActiveGateway(ctx.paths);
  if (!name) return { target: null, error: noActiveGatewayText(ctx) };
  const metadata = readMetadata(ctx.paths, name);
  if (!metadata) return { target: null, error: unknownGatewayText(ctx, name) };
  return { target: { name: metadata.name, endpoint: metadata.gateway_endpoint, port: endpointPort(metadata.gateway_endpoint) }, error: null };
}

/**
 * @param {ToolContext} ctx
 * @param {Globals} globals
 * @returns {Target}
 */
export function resolveGateway(ctx, globals) {
  const resolved = tryResolveGateway(ctx, globals);
  if (!resolved.target) return fail(ctx, mietteError(resolved.error));
  return resolved.target;
}

/**
 * The simulated gateway listening on the target's port, or the transport error a real client
 * gets when nothing answers there.
 * @param {ToolContext} ctx
 * @param {Target} target
 * @param {string} [refusedText]
 */
export function connect(ctx, target, refusedText = TRANSPORT_REFUSED) {
  const state = loadState(ctx.paths);
  const gateway = gatewayByPort(state, target.port);
  if (!gateway || !gatewayAnswers(state, gateway)) fail(ctx, refusedText);
  return { state, gateway: /** @type {import("./state.mjs").Gateway} */ (gateway) };
}

/**
 * @param {ToolContext} ctx
 * @param {string} text
 * @param {number} [code]
 * @returns {never}
 */
export function fail(ctx, text, code = 1) {
  ctx.err(text);
  throw new SimExit(code);
}

/**
 * `-o yaml` parses (clap lists it) but the simulator only writes table and JSON.
 * @param {ToolContext} ctx
 * @param {string} format
 */
export function checkFormat(ctx, format) {
  if (format === "yaml") fail(ctx, "fleet-sim: '-o yaml' is not simulated; use -o json\n", 64);
}
