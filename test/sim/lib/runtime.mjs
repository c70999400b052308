// @ts-check
// Entry logic shared by every shim: drop to the home's owner, record the call, apply the
// scenario's per-command delay, run the tool, turn SimExit into an exit code.

import { appendFileSync, existsSync, readFileSync, statSync } from "node:fs";
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
 * @returns {Promise<number>}
 */
export async function runTool(invocation) {
  const paths = simPaths(invocation.home);
  dropToHomeOwner(paths.sim);
  const delayMs = scenarioDelay(paths.state, invocation.tool, invocation.args);
  logCall(paths.callsLog, invocation, delayMs);
  if (delayMs > 0) await sleep(delayMs);
  /** @type {ToolContext} */
  const ctx = {
    paths,
    tool: invocation.tool,
    version: invocation.version,
    args: invocation.args,
    env: process.env,
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
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
function dropToHomeOwner(simDir) {
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
 * @param {number} delayMs
 */
function logCall(callsLog, invocation, delayMs) {
  if (!existsSync(callsLog.slice(0, callsLog.lastIndexOf("/")))) return;
  const entry = {
    ts: new Date().toISOString(),
    pid: process.pid,
    tool: invocation.tool,
    argv: invocation.args,
    env: Object.keys(process.env).sort(),
    ...(delayMs > 0 ? { delayMs } : {}),
  };
  appendFileSync(callsLog, `${JSON.stringify(entry)}\n`);
}
