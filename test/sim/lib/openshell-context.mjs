// @ts-check
// How `openshell` finds the gateway a command talks to (`resolve_gateway` in main.rs) and what
// it prints when nothing answers there.

import { clapError, mietteError, TRANSPORT_REFUSED } from "./ansi.mjs";
import { endpointPort, listMetadata, readActiveGateway, readMetadata } from "./gateways.mjs";
import { gatewayAnswers, gatewayByPort, loadState } from "./state.mjs";
import { SimExit } from "./util.mjs";
import { atLeast } from "./versions.mjs";

/**
 * @typedef {import("./runtime.mjs").ToolContext} ToolContext
 * @typedef {{ gateway?: string; endpoint?: string; workspace: string }} Globals
 * @typedef {{ name: string; endpoint: string; port: number }} Target
 */

export const NO_ACTIVE_GATEWAY =
  "No active gateway.\nSet one with: openshell gateway select <name>\nOr register one with: openshell gateway add <endpoint>";

/**
 * @param {ToolContext} ctx
 * @param {Globals} globals
 * @returns {Target}
 */
export function resolveGateway(ctx, globals) {
  if (globals.endpoint) {
    const byEndpoint = listMetadata(ctx.paths).find((m) => m.gateway_endpoint === globals.endpoint);
    return { name: globals.gateway ?? byEndpoint?.name ?? globals.endpoint, endpoint: globals.endpoint, port: endpointPort(globals.endpoint) };
  }
  const name = globals.gateway ?? readActiveGateway(ctx.paths);
  if (!name) fail(ctx, mietteError(NO_ACTIVE_GATEWAY));
  const metadata = readMetadata(ctx.paths, name);
  if (!metadata) {
    fail(
      ctx,
      mietteError(
        `Unknown gateway '${name}'.\nRegister it first: openshell gateway add <endpoint> --name ${name}\nOr list available gateways: openshell gateway select`,
      ),
    );
  }
  return { name: metadata.name, endpoint: metadata.gateway_endpoint, port: endpointPort(metadata.gateway_endpoint) };
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
  return { state, gateway };
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
 * `-o/--output` exists per command from a given version; before that it is an unknown flag.
 * @param {ToolContext} ctx
 * @param {string} since
 * @returns {Record<string, import("./args.mjs").FlagSpec>}
 */
export function outputFlag(ctx, since) {
  return atLeast(ctx.version, since) ? { "--output": { value: true, short: "-o" } } : {};
}

/** @param {ToolContext} ctx @param {string} format @param {string} usage */
export function checkFormat(ctx, format, usage) {
  if (format === "table" || format === "json") return;
  if (format === "yaml") fail(ctx, "fleet-sim: '-o yaml' is not simulated; use -o json\n", 64);
  ctx.err(clapError(`invalid value '${format}' for '--output <OUTPUT>'\n  [possible values: table, yaml, json]`, usage));
  throw new SimExit(2);
}

