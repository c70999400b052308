// @ts-check
// The `openshell` CLI: the command line is parsed by the release's clap tree (lib/clap.mjs,
// lib/openshell-cli.mjs) exactly as the real binary parses it; then `status`, the `gateway`
// commands of both eras and `inference` run here, `sandbox` commands in openshell-sandbox.mjs.

import { bold, cyan, dimmed, green, HTTP_CLIENT_REFUSED, mietteError, yellow } from "../lib/ansi.mjs";
import { ClapError, HelpRequested, isPresent, leaf, parse, valueOf } from "../lib/clap.mjs";
import {
  clusterDeployText,
  deployClusterGateway,
  destroyClusterGateway,
  listMetadata,
  readActiveGateway,
  readMetadata,
  removeRegistration,
  writeActiveGateway,
  writeMetadata,
} from "../lib/gateways.mjs";
import { checkFormat, connect, fail, globalsOf, noActiveGatewayText, tryResolveGateway } from "../lib/openshell-context.mjs";
import { openshellCommandTree } from "../lib/openshell-cli.mjs";
import { containerByName, gatewayAnswers, gatewayByPort, loadState, updateState } from "../lib/state.mjs";
import { atLeast, isClusterEra, SINCE } from "../lib/versions.mjs";
import { sortedJson } from "../lib/util.mjs";
import { runInference } from "./openshell-inference.mjs";
import { runSandbox } from "./openshell-sandbox.mjs";

/**
 * @typedef {import("../lib/runtime.mjs").ToolContext} ToolContext
 * @typedef {import("../lib/openshell-context.mjs").Globals} Globals
 * @typedef {import("../lib/clap.mjs").Matches} Matches
 */

/**
 * What `--version` prints: `openshell <VERSION>`; builds of 0.0.28–0.0.30 matched a `vm-dev`
 * tag in `git describe` and print `m-dev` (OS@v0.0.28:crates/openshell-core/build.rs:66).
 * @param {string} version
 */
export function printedVersion(version) {
  return atLeast(version, "0.0.28") && !atLeast(version, "0.0.31") ? "m-dev" : version;
}

/** @param {ToolContext} ctx */
export async function run(ctx) {
  /** @type {Matches} */
  let root;
  try {
    root = parse(openshellCommandTree(ctx.version), ctx.args, ctx.env);
  } catch (error) {
    if (error instanceof ClapError) {
      ctx.err(error.text);
      return error.exitCode;
    }
    if (error instanceof HelpRequested) {
      if (error.kind === "help") return notSimulated(ctx, `${error.usageName} --help`);
      ctx.out(`${error.usageName.replaceAll(" ", "-")} ${printedVersion(ctx.version)}\n`);
      return 0;
    }
    throw error;
  }
  const { path, matches } = leaf(root);
  const command = path.join(" ");
  if (matches.unparsed) return notSimulated(ctx, command);
  const globals = globalsOf(root);
  switch (command) {
    case "status":
      return status(ctx, globals, matches);
    case "gateway info":
      return gatewayInfo(ctx, globals, matches);
    case "gateway select":
      return gatewaySelect(ctx, globals, matches);
    case "gateway add":
      return gatewayAdd(ctx, matches);
    case "gateway list":
      return gatewayList(ctx, globals, matches);
    case "gateway remove":
      return gatewayRemove(ctx, globals, matches);
    case "gateway start":
      return clusterStart(ctx, matches);
    case "gateway stop":
    case "gateway destroy":
      return clusterStopOrDestroy(ctx, globals, matches, /** @type {"stop" | "destroy"} */ (path[1]));
    case "inference set":
    case "inference get":
      return runInference(ctx, globals, /** @type {"set" | "get"} */ (path[1]), matches);
  }
  if (path[0] === "sandbox" && path.length === 2) return runSandbox(ctx, globals, /** @type {string} */ (path[1]), matches);
  // A group without a subcommand prints its help (exit 0).
  return notSimulated(ctx, `${command ? `${command} ` : ""}(help output)`);
}

/** @param {ToolContext} ctx @param {string} what */
function notSimulated(ctx, what) {
  ctx.err(`fleet-sim: 'openshell ${what}' is not simulated\n`);
  return 64;
}

/**
 * The human status block goes to stdout (`println!`, OS@v0.0.111:crates/openshell-cli/src/commands/gateway.rs);
 * a scenario can move it to stderr (`statusOutput: "stderr"`), as NemoClaw once documented.
 * @param {ToolContext} ctx
 */
function statusWriter(ctx) {
  const stream = loadState(ctx.paths).options.statusStream;
  return stream === "stderr" ? ctx.err : ctx.out;
}

/**
 * `status`: with no resolvable gateway (none configured, or an unknown `-g`/`OPENSHELL_GATEWAY`)
 * every release prints the "No gateway configured." block and exits 0
 * (OS@v0.0.36:…/main.rs:1838-1852; OS@v0.0.72:…/main.rs:2086-2101; OS@v0.0.111:…/main.rs:2360-2388).
 * @param {ToolContext} ctx @param {Globals} globals @param {Matches} m
 */
function status(ctx, globals, m) {
  const format = valueOf(m, "output") ?? "table";
  checkFormat(ctx, format);
  const resolved = tryResolveGateway(ctx, globals);
  const write = statusWriter(ctx);
  if (!resolved.target) {
    if (format === "json") ctx.out(`${JSON.stringify({ status: "not_configured" }, null, 2)}\n`);
    else {
      const hint = isClusterEra(ctx.version) ? `Deploy a gateway with: ${dimmed("openshell gateway start")}` : `Register a gateway with: ${dimmed("openshell gateway add <endpoint>")}`;
      write(`${bold(cyan("Gateway Status"))}\n\n  ${dimmed("Status:")} No gateway configured.\n\n${hint}\n`);
    }
    return 0;
  }
  const target = resolved.target;
  const state = loadState(ctx.paths);
  const gateway = gatewayByPort(state, target.port);
  const answers = Boolean(gateway && gatewayAnswers(state, gateway));
  const header = `${bold(cyan("Server Status"))}\n\n  ${dimmed("Gateway:")} ${target.name}\n  ${dimmed("Server:")} ${target.endpoint}\n`;
  const authLine = atLeast(ctx.version, SINCE.authenticationLine);
  if (!atLeast(ctx.version, SINCE.statusJson)) {
    // Before 0.0.92 the header is printed before connecting.
    write(header);
    if (!answers || !gateway) fail(ctx, HTTP_CLIENT_REFUSED);
    const auth = authLine ? `  ${dimmed("Authentication:")} ${authenticationText(target.endpoint)}\n` : "";
    write(`  ${dimmed("Status:")} ${green("Connected")}\n${auth}  ${dimmed("Version:")} ${gateway.version}\n`);
    return 0;
  }
  if (!answers || !gateway) fail(ctx, HTTP_CLIENT_REFUSED);
  const mtls = target.endpoint.startsWith("https://");
  if (format === "json") {
    const authentication = mtls ? { provider: "mTLS transport", status: "authenticated" } : { mode: "gateway", status: "not_required" };
    ctx.out(`${sortedJson({ authentication, gateway: target.name, server: target.endpoint, status: "connected", version: gateway.version })}\n`);
    return 0;
  }
  write(`${header}  ${dimmed("Status:")} ${green("Connected")}\n  ${dimmed("Authentication:")} ${authenticationText(target.endpoint)}\n  ${dimmed("Version:")} ${gateway.version}\n`);
  return 0;
}

/** `Authenticated (mTLS transport)` over https, `Not required (gateway)` over plaintext. @param {string} endpoint */
function authenticationText(endpoint) {
  return endpoint.startsWith("https://") ? `${green("Authenticated")} (mTLS transport)` : `${green("Not required")} (gateway)`;
}

/**
 * `gateway info`: local metadata before 0.0.85 (`--name` / OPENSHELL_GATEWAY / `-g` / active /
 * `openshell`), a live admin RPC from 0.0.85.
 * @param {ToolContext} ctx @param {Globals} globals @param {Matches} m
 */
function gatewayInfo(ctx, globals, m) {
  if (!atLeast(ctx.version, SINCE.liveGatewayInfo)) {
    const name = valueOf(m, "name") ?? globals.gateway ?? readActiveGateway(ctx.paths) ?? "openshell";
    const metadata = readMetadata(ctx.paths, name);
    if (!metadata) {
      const hint = isClusterEra(ctx.version) ? `Deploy a gateway first with: openshell gateway start --name ${name}` : `Register it first: openshell gateway add <endpoint> --name ${name}`;
      fail(ctx, mietteError(`No gateway metadata found for '${name}'.\n${hint}`));
    }
    let text = `${bold(cyan("Gateway Info"))}\n\n  ${dimmed("Gateway:")} ${metadata.name}\n  ${dimmed("Gateway endpoint:")} ${metadata.gateway_endpoint}\n`;
    // OS@v0.0.72:crates/openshell-cli/src/run.rs:1543-1552 (the same from 0.0.24 to 0.0.84).
    if (metadata.is_remote) {
      text += metadata.remote_host ? `  ${dimmed("Remote host:")} ${metadata.remote_host}\n` : `  ${dimmed("Type:")} External registration\n`;
      if (metadata.resolved_host) text += `  ${dimmed("Resolved host:")} ${metadata.resolved_host}\n`;
    }
    ctx.out(text);
    return 0;
  }
  const format = valueOf(m, "output") ?? "table";
  checkFormat(ctx, format);
  const resolved = tryResolveGateway(ctx, globals);
  if (!resolved.target) fail(ctx, mietteError("No gateway configured.\nRegister a gateway with: openshell gateway add <endpoint>"));
  const target = resolved.target;
  const { state, gateway } = connect(ctx, target);
  const drivers = [{ name: "docker", capabilities: { driver_name: "docker", driver_version: state.docker.version } }];
  if (format === "json") {
    ctx.out(`${sortedJson({ auth: null, compute_drivers: drivers, gateway: target.name, server: target.endpoint, status: "healthy", version: gateway.version })}\n`);
    return 0;
  }
  ctx.out(
    `${bold(cyan("Gateway Info"))}\n\n  ${dimmed("Gateway:")} ${target.name}\n  ${dimmed("Server:")} ${target.endpoint}\n  ${dimmed("Status:")} healthy\n  ${dimmed("Version:")} ${gateway.version}\n  ${dimmed("Compute drivers:")}\n    docker\n      ${dimmed("Driver version:")} ${state.docker.version}\n`,
  );
  return 0;
}

/** @param {ToolContext} ctx @param {Globals} globals @param {Matches} m */
function gatewayList(ctx, globals, m) {
  const format = valueOf(m, "output") ?? "table";
  checkFormat(ctx, format);
  printGatewayList(ctx, globals, format);
  return 0;
}

/**
 * @param {ToolContext} ctx
 * @param {Globals} globals
 * @param {string} format
 */
function printGatewayList(ctx, globals, format) {
  const gateways = listMetadata(ctx.paths);
  const active = globals.gateway ?? readActiveGateway(ctx.paths);
  const withSource = atLeast(ctx.version, SINCE.gatewayListSource);
  const typeOf = (/** @type {import("../lib/gateways.mjs").GatewayMetadata} */ g) =>
    g.auth_mode === "cloudflare_jwt" ? "cloud" : g.is_remote ? "remote" : "local";
  const authOf = (/** @type {import("../lib/gateways.mjs").GatewayMetadata} */ g) =>
    g.auth_mode ?? (g.gateway_endpoint.startsWith("http://") ? "plaintext" : "mtls");
  if (format === "json") {
    const rows = gateways.map((g) => ({
      active: g.name === active,
      auth: authOf(g),
      endpoint: g.gateway_endpoint,
      name: g.name,
      type: typeOf(g),
      ...(withSource ? { source: "user" } : {}),
      ...(atLeast(ctx.version, SINCE.gatewayListRemote)
        ? { is_remote: g.is_remote, remote_host: g.remote_host ?? null, resolved_host: g.resolved_host ?? null }
        : {}),
    }));
    ctx.out(`${sortedJson(rows)}\n`);
    return;
  }
  if (gateways.length === 0) {
    ctx.out(`No gateways found.\n\nRegister a gateway with: ${dimmed("openshell gateway add <endpoint>")}\n`);
    return;
  }
  const nameWidth = Math.max(4, ...gateways.map((g) => g.name.length));
  const endpointWidth = Math.max(8, ...gateways.map((g) => g.gateway_endpoint.length));
  const typeWidth = Math.max(4, ...gateways.map((g) => typeOf(g).length));
  const sourceWidth = 6;
  // From 0.0.85 a REMOTE column follows AUTH (padded then) when any registration names a remote
  // host (OS@v0.0.111:crates/openshell-cli/src/commands/gateway.rs:1288-1348, gateway_remote_label :1374-1383).
  const remotes = atLeast(ctx.version, SINCE.gatewayListRemote) ? gateways.map(remoteLabel) : [];
  const showRemote = remotes.some((label) => label !== null);
  const authWidth = Math.max(4, ...gateways.map((g) => authOf(g).length));
  const remoteWidth = Math.max(6, ...remotes.map((label) => label?.length ?? 0));
  let text = `  ${bold("NAME".padEnd(nameWidth))}  ${bold("ENDPOINT".padEnd(endpointWidth))}  ${bold("TYPE".padEnd(typeWidth))}  `;
  if (showRemote) text += `${bold("SOURCE".padEnd(sourceWidth))}  ${bold("AUTH".padEnd(authWidth))}  ${bold("REMOTE".padEnd(remoteWidth))}\n`;
  else text += withSource ? `${bold("SOURCE".padEnd(sourceWidth))}  ${bold("AUTH")}\n` : `${bold("AUTH")}\n`;
  gateways.forEach((g, index) => {
    const isActive = g.name === active;
    let line = `${isActive ? "*" : " "} ${g.name.padEnd(nameWidth)}  ${g.gateway_endpoint.padEnd(endpointWidth)}  ${typeOf(g).padEnd(typeWidth)}  `;
    if (showRemote) line += `${"user".padEnd(sourceWidth)}  ${authOf(g).padEnd(authWidth)}  ${(remotes[index] ?? "-").padEnd(remoteWidth)}`;
    else line += withSource ? `${"user".padEnd(sourceWidth)}  ${authOf(g)}` : authOf(g);
    text += `${isActive ? green(line) : line}\n`;
  });
  ctx.out(text);
}

/** `user@alias -> 10.0.0.5`, or whichever of the two is recorded. @param {import("../lib/gateways.mjs").GatewayMetadata} g */
function remoteLabel(g) {
  if (g.remote_host && g.resolved_host && g.remote_host !== g.resolved_host) return `${g.remote_host} -> ${g.resolved_host}`;
  return g.remote_host ?? g.resolved_host ?? null;
}

/**
 * `gateway select [NAME]` (`gateway_use`, OS@v0.0.36:…/run.rs:753-766, OS@v0.0.111:…/commands/gateway.rs:474-490).
 * @param {ToolContext} ctx @param {Globals} globals @param {Matches} m
 */
function gatewaySelect(ctx, globals, m) {
  const name = valueOf(m, "name");
  if (!name) {
    // Without a TTY there is nothing to choose from interactively: print the list.
    if (isClusterEra(ctx.version)) {
      const names = listMetadata(ctx.paths).map((g) => g.name);
      ctx.out(names.length ? `${names.join("\n")}\n` : "No gateways found.\n");
    } else printGatewayList(ctx, globals, "table");
    if (listMetadata(ctx.paths).length > 0) ctx.err(`\nSelect a gateway with: ${dimmed("openshell gateway select <name>")}\n`);
    return 0;
  }
  if (!readMetadata(ctx.paths, name)) {
    const hint = isClusterEra(ctx.version)
      ? `Deploy a gateway first with: openshell gateway start --name ${name}`
      : `Register it first with: openshell gateway add <endpoint> --name ${name}`;
    fail(ctx, mietteError(`No gateway metadata found for '${name}'.\n${hint}\nOr list available gateways: openshell gateway select`));
  }
  writeActiveGateway(ctx.paths, name);
  ctx.err(`${bold(green("✓"))} Active gateway set to '${name}'\n`);
  const envGateway = ctx.env.OPENSHELL_GATEWAY;
  if (!isClusterEra(ctx.version) && envGateway && envGateway !== name) {
    ctx.err(`${bold(yellow("⚠"))} OPENSHELL_GATEWAY=${envGateway} is set and will override this selection.\n  Unset it or run: export OPENSHELL_GATEWAY=${name}\n`);
  }
  return 0;
}

/** @param {ToolContext} ctx @param {Matches} m */
function gatewayAdd(ctx, m) {
  const raw = /** @type {string} */ (valueOf(m, "endpoint"));
  if (isPresent(m, "oidc_issuer")) return notSimulated(ctx, "gateway add --oidc-issuer");
  const endpoint = raw.includes("://") ? raw : `https://${raw}`;
  const host = new URL(endpoint).hostname;
  const loopback = ["127.0.0.1", "localhost", "[::1]", "::1"].includes(host);
  const name = valueOf(m, "name") ?? (loopback && !isClusterEra(ctx.version) ? "openshell" : host);
  if (readMetadata(ctx.paths, name)) {
    const remove = isClusterEra(ctx.version) ? `openshell gateway destroy --name ${name}` : `openshell gateway remove ${name}`;
    fail(ctx, mietteError(`Gateway '${name}' already exists.\nRemove it first with: ${remove}\nOr choose a different name with: --name <name>`));
  }
  const local = isPresent(m, "local");
  const remote = valueOf(m, "remote");
  const check = bold(green("✓"));
  if (endpoint.startsWith("http://")) {
    const isRemote = !local && (Boolean(remote) || !loopback);
    writeMetadata(ctx.paths, { name, gateway_endpoint: endpoint, is_remote: isRemote, gateway_port: 0, ...(remote ? { remote_host: remote, resolved_host: remote.split("@").pop() ?? remote } : {}), auth_mode: "plaintext" });
    writeActiveGateway(ctx.paths, name);
    ctx.err(`${check} Gateway '${name}' added and set as active\n  ${dimmed("Endpoint:")} ${endpoint}\n  ${dimmed("Type:")} ${isRemote ? "remote" : "local"}\n  ${dimmed("Auth:")} plaintext\n`);
    return 0;
  }
  if (local || remote) {
    writeMetadata(ctx.paths, { name, gateway_endpoint: endpoint, is_remote: !local, gateway_port: 0, ...(remote ? { remote_host: remote } : {}), auth_mode: "mtls" });
    writeActiveGateway(ctx.paths, name);
    ctx.err(`${check} Gateway '${name}' added and set as active\n  ${dimmed("Endpoint:")} ${endpoint}\n  ${dimmed("Type:")} ${local ? "local" : "remote"}\n${check} TLS certificates present\n`);
    return 0;
  }
  return notSimulated(ctx, "gateway add (edge/browser authentication)");
}

/** @param {ToolContext} ctx @param {Globals} globals @param {Matches} m */
function gatewayRemove(ctx, globals, m) {
  const name = valueOf(m, "name") ?? globals.gateway ?? readActiveGateway(ctx.paths);
  if (!name) fail(ctx, mietteError(noActiveGatewayText(ctx)));
  if (!readMetadata(ctx.paths, name)) {
    fail(ctx, mietteError(`No gateway metadata found for '${name}'.\nList available gateways: openshell gateway select`));
  }
  removeRegistration(ctx.paths, name);
  ctx.err(`${bold(green("✓"))} Gateway registration '${name}' removed.\n`);
  return 0;
}

/** @param {ToolContext} ctx */
function requireDocker(ctx) {
  const state = loadState(ctx.paths);
  if (state.docker.daemon !== "running") {
    fail(ctx, mietteError("failed to connect to Docker", ["Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"]));
  }
  return state;
}

/**
 * Cluster era `gateway start` (OS@v0.0.36:…/run.rs:1426-1520): the name is `--name` (default
 * `openshell`, env OPENSHELL_GATEWAY) — the global `-g` is not consulted.
 * @param {ToolContext} ctx @param {Matches} m
 */
async function clusterStart(ctx, m) {
  if (valueOf(m, "remote")) return notSimulated(ctx, "gateway start --remote");
  const name = valueOf(m, "name") ?? "openshell";
  requireDocker(ctx);
  const port = Number(valueOf(m, "port") ?? 8080);
  const image = ctx.env.OPENSHELL_CLUSTER_IMAGE || `ghcr.io/nvidia/openshell/cluster:${ctx.env.IMAGE_TAG || ctx.version}`;
  const result = await updateState(ctx.paths, (s) => deployClusterGateway(ctx.paths, s, { name, port, image, recreate: isPresent(m, "recreate"), plaintext: isPresent(m, "plaintext"), gpu: isPresent(m, "gpu") }));
  ctx.err(clusterDeployText(name, result));
  return 0;
}

/**
 * Cluster era `gateway stop|destroy` (OS@v0.0.36:…/main.rs:1732-1750, run.rs:1609-1650): the name
 * is `--name` / OPENSHELL_GATEWAY, then `-g`, then the active gateway, then `openshell`.
 * `destroy` reports success even when nothing existed (OS#898).
 * @param {ToolContext} ctx @param {Globals} globals @param {Matches} m @param {"stop" | "destroy"} action
 */
async function clusterStopOrDestroy(ctx, globals, m, action) {
  if (valueOf(m, "remote")) return notSimulated(ctx, `gateway ${action} --remote`);
  const name = valueOf(m, "name") ?? globals.gateway ?? readActiveGateway(ctx.paths) ?? "openshell";
  const metadata = readMetadata(ctx.paths, name);
  if (metadata?.is_remote) return notSimulated(ctx, `gateway ${action} of a remote registration`);
  requireDocker(ctx);
  if (action === "stop") {
    ctx.err(`• Stopping gateway ${name}...\n`);
    const found = await updateState(ctx.paths, (s) => {
      const c = containerByName(s, `openshell-cluster-${name}`);
      if (!c) return false;
      c.running = false;
      c.finishedAtMs = Date.now();
      c.exitCode = 0;
      return true;
    });
    if (!found) fail(ctx, mietteError(`No such container: openshell-cluster-${name}`));
    ctx.err(`${bold(green("✓"))} Gateway ${name} stopped.\n`);
    return 0;
  }
  ctx.err(`• Destroying gateway ${name}...\n`);
  await updateState(ctx.paths, (s) => destroyClusterGateway(ctx.paths, s, name));
  ctx.err(`${bold(green("✓"))} Gateway ${name} destroyed.\n`);
  return 0;
}
