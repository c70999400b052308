// @ts-check
// NemoClaw's command line per release: the flags and arguments of every command the simulator
// implements, with the release that added each (NC@d50338aa `git log -S`, mapped to releases by
// their release-notes commits), and the per-sandbox action tokens a release knows.

import { OclifError, parseOclif } from "./oclif.mjs";
import { atLeast } from "./versions.mjs";
import { NC } from "./releases.mjs";

/**
 * @typedef {import("./oclif.mjs").OclifCommand} OclifCommand
 * @typedef {import("./oclif.mjs").OclifFlag} OclifFlag
 */

const SANDBOX_ARG = { name: "sandboxName", required: true, description: "Sandbox name" };

/** `--timeout` of `shields down`: a duration of at most 30 minutes (NC@d50338aa:src/lib/domain/duration.ts:12-52). */
export function parseDuration(/** @type {string} */ value) {
  const match = /^(\d+)(s|m|h)?$/.exec(value.trim());
  // Stand-in text: the reference quotes only the maximum-duration error.
  if (!match) throw new Error(`Invalid duration: ${value}`);
  const seconds = Number(match[1]) * { s: 1, m: 60, h: 3600 }[/** @type {"s" | "m" | "h"} */ (match[2] ?? "s")];
  if (seconds > 1800) throw new Error(`Duration ${seconds}s exceeds maximum of 1800s (30 minutes)`);
  return String(seconds);
}

/**
 * @param {string} version
 * @param {[string, string, OclifFlag][]} entries [since, name, flag]
 * @returns {Record<string, OclifFlag>}
 */
function since(version, entries) {
  return Object.fromEntries(entries.filter(([first]) => atLeast(version, first)).map(([, name, spec]) => [name, spec]));
}

const ALL = "0.0.1";
const BOOL = /** @type {OclifFlag} */ ({ type: "boolean" });
const OPT = /** @type {OclifFlag} */ ({ type: "option" });

/**
 * The flags and arguments of a command in a release, or null when the release lacks it.
 * @param {string} version
 * @param {string} id oclif id (`onboard`, `sandbox:rebuild`, …)
 * @returns {OclifCommand | null}
 */
export function commandSpec(version, id) {
  const v = version;
  const exclusive = (/** @type {string[]} */ names) => names.filter((name) => onboardFlagExists(v, name));
  switch (id) {
    case "onboard":
      return {
        args: [],
        flags: since(v, [
          [ALL, "non-interactive", BOOL],
          [ALL, "resume", { type: "boolean", exclusive: exclusive(["fresh"]) }],
          [NC.onboardFresh, "fresh", { type: "boolean", exclusive: ["resume"] }],
          [ALL, "recreate-sandbox", BOOL],
          [NC.onboardGpu, "gpu", { type: "boolean", exclusive: exclusive(["no-gpu", "no-sandbox-gpu"]) }],
          [NC.onboardGpu, "no-gpu", { type: "boolean", exclusive: exclusive(["gpu", "sandbox-gpu"]) }],
          [ALL, "from", OPT],
          [NC.onboardName, "name", OPT],
          [NC.dockerDriver, "sandbox-gpu", { type: "boolean", exclusive: ["no-gpu", "no-sandbox-gpu"] }],
          [NC.dockerDriver, "no-sandbox-gpu", { type: "boolean", exclusive: ["gpu", "sandbox-gpu"] }],
          [NC.dockerDriver, "sandbox-gpu-device", { type: "option", dependsOn: ["sandbox-gpu"] }],
          [ALL, "agent", OPT],
          [NC.onboardAgents, "agents", OPT],
          [NC.toolDisclosure, "tool-disclosure", { type: "option", options: ["progressive", "direct"] }],
          [NC.observability, "observability", { type: "boolean", allowNo: true }],
          [NC.onboardControlUiPort, "control-ui-port", OPT],
          [NC.onboardYes, "yes", { type: "boolean", char: "y" }],
          [NC.onboardNoOllamaAutostart, "no-ollama-autostart", BOOL],
          [ALL, "yes-i-accept-third-party-software", BOOL],
        ]),
      };
    case "list":
      return { args: [], flags: since(v, [[NC.listJson, "json", BOOL]]) };
    case "backup-all":
      return { args: [], flags: {} };
    case "upgrade-sandboxes":
      return { args: [], flags: since(v, [[ALL, "check", BOOL], [ALL, "auto", BOOL], [ALL, "yes", { type: "boolean", char: "y" }]]) };
    case "inference:set":
    case "sandbox:inference:set":
      if (!atLeast(v, id === "inference:set" ? NC.inferenceSet : NC.toolDisclosure)) return null;
      return {
        args: id === "sandbox:inference:set" ? [SANDBOX_ARG] : [],
        flags: since(v, [
          [ALL, "provider", OPT],
          [ALL, "model", OPT],
          ...(id === "inference:set" ? [/** @type {[string, string, OclifFlag]} */ ([ALL, "sandbox", OPT])] : []),
          [ALL, "no-verify", BOOL],
          [NC.inferenceSetEndpoint, "endpoint-url", OPT],
          [NC.inferenceSetEndpoint, "credential-env", OPT],
          [NC.inferenceSetEndpoint, "inference-api", OPT],
        ]),
      };
    case "inference:get":
      // Stand-in flags: `inference get` is read-only and its flags are not in the reference.
      return atLeast(v, NC.inferenceGet) ? { args: [], flags: { sandbox: OPT, json: BOOL } } : null;
    case "sandbox:status":
      return { args: [SANDBOX_ARG], flags: since(v, [[NC.statusJson, "json", BOOL]]) };
    case "sandbox:rebuild":
      return {
        args: [SANDBOX_ARG],
        flags: since(v, [
          [ALL, "yes", { type: "boolean", char: "y" }],
          [ALL, "force", BOOL],
          [ALL, "verbose", { type: "boolean", char: "v" }],
          [NC.toolDisclosure, "tool-disclosure", { type: "option", options: ["progressive", "direct"] }],
          [NC.observability, "observability", { type: "boolean", allowNo: true }],
        ]),
      };
    case "sandbox:destroy":
      return {
        args: [SANDBOX_ARG],
        flags: since(v, [
          [ALL, "yes", { type: "boolean", char: "y" }],
          [ALL, "force", BOOL],
          [NC.dockerDriver, "cleanup-gateway", { type: "boolean", allowNo: true }],
        ]),
      };
    case "sandbox:recover":
      return atLeast(v, NC.recover) ? { args: [SANDBOX_ARG], flags: {} } : null;
    case "sandbox:gateway:restart":
      return atLeast(v, NC.gatewayControl) ? { args: [SANDBOX_ARG], flags: { quiet: { type: "boolean", char: "q" } } } : null;
    case "sandbox:stop":
    case "sandbox:start":
      return atLeast(v, NC.sandboxStopStart) ? { args: [SANDBOX_ARG], flags: {} } : null;
    case "sandbox:policy:add":
      return {
        args: [SANDBOX_ARG, { name: "preset" }],
        flags: since(v, [
          [ALL, "yes", { type: "boolean", char: "y" }],
          [ALL, "force", BOOL],
          [ALL, "dry-run", BOOL],
          [NC.onboardFresh, "from-file", { type: "option", exclusive: ["from-dir"] }],
          [NC.onboardFresh, "from-dir", { type: "option", exclusive: ["from-file"] }],
        ]),
      };
    case "sandbox:policy:remove":
      return { args: [SANDBOX_ARG, { name: "preset" }], flags: { yes: { type: "boolean", char: "y" }, force: BOOL, "dry-run": BOOL } };
    case "sandbox:policy:list":
      return { args: [SANDBOX_ARG], flags: {} };
    case "sandbox:shields:up":
    case "sandbox:shields:status":
      return atLeast(v, NC.shieldsRemoved) ? null : { args: [SANDBOX_ARG], flags: {} };
    case "sandbox:shields:down":
      return atLeast(v, NC.shieldsRemoved) ? null : { args: [SANDBOX_ARG], flags: { timeout: { type: "option", parse: parseDuration }, reason: OPT, policy: OPT } };
    case "sandbox:snapshot:create":
      return { args: [SANDBOX_ARG], flags: { name: OPT } };
    case "sandbox:snapshot:list":
      return { args: [SANDBOX_ARG], flags: {} };
    case "sandbox:snapshot:restore":
      return {
        args: [SANDBOX_ARG, { name: "selector" }],
        flags: since(v, [
          [ALL, "to", OPT],
          [NC.snapshotRestoreForce, "force", BOOL],
          [NC.snapshotRestoreForce, "yes", { type: "boolean", char: "y" }],
        ]),
      };
  }
  return null;
}

/** @param {string} version @param {string} name */
function onboardFlagExists(version, name) {
  const first = /** @type {Record<string, string>} */ ({
    fresh: NC.onboardFresh,
    gpu: NC.onboardGpu,
    "no-gpu": NC.onboardGpu,
    "sandbox-gpu": NC.dockerDriver,
    "no-sandbox-gpu": NC.dockerDriver,
  })[name];
  return first === undefined || atLeast(version, first);
}

/** The action tokens of NemoClaw at d50338aa (≈v0.0.76), from its oclif manifest. */
const ACTIONS_D50338AA = [
  "agent", "agents", "channels", "config", "connect", "dashboard-url", "destroy", "doctor", "download", "exec", "gateway", "gateway-token",
  "hosts-add", "hosts-list", "hosts-remove", "inference", "logs", "mcp", "policy-add", "policy-explain", "policy-list", "policy-remove",
  "rebuild", "recover", "sessions", "share", "shields", "skill", "snapshot", "status", "upload",
];

/** The hard-coded action list of the dispatcher before #3635 (NC@e0ab181d:src/nemoclaw.ts:166-218). */
const ACTIONS_HAND_CODED = [
  "connect", "status", "doctor", "logs", "policy-add", "policy-remove", "policy-list", "skill", "snapshot", "share", "rebuild", "recover",
  "shields", "config", "channels", "gateway-token", "destroy",
];

/**
 * The per-sandbox actions a release knows, in the order its `Valid actions:` line lists them.
 * Between v0.0.46 and v0.0.73 the list is derived from d50338aa's (minus `gateway` before
 * v0.0.70); the exact manifest of those releases was not read.
 * @param {string} version
 */
export function sandboxActions(version) {
  let actions = atLeast(version, NC.publicDispatch) ? [...ACTIONS_D50338AA] : [...ACTIONS_HAND_CODED];
  if (!atLeast(version, NC.recover)) actions = actions.filter((action) => action !== "recover");
  if (!atLeast(version, NC.gatewayControl)) actions = actions.filter((action) => action !== "gateway");
  if (atLeast(version, NC.sandboxStopStart)) actions = [...actions, "start", "stop"].sort((a, b) => a.localeCompare(b));
  if (atLeast(version, NC.shieldsRemoved)) actions = actions.filter((action) => action !== "shields");
  return actions;
}

/** Global commands the dispatcher routes before it reads a sandbox name. */
export const GLOBAL_COMMANDS = [
  "onboard", "list", "status", "backup-all", "upgrade-sandboxes", "update", "inference", "credentials", "deploy", "setup", "setup-spark",
  "start", "stop", "debug", "uninstall", "help", "gc", "agents", "resources", "tunnel", "completion", "profiles", "version",
];

/**
 * Parse a command line the way the release does: strict oclif from ≈v0.0.34; before that the
 * hand-written parsers read the flags they knew and ignored everything else.
 * @param {string} version
 * @param {string} id
 * @param {string[]} argv the arguments after the command (the sandbox name first for sandbox commands)
 * @returns {import("./oclif.mjs").OclifResult}
 */
export function parseCommandLine(version, id, argv) {
  const spec = commandSpec(version, id);
  if (!spec) throw new Error(`fleet-sim: ${id} does not exist in NemoClaw v${version}`);
  if (atLeast(version, NC.strictFlags)) return parseOclif(argv, spec, { validationPrinted: atLeast(version, NC.flagValidationPrinted) });
  if (id === "sandbox:snapshot:create") handParsedSnapshotCreate(argv.slice(1));
  /** @type {string[]} */
  const kept = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = /** @type {string} */ (argv[i]);
    if (!arg.startsWith("-")) {
      kept.push(arg);
      continue;
    }
    const name = arg.startsWith("--") ? arg.slice(2).split("=")[0] : Object.entries(spec.flags).find(([, f]) => f.char === arg[1])?.[0];
    const flag = name ? spec.flags[name] : undefined;
    if (!flag) continue;
    kept.push(arg);
    if (flag.type === "option" && !arg.includes("=") && i + 1 < argv.length) kept.push(/** @type {string} */ (argv[++i]));
  }
  const lenient = { ...spec, args: [...spec.args, ...Array.from({ length: Math.max(0, kept.filter((a) => !a.startsWith("-")).length - spec.args.length) }, (_, i) => ({ name: `ignored${i}` }))] };
  return parseOclif(kept, lenient, { validationPrinted: true });
}

/**
 * The one hand-written parser before oclif that refuses what it does not know: `snapshot create`
 * takes only `--name <value>` (NC@6966f4b7:src/nemoclaw.ts:3028-3044, the same up to v0.0.33's
 * 954e6c2b; oclif from #2798, c98aa29d).
 * @param {string[]} flags the arguments after the sandbox name
 */
function handParsedSnapshotCreate(flags) {
  for (let i = 0; i < flags.length; i++) {
    const flag = /** @type {string} */ (flags[i]);
    if (flag !== "--name") throw new OclifError(`  Unknown flag: ${flag}\n`, 1);
    if (i + 1 >= flags.length || /** @type {string} */ (flags[i + 1]).startsWith("--")) throw new OclifError("  --name requires a value\n", 1);
    i++;
  }
}

export { OclifError };
