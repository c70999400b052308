// @ts-check
// `curl` on an offline host: the OpenShell and NemoClaw installer URLs are served (the simulated installers),
// loopback URLs reach a simulated gateway if one answers on that port, anything else fails
// to resolve — the way curl reports each.

import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { installerScript, nemoclawInstallerScript } from "../lib/shims.mjs";
import { gatewayAnswers, gatewayByPort, loadState } from "../lib/state.mjs";

/** @typedef {import("../lib/runtime.mjs").ToolContext} ToolContext */

const INSTALLER = /^https:\/\/raw\.githubusercontent\.com\/NVIDIA\/OpenShell\/[^/]+\/install\.sh$/;
const NEMOCLAW_INSTALLER = /^https:\/\/www\.nvidia\.com\/nemoclaw\.sh$/;
const VALUED = new Set(["-o", "--output", "-w", "--write-out", "-m", "--max-time", "--retry", "--max-redirs", "--connect-timeout", "-X", "--request", "-H", "--header", "--cacert", "--cert", "--key", "-d", "--data"]);

/** @param {ToolContext} ctx */
export function run(ctx) {
  /** @type {Map<string, string>} */
  const values = new Map();
  const short = new Set();
  /** @type {string | undefined} */
  let url;
  for (let i = 0; i < ctx.args.length; i++) {
    const arg = /** @type {string} */ (ctx.args[i]);
    if (VALUED.has(arg)) values.set(arg, ctx.args[++i] ?? "");
    else if (arg.startsWith("--")) short.add(arg);
    else if (arg.startsWith("-")) arg.slice(1).split("").forEach((flag) => short.add(flag));
    else url = arg;
  }
  const silent = short.has("s") || short.has("--silent");
  const showErrors = short.has("S") || short.has("--show-error") || !silent;
  const output = values.get("-o") ?? values.get("--output");
  const writeOut = values.get("-w") ?? values.get("--write-out");
  /** @param {number} code @param {string} message */
  const failWith = (code, message) => {
    if (showErrors) ctx.err(`curl: (${code}) ${message}\n`);
    if (writeOut) ctx.out(writeOut.replace("%{http_code}", "000"));
    return code;
  };
  if (!url) return failWith(2, "no URL specified");
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return failWith(3, "URL rejected: Malformed input to a URL function");
  }
  /** @param {string} body */
  const respond = (body) => {
    if (output && output !== "/dev/null") writeFileSync(resolve(ctx.call.cwd, output), body);
    else if (!output) ctx.out(body);
    if (writeOut) ctx.out(writeOut.replace("%{http_code}", "200").replace("%{url_effective}", url ?? ""));
    return 0;
  };
  if (INSTALLER.test(url)) return respond(installerScript(ctx.paths.home));
  if (NEMOCLAW_INSTALLER.test(url)) return respond(nemoclawInstallerScript(ctx.paths.home));
  if (["127.0.0.1", "localhost"].includes(parsed.hostname)) {
    const port = parsed.port ? Number(parsed.port) : parsed.protocol === "https:" ? 443 : 80;
    const state = loadState(ctx.paths);
    const gateway = gatewayByPort(state, port);
    if (gateway && gatewayAnswers(state, gateway)) return respond("");
    return failWith(7, `Failed to connect to ${parsed.hostname} port ${port} after 0 ms: Couldn't connect to server`);
  }
  return failWith(6, `Could not resolve host: ${parsed.hostname}`);
}
