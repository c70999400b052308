// @ts-check
// What `curl -LsSf https://raw.githubusercontent.com/NVIDIA/OpenShell/main/install.sh | sh` does
// (OS@2f7fb655:install.sh, reference §8.1): messages on stderr as `openshell: …`; OPENSHELL_VERSION
// picks the release (default: the latest); crossing 0.0.36 → 0.0.37 needs
// OPENSHELL_ACK_BREAKING_UPGRADE=1; it needs root (directly or through sudo, as the scenario's
// `sudo` says); it installs the package binaries (a stand-in for /usr/bin: ~/.fleet-sim/system/usr/bin),
// restarts the packaged user unit (a gateway named `openshell` on :17670, state in
// ~/.local/state/openshell), registers it with `gateway add … --local --name openshell` — which
// makes it the active gateway — and waits for `openshell status`. NemoClaw's own gateways keep
// running the binaries they were started from.

import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { bold, dimmed, green } from "../lib/ansi.mjs";
import { binaryVersion, readMetadata, removeRegistration, startHostProcessGateway, stopHostProcessGateway, writeActiveGateway, writeMetadata } from "../lib/gateways.mjs";
import { linkInstalledTools, writeShim } from "../lib/shims.mjs";
import { gatewayByPort, loadState, updateState } from "../lib/state.mjs";
import { isRecordedProcessAlive, sleep } from "../lib/util.mjs";
import { atLeast, BREAKING_RELEASE, isClusterEra } from "../lib/versions.mjs";

/** @typedef {import("../lib/runtime.mjs").ToolContext} ToolContext */

const UNIT_PORT = 17670;

/** @param {ToolContext} ctx */
export async function run(ctx) {
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
  // A CLI that prints no parseable version (0.0.28–0.0.30 print `m-dev`) counts as old.
  const oldCli = existingVersion && !(atLeast(existingVersion, "0.0.28") && !atLeast(existingVersion, "0.0.31")) ? existingVersion : null;
  if (existing && atLeast(version, BREAKING_RELEASE) && (!oldCli || !atLeast(oldCli, BREAKING_RELEASE))) {
    warn(oldCli ? `detected existing OpenShell ${oldCli} at ${existing}` : `detected an existing OpenShell installation at ${existing}`);
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

  // Releases up to 0.0.36 published tarballs only (their release workflow builds no .deb, OS@v0.0.36:
  // .github/workflows/release-tag.yml; packages start with 0.0.37's build-deb), so the package
  // installer finds no Debian package in their checksums (OS@2f7fb655:install.sh:559-570,885-901).
  if (isClusterEra(version)) {
    info(`downloading ${tag} release checksums...`);
    return error(`no Debian package found for architecture: ${state.host.arch === "aarch64" || state.host.arch === "arm64" ? "arm64" : "amd64"}`);
  }
  // Root steps: as root, or through sudo (`as_root`, install.sh:383-391).
  if (process.getuid?.() !== 0) {
    if (state.host.sudo === "absent") return error("this installer needs root privileges; rerun as root or install sudo");
    if (state.host.sudo === "password") {
      ctx.err("sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper\nsudo: a password is required\n");
      return 1;
    }
  }
  const arch = state.host.arch === "aarch64" || state.host.arch === "arm64" ? "arm64" : "amd64";
  info(`downloading openshell_${version}_${arch}.deb (${tag})...`);
  info("verifying checksum...");
  info("installing package with apt-get...");
  writeShim(join(ctx.paths.systemBin, "openshell"), ctx.paths.home, "openshell", version);
  if (!isClusterEra(version)) writeShim(join(ctx.paths.systemBin, "openshell-gateway"), ctx.paths.home, "openshell-gateway", version);
  linkInstalledTools(ctx.paths);
  info(`installed openshell ${version}`);
  if (isClusterEra(version)) return 0;

  // The packaged user unit (`systemctl --user daemon-reload/enable/restart/is-active`).
  if (!state.host.systemdUser) {
    info("could not reach the user systemd instance; start the gateway with:");
    info("  systemctl --user daemon-reload && systemctl --user enable --now openshell-gateway");
    info("then register it with: openshell gateway add https://127.0.0.1:17670 --local --name openshell");
    return 0;
  }
  const binary = join(ctx.paths.systemBin, "openshell-gateway");
  await updateState(ctx.paths, async (live) => {
    const running = gatewayByPort(live, UNIT_PORT);
    if (running?.process && isRecordedProcessAlive(running.process)) {
      stopHostProcessGateway(running);
      for (let i = 0; i < 200 && isRecordedProcessAlive(running.process); i++) await sleep(10);
    }
    await startHostProcessGateway(ctx.paths, live, { name: "openshell", port: UNIT_PORT, binary, cliVersion: version, packagedUnit: true });
  });
  // `gateway add https://127.0.0.1:17670 --local --name openshell`; an existing entry is replaced.
  if (readMetadata(ctx.paths, "openshell")) removeRegistration(ctx.paths, "openshell");
  writeMetadata(ctx.paths, { name: "openshell", gateway_endpoint: `https://127.0.0.1:${UNIT_PORT}`, is_remote: false, gateway_port: 0, auth_mode: "mtls" });
  writeActiveGateway(ctx.paths, "openshell");
  ctx.err(`${bold(green("✓"))} Gateway 'openshell' added and set as active\n  ${dimmed("Endpoint:")} https://127.0.0.1:${UNIT_PORT}\n  ${dimmed("Type:")} local\n${bold(green("✓"))} TLS certificates present\n`);
  info("openshell status reports connected");
  return 0;
}

/** `find_existing_native_openshell_bin`: PATH first, then the usual install locations. @param {ToolContext} ctx */
function findExistingCli(ctx) {
  const candidates = [...(ctx.env.PATH ?? "").split(delimiter).map((dir) => join(dir, "openshell")), ctx.paths.openshellBin, "/usr/local/bin/openshell", "/usr/bin/openshell"];
  return candidates.find((path) => path.startsWith("/") && existsSync(path)) ?? null;
}
