// @ts-check
// The `docker` CLI against the simulated daemon: cluster-container gateways (era A), Docker-
// driver sandbox containers (era B), the local registry of the arm64 workaround, images.

import { chmodSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { destroyClusterGateway } from "../lib/gateways.mjs";
import { renderTemplate, TemplateError } from "../lib/gotemplate.mjs";
import { addImage, findImage, splitReference } from "../lib/images.mjs";
import { agentRunning, CRITICAL_GUARDS, execInSandbox, guardIsSafe, PROXY_ENV, sandboxRoot, startHolder, stopHolder } from "../lib/sandbox.mjs";
import { containerByName, loadState, updateState } from "../lib/state.mjs";
import { humanDuration, randomHex, SimExit, sha256 } from "../lib/util.mjs";

/**
 * @typedef {import("../lib/runtime.mjs").ToolContext} ToolContext
 * @typedef {import("../lib/state.mjs").SimState} SimState
 * @typedef {import("../lib/state.mjs").Container} Container
 */

/**
 * What `gateway start --gpu` asks Docker for when the daemon has no CDI spec directories (the sim's
 * daemon has none): every NVIDIA GPU through the legacy runtime hook (OS@v0.0.36:crates/openshell-bootstrap/src/docker.rs:635-660).
 */
const GPU_DEVICE_REQUESTS = [{ Driver: "nvidia", Count: -1, DeviceIDs: null, Capabilities: [["gpu", "utility", "compute"]], Options: null }];
const DAEMON_DOWN = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n";

/** @param {ToolContext} ctx */
export async function run(ctx) {
  const [command, ...args] = ctx.args;
  const state = loadState(ctx.paths);
  if (command === "--version" || command === "-v") {
    ctx.out(`Docker version ${state.docker.version}, build e77ff99\n`);
    return 0;
  }
  if (command === "info") return info(ctx, state, args);
  if (command === "version") return version(ctx, state, args);
  if (state.docker.daemon !== "running") {
    ctx.err(DAEMON_DOWN);
    return 1;
  }
  switch (command) {
    case "ps":
      return ps(ctx, state, args);
    case "inspect":
      return inspect(ctx, state, args);
    case "exec":
      return exec(ctx, state, args);
    case "start":
    case "stop":
    case "restart":
      return startStop(ctx, command, args);
    case "run":
      return runContainer(ctx, args);
    case "rm":
      return removeContainers(ctx, args);
    case "images":
      return images(ctx, state, args);
    case "tag":
      return tag(ctx, args);
    case "push":
      return push(ctx, state, args);
    case "rmi":
      return rmi(ctx, args);
    case "volume":
      return volume(ctx, state, args);
  }
  ctx.err(`fleet-sim: 'docker ${command ?? ""}' is not simulated\n`);
  return 64;
}

/**
 * Split docker's own options (`-a`, `--format X`, `--filter Y`…) from positionals.
 * @param {string[]} args
 * @param {string[]} valued options that take a value
 */
function options(args, valued) {
  /** @type {Map<string, string[]>} */
  const flags = new Map();
  /** @type {string[]} */
  const positionals = [];
  for (let i = 0; i < args.length; i++) {
    const arg = /** @type {string} */ (args[i]);
    if (positionals.length > 0 || !arg.startsWith("-")) {
      positionals.push(arg);
      continue;
    }
    if (/^-[a-zA-Z]{2,}$/.test(arg) && ![...arg.slice(1)].some((letter) => valued.includes(`-${letter}`))) {
      // Combined short flags (`-aq`, `-it`).
      for (const letter of arg.slice(1)) flags.set(`-${letter}`, [""]);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq > 0 && arg.startsWith("--") ? arg.slice(0, eq) : arg;
    let value = "";
    if (valued.includes(name)) value = eq > 0 && arg.startsWith("--") ? arg.slice(eq + 1) : (args[++i] ?? "");
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { flags, positionals };
}

/** @param {ToolContext} ctx @param {() => string} render */
function withTemplate(ctx, render) {
  try {
    return render();
  } catch (error) {
    if (error instanceof TemplateError) {
      ctx.err(`${error.message}\n`);
      throw new SimExit(1);
    }
    throw error;
  }
}

/** @param {SimState} state */
function infoObject(state) {
  const running = state.docker.containers.filter((c) => c.running).length;
  return {
    ID: sha256(state.host.hostname).slice(0, 36),
    Containers: state.docker.containers.length,
    ContainersRunning: running,
    ContainersPaused: 0,
    ContainersStopped: state.docker.containers.length - running,
    Images: state.docker.images.length,
    Driver: "overlay2",
    CgroupDriver: "systemd",
    CgroupVersion: "2",
    KernelVersion: state.host.kernel,
    OperatingSystem: "Ubuntu 24.04.3 LTS",
    OSType: "linux",
    Architecture: state.host.arch,
    NCPU: 20,
    MemTotal: 128_522_006_528,
    Name: state.host.hostname,
    ServerVersion: state.docker.version,
    DefaultRuntime: "runc",
    Runtimes: { "io.containerd.runc.v2": { path: "runc" }, nvidia: { path: "nvidia-container-runtime" }, runc: { path: "runc" } },
    DockerRootDir: "/var/lib/docker",
    CDISpecDirs: ["/etc/cdi", "/var/run/cdi"],
  };
}

/** @param {ToolContext} ctx @param {SimState} state @param {string[]} args */
function info(ctx, state, args) {
  const { flags } = options(args, ["--format", "-f"]);
  const format = (flags.get("--format") ?? flags.get("-f"))?.[0];
  const client = `Client: Docker Engine - Community\n Version:    ${state.docker.version}\n Context:    default\n Debug Mode: false\n\n`;
  if (state.docker.daemon !== "running") {
    if (!format) ctx.out(`${client}Server:\n`);
    ctx.err(DAEMON_DOWN);
    return 1;
  }
  const data = infoObject(state);
  if (format) {
    ctx.out(`${withTemplate(ctx, () => renderTemplate(format, data))}\n`);
    return 0;
  }
  ctx.out(
    `${client}Server:\n Containers: ${data.Containers}\n  Running: ${data.ContainersRunning}\n  Paused: 0\n  Stopped: ${data.ContainersStopped}\n Images: ${data.Images}\n Server Version: ${data.ServerVersion}\n Storage Driver: overlay2\n Cgroup Driver: systemd\n Cgroup Version: 2\n Runtimes: io.containerd.runc.v2 nvidia runc\n Default Runtime: runc\n Kernel Version: ${data.KernelVersion}\n Operating System: ${data.OperatingSystem}\n OSType: linux\n Architecture: ${data.Architecture}\n CPUs: ${data.NCPU}\n Total Memory: 119.7GiB\n Name: ${data.Name}\n Docker Root Dir: /var/lib/docker\n CDI spec directories:\n  /etc/cdi\n  /var/run/cdi\n`,
  );
  return 0;
}

/** @param {ToolContext} ctx @param {SimState} state @param {string[]} args */
function version(ctx, state, args) {
  const { flags } = options(args, ["--format", "-f"]);
  const format = (flags.get("--format") ?? flags.get("-f"))?.[0];
  const data = { Client: { Version: state.docker.version, ApiVersion: "1.51" }, Server: state.docker.daemon === "running" ? { Version: state.docker.version, ApiVersion: "1.51" } : null };
  if (format) {
    if (state.docker.daemon !== "running" && format.includes(".Server")) {
      ctx.err(DAEMON_DOWN);
      return 1;
    }
    ctx.out(`${withTemplate(ctx, () => renderTemplate(format, data))}\n`);
    return 0;
  }
  ctx.out(`Client: Docker Engine - Community\n Version:           ${state.docker.version}\n API version:       1.51\n`);
  if (state.docker.daemon !== "running") {
    ctx.err(DAEMON_DOWN);
    return 1;
  }
  ctx.out(`\nServer: Docker Engine - Community\n Engine:\n  Version:          ${state.docker.version}\n  API version:      1.51 (minimum version 1.24)\n`);
  return 0;
}

/** `Up 2 hours (healthy)` / `Exited (0) 3 minutes ago`. @param {Container} c */
function statusText(c) {
  if (c.running) return `Up ${humanDuration(Date.now() - c.startedAtMs)}${c.health ? ` (${c.health})` : ""}`;
  if (c.startedAtMs === 0) return "Created";
  return `Exited (${c.exitCode}) ${humanDuration(Date.now() - c.finishedAtMs)} ago`;
}

/** @param {Container} c */
function portsText(c) {
  return Object.entries(c.ports)
    .flatMap(([containerPort, bindings]) => bindings.map((b) => `${b.HostIp}:${b.HostPort}->${containerPort}`))
    .join(", ");
}

/** @param {Container} c @param {boolean} noTrunc */
function psRow(c, noTrunc) {
  return {
    ID: noTrunc ? c.id : c.id.slice(0, 12),
    Names: c.name,
    Image: c.image,
    Command: JSON.stringify(noTrunc || c.command.length <= 20 ? c.command : `${c.command.slice(0, 19)}…`),
    CreatedAt: new Date(c.createdAtMs).toISOString().replace("T", " ").replace(/\.\d+Z$/, " +0000 UTC"),
    RunningFor: `${humanDuration(Date.now() - c.createdAtMs)} ago`,
    Status: statusText(c),
    State: c.running ? "running" : c.startedAtMs === 0 ? "created" : "exited",
    Ports: portsText(c),
    Labels: Object.entries(c.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(","),
    Mounts: "",
    Networks: c.role === "sandbox" ? "openshell-docker" : c.role === "cluster" ? `openshell-cluster-${c.gateway}` : "bridge",
    Size: "0B",
  };
}

/**
 * `docker ps` filters: repeated label filters must all match; repeated name/status/id
 * filters match any.
 * @param {Container} c
 * @param {string[]} filters
 */
function matchesFilters(c, filters) {
  /** @type {Record<string, string[]>} */
  const byKey = {};
  for (const filter of filters) {
    const eq = filter.indexOf("=");
    const key = filter.slice(0, eq);
    (byKey[key] ??= []).push(filter.slice(eq + 1));
  }
  for (const [key, values] of Object.entries(byKey)) {
    if (key === "label") {
      const ok = values.every((value) => {
        const [labelKey, labelValue] = value.includes("=") ? [value.slice(0, value.indexOf("=")), value.slice(value.indexOf("=") + 1)] : [value, undefined];
        return labelKey in c.labels && (labelValue === undefined || c.labels[labelKey] === labelValue);
      });
      if (!ok) return false;
    } else if (key === "name") {
      if (!values.some((value) => new RegExp(value).test(c.name))) return false;
    } else if (key === "status") {
      if (!values.includes(c.running ? "running" : "exited")) return false;
    } else if (key === "id") {
      if (!values.some((value) => c.id.startsWith(value))) return false;
    } else if (key === "ancestor") {
      if (!values.includes(c.image)) return false;
    }
  }
  return true;
}

/**
 * docker's tabwriter tables: columns padded to the widest cell plus 3 spaces.
 * @param {string[][]} rows
 */
function table(rows) {
  const widths = (rows[0] ?? []).map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd((widths[column] ?? 0) + 3))).join("").trimEnd()).join("\n") + "\n";
}

/** @param {ToolContext} ctx @param {SimState} state @param {string[]} args */
function ps(ctx, state, args) {
  const { flags } = options(args, ["--format", "-f", "--filter"]);
  const all = flags.has("-a") || flags.has("--all");
  const noTrunc = flags.has("--no-trunc");
  const quiet = flags.has("-q") || flags.has("--quiet");
  const filters = flags.get("--filter") ?? flags.get("-f") ?? [];
  const format = flags.get("--format")?.[0];
  const containers = state.docker.containers
    .filter((c) => (all || c.running) && matchesFilters(c, filters))
    .sort((a, b) => b.createdAtMs - a.createdAtMs);
  if (quiet) {
    ctx.out(containers.map((c) => `${noTrunc ? c.id : c.id.slice(0, 12)}\n`).join(""));
    return 0;
  }
  if (format && !format.startsWith("table")) {
    ctx.out(
      containers
        .map((c) => `${withTemplate(ctx, () => renderTemplate(format, psRow(c, noTrunc), { Label: (key) => c.labels[String(key)] ?? "" }))}\n`)
        .join(""),
    );
    return 0;
  }
  const rows = [["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"]];
  for (const c of containers) {
    const row = psRow(c, noTrunc);
    rows.push([row.ID, row.Image, row.Command, row.RunningFor, row.Status, row.Ports, row.Names]);
  }
  ctx.out(table(rows));
  return 0;
}

/** @param {SimState} state @param {Container} c */
function inspectObject(state, c) {
  const image = findImage(state, c.image);
  const sandbox = c.sandbox && c.gateway ? state.gateways[c.gateway]?.sandboxes[c.sandbox] : undefined;
  const iso = (/** @type {number} */ ms) => (ms > 0 ? new Date(ms).toISOString() : "0001-01-01T00:00:00Z");
  return {
    Id: c.id,
    Created: iso(c.createdAtMs),
    Path: c.command,
    Args: [],
    State: {
      Status: c.running ? "running" : c.startedAtMs === 0 ? "created" : "exited",
      Running: c.running,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: c.running ? (sandbox?.holder?.initPid ?? 0) : 0,
      ExitCode: c.exitCode,
      Error: "",
      StartedAt: iso(c.startedAtMs),
      FinishedAt: iso(c.finishedAtMs),
      ...(c.health ? { Health: { Status: c.running ? c.health : "unhealthy", FailingStreak: 0, Log: [] } } : {}),
    },
    Image: image?.id ?? `sha256:${sha256(c.image)}`,
    Name: `/${c.name}`,
    RestartCount: 0,
    HostConfig: { RestartPolicy: { Name: c.restartPolicy, MaximumRetryCount: 0 }, Privileged: c.role === "cluster", DeviceRequests: c.gpu ? GPU_DEVICE_REQUESTS : null },
    Config: { Hostname: c.id.slice(0, 12), Image: c.image, Labels: c.labels, Cmd: [c.command] },
    NetworkSettings: { Ports: c.ports },
  };
}

/** @param {ToolContext} ctx @param {SimState} state @param {string[]} args */
function inspect(ctx, state, args) {
  const { flags, positionals } = options(args, ["--format", "-f", "--type"]);
  const format = (flags.get("--format") ?? flags.get("-f"))?.[0];
  const type = flags.get("--type")?.[0];
  /** @type {Record<string, unknown>[]} */
  const found = [];
  let code = 0;
  for (const name of positionals) {
    const container = type === "image" ? null : containerByName(state, name);
    if (container) {
      found.push(inspectObject(state, container));
      continue;
    }
    const image = type === "container" ? null : findImage(state, name);
    if (image) {
      found.push({ Id: image.id, RepoTags: [`${image.repository}:${image.tag}`], Created: new Date(image.createdAtMs).toISOString(), Size: 0 });
      continue;
    }
    ctx.err(`Error: No such ${type === "container" ? "container" : type === "image" ? "image" : "object"}: ${name}\n`);
    code = 1;
  }
  if (format) ctx.out(found.map((object) => `${withTemplate(ctx, () => renderTemplate(format, object))}\n`).join(""));
  else ctx.out(`${JSON.stringify(found, null, 4)}\n`);
  return code;
}

/** @param {ToolContext} ctx @param {SimState} state @param {string[]} args */
async function exec(ctx, state, args) {
  const { flags, positionals } = options(args, ["-u", "--user", "-e", "--env", "-w", "--workdir"]);
  const [name, ...command] = positionals;
  if (!name || command.length === 0) {
    ctx.err('"docker exec" requires at least 2 arguments.\nSee \'docker exec --help\'.\n\nUsage:  docker exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\nExecute a command in a running container\n');
    return 1;
  }
  const container = containerByName(state, name);
  if (!container) {
    ctx.err(`Error response from daemon: No such container: ${name}\n`);
    return 1;
  }
  if (!container.running) {
    ctx.err(`Error response from daemon: container ${container.id} is not running\n`);
    return 1;
  }
  const interactive = flags.has("-i") || flags.has("--interactive");
  const env = Object.fromEntries(
    [...(flags.get("-e") ?? []), ...(flags.get("--env") ?? [])].map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
  );
  const workdir = flags.get("-w")?.[0] ?? flags.get("--workdir")?.[0] ?? "/sandbox";
  if (container.role === "sandbox" && container.gateway && container.sandbox) {
    const sandbox = state.gateways[container.gateway]?.sandboxes[container.sandbox];
    if (!sandbox) throw new Error(`container ${name} has no sandbox`);
    return execInSandbox(ctx.paths, container.gateway, sandbox, command, { env, workdir, stdin: interactive ? "inherit" : "ignore" });
  }
  if (container.role === "cluster" && command[0] === "kubectl") return kubectl(ctx, state, container, command.slice(1), interactive);
  ctx.err(
    `OCI runtime exec failed: exec failed: unable to start container process: exec: "${command[0]}": executable file not found in $PATH: unknown\n`,
  );
  return 127;
}

/**
 * `kubectl` inside a cluster container: `exec` into a sandbox pod, `get pods`.
 * @param {ToolContext} ctx
 * @param {SimState} state
 * @param {Container} container
 * @param {string[]} args
 * @param {boolean} dockerInteractive
 */
async function kubectl(ctx, state, container, args, dockerInteractive) {
  const dashDash = args.indexOf("--");
  const head = dashDash >= 0 ? args.slice(0, dashDash) : args;
  const command = dashDash >= 0 ? args.slice(dashDash + 1) : [];
  /** @type {string[]} */
  const words = [];
  let stdin = false;
  /** @type {string | undefined} */
  let containerName;
  for (let i = 0; i < head.length; i++) {
    const arg = /** @type {string} */ (head[i]);
    if (arg === "-c" || arg === "--container") containerName = head[++i];
    else if (arg.startsWith("--container=")) containerName = arg.slice("--container=".length);
    else if (["-n", "--namespace", "-o", "--output"].includes(arg)) i++;
    else if (arg.startsWith("-")) stdin ||= arg === "--stdin" || /^-[a-z]*i[a-z]*$/.test(arg);
    else words.push(arg);
  }
  const [verb, podName] = words;
  const gateway = container.gateway ? state.gateways[container.gateway] : undefined;
  const pods = Object.values(gateway?.sandboxes ?? {});
  if (verb === "get") {
    const rows = [["NAME", "READY", "STATUS", "RESTARTS", "AGE"]];
    for (const pod of pods) rows.push([pod.name, pod.phase === "Ready" ? "1/1" : "0/1", pod.phase === "Ready" ? "Running" : "Pending", "0", humanAge(pod.createdAtMs)]);
    if (pods.length === 0) ctx.err("No resources found in openshell namespace.\n");
    else ctx.out(table(rows));
    return 0;
  }
  if (verb === "exec") {
    const pod = pods.find((p) => p.name === podName);
    if (!pod || !gateway) {
      ctx.err(`Error from server (NotFound): pods "${podName}" not found\n`);
      return 1;
    }
    // OpenShell's Kubernetes driver gives each sandbox pod one container, `agent`, plus the
    // finished init container `workspace-init` (OS@v0.0.36:crates/openshell-driver-kubernetes/src/driver.rs:1022-1090),
    // so without -c kubectl execs into `agent` too.
    if (containerName === "workspace-init") {
      ctx.err(`error: unable to upgrade connection: container not found ("workspace-init")\n`);
      return 1;
    }
    if (containerName !== undefined && containerName !== "agent") {
      ctx.err(`Error from server (BadRequest): container ${containerName} is not valid for pod ${podName}\n`);
      return 1;
    }
    return execInSandbox(ctx.paths, gateway.name, pod, command, { stdin: dockerInteractive && stdin ? "inherit" : "ignore" });
  }
  ctx.err(`fleet-sim: 'kubectl ${args.join(" ")}' is not simulated\n`);
  return 64;
}

/** kubectl's compact ages (`5m`, `2h`, `3d`). @param {number} ms */
function humanAge(ms) {
  const seconds = Math.floor((Date.now() - ms) / 1000);
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

/**
 * Starting a sandbox container runs its entrypoint again: `nemoclaw-start` relaunches the
 * OpenClaw gateway only when the guards in /tmp are intact (it refuses to run unguarded).
 * @param {ToolContext} ctx
 * @param {"start" | "stop" | "restart"} action
 * @param {string[]} args
 */
async function startStop(ctx, action, args) {
  const { positionals } = options(args, ["-t", "--time", "--signal", "-s"]);
  let code = 0;
  for (const name of positionals) {
    const ok = await updateState(ctx.paths, async (state) => {
      const c = containerByName(state, name);
      if (!c) return false;
      const sandbox = c.role === "sandbox" && c.gateway && c.sandbox ? state.gateways[c.gateway]?.sandboxes[c.sandbox] : undefined;
      if (action !== "start" && c.running) {
        c.running = false;
        c.finishedAtMs = Date.now();
        c.exitCode = c.role === "sandbox" ? 137 : 0;
        if (sandbox) stopHolder(sandbox);
      }
      if (action !== "stop" && !c.running) {
        c.running = true;
        c.startedAtMs = Date.now();
        if (sandbox && c.gateway && sandbox.managed && !agentRunning(sandbox)) {
          const root = sandboxRoot(ctx.paths, c.gateway, sandbox.name);
          const guarded = [PROXY_ENV, ...CRITICAL_GUARDS.map((g) => `/tmp/nemoclaw-${g}`)].every((path) => guardIsSafe(root, path, sandbox));
          if (guarded) sandbox.holder = await startHolder(ctx.paths, c.gateway, sandbox, { agentUid: state.options.agentUid });
        }
      }
      return true;
    });
    if (ok) ctx.out(`${name}\n`);
    else {
      ctx.err(`Error response from daemon: No such container: ${name}\nError: failed to ${action} containers: ${name}\n`);
      code = 1;
    }
  }
  return code;
}

/** @param {ToolContext} ctx @param {string[]} args */
async function runContainer(ctx, args) {
  const { flags, positionals } = options(args, ["-p", "--publish", "--name", "--restart", "-e", "--env", "--network", "-v", "--volume"]);
  const [image, ...command] = positionals;
  if (!image) {
    ctx.err("\"docker run\" requires at least 1 argument.\nSee 'docker run --help'.\n");
    return 1;
  }
  if (!flags.has("-d") && !flags.has("--detach")) {
    ctx.err("fleet-sim: 'docker run' without -d is not simulated\n");
    return 64;
  }
  const name = flags.get("--name")?.[0] ?? `sim_${randomHex(4)}`;
  const result = await updateState(ctx.paths, (state) => {
    const existing = containerByName(state, name);
    if (existing) return { conflict: existing.id, id: "", pulled: false };
    const pulled = !findImage(state, image);
    if (pulled) addImage(state, image, `sha256:${sha256(image)}`, "25.4MB");
    /** @type {Record<string, {HostIp: string; HostPort: string}[]>} */
    const ports = {};
    for (const spec of [...(flags.get("-p") ?? []), ...(flags.get("--publish") ?? [])]) {
      const [hostPort, containerPort] = spec.split(":").slice(-2);
      ports[`${containerPort}/tcp`] = [{ HostIp: "0.0.0.0", HostPort: String(hostPort) }];
    }
    const id = randomHex(32);
    const now = Date.now();
    state.docker.containers.push({
      id,
      name,
      image,
      labels: {},
      role: image.startsWith("registry:") ? "registry" : "other",
      running: true,
      createdAtMs: now,
      startedAtMs: now,
      finishedAtMs: 0,
      exitCode: 0,
      command: command.join(" ") || (image.startsWith("registry:") ? "/entrypoint.sh /etc/distribution/config.yml" : ""),
      ports,
      health: null,
      restartPolicy: flags.get("--restart")?.[0] ?? "no",
    });
    return { conflict: "", id, pulled };
  });
  if (result.conflict) {
    ctx.err(
      `docker: Error response from daemon: Conflict. The container name "/${name}" is already in use by container "${result.conflict}". You have to remove (or rename) that container to be able to reuse that name.\n\nRun 'docker run --help' for more information\n`,
    );
    return 125;
  }
  if (result.pulled) {
    const [repository, imageTag] = splitReference(image);
    ctx.err(`Unable to find image '${image}' locally\n${imageTag}: Pulling from library/${repository}\n44cf07d57ee4: Pull complete\nDigest: sha256:${sha256(image)}\nStatus: Downloaded newer image for ${image}\n`);
  }
  ctx.out(`${result.id}\n`);
  return 0;
}

/** @param {ToolContext} ctx @param {string[]} args */
async function removeContainers(ctx, args) {
  const { flags, positionals } = options(args, []);
  const force = flags.has("-f") || flags.has("--force");
  let code = 0;
  for (const name of positionals) {
    const outcome = await updateState(ctx.paths, (state) => {
      const c = containerByName(state, name);
      if (!c) return "missing";
      if (c.running && !force) return "running";
      state.docker.containers = state.docker.containers.filter((other) => other !== c);
      const sandbox = c.role === "sandbox" && c.gateway && c.sandbox ? state.gateways[c.gateway]?.sandboxes[c.sandbox] : undefined;
      if (sandbox && c.gateway) {
        // The writable layer, and with it /sandbox and /tmp, is gone; the gateway still has the record.
        stopHolder(sandbox);
        const root = sandboxRoot(ctx.paths, c.gateway, sandbox.name);
        for (const dir of ["sandbox", "tmp"]) {
          rmSync(join(root, dir), { recursive: true, force: true });
          mkdirSync(join(root, dir), { mode: dir === "tmp" ? 0o1777 : 0o755 });
          if (dir === "tmp") chmodSync(join(root, dir), 0o1777);
        }
        sandbox.container = null;
        sandbox.phase = "Error";
      }
      return "removed";
    });
    if (outcome === "removed") ctx.out(`${name}\n`);
    else {
      ctx.err(
        outcome === "missing"
          ? `Error response from daemon: No such container: ${name}\n`
          : `Error response from daemon: cannot remove container "/${name}": container is running: stop the container before removing or force remove\n`,
      );
      code = 1;
    }
  }
  return code;
}

/** @param {ToolContext} ctx @param {SimState} state @param {string[]} args */
function images(ctx, state, args) {
  const { flags, positionals } = options(args, ["--format", "--filter", "-f"]);
  const filters = [...(flags.get("--filter") ?? []), ...(flags.get("-f") ?? [])];
  const referenceFilters = filters.filter((f) => f.startsWith("reference=")).map((f) => f.slice("reference=".length));
  const wanted = [...referenceFilters, ...positionals];
  const list = state.docker.images
    .filter((image) => wanted.length === 0 || wanted.some((ref) => globMatch(ref, `${image.repository}:${image.tag}`) || globMatch(ref, image.repository)))
    .sort((a, b) => b.createdAtMs - a.createdAtMs);
  const format = flags.get("--format")?.[0];
  const rowOf = (/** @type {import("../lib/state.mjs").Image} */ image) => ({
    Repository: image.repository,
    Tag: image.tag,
    ID: image.id.slice(7, 19),
    CreatedSince: `${humanDuration(Date.now() - image.createdAtMs)} ago`,
    Size: image.size,
  });
  if (flags.has("-q") || flags.has("--quiet")) {
    ctx.out(list.map((image) => `${image.id.slice(7, 19)}\n`).join(""));
    return 0;
  }
  if (format) {
    ctx.out(list.map((image) => `${withTemplate(ctx, () => renderTemplate(format, rowOf(image)))}\n`).join(""));
    return 0;
  }
  const rows = [["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]];
  for (const image of list) {
    const row = rowOf(image);
    rows.push([row.Repository, row.Tag, row.ID, row.CreatedSince, row.Size]);
  }
  ctx.out(table(rows));
  return 0;
}

/** docker reference filters are path globs. @param {string} pattern @param {string} value */
function globMatch(pattern, value) {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, ".")}$`);
  return regex.test(value);
}

/** @param {ToolContext} ctx @param {string[]} args */
async function tag(ctx, args) {
  const { positionals } = options(args, []);
  const [source, target] = positionals;
  if (!source || !target) {
    ctx.err("\"docker tag\" requires exactly 2 arguments.\nSee 'docker tag --help'.\n");
    return 1;
  }
  const ok = await updateState(ctx.paths, (state) => {
    const image = findImage(state, source);
    if (!image) return false;
    addImage(state, target, image.id, image.size);
    return true;
  });
  if (!ok) {
    ctx.err(`Error response from daemon: No such image: ${source}\n`);
    return 1;
  }
  return 0;
}

/** @param {ToolContext} ctx @param {SimState} state @param {string[]} args */
async function push(ctx, state, args) {
  const { positionals } = options(args, []);
  const reference = positionals[0];
  if (!reference) {
    ctx.err("\"docker push\" requires exactly 1 argument.\nSee 'docker push --help'.\n");
    return 1;
  }
  const [repository, imageTag] = splitReference(reference);
  const registryHost = repository.includes("/") ? repository.slice(0, repository.indexOf("/")) : "docker.io";
  const image = findImage(state, reference);
  if (!image) {
    ctx.err(`An image does not exist locally with the tag: ${repository}\n`);
    return 1;
  }
  if (registryHost === "localhost:5000" || registryHost === "127.0.0.1:5000") {
    const registry = state.docker.containers.find((c) => c.role === "registry" && c.running && c.ports["5000/tcp"]?.some((b) => b.HostPort === "5000"));
    if (!registry) {
      ctx.err(`Get "http://${registryHost}/v2/": dial tcp 127.0.0.1:5000: connect: connection refused\n`);
      return 1;
    }
  } else {
    ctx.err(`Get "https://${registryHost}/v2/": dial tcp: lookup ${registryHost.split(":")[0]}: no such host\n`);
    return 1;
  }
  const digest = `sha256:${sha256(`${image.id}:${reference}`)}`;
  await updateState(ctx.paths, (s) => {
    s.docker.registry[`${repository}:${imageTag}`] = digest;
  });
  ctx.out(`The push refers to repository [${repository}]\n${image.id.slice(7, 19)}: Pushed\n5f70bf18a086: Pushed\n${imageTag}: digest: ${digest} size: 1570\n`);
  return 0;
}

/** @param {ToolContext} ctx @param {string[]} args */
async function rmi(ctx, args) {
  const { positionals } = options(args, []);
  let code = 0;
  for (const reference of positionals) {
    const removed = await updateState(ctx.paths, (state) => {
      const image = findImage(state, reference);
      if (!image) return null;
      state.docker.images = state.docker.images.filter((other) => other !== image);
      return image;
    });
    if (removed) ctx.out(`Untagged: ${removed.repository}:${removed.tag}\nDeleted: ${removed.id}\n`);
    else {
      ctx.err(`Error response from daemon: No such image: ${reference}\n`);
      code = 1;
    }
  }
  return code;
}

/**
 * Cluster gateway volumes (`openshell-cluster-<gw>`): `ls` and `rm`. Removing one loses every
 * sandbox on that gateway.
 * @param {ToolContext} ctx
 * @param {SimState} state
 * @param {string[]} args
 */
async function volume(ctx, state, args) {
  const [sub, ...rest] = args;
  const { flags, positionals } = options(rest, ["--filter", "-f", "--format"]);
  const volumes = Object.values(state.gateways)
    .filter((g) => g.driver === "cluster-container")
    .map((g) => `openshell-cluster-${g.name}`);
  if (sub === "ls") {
    const filters = flags.get("--filter") ?? flags.get("-f") ?? [];
    const names = volumes.filter((v) => filters.every((f) => !f.startsWith("name=") || v.includes(f.slice(5))));
    if (flags.has("-q") || flags.has("--quiet")) ctx.out(names.map((n) => `${n}\n`).join(""));
    else ctx.out(table([["DRIVER", "VOLUME NAME"], ...names.map((n) => ["local", n])]));
    return 0;
  }
  if (sub === "rm") {
    let code = 0;
    for (const name of positionals) {
      const gatewayName = name.replace(/^openshell-cluster-/, "");
      const gateway = state.gateways[gatewayName];
      if (!volumes.includes(name) || !gateway) {
        ctx.err(`Error response from daemon: get ${name}: no such volume\n`);
        code = 1;
        continue;
      }
      const container = containerByName(state, `openshell-cluster-${gatewayName}`);
      if (container) {
        ctx.err(`Error response from daemon: remove ${name}: volume is in use - [${container.id}]\n`);
        code = 1;
        continue;
      }
      await updateState(ctx.paths, (s) => destroyClusterGateway(ctx.paths, s, gatewayName));
      ctx.out(`${name}\n`);
    }
    return code;
  }
  ctx.err(`fleet-sim: 'docker volume ${sub ?? ""}' is not simulated\n`);
  return 64;
}
