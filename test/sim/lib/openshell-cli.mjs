// @ts-check
// OpenShell's command line per release: every command and argument of the `openshell` CLI the
// simulator parses, with the first and last release that has it. Facts read from the clap
// definitions of each tag (OS@v0.0.1 … OS@v0.0.111:crates/openshell-cli/src/main.rs); releases
// after 0.0.111 (whose source was not read) are taken to parse like 0.0.111. Only the groups
// the simulator implements list their arguments; the others are known names that the simulator
// refuses as "not simulated" after clap has accepted them.

import { atLeast } from "./versions.mjs";

/** @typedef {import("./clap.mjs").ArgSpec} ArgSpec @typedef {import("./clap.mjs").CommandSpec} CommandSpec */

/**
 * [path, first release, last release (null: still present), options]. Order is declaration
 * order (clap lists and suggests subcommands in that order).
 * @type {[string, string, string | null, { aliases?: string[]; hidden?: boolean }?][]}
 */
const COMMANDS = [
  ["sandbox", "0.0.1", null, { aliases: ["sb"] }],
  ["sandbox create", "0.0.1", null],
  ["sandbox get", "0.0.1", null],
  ["sandbox list", "0.0.1", null],
  ["sandbox delete", "0.0.1", null],
  ["sandbox stop", "0.0.105", null],
  ["sandbox start", "0.0.105", null],
  ["sandbox exec", "0.0.23", null],
  ["sandbox connect", "0.0.1", null],
  ["sandbox upload", "0.0.1", null],
  ["sandbox download", "0.0.1", null],
  ["sandbox ssh-config", "0.0.1", null],
  ["sandbox provider", "0.0.37", null],
  ["forward", "0.0.1", null, { aliases: ["fwd"] }],
  ["service", "0.0.40", null, { aliases: ["svc"] }],
  ["logs", "0.0.1", null, { aliases: ["lg"] }],
  ["policy", "0.0.1", null, { aliases: ["pol"] }],
  ["settings", "0.0.13", null],
  ["rule", "0.0.1", null, { aliases: ["rl"], hidden: true }],
  ["provider", "0.0.1", null],
  ["workspace", "0.0.88", null, { aliases: ["ws"] }],
  ["gateway", "0.0.1", null, { aliases: ["gw"] }],
  ["gateway start", "0.0.1", "0.0.36"],
  ["gateway stop", "0.0.1", "0.0.36"],
  ["gateway destroy", "0.0.1", "0.0.36"],
  ["gateway add", "0.0.1", null],
  ["gateway remove", "0.0.37", null],
  ["gateway login", "0.0.1", null],
  ["gateway logout", "0.0.37", null],
  ["gateway select", "0.0.1", null],
  ["gateway info", "0.0.1", null],
  ["gateway list", "0.0.37", null],
  ["status", "0.0.1", null],
  ["whoami", "0.0.95", null],
  ["inference", "0.0.1", null],
  ["inference set", "0.0.1", null],
  ["inference update", "0.0.1", null],
  ["inference get", "0.0.1", null],
  ["inference delete", "0.0.88", null],
  ["doctor", "0.0.1", "0.0.36"],
  ["doctor", "0.0.37", null, { aliases: ["dr"], hidden: true }],
  ["term", "0.0.1", null],
  ["completions", "0.0.1", null],
  ["ssh-proxy", "0.0.1", null, { hidden: true }],
];

/**
 * Arguments per command path ("" = the root, whose arguments are global), in declaration order:
 * [first release, last release, clap arg].
 * @type {Record<string, [string, string | null, ArgSpec][]>}
 */
const ARGS = {
  "": [
    ["0.0.1", null, { id: "gateway", short: "g", long: "gateway", action: "set", global: true, env: "OPENSHELL_GATEWAY" }],
    ["0.0.1", null, { id: "gateway_endpoint", long: "gateway-endpoint", action: "set", global: true, env: "OPENSHELL_GATEWAY_ENDPOINT" }],
    ["0.0.37", null, { id: "gateway_insecure", long: "gateway-insecure", action: "setTrue", global: true, env: "OPENSHELL_GATEWAY_INSECURE" }],
    ["0.0.88", null, { id: "workspace", long: "workspace", action: "set", global: true, env: "OPENSHELL_WORKSPACE" }],
    ["0.0.1", null, { id: "verbose", short: "v", long: "verbose", action: "count", global: true }],
    ["0.0.1", null, { id: "help", short: "h", long: "help", action: "help", global: true }],
    ["0.0.1", null, { id: "version", short: "V", long: "version", action: "version", global: true }],
  ],
  "status": [
    ["0.0.92", null, { id: "output", short: "o", long: "output", action: "set", values: ["table", "yaml", "json"] }],
  ],
  "gateway add": [
    ["0.0.1", null, { id: "endpoint", index: 1, action: "set", required: true }],
    ["0.0.1", null, { id: "name", long: "name", action: "set" }],
    ["0.0.1", null, { id: "remote", long: "remote", action: "set", conflicts: ["local"] }],
    ["0.0.1", "0.0.36", { id: "ssh_key", long: "ssh-key", action: "set" }],
    ["0.0.1", null, { id: "local", long: "local", action: "setTrue", conflicts: ["remote"] }],
    ["0.0.37", null, { id: "oidc_issuer", long: "oidc-issuer", action: "set", conflicts: ["remote"] }],
    ["0.0.37", null, { id: "oidc_client_id", long: "oidc-client-id", action: "set", requires: ["oidc_issuer"] }],
    ["0.0.37", null, { id: "oidc_audience", long: "oidc-audience", action: "set", requires: ["oidc_issuer"] }],
    ["0.0.37", null, { id: "oidc_scopes", long: "oidc-scopes", action: "set", requires: ["oidc_issuer"] }],
  ],
  "gateway destroy": [
    ["0.0.1", "0.0.36", { id: "name", long: "name", action: "set", env: "OPENSHELL_GATEWAY" }],
    ["0.0.1", "0.0.36", { id: "remote", long: "remote", action: "set" }],
    ["0.0.1", "0.0.36", { id: "ssh_key", long: "ssh-key", action: "set" }],
  ],
  "gateway info": [
    ["0.0.85", null, { id: "output", short: "o", long: "output", action: "set", values: ["table", "yaml", "json"] }],
    ["0.0.1", "0.0.84", { id: "name", long: "name", action: "set", env: "OPENSHELL_GATEWAY" }],
  ],
  "gateway list": [
    ["0.0.47", null, { id: "output", short: "o", long: "output", action: "set", values: ["table", "yaml", "json"] }],
  ],
  "gateway login": [
    ["0.0.1", null, { id: "name", index: 1, action: "set" }],
  ],
  "gateway logout": [
    ["0.0.37", null, { id: "name", index: 1, action: "set" }],
  ],
  "gateway remove": [
    ["0.0.37", null, { id: "name", index: 1, action: "set" }],
  ],
  "gateway select": [
    ["0.0.1", null, { id: "name", index: 1, action: "set" }],
  ],
  "gateway start": [
    ["0.0.1", "0.0.36", { id: "name", long: "name", action: "set", env: "OPENSHELL_GATEWAY" }],
    ["0.0.1", "0.0.36", { id: "remote", long: "remote", action: "set" }],
    ["0.0.1", "0.0.36", { id: "ssh_key", long: "ssh-key", action: "set" }],
    ["0.0.1", "0.0.36", { id: "port", long: "port", action: "set", integer: "u16" }],
    ["0.0.1", "0.0.36", { id: "gateway_host", long: "gateway-host", action: "set" }],
    ["0.0.1", "0.0.36", { id: "recreate", long: "recreate", action: "setTrue" }],
    ["0.0.1", "0.0.36", { id: "plaintext", long: "plaintext", action: "setTrue" }],
    ["0.0.1", "0.0.36", { id: "disable_gateway_auth", long: "disable-gateway-auth", action: "setTrue" }],
    ["0.0.6", "0.0.36", { id: "registry_username", long: "registry-username", action: "set", env: "OPENSHELL_REGISTRY_USERNAME" }],
    ["0.0.1", "0.0.36", { id: "registry_token", long: "registry-token", action: "set", env: "OPENSHELL_REGISTRY_TOKEN" }],
    ["0.0.1", "0.0.36", { id: "gpu", long: "gpu", action: "setTrue" }],
  ],
  "gateway stop": [
    ["0.0.1", "0.0.36", { id: "name", long: "name", action: "set", env: "OPENSHELL_GATEWAY" }],
    ["0.0.1", "0.0.36", { id: "remote", long: "remote", action: "set" }],
    ["0.0.1", "0.0.36", { id: "ssh_key", long: "ssh-key", action: "set" }],
  ],
  "inference get": [
    ["0.0.1", null, { id: "system", long: "system", action: "setTrue" }],
  ],
  "inference set": [
    ["0.0.1", null, { id: "provider", long: "provider", action: "set", required: true }],
    ["0.0.1", null, { id: "model", long: "model", action: "set", required: true }],
    ["0.0.1", null, { id: "system", long: "system", action: "setTrue" }],
    ["0.0.4", null, { id: "no_verify", long: "no-verify", action: "setTrue" }],
    ["0.0.19", null, { id: "timeout", long: "timeout", action: "set", integer: "u64" }],
  ],
  "sandbox connect": [
    ["0.0.1", null, { id: "name", index: 1, action: "set" }],
    ["0.0.1", null, { id: "editor", long: "editor", action: "set", values: ["vscode", "cursor"] }],
  ],
  "sandbox create": [
    ["0.0.1", null, { id: "name", long: "name", action: "set" }],
    ["0.0.1", null, { id: "from", long: "from", action: "set" }],
    ["0.0.1", "0.0.55", { id: "upload", long: "upload", action: "set" }],
    ["0.0.56", "0.0.110", { id: "upload", long: "upload", action: "append" }],
    ["0.0.111", null, { id: "upload", long: "upload", action: "append", conflicts: ["command"] }],
    ["0.0.1", null, { id: "no_git_ignore", long: "no-git-ignore", action: "setTrue", requires: ["upload"] }],
    ["0.0.1", null, { id: "keep", long: "keep", action: "setTrue", conflicts: ["no_keep"], hidden: true }],
    ["0.0.1", null, { id: "no_keep", long: "no-keep", action: "setTrue", conflicts: ["keep", "editor", "forward"] }],
    ["0.0.1", null, { id: "editor", long: "editor", action: "set", values: ["vscode", "cursor"], conflicts: ["no_keep"] }],
    ["0.0.1", "0.0.68", { id: "gpu", long: "gpu", action: "setTrue" }],
    ["0.0.69", null, { id: "gpu", long: "gpu", action: "set", numArgs: [0, 1], valueName: "COUNT", check: gpuCount }],
    ["0.0.37", "0.0.60", { id: "gpu_device", long: "gpu-device", action: "set", requires: ["gpu"] }],
    ["0.0.41", null, { id: "cpu", long: "cpu", action: "set" }],
    ["0.0.41", null, { id: "memory", long: "memory", action: "set" }],
    ["0.0.58", null, { id: "driver_config_json", long: "driver-config-json", action: "set", valueName: "JSON" }],
    ["0.0.1", "0.0.36", { id: "remote", long: "remote", action: "set" }],
    ["0.0.1", "0.0.36", { id: "ssh_key", long: "ssh-key", action: "set" }],
    ["0.0.1", null, { id: "providers", long: "provider", action: "append" }],
    ["0.0.1", null, { id: "policy", long: "policy", action: "set" }],
    ["0.0.1", null, { id: "forward", long: "forward", action: "set", conflicts: ["no_keep"] }],
    ["0.0.1", null, { id: "tty", long: "tty", action: "setTrue", overrides: ["no_tty"] }],
    ["0.0.1", null, { id: "no_tty", long: "no-tty", action: "setTrue", overrides: ["tty"] }],
    ["0.0.111", null, { id: "detach", long: "detach", action: "setTrue", conflicts: ["editor", "no_keep"] }],
    ["0.0.1", "0.0.36", { id: "bootstrap", long: "bootstrap", action: "setTrue", overrides: ["no_bootstrap"], hidden: true }],
    ["0.0.1", "0.0.36", { id: "no_bootstrap", long: "no-bootstrap", action: "setTrue", overrides: ["bootstrap"] }],
    ["0.0.1", null, { id: "auto_providers", long: "auto-providers", action: "setTrue", overrides: ["no_auto_providers"] }],
    ["0.0.1", null, { id: "no_auto_providers", long: "no-auto-providers", action: "setTrue", overrides: ["auto_providers"] }],
    ["0.0.37", null, { id: "labels", long: "label", action: "append" }],
    ["0.0.59", null, { id: "envs", long: "env", action: "append", valueName: "KEY=VALUE" }],
    ["0.0.104", null, { id: "no_credential_warnings", long: "no-credential-warnings", action: "setTrue" }],
    ["0.0.53", null, { id: "approval_mode", long: "approval-mode", action: "set", values: ["manual", "auto"] }],
    ["0.0.92", null, { id: "output", short: "o", long: "output", action: "set", values: ["table", "yaml", "json"], conflicts: ["editor", "command", "no_keep", "forward"] }],
    ["0.0.1", "0.0.36", { id: "command", index: 1, action: "append", numArgs: [1, Infinity], trailingVarArg: true }],
    ["0.0.37", null, { id: "command", index: 1, action: "append", numArgs: [1, Infinity], last: true, allowHyphenValues: true }],
  ],
  "sandbox delete": [
    ["0.0.1", null, { id: "names", index: 1, action: "append", numArgs: [1, Infinity], valueName: "NAME", requiredUnlessPresent: ["all"] }],
    ["0.0.1", null, { id: "all", long: "all", action: "setTrue", conflicts: ["names"] }],
  ],
  "sandbox download": [
    ["0.0.1", null, { id: "name", index: 1, action: "set", required: true }],
    ["0.0.1", null, { id: "sandbox_path", index: 2, action: "set", required: true }],
    ["0.0.1", null, { id: "dest", index: 3, action: "set" }],
  ],
  "sandbox exec": [
    ["0.0.23", null, { id: "name", short: "n", long: "name", action: "set" }],
    ["0.0.23", null, { id: "workdir", long: "workdir", action: "set" }],
    ["0.0.23", null, { id: "timeout", long: "timeout", action: "set", integer: "u32" }],
    ["0.0.23", null, { id: "tty", long: "tty", action: "setTrue", overrides: ["no_tty"] }],
    ["0.0.23", null, { id: "no_tty", long: "no-tty", action: "setTrue", overrides: ["tty"] }],
    ["0.0.59", null, { id: "envs", long: "env", action: "append", valueName: "KEY=VALUE" }],
    ["0.0.23", null, { id: "command", index: 1, action: "append", numArgs: [1, Infinity], required: true, trailingVarArg: true, allowHyphenValues: true }],
  ],
  "sandbox get": [
    ["0.0.1", null, { id: "name", index: 1, action: "set" }],
    ["0.0.34", "0.0.91", { id: "policy_only", long: "policy-only", action: "setTrue" }],
    ["0.0.92", null, { id: "policy_only", long: "policy-only", action: "setTrue", conflicts: ["output"] }],
    ["0.0.92", null, { id: "output", short: "o", long: "output", action: "set", values: ["table", "yaml", "json"] }],
  ],
  "sandbox list": [
    ["0.0.1", null, { id: "limit", long: "limit", action: "set", integer: "u32" }],
    ["0.0.1", null, { id: "offset", long: "offset", action: "set", integer: "u32" }],
    ["0.0.1", "0.0.43", { id: "ids", long: "ids", action: "setTrue", conflicts: ["names"] }],
    ["0.0.44", null, { id: "ids", long: "ids", action: "setTrue", conflicts: ["names", "output"] }],
    ["0.0.1", "0.0.43", { id: "names", long: "names", action: "setTrue", conflicts: ["ids"] }],
    ["0.0.44", null, { id: "names", long: "names", action: "setTrue", conflicts: ["ids", "output"] }],
    ["0.0.37", null, { id: "selector", long: "selector", action: "set" }],
    ["0.0.44", null, { id: "output", short: "o", long: "output", action: "set", values: ["table", "yaml", "json"], conflicts: ["ids", "names"] }],
    ["0.0.88", null, { id: "all_workspaces", long: "all-workspaces", action: "setTrue" }],
  ],
  "sandbox ssh-config": [
    ["0.0.1", null, { id: "name", index: 1, action: "set" }],
  ],
  "sandbox start": [
    ["0.0.105", null, { id: "name", index: 1, action: "set" }],
  ],
  "sandbox stop": [
    ["0.0.105", null, { id: "name", index: 1, action: "set" }],
  ],
  "sandbox upload": [
    ["0.0.1", null, { id: "name", index: 1, action: "set", required: true }],
    ["0.0.1", null, { id: "local_path", index: 2, action: "set", required: true }],
    ["0.0.1", null, { id: "dest", index: 3, action: "set" }],
    ["0.0.1", null, { id: "no_git_ignore", long: "no-git-ignore", action: "setTrue" }],
  ],
};

/** `parse_gpu_request` (OS@v0.0.111:crates/openshell-cli/src/main.rs): empty = the driver's default. @param {string} value */
function gpuCount(value) {
  if (value === "") return null;
  if (!/^\+?\d+$/.test(value) || Number(value) > 4294967295) return "GPU count must be a positive integer";
  return Number(value) === 0 ? "GPU count must be greater than 0" : null;
}

/** Commands the simulator implements; every other command is accepted by name and refused as not simulated. */
const SIMULATED = new Set([
  "status",
  "sandbox", "sandbox create", "sandbox get", "sandbox list", "sandbox delete", "sandbox stop", "sandbox start", "sandbox exec", "sandbox upload", "sandbox download", "sandbox ssh-config",
  "gateway", "gateway start", "gateway stop", "gateway destroy", "gateway add", "gateway remove", "gateway select", "gateway info", "gateway list",
  "inference", "inference set", "inference get",
]);

/** @param {string} version @param {string} since @param {string | null} until */
function inRange(version, since, until) {
  return atLeast(version, since) && (until === null || atLeast(until, version));
}

/**
 * The `openshell` command tree of a release, for lib/clap.mjs.
 * @param {string} version
 * @returns {CommandSpec}
 */
export function openshellCommandTree(version) {
  /** @type {Map<string, CommandSpec>} */
  const nodes = new Map();
  /** @param {string} path @param {{ aliases?: string[]; hidden?: boolean }} options */
  const node = (path, options) => ({
    name: path.split(" ").pop() ?? "",
    usageName: path ? `openshell ${path}` : "openshell",
    aliases: options.aliases ?? [],
    hidden: Boolean(options.hidden),
    args: (ARGS[path] ?? []).filter(([since, until]) => inRange(version, since, until)).map(([, , arg]) => arg),
    subcommands: [],
    opaque: path !== "" && !SIMULATED.has(path),
  });
  const root = node("", {});
  nodes.set("", root);
  for (const [path, since, until, options] of COMMANDS) {
    if (!inRange(version, since, until)) continue;
    const parent = nodes.get(path.includes(" ") ? path.slice(0, path.lastIndexOf(" ")) : "");
    if (!parent) continue;
    const child = node(path, options ?? {});
    parent.subcommands.push(child);
    nodes.set(path, child);
  }
  return root;
}
