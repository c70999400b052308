// @ts-check
// NemoClaw's `scripts/install-openshell.sh`: the pinned release's `openshell` and, from 0.0.37,
// `openshell-gateway` (the sandbox binary is not simulated) go into the directory of the active
// `openshell` when it is writable, else ~/.local/bin (a non-interactive run without sudo)
// (NC@d50338aa:scripts/install-openshell.sh:593-640,755-806).

import { accessSync, constants, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { resolveOpenshell } from "./nemoclaw-core.mjs";
import { linkInstalledTools, writeShim } from "./shims.mjs";
import { isClusterEra } from "./versions.mjs";

/**
 * @param {import("./runtime.mjs").ToolContext} ctx
 * @param {string} version
 * @returns {Promise<string>} the directory the binaries went to
 */
export async function installOpenshellPin(ctx, version) {
  const active = resolveOpenshell(ctx);
  let dir = active ? dirname(active.path) : ctx.paths.localBin;
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    dir = ctx.paths.localBin;
  }
  mkdirSync(dir, { recursive: true });
  writeShim(join(dir, "openshell"), ctx.paths.home, "openshell", version);
  if (!isClusterEra(version)) writeShim(join(dir, "openshell-gateway"), ctx.paths.home, "openshell-gateway", version);
  linkInstalledTools(ctx.paths);
  return dir;
}
