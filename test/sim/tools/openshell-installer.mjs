// @ts-check
// What `curl -fsSL …/NVIDIA/OpenShell/main/install.sh | sh` does: honour OPENSHELL_VERSION,
// refuse to cross 0.0.36 → 0.0.37 without OPENSHELL_ACK_BREAKING_UPGRADE=1 (the installer's
// exact notice), and install the CLI — plus `openshell-gateway` from 0.0.37 — into
// ~/.local/bin. A running gateway keeps running the binary it was started from.

import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { binaryVersion } from "../lib/gateways.mjs";
import { linkInstalledTools, writeShim } from "../lib/shims.mjs";
import { loadState } from "../lib/state.mjs";
import { atLeast, BREAKING_RELEASE } from "../lib/versions.mjs";

/** @typedef {import("../lib/runtime.mjs").ToolContext} ToolContext */

/** @param {ToolContext} ctx */
export function run(ctx) {
  const info = (/** @type {string} */ message) => ctx.err(`openshell: ${message}\n`);
  const warn = (/** @type {string} */ message) => ctx.err(`openshell: warning: ${message}\n`);
  const error = (/** @type {string} */ message) => {
    ctx.err(`openshell: error: ${message}\n`);
    return 1;
  };
  if (ctx.args[0] === "--help") {
    ctx.out("install.sh - Install OpenShell\n");
    return 0;
  }
  if (ctx.args.length > 0) return error(`unknown option: ${ctx.args[0]}`);
  const state = loadState(ctx.paths);
  let tag = ctx.env.OPENSHELL_VERSION ?? "";
  if (tag === "dev" || tag === "pre") return error(`OPENSHELL_VERSION=${tag} is not available on this host`);
  if (!tag) {
    info("resolving latest version...");
    tag = `v${state.options.latestOpenshell}`;
  }
  const version = tag.replace(/^v/, "");
  if (!/^\d+\.\d+\.\d+/.test(version)) return error(`could not determine release version from OPENSHELL_VERSION=${tag}`);

  const existing = findExistingCli(ctx);
  const existingVersion = existing ? binaryVersion(existing) : null;
  if (existing && atLeast(version, BREAKING_RELEASE) && (!existingVersion || !atLeast(existingVersion, BREAKING_RELEASE))) {
    warn(existingVersion ? `detected existing OpenShell ${existingVersion} at ${existing}` : `detected an existing OpenShell installation at ${existing}`);
    ctx.err(`
OpenShell ${BREAKING_RELEASE} and later are incompatible with gateway
state created by earlier releases. Before installing OpenShell ${tag}, back up
any files, artifacts, and configuration you need from existing sandboxes.

Then clean up the old runtime with the currently installed CLI:

    openshell sandbox delete --all
    openshell gateway destroy

Run these commands before upgrading because 'openshell gateway destroy' is not
available in OpenShell ${BREAKING_RELEASE} and later.

After cleanup, rerun this installer or follow the installation guide:

    https://docs.nvidia.com/openshell/latest/about/installation

If you have already backed up and cleaned up the old runtime, rerun with:

    curl -LsSf https://raw.githubusercontent.com/NVIDIA/OpenShell/main/install.sh | OPENSHELL_ACK_BREAKING_UPGRADE=1 sh

`);
    if (ctx.env.OPENSHELL_ACK_BREAKING_UPGRADE !== "1") return error("manual cleanup is required before upgrading from this OpenShell installation");
    warn("continuing because OPENSHELL_ACK_BREAKING_UPGRADE=1 is set");
  }

  const target = `${state.host.arch === "arm64" ? "aarch64" : state.host.arch}-unknown-linux-gnu`;
  info(`downloading openshell-${target}.tar.gz (${tag})...`);
  info("verifying checksum...");
  writeShim(ctx.paths.openshellBin, ctx.paths.home, "openshell", version);
  info(`installed openshell ${version} to ${ctx.paths.openshellBin}`);
  if (atLeast(version, BREAKING_RELEASE)) {
    writeShim(ctx.paths.gatewayBin, ctx.paths.home, "openshell-gateway", version);
    info(`installed openshell-gateway ${version} to ${ctx.paths.gatewayBin}`);
  }
  linkInstalledTools(ctx.paths);
  return 0;
}

/** `find_existing_native_openshell_bin`: PATH first, then the usual install locations. @param {ToolContext} ctx */
function findExistingCli(ctx) {
  const candidates = [...(ctx.env.PATH ?? "").split(delimiter).map((dir) => join(dir, "openshell")), ctx.paths.openshellBin, "/usr/local/bin/openshell", "/usr/bin/openshell"];
  return candidates.find((path) => path.startsWith("/") && existsSync(path)) ?? null;
}
