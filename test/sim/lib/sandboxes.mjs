// @ts-check
// Creating and deleting sandboxes on a simulated gateway: the gateway's record, the real root
// tree, the era-B Docker container, and — for sandboxes started by `nemoclaw-start` — the guard
// files and a running OpenClaw gateway.

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { sandboxDir } from "./paths.mjs";
import { agentRunning, createSandboxTree, CRITICAL_GUARDS, emitGuards, guardIsSafe, PROXY_ENV, sandboxRoot, seedOpenclawState, startHolder, stopHolder } from "./sandbox.mjs";
import { containerByName } from "./state.mjs";
import { atLeast, SINCE } from "./versions.mjs";
import { randomHex, uuid } from "./util.mjs";

/**
 * @typedef {import("./state.mjs").SimState} SimState
 * @typedef {import("./state.mjs").Gateway} Gateway
 * @typedef {import("./state.mjs").Sandbox} Sandbox
 * @typedef {import("./paths.mjs").SimPaths} SimPaths
 *
 * @typedef {object} CreateOptions
 * @property {string} name
 * @property {string} image
 * @property {string[]} command
 * @property {Record<string, string>} [labels]
 * @property {boolean} [agentRunning] start the OpenClaw gateway (default: when managed)
 * @property {Record<string, string>} [files] extra files under the root, by absolute path
 * @property {string[]} [presets]
 * @property {number} [createdAtMs]
 * @property {{ cpu: string | null; memory: string | null; gpu: boolean }} [resources] limits `sandbox create` was given
 * @property {string[]} [providers]
 */

/**
 * Whether the main command is NemoClaw's entrypoint (which emits guards and starts OpenClaw).
 * @param {string[]} command
 */
export function isNemoclawStart(command) {
  return command.some((part) => part === "nemoclaw-start" || part.endsWith("/nemoclaw-start"));
}

/** `env K=V … nemoclaw-start`: the model NemoClaw bakes into the sandbox. @param {string[]} command */
function modelFromCommand(command) {
  const assignment = command.find((part) => part.startsWith("NEMOCLAW_MODEL="));
  return assignment ? assignment.slice("NEMOCLAW_MODEL=".length) : "nvidia/nemotron-3-super-120b-a12b";
}

/**
 * Docker driver container name (`container_name_for_sandbox`): workspace-qualified from v0.0.88.
 * @param {Gateway} gateway
 * @param {Sandbox} sandbox
 */
export function sandboxContainerName(gateway, sandbox) {
  return atLeast(gateway.version, SINCE.workspaces)
    ? `openshell-default--${sandbox.name}-${sandbox.id}`
    : `openshell-${sandbox.name}-${sandbox.id}`;
}

/**
 * @param {SimPaths} paths
 * @param {SimState} state
 * @param {Gateway} gateway
 * @param {CreateOptions} options
 */
export async function createSandbox(paths, state, gateway, options) {
  const managed = isNemoclawStart(options.command);
  const now = options.createdAtMs ?? Date.now();
  /** @type {Sandbox} */
  const sandbox = {
    id: uuid(),
    name: options.name,
    createdAtMs: now,
    phase: "Ready",
    labels: options.labels ?? {},
    annotations: {},
    resourceVersion: 1,
    policyVersion: 1,
    presets: options.presets ?? [],
    image: options.image,
    command: options.command,
    managed,
    container: null,
    holder: null,
    foreignOwned: [],
    resources: options.resources ?? { cpu: null, memory: null, gpu: false },
    providers: options.providers ?? [],
  };
  const root = createSandboxTree(paths, gateway.name, sandbox.name);
  if (gateway.driver === "host-process") {
    sandbox.container = sandboxContainerName(gateway, sandbox);
    state.docker.containers.push({
      id: randomHex(32),
      name: sandbox.container,
      image: options.image,
      labels: {
        "openshell.ai/managed-by": "openshell",
        "openshell.ai/sandbox-id": sandbox.id,
        "openshell.ai/sandbox-name": sandbox.name,
        "openshell.ai/sandbox-namespace": gateway.sandboxNamespace,
        ...(atLeast(gateway.version, SINCE.workspaces) ? { "openshell.ai/sandbox-workspace": "default" } : {}),
      },
      role: "sandbox",
      running: true,
      createdAtMs: now,
      startedAtMs: now,
      finishedAtMs: 0,
      exitCode: 0,
      command: "/opt/openshell/bin/openshell-sandbox",
      ports: {},
      health: null,
      restartPolicy: atLeast(gateway.version, "0.0.111") ? "no" : "unless-stopped",
      gateway: gateway.name,
      sandbox: sandbox.name,
    });
  }
  if (managed) {
    seedOpenclawState(root, {
      model: modelFromCommand(options.command),
      openclawVersion: state.options.openclawVersion,
      files: options.files,
    });
    emitGuards(root);
    if (options.agentRunning ?? true) {
      sandbox.holder = await startHolder(paths, gateway.name, sandbox, { agentUid: state.options.agentUid });
    }
  } else if (options.files) {
    seedFiles(root, options.files);
  }
  gateway.sandboxes[sandbox.name] = sandbox;
  return sandbox;
}

/** @param {string} root @param {Record<string, string>} files */
function seedFiles(root, files) {
  for (const [path, content] of Object.entries(files)) {
    const target = join(root, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}

/**
 * @param {SimPaths} paths
 * @param {SimState} state
 * @param {Gateway} gateway
 * @param {string} name
 */
export function deleteSandbox(paths, state, gateway, name) {
  const sandbox = gateway.sandboxes[name];
  if (!sandbox) return false;
  stopHolder(sandbox);
  if (sandbox.container) state.docker.containers = state.docker.containers.filter((c) => c.name !== sandbox.container);
  rmSync(sandboxDir(paths, gateway.name, name), { recursive: true, force: true });
  delete gateway.sandboxes[name];
  return true;
}

/**
 * Stop a sandbox the way OpenShell ≥ 0.0.105 does: its container (Docker driver) stops, the
 * workspace stays, the phase becomes Stopped.
 * @param {SimState} state
 * @param {Sandbox} sandbox
 */
export function stopSandbox(state, sandbox) {
  stopContainer(state, sandbox);
  sandbox.phase = "Stopped";
  sandbox.resourceVersion += 1;
}

/**
 * `docker stop` of a sandbox's container: the gateway keeps its phase (it then reports the
 * sandbox as Provisioning until the supervisor is back).
 * @param {SimState} state
 * @param {Sandbox} sandbox
 */
export function stopContainer(state, sandbox) {
  const container = sandbox.container ? containerByName(state, sandbox.container) : null;
  if (container?.running) {
    container.running = false;
    container.finishedAtMs = Date.now();
    container.exitCode = 0;
  }
  stopHolder(sandbox);
}

/**
 * Start a stopped sandbox: the container runs again and `nemoclaw-start` relaunches the agent
 * gateway — only with its guards intact, as in a restarted container.
 * @param {SimPaths} paths
 * @param {SimState} state
 * @param {Gateway} gateway
 * @param {Sandbox} sandbox
 */
export async function startSandbox(paths, state, gateway, sandbox) {
  sandbox.phase = "Ready";
  sandbox.resourceVersion += 1;
  await startContainer(paths, state, gateway, sandbox);
}

/**
 * `docker start` of a sandbox's container: `nemoclaw-start` relaunches the agent gateway — only
 * with its guards intact.
 * @param {SimPaths} paths
 * @param {SimState} state
 * @param {Gateway} gateway
 * @param {Sandbox} sandbox
 */
export async function startContainer(paths, state, gateway, sandbox) {
  const container = sandbox.container ? containerByName(state, sandbox.container) : null;
  if (container && !container.running) {
    container.running = true;
    container.startedAtMs = Date.now();
  }
  if (sandbox.managed && !agentRunning(sandbox)) {
    const root = sandboxRoot(paths, gateway.name, sandbox.name);
    const guarded = [PROXY_ENV, ...CRITICAL_GUARDS.map((guard) => `/tmp/nemoclaw-${guard}`)].every((path) => guardIsSafe(root, path, sandbox));
    if (guarded) sandbox.holder = await startHolder(paths, gateway.name, sandbox, { agentUid: state.options.agentUid });
  }
}

/**
 * OpenShell's server-side sandbox name rules (InvalidArgument), from 0.0.88; before that only
 * the 253-byte limit applied (OS@v0.0.85:crates/openshell-server/src/grpc/validation.rs:111-117).
 * @param {string} gatewayVersion
 * @param {string} name
 * @returns {string | null}
 */
export function sandboxNameProblem(gatewayVersion, name) {
  const bytes = Buffer.byteLength(name);
  if (!atLeast(gatewayVersion, SINCE.workspaces)) return bytes > 253 ? `name exceeds maximum length (${bytes} > 253)` : null;
  if (bytes > 19) return `name exceeds maximum length (${bytes} > 19)`;
  if (!/^[a-z0-9-]*$/.test(name)) return "name must contain only lowercase alphanumeric characters or hyphens";
  if (name.startsWith("-") || name.endsWith("-")) return "name must not start or end with a hyphen";
  if (name.includes("--")) return "name must not contain consecutive hyphens";
  return null;
}
