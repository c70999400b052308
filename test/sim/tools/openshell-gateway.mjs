// @ts-check
// The `openshell-gateway` binary: `--version` prints the version of this file. Running it
// as a server is what NemoClaw's onboard does (simulated there); launching it by hand is not.

/** @typedef {import("../lib/runtime.mjs").ToolContext} ToolContext */

/** @param {ToolContext} ctx */
export function run(ctx) {
  if (ctx.args[0] === "--version" || ctx.args[0] === "-V") {
    ctx.out(`openshell-gateway ${ctx.version}\n`);
    return 0;
  }
  ctx.err("fleet-sim: running openshell-gateway directly is not simulated; gateways start through 'nemoclaw onboard'\n");
  return 64;
}
