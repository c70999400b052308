// @ts-check
// The `openshell` CLI: global flags, `status`, the `gateway` commands of both eras. Sandbox
// commands live in openshell-sandbox.mjs. Version gates follow openshell-surface.md §1.1.

import { flagValue, hasFlag, parseArgs } from "../lib/args.mjs";
import { bold, clapError, cyan, dimmed, green, HTTP_CLIENT_REFUSED, mietteError, yellow } from "../lib/ansi.mjs";
import {
  deployClusterGateway,
  destroyClusterGateway,
  listMetadata,
  readActiveGateway,
  readMetadata,
  removeRegistration,
  writeActiveGateway,
  writeMetadata,
} from "../lib/gateways.mjs";
import { checkFormat, connect, fail, NO_ACTIVE_GATEWAY, outputFlag, resolveGateway } from "../lib/openshell-context.mjs";
import { containerByName, gatewayAnswers, gatewayByPort, loadState, updateState } from "../lib/state.mjs";
import { atLeast, isClusterEra, SINCE } from "../lib/versions.mjs";
import { sortedJson } from "../lib/util.mjs";
import { runSandbox } from "./openshell-sandbox.mjs";

/**
 * @typedef {import("../lib/runtime.mjs").ToolContext} ToolContext
 * @typedef {import("../lib/openshell-context.mjs").Globals} Globals
 */

const ROOT_USAGE = "openshell [OPTIONS] <COMMAND>";

/** @param {ToolContext} ctx */
export async function run(ctx) {
  const { globals, rest } = takeGlobals(ctx);
  const [command, ...args] = rest;
  if (command === "-V" || command === "--version") {
    ctx.out(`openshell ${ctx.version}\n`);
    return 0;
  }
  switch (command) {
    case "status":
      return status(ctx, globals, args);
    case "gateway":
    case "gw":
      return gatewayCommand(ctx, globals, args);
    case "sandbox":
    case "sb":
      return runSandbox(ctx, globals, args);
    case undefined:
      ctx.err(`Usage: ${ROOT_USAGE}\n\nFor more information, try '--help'.\n`);
      return 2;
    default:
      if (KNOWN_BUT_NOT_SIMULATED.includes(command)) return notSimulated(ctx, command);
      ctx.err(clapError(`unrecognized subcommand '${command}'`, ROOT_USAGE));
      return 2;
  }
}

const KNOWN_BUT_NOT_SIMULATED = ["forward", "fwd", "policy", "pol", "provider", "inference", "logs", "lg", "settings", "doctor", "term", "completions", "ssh-proxy", "whoami", "workspace", "ws", "service", "svc", "rule"];

/** @param {ToolContext} ctx @param {string} what */
function notSimulated(ctx, what) {
  ctx.err(`fleet-sim: 'openshell ${what}' is not simulated\n`);
  return 64;
}

/**
 * Global flags may appear anywhere before `--` (clap `global = true`).
 * @param {ToolContext} ctx
 * @returns {{ globals: Globals; rest: string[] }}
 */
function takeGlobals(ctx) {
  /** @type {Globals} */
  const globals = {
    gateway: ctx.env.OPENSHELL_GATEWAY?.trim() || undefined,
    endpoint: ctx.env.OPENSHELL_GATEWAY_ENDPOINT || undefined,
    workspace: ctx.env.OPENSHELL_WORKSPACE || "default",
  };
  /** @type {string[]} */
  const rest = [];
  const args = ctx.args;
  for (let i = 0; i < args.length; i++) {
    const arg = /** @type {string} */ (args[i]);
    if (arg === "--") {
      rest.push(...args.slice(i));
      break;
    }
    const [name, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const takeValue = () => inline ?? args[++i] ?? "";
    if (name === "-g" || name === "--gateway") globals.gateway = takeValue();
    else if (name === "--gateway-endpoint") globals.endpoint = takeValue();
    else if (name === "--workspace" && atLeast(ctx.version, SINCE.workspaces)) globals.workspace = takeValue();
    else if (name === "--gateway-insecure" && !isClusterEra(ctx.version)) continue;
    else if (/^-v+$/.test(name) || name === "--verbose") continue;
    else rest.push(arg);
  }
  return { globals, rest };
}

/**
 * The human status block: stderr by default (as NemoClaw observed it), stdout on request.
 * @param {ToolContext} ctx
 */
function statusWriter(ctx) {
  const stream = loadState(ctx.paths).options.statusStream;
  return stream === "stdout" ? ctx.out : ctx.err;
}

/** @param {ToolContext} ctx @param {Globals} globals @param {string[]} args */
function status(ctx, globals, args) {
  const usage = "openshell status [OPTIONS]";
  const parsed = parseArgs(args, { usage, flags: outputFlag(ctx, SINCE.statusJson) }, ctx.err);
  const format = flagValue(parsed, "--output") ?? "table";
  checkFormat(ctx, format, usage);
  const modern = atLeast(ctx.version, SINCE.statusJson);
  const hasGateway = Boolean(globals.endpoint || globals.gateway || readActiveGateway(ctx.paths));
  if (!hasGateway && modern) {
    if (format === "json") ctx.out(`${sortedJson({ status: "not_configured" })}\n`);
    else ctx.out("No gateway configured.\nRegister a gateway with: openshell gateway add <endpoint>\n");
    return 0;
  }
  const target = resolveGateway(ctx, globals);
  const state = loadState(ctx.paths);
  const gateway = gatewayByPort(state, target.port);
  const answers = Boolean(gateway && gatewayAnswers(state, gateway));
  const write = statusWriter(ctx);
  const header = `${bold(cyan("Server Status"))}\n\n  ${dimmed("Gateway:")} ${target.name}\n  ${dimmed("Server:")} ${target.endpoint}\n`;
  if (!modern) {
    // Legacy prints the header before it tries to connect.
    write(header);
    if (!answers || !gateway) fail(ctx, HTTP_CLIENT_REFUSED);
    write(`  ${dimmed("Status:")} ${green("Connected")}\n  ${dimmed("Version:")} ${gateway.version}\n`);
    return 0;
  }
  if (!answers || !gateway) fail(ctx, HTTP_CLIENT_REFUSED);
  const mtls = target.endpoint.startsWith("https://");
  if (format !== "table") {
    const authentication = mtls ? { provider: "mTLS transport", status: "authenticated" } : { mode: "gateway", status: "not_required" };
    ctx.out(`${sortedJson({ authentication, gateway: target.name, server: target.endpoint, status: "connected", version: gateway.version })}\n`);
    return 0;
  }
  const auth = mtls ? `${green("Authenticated")} (mTLS transport)` : `${green("Not required")} (gateway)`;
  write(`${header}  ${dimmed("Status:")} ${green("Connected")}\n  ${dimmed("Authentication:")} ${auth}\n  ${dimmed("Version:")} ${gateway.version}\n`);
  return 0;
}

/** @param {ToolContext} ctx @param {Globals} globals @param {string[]} args */
async function gatewayCommand(ctx, globals, args) {
  const [sub, ...rest] = args;
  const usage = "openshell gateway [OPTIONS] <COMMAND>";
  const legacy = isClusterEra(ctx.version);
  switch (sub) {
    case "info":
      return gatewayInfo(ctx, globals, rest);
    case "select":
      return gatewaySelect(ctx, globals, rest);
    case "add":
      return gatewayAdd(ctx, rest);
    case "list":
      if (legacy) break;
      return gatewayList(ctx, globals, rest);
    case "remove":
      if (legacy) break;
      return gatewayRemove(ctx, globals, rest);
    case "start":
    case "stop":
    case "destroy":
      if (!legacy) break;
      return clusterLifecycle(ctx, globals, sub, rest);
    case "login":
    case "logout":
    case "trust":
      return notSimulated(ctx, `gateway ${sub}`);
    case undefined:
      ctx.err(`Usage: ${usage}\n\nFor more information, try '--help'.\n`);
      return 2;
  }
  ctx.err(clapError(`unrecognized subcommand '${sub}'`, usage));
  return 2;
}

/** @param {ToolContext} ctx @param {Globals} globals @param {string[]} args */
function gatewayInfo(ctx, globals, args) {
  const usage = "openshell gateway info [OPTIONS]";
  const live = atLeast(ctx.version, SINCE.liveGatewayInfo);
  const parsed = parseArgs(args, { usage, flags: live ? outputFlag(ctx, SINCE.liveGatewayInfo) : { "--name": { value: true } } }, ctx.err);
  const name = flagValue(parsed, "--name") ?? globals.gateway ?? readActiveGateway(ctx.paths);
  if (!live) {
    if (!name) fail(ctx, mietteError(NO_ACTIVE_GATEWAY));
    const metadata = readMetadata(ctx.paths, name);
    if (!metadata) fail(ctx, mietteError(`No gateway metadata found for '${name}'.`));
    let text = `${bold(cyan("Gateway Info"))}\n\n  ${dimmed("Gateway:")} ${metadata.name}\n  ${dimmed("Gateway endpoint:")} ${metadata.gateway_endpoint}\n`;
    if (metadata.remote_host) text += `  ${dimmed("Remote host:")} ${metadata.remote_host}\n`;
    if (metadata.resolved_host) text += `  ${dimmed("Resolved host:")} ${metadata.resolved_host}\n`;
    ctx.out(text);
    return 0;
  }
  const format = flagValue(parsed, "--output") ?? "table";
  checkFormat(ctx, format, usage);
  if (!name && !globals.endpoint) fail(ctx, mietteError("No gateway configured.\nRegister a gateway with: openshell gateway add <endpoint>"));
  const target = resolveGateway(ctx, globals);
  const { state, gateway } = connect(ctx, target);
  const drivers = [{ name: "docker", capabilities: { driver_name: "docker", driver_version: state.docker.version } }];
  if (format !== "table") {
    ctx.out(`${sortedJson({ auth: null, compute_drivers: drivers, gateway: target.name, server: target.endpoint, status: "healthy", version: gateway.version })}\n`);
    return 0;
  }
  ctx.out(
    `${bold(cyan("Gateway Info"))}\n\n  ${dimmed("Gateway:")} ${target.name}\n  ${dimmed("Server:")} ${target.endpoint}\n  ${dimmed("Status:")} healthy\n  ${dimmed("Version:")} ${gateway.version}\n  ${dimmed("Compute drivers:")}\n    docker\n      ${dimmed("Driver version:")} ${state.docker.version}\n`,
  );
  return 0;
}

/** @param {ToolContext} ctx @param {Globals} globals @param {string[]} args */
function gatewayList(ctx, globals, args) {
  const usage = "openshell gateway list [OPTIONS]";
  const parsed = parseArgs(args, { usage, flags: outputFlag(ctx, SINCE.gatewayListOutput) }, ctx.err);
  const format = flagValue(parsed, "--output") ?? "table";
  checkFormat(ctx, format, usage);
  const gateways = listMetadata(ctx.paths);
  const active = globals.gateway ?? readActiveGateway(ctx.paths);
  const withSource = atLeast(ctx.version, SINCE.gatewayListSource);
  const typeOf = (/** @type {import("../lib/gateways.mjs").GatewayMetadata} */ g) =>
    g.auth_mode === "cloudflare_jwt" ? "cloud" : g.is_remote ? "remote" : "local";
  const authOf = (/** @type {import("../lib/gateways.mjs").GatewayMetadata} */ g) =>
    g.auth_mode ?? (g.gateway_endpoint.startsWith("http://") ? "plaintext" : "mtls");
  if (format !== "table") {
    const rows = gateways.map((g) => ({
      active: g.name === active,
      auth: authOf(g),
      endpoint: g.gateway_endpoint,
      name: g.name,
      type: typeOf(g),
      ...(withSource ? { source: "user" } : {}),
      ...(atLeast(ctx.version, SINCE.liveGatewayInfo)
        ? { is_remote: g.is_remote, remote_host: g.remote_host ?? null, resolved_host: g.resolved_host ?? null }
        : {}),
    }));
    ctx.out(`${sortedJson(rows)}\n`);
    return 0;
  }
  if (gateways.length === 0) {
    ctx.out(`No gateways found.\n\nRegister a gateway with: ${dimmed("openshell gateway add <endpoint>")}\n`);
    return 0;
  }
  const nameWidth = Math.max(4, ...gateways.map((g) => g.name.length));
  const endpointWidth = Math.max(8, ...gateways.map((g) => g.gateway_endpoint.length));
  const typeWidth = Math.max(4, ...gateways.map((g) => typeOf(g).length));
  const sourceWidth = 6;
  let text = `  ${bold("NAME".padEnd(nameWidth))}  ${bold("ENDPOINT".padEnd(endpointWidth))}  ${bold("TYPE".padEnd(typeWidth))}  `;
  text += withSource ? `${bold("SOURCE".padEnd(sourceWidth))}  ${bold("AUTH")}\n` : `${bold("AUTH")}\n`;
  for (const g of gateways) {
    const isActive = g.name === active;
    let line = `${isActive ? "*" : " "} ${g.name.padEnd(nameWidth)}  ${g.gateway_endpoint.padEnd(endpointWidth)}  ${typeOf(g).padEnd(typeWidth)}  `;
    line += withSource ? `${"user".padEnd(sourceWidth)}  ${authOf(g)}` : authOf(g);
    text += `${isActive ? green(line) : line}\n`;
  }
  ctx.out(text);
  return 0;
}

/** @param {ToolContext} ctx @param {Globals} globals @param {string[]} args */
function gatewaySelect(ctx, globals, args) {
  const usage = "openshell gateway select [OPTIONS] [NAME]";
  const parsed = parseArgs(args, { usage, flags: {} }, ctx.err);
  const name = parsed.positionals[0];
  if (!name) {
    // Without a TTY there is nothing to choose from interactively: print the list.
    if (isClusterEra(ctx.version)) {
      const names = listMetadata(ctx.paths).map((g) => g.name);
      ctx.out(names.length ? `${names.join("\n")}\n` : "No gateways found.\n");
    } else gatewayList(ctx, globals, []);
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

/** @param {ToolContext} ctx @param {string[]} args */
function gatewayAdd(ctx, args) {
  const usage = "openshell gateway add [OPTIONS] <ENDPOINT>";
  const parsed = parseArgs(
    args,
    { usage, flags: { "--name": { value: true }, "--local": {}, "--remote": { value: true }, "--ssh-key": { value: true } } },
    ctx.err,
  );
  const raw = parsed.positionals[0];
  if (!raw) {
    ctx.err(clapError("the following required arguments were not provided:\n  <ENDPOINT>", usage));
    return 2;
  }
  const endpoint = raw.includes("://") ? raw : `https://${raw}`;
  const host = new URL(endpoint).hostname;
  const loopback = ["127.0.0.1", "localhost", "[::1]", "::1"].includes(host);
  const name = flagValue(parsed, "--name") ?? (loopback && !isClusterEra(ctx.version) ? "openshell" : host);
  if (readMetadata(ctx.paths, name)) {
    const remove = isClusterEra(ctx.version) ? `openshell gateway destroy --name ${name}` : `openshell gateway remove ${name}`;
    fail(ctx, mietteError(`Gateway '${name}' already exists.\nRemove it first with: ${remove}\nOr choose a different name with: --name <name>`));
  }
  const local = hasFlag(parsed, "--local");
  const remote = flagValue(parsed, "--remote");
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

/** @param {ToolContext} ctx @param {Globals} globals @param {string[]} args */
function gatewayRemove(ctx, globals, args) {
  const usage = "openshell gateway remove [OPTIONS] [NAME]";
  const parsed = parseArgs(args, { usage, flags: {} }, ctx.err);
  const name = parsed.positionals[0] ?? globals.gateway ?? readActiveGateway(ctx.paths);
  if (!name) fail(ctx, mietteError(NO_ACTIVE_GATEWAY));
  if (!readMetadata(ctx.paths, name)) {
    fail(ctx, mietteError(`No gateway metadata found for '${name}'.\nList available gateways: openshell gateway select`));
  }
  removeRegistration(ctx.paths, name);
  ctx.err(`${bold(green("✓"))} Gateway registration '${name}' removed.\n`);
  return 0;
}

/**
 * Era A `gateway start|stop|destroy` (openshell-surface.md §4.1).
 * @param {ToolContext} ctx
 * @param {Globals} globals
 * @param {"start" | "stop" | "destroy"} action
 * @param {string[]} args
 */
async function clusterLifecycle(ctx, globals, action, args) {
  const usage = `openshell gateway ${action} [OPTIONS]`;
  /** @type {Record<string, import("../lib/args.mjs").FlagSpec>} */
  const common = { "--name": { value: true }, "--remote": { value: true }, "--ssh-key": { value: true } };
  const startFlags = {
    "--port": { value: true },
    "--gateway-host": { value: true },
    "--recreate": {},
    "--plaintext": {},
    "--disable-gateway-auth": {},
    "--registry-username": { value: true },
    "--registry-token": { value: true },
    "--gpu": {},
  };
  const parsed = parseArgs(args, { usage, flags: action === "start" ? { ...common, ...startFlags } : common }, ctx.err);
  if (flagValue(parsed, "--remote")) return notSimulated(ctx, `gateway ${action} --remote`);
  const name = flagValue(parsed, "--name") ?? globals.gateway ?? "openshell";
  const state = loadState(ctx.paths);
  if (state.docker.daemon !== "running") {
    fail(ctx, mietteError("failed to connect to Docker", ["Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"]));
  }
  if (action === "start") {
    const port = Number(flagValue(parsed, "--port") ?? readMetadata(ctx.paths, name)?.gateway_port ?? 8080);
    const image = ctx.env.OPENSHELL_CLUSTER_IMAGE || `ghcr.io/nvidia/openshell/cluster:${ctx.env.IMAGE_TAG || ctx.version}`;
    const result = await updateState(ctx.paths, (s) => deployClusterGateway(ctx.paths, s, { name, port, image, recreate: hasFlag(parsed, "--recreate") }));
    ctx.err(result.lines.map((line) => `${line.startsWith("✓") ? `${bold(green("✓"))}${line.slice(1)}` : line}\n`).join(""));
    return 0;
  }
  const container = containerByName(state, `openshell-cluster-${name}`);
  if (action === "stop") {
    if (!container) fail(ctx, mietteError(`Gateway '${name}' not found.`));
    await updateState(ctx.paths, (s) => {
      const c = containerByName(s, `openshell-cluster-${name}`);
      if (c) {
        c.running = false;
        c.finishedAtMs = Date.now();
        c.exitCode = 0;
      }
    });
    ctx.err(`${bold(green("✓"))} Gateway '${name}' stopped.\n`);
    return 0;
  }
  await updateState(ctx.paths, (s) => destroyClusterGateway(ctx.paths, s, name));
  ctx.err(`${bold(green("✓"))} Gateway '${name}' destroyed.\n`);
  return 0;
}

