// @ts-check
// Entry logic shared by every simulated command, in either mode (lib/call.mjs): record the call,
// apply the scenario's per-command delay, run the tool, turn SimExit into an exit code.

import { appendFileSync, existsSync, readFileSync, statSync } from "node:fs";
import { runInCall } from "./call.mjs";
import { simPaths } from "./paths.mjs";
import { SimExit, sleep } from "./util.mjs";

/**
 * @typedef {object} ToolContext
 * @property {import("./paths.mjs").SimPaths} paths
 * @property {string} tool
 * @property {string} version the version this binary prints ("-" for host tools)
 * @property {string[]} args
 * @property {NodeJS.ProcessEnv} env
 * @property {(text: string) => void} out
 * @property {(text: string) => void} err
 * @property {import("./call.mjs").Call} call the caller's process: working directory, stdin
 */

const TOOL_MODULES = /** @type {Record<string, string>} */ ({
  openshell: "../tools/openshell.mjs",
  "openshell-gateway": "../tools/openshell-gateway.mjs",
  "openshell-installer": "../tools/openshell-installer.mjs",
  nemoclaw: "../tools/nemoclaw.mjs",
  "nemoclaw-installer": "../tools/nemoclaw-installer.mjs",
  docker: "../tools/docker.mjs",
  "nvidia-smi": "../tools/nvidia-smi.mjs",
  uname: "../tools/uname.mjs",
  curl: "../tools/curl.mjs",
});

/**
 * @param {{ home: string; tool: string; version: string; args: string[] }} invocation
 * @param {import("./call.mjs").Call} call
 * @returns {Promise<number>}
 */
export function runTool(invocation, call) {
  return runInCall(call, () => runToolInCall(invocation, call));
}

/**
 * @param {{ home: string; tool: string; version: string; args: string[] }} invocation
 * @param {import("./call.mjs").Call} call
 * @returns {Promise<number>}
 */
async function runToolInCall(invocation, call) {
  const paths = simPaths(invocation.home);
  const delayMs = scenarioDelay(paths.state, invocation.tool, invocation.args);
  logCall(paths.callsLog, invocation, call, delayMs);
  if (delayMs > 0) await sleep(delayMs);
  /** @type {ToolContext} */
  const ctx = {
    paths,
    tool: invocation.tool,
    version: invocation.version,
    args: invocation.args,
    env: call.env,
    out: call.out,
    err: call.err,
    call,
  };
  const modulePath = TOOL_MODULES[invocation.tool];
  if (!modulePath) {
    ctx.err(`fleet-sim: unknown tool ${invocation.tool}\n`);
    return 64;
  }
  try {
    const tool = await import(modulePath);
    return (await tool.run(ctx)) ?? 0;
  } catch (error) {
    if (error instanceof SimExit) return error.code;
    ctx.err(`fleet-sim: ${invocation.tool} failed inside the simulator: ${error instanceof Error ? error.stack : String(error)}\n`);
    return 70;
  }
}

/**
 * A simulated host belongs to one user: when root runs a shim (tests, or a root login), act as
 * that user so every file the tools create keeps the owner the real tools would give it.
 * @param {string} simDir
 */
export function dropToHomeOwner(simDir) {
  if (process.getuid?.() !== 0 || !existsSync(simDir)) return;
  const { uid, gid } = statSync(simDir);
  if (uid === 0) return;
  process.setgid?.(gid);
  process.setuid?.(uid);
}

/**
 * @param {string} statePath
 * @param {string} tool
 * @param {string[]} args
 */
function scenarioDelay(statePath, tool, args) {
  let slow = [];
  try {
    slow = JSON.parse(readFileSync(statePath, "utf8")).options?.slow ?? [];
  } catch {
    return 0;
  }
  const commandLine = [tool, ...args].join(" ");
  const rule = slow.find((/** @type {{ match: string }} */ entry) => new RegExp(entry.match).test(commandLine));
  return rule ? rule.delayMs : 0;
}

/**
 * One JSON line per invocation: argv and the NAMES of the environment variables set (never
 * their values, which may be secrets).
 * @param {string} callsLog
 * @param {{ tool: string; args: string[] }} invocation
 * @param {import("./call.mjs").Call} call
 * @param {number} delayMs
 */
function logCall(callsLog, invocation, call, delayMs) {
  if (!existsSync(callsLog.slice(0, callsLog.lastIndexOf("/")))) return;
  const entry = {
    ts: new Date().toISOString(),
    pid: call.pid,
    tool: invocation.tool,
    argv: invocation.args,
    env: Object.keys(call.env).sort(),
    ...(delayMs > 0 ? { delayMs } : {}),
  };
  appendFileSync(callsLog, `${JSON.stringify(entry)}\n`);
}
