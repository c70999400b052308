// @ts-check
// `openshell sandbox …`: create, get, list, delete, stop, start (≥ 0.0.105), exec, upload,
// download, ssh-config — after clap has parsed them (tools/openshell.mjs). Commands inside a
// sandbox run for real in its namespace (lib/sandbox.mjs).

import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { bold, cyan, dimmed, green, grpcStatus, mietteError, red, TRANSPORT_REFUSED, yellow } from "../lib/ansi.mjs";
import { helperExit, spawnHelper } from "../lib/call.mjs";
import { isPresent, valueOf, valuesOf } from "../lib/clap.mjs";
import { clusterDeployText, deployClusterGateway } from "../lib/gateways.mjs";
import { buildImage, resolveCommunityImage } from "../lib/images.mjs";
import { checkFormat, connect, fail, resolveGateway, tryResolveGateway } from "../lib/openshell-context.mjs";
import { policyObject, policyYaml, styleYamlLine } from "../lib/policy.mjs";
import { createSandbox, deleteSandbox, sandboxNameProblem, startSandbox, stopSandbox } from "../lib/sandboxes.mjs";
import { execInSandbox, spawnInSandbox } from "../lib/sandbox.mjs";
import { gatewayAnswers, gatewayByPort, loadState, reportedPhase, updateState } from "../lib/state.mjs";
import { atLeast, DOCKERFILE_FROM_REMOVED, isClusterEra, SINCE } from "../lib/versions.mjs";
import { formatEpochMs, sortedJson } from "../lib/util.mjs";

/**
 * @typedef {import("../lib/runtime.mjs").ToolContext} ToolContext
 * @typedef {import("../lib/openshell-context.mjs").Globals} Globals
 * @typedef {import("../lib/state.mjs").SimState} SimState
 * @typedef {import("../lib/state.mjs").Gateway} Gateway
 * @typedef {import("../lib/state.mjs").Sandbox} Sandbox
 * @typedef {import("../lib/clap.mjs").Matches} Matches
 */

const MAX_STDIN_PAYLOAD = 4 * 1024 * 1024;

/**
 * @param {ToolContext} ctx
 * @param {Globals} globals
 * @param {string} sub
 * @param {Matches} m
 */
export async function runSandbox(ctx, globals, sub, m) {
  switch (sub) {
    case "create":
      return create(ctx, globals, m);
    case "get":
      return get(ctx, globals, m);
    case "list":
      return list(ctx, globals, m);
    case "delete":
      return remove(ctx, globals, m);
    case "stop":
    case "start":
      return stopOrStart(ctx, globals, m, sub);
    case "exec":
      return exec(ctx, globals, m);
    case "upload":
      return upload(ctx, globals, m);
    case "download":
      return download(ctx, globals, m);
    case "ssh-config":
      return sshConfig(ctx, globals, m);
  }
  ctx.err(`fleet-sim: 'openshell sandbox ${sub}' is not simulated\n`);
  return 64;
}

/**
 * The sandbox a state-reading command works on, after the gateway's protobuf fault (if any).
 * @param {ToolContext} ctx
 * @param {Gateway} gateway
 */
function checkProtobuf(ctx, gateway) {
  if (gateway.protobufMismatch) fail(ctx, mietteError(grpcStatus(ctx.version, "Internal", gateway.protobufMismatch)));
}

/** @param {ToolContext} ctx @param {Gateway} gateway @param {string} name */
function requireSandbox(ctx, gateway, name) {
  const sandbox = gateway.sandboxes[name];
  if (!sandbox) fail(ctx, mietteError(grpcStatus(ctx.version, "NotFound", "sandbox not found")));
  return sandbox;
}

/** @param {ToolContext} ctx @param {SimState} state @param {Sandbox} sandbox */
function sandboxJson(ctx, state, sandbox) {
  const base = {
    created_at: formatEpochMs(sandbox.createdAtMs),
    current_policy_version: sandbox.policyVersion,
    id: sandbox.id,
    labels: sandbox.labels,
    name: sandbox.name,
    phase: reportedPhase(state, sandbox),
    resource_version: sandbox.resourceVersion,
  };
  // `annotations` from 0.0.84, `workspace` from 0.0.88 (OS@v0.0.84:…/run.rs:3435, OS@v0.0.88:…/run.rs:3641).
  return {
    ...base,
    ...(atLeast(ctx.version, SINCE.annotations) ? { annotations: sandbox.annotations } : {}),
    ...(atLeast(ctx.version, SINCE.workspaces) ? { workspace: "default" } : {}),
  };
}

/** @param {string} phase */
function colorPhase(phase) {
  if (phase === "Ready") return green(phase);
  if (phase === "Error") return red(phase);
  if (phase === "Provisioning") return yellow(phase);
  if (phase === "Deleting") return dimmed(phase);
  return phase;
}

/** @param {ToolContext} ctx @param {Globals} globals @param {Matches} m */
function list(ctx, globals, m) {
  const format = valueOf(m, "output") ?? "table";
  checkFormat(ctx, format);
  const { state, gateway } = connect(ctx, resolveGateway(ctx, globals));
  checkProtobuf(ctx, gateway);
  const selector = valueOf(m, "selector");
  const wanted = selector ? selector.split(",").map((pair) => pair.split("=")) : [];
  const offset = Number(valueOf(m, "offset") ?? 0);
  const limit = Number(valueOf(m, "limit") ?? 100);
  const sandboxes = Object.values(gateway.sandboxes)
    .filter((s) => wanted.every(([key, value]) => key !== undefined && s.labels[key] === value))
    .sort((a, b) => a.createdAtMs - b.createdAtMs)
    .slice(offset, offset + limit);
  if (format !== "table") {
    ctx.out(`${sortedJson(sandboxes.map((s) => sandboxJson(ctx, state, s)))}\n`);
    return 0;
  }
  const idsOnly = isPresent(m, "ids");
  const namesOnly = isPresent(m, "names");
  const allWorkspaces = isPresent(m, "all_workspaces");
  if (sandboxes.length === 0) {
    if (!idsOnly && !namesOnly) ctx.out("No sandboxes found.\n");
    return 0;
  }
  if (idsOnly || namesOnly) {
    ctx.out(sandboxes.map((s) => (idsOnly ? s.id : allWorkspaces ? `default/${s.name}` : s.name)).join("\n") + "\n");
    return 0;
  }
  const nameWidth = Math.max(4, ...sandboxes.map((s) => s.name.length));
  const legacy = isClusterEra(ctx.version);
  let text = "";
  if (legacy) {
    const nsWidth = Math.max(9, gateway.sandboxNamespace.length);
    text += `${bold("NAME".padEnd(nameWidth))}  ${bold("NAMESPACE".padEnd(nsWidth))}  ${bold("CREATED".padEnd(19))}  ${bold("PHASE")}\n`;
    for (const s of sandboxes) {
      text += `${s.name.padEnd(nameWidth)}  ${gateway.sandboxNamespace.padEnd(nsWidth)}  ${formatEpochMs(s.createdAtMs).padEnd(19)}  ${colorPhase(reportedPhase(state, s))}\n`;
    }
  } else {
    const prefix = (/** @type {string} */ ws) => (allWorkspaces ? `${ws.padEnd(9)}  ` : "");
    text += `${allWorkspaces ? `${bold("WORKSPACE".padEnd(9))}  ` : ""}${bold("NAME".padEnd(nameWidth))}  ${bold("CREATED".padEnd(19))}  ${bold("PHASE")}\n`;
    for (const s of sandboxes) {
      text += `${prefix("default")}${s.name.padEnd(nameWidth)}  ${formatEpochMs(s.createdAtMs).padEnd(19)}  ${colorPhase(reportedPhase(state, s))}\n`;
    }
  }
  ctx.out(text);
  return 0;
}

/** @param {ToolContext} ctx @param {Globals} globals @param {Matches} m */
function get(ctx, globals, m) {
  const format = valueOf(m, "output") ?? "table";
  checkFormat(ctx, format);
  const name = requireName(ctx, valueOf(m, "name"));
  const { state, gateway } = connect(ctx, resolveGateway(ctx, globals));
  checkProtobuf(ctx, gateway);
  const sandbox = requireSandbox(ctx, gateway, name);
  if (isPresent(m, "policy_only")) {
    ctx.out(policyYaml(sandbox.presets));
    return 0;
  }
  const revision = sandbox.policyVersion > 0 ? sandbox.policyVersion : null;
  if (format !== "table") {
    ctx.out(`${sortedJson({ ...sandboxJson(ctx, state, sandbox), policy: policyObject(sandbox.presets), policy_source: "sandbox", revision })}\n`);
    return 0;
  }
  let text = `${bold(cyan("Sandbox:"))}\n\n  ${dimmed("Id:")} ${sandbox.id}\n  ${dimmed("Name:")} ${sandbox.name}\n`;
  if (isClusterEra(ctx.version)) text += `  ${dimmed("Namespace:")} ${gateway.sandboxNamespace}\n`;
  text += `  ${dimmed("Phase:")} ${reportedPhase(state, sandbox)}\n`;
  if (atLeast(ctx.version, SINCE.resourceVersion)) text += `  ${dimmed("Resource version:")} ${sandbox.resourceVersion}\n`;
  const labels = Object.entries(sandbox.labels).sort(([a], [b]) => a.localeCompare(b));
  if (labels.length > 0) text += `  ${dimmed("Labels:")} \n${labels.map(([k, v]) => `    ${k}: ${v}\n`).join("")}`;
  const annotations = Object.entries(sandbox.annotations).sort(([a], [b]) => a.localeCompare(b));
  if (annotations.length > 0 && atLeast(ctx.version, SINCE.annotations)) {
    text += `  ${dimmed("Annotations:")} \n${annotations.map(([k, v]) => `    ${k}: ${v}\n`).join("")}`;
  }
  text += `  ${dimmed("Policy source:")} sandbox\n`;
  if (revision !== null) text += `  ${dimmed("Revision:")} ${revision}\n`;
  text += `\n${bold(cyan("Policy:"))}\n\n`;
  text += policyYaml(sandbox.presets)
    .trimEnd()
    .split("\n")
    .map((line) => `  ${styleYamlLine(line)}\n`)
    .join("");
  ctx.out(text);
  return 0;
}

/** @param {ToolContext} ctx @param {string | undefined} name @returns {string} */
function requireName(ctx, name) {
  if (name) return name;
  return fail(
    ctx,
    mietteError("No sandbox name provided and no last-used sandbox.\nSpecify a sandbox name or connect to one first: openshell sandbox connect <name>"),
  );
}

/** @param {ToolContext} ctx @param {Globals} globals @param {Matches} m */
async function remove(ctx, globals, m) {
  const target = resolveGateway(ctx, globals);
  const { gateway } = connect(ctx, target);
  checkProtobuf(ctx, gateway);
  let names = valuesOf(m, "names");
  if (isPresent(m, "all")) {
    names = Object.keys(gateway.sandboxes);
    if (names.length === 0) {
      ctx.out("No sandboxes to delete.\n");
      return 0;
    }
  }
  for (const name of names) {
    const deleted = await updateState(ctx.paths, (state) => {
      const live = gatewayByPort(state, target.port);
      return live ? deleteSandbox(ctx.paths, state, live, name) : false;
    });
    ctx.out(deleted ? `${bold(green("✓"))} Deleted sandbox ${name}\n` : `${yellow("!")} Sandbox ${name} not found\n`);
  }
  return 0;
}

const ADJECTIVES = ["affordable", "brave", "calm", "eager", "gentle", "lucky", "nimble", "quiet", "sturdy", "witty"];
const ANIMALS = ["scorpion", "otter", "heron", "lynx", "marmot", "newt", "osprey", "tapir", "wombat", "yak"];

/** @param {ToolContext} ctx @param {Globals} globals @param {Matches} m */
async function create(ctx, globals, m) {
  const legacy = isClusterEra(ctx.version);
  const format = valueOf(m, "output") ?? "table";
  checkFormat(ctx, format);
  const command = valuesOf(m, "command");

  // The cluster era deploys a gateway when none is configured, unless --no-bootstrap.
  const resolved = tryResolveGateway(ctx, globals);
  const target = resolved.target ?? (legacy ? await bootstrapGateway(ctx, !isPresent(m, "no_bootstrap")) : resolveGateway(ctx, globals));
  const refused = legacy
    ? `\n${yellow("!")} Gateway '${target.name}' is not reachable.\n\n  To destroy and recreate the gateway:\n\n    ${cyan(`openshell gateway destroy --name ${target.name}`)} && ${cyan("openshell gateway start")}\n\n${TRANSPORT_REFUSED}`
    : mietteError(
        `failed to connect to gateway '${target.name}' at ${target.endpoint}. Start the gateway service with the installed package manager, or register a different endpoint with \`openshell gateway add <endpoint>\`.`,
        ["transport error", "tcp connect error", "Connection refused (os error 111)"],
      );
  const { state, gateway } = connect(ctx, target, refused);

  const policy = valueOf(m, "policy") ?? ctx.env.OPENSHELL_SANDBOX_POLICY;
  if (policy && !existsSync(resolve(ctx.call.cwd, policy))) {
    fail(ctx, mietteError(`failed to read sandbox policy from ${policy}`, [`No such file or directory (os error 2)`]));
  }
  const requested = valueOf(m, "name");
  // The gateway validates the name before anything is built (≥ 0.0.88, OS@v0.0.111:crates/openshell-server/src/grpc/validation.rs:115-162).
  if (requested) {
    const problem = sandboxNameProblem(gateway.version, requested);
    if (problem) fail(ctx, mietteError(grpcStatus(ctx.version, "InvalidArgument", problem)));
  }
  const image = await resolveFrom(ctx, state, gateway, valueOf(m, "from"));
  checkProtobuf(ctx, gateway);
  const name = requested ?? `${pick(ADJECTIVES)}-${pick(ANIMALS)}`;
  if (gateway.sandboxes[name]) {
    fail(ctx, mietteError(`sandbox '${name}' already exists\n\nhint: delete it first with: openshell sandbox delete <name>\n      or use a different name`));
  }
  if (image.startsWith("localhost:5000/") && !state.docker.registry[image]) {
    fail(ctx, mietteError(`sandbox entered error phase while provisioning: ImagePullBackOff: Back-off pulling image "${image}"`));
  }
  /** @type {Record<string, string>} */
  const labels = Object.fromEntries(valuesOf(m, "labels").map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));
  const structured = format !== "table";
  if (structured) ctx.err("Provisioning sandbox (structured output on stdout)...\n");
  else ctx.out(`\n${bold(cyan("Created sandbox:"))} ${bold(name)}\n\n  ${dimmed("[0.0s]")} Requesting compute...\n`);
  const sandbox = await updateState(ctx.paths, async (live) => {
    const liveGateway = gatewayByPort(live, target.port);
    if (!liveGateway) throw new Error("gateway vanished during create");
    return createSandbox(ctx.paths, live, liveGateway, { name, image, command, labels, resources: { cpu: valueOf(m, "cpu") ?? null, memory: valueOf(m, "memory") ?? null, gpu: isPresent(m, "gpu") }, providers: valuesOf(m, "providers") });
  });
  if (!structured) {
    ctx.out(`${dimmed("[0.4s]")} Sandbox allocated\n${dimmed("[2.1s]")} Image pulled\n${dimmed("[3.2s]")} Sandbox ready\n`);
  }
  for (const spec of valuesOf(m, "upload")) {
    const [local, dest] = spec.includes(":") ? [spec.slice(0, spec.indexOf(":")), spec.slice(spec.indexOf(":") + 1)] : [spec, undefined];
    ctx.err(`  ${dimmed("•")} Uploading files to ${dest ?? "~"}...\n`);
    await uploadInto(ctx, gateway.name, sandbox, local, dest);
    ctx.err(`  ${bold(green("✓"))} Files uploaded\n`);
  }
  if (structured) ctx.out(`${sortedJson(sandboxJson(ctx, loadState(ctx.paths), sandbox))}\n`);
  return 0;
}

/** @param {string[]} items */
function pick(items) {
  return /** @type {string} */ (items[Math.floor(Math.random() * items.length)]);
}

/**
 * The cluster era: `sandbox create` with no resolvable gateway deploys one (unless
 * `--no-bootstrap`), named after OPENSHELL_GATEWAY or `openshell` — never after `-g`
 * (OS@v0.0.36:crates/openshell-cli/src/run.rs:1919-1945, bootstrap.rs:113-200).
 * @param {ToolContext} ctx
 * @param {boolean} allowed
 * @returns {Promise<import("../lib/openshell-context.mjs").Target>}
 */
async function bootstrapGateway(ctx, allowed) {
  if (!allowed) {
    fail(ctx, mietteError("No active gateway.\nSet one with: openshell gateway select <name>\nOr deploy a new gateway: openshell gateway start"));
  }
  const state = loadState(ctx.paths);
  if (state.docker.daemon !== "running") {
    fail(ctx, mietteError("failed to connect to Docker", ["Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"]));
  }
  const name = ctx.env.OPENSHELL_GATEWAY?.trim() || "openshell";
  const image = ctx.env.OPENSHELL_CLUSTER_IMAGE || `ghcr.io/nvidia/openshell/cluster:${ctx.env.IMAGE_TAG || ctx.version}`;
  ctx.err(
    `\n${bold(cyan("ℹ"))} No gateway found — starting one automatically.\n\n  The Gateway provides a secure control plane for OpenShell. It streamlines\n  access for humans and agents alike — handles sandbox orchestration, and\n  enables secure, concurrent agent workflows.\n\n  Manage it later with: ${bold("openshell status")} or ${bold("openshell gateway stop")}\n\n`,
  );
  const result = await updateState(ctx.paths, (s) => deployClusterGateway(ctx.paths, s, { name, port: 8080, image, recreate: false }));
  // `run_bootstrap` prints the deploy lines and the summary; it activates the gateway silently.
  ctx.err(`${clusterDeployText(name, result).split("\n").slice(0, -3).join("\n")}\n`);
  return { name, endpoint: result.endpoint, port: Number(new URL(result.endpoint).port) };
}


/**
 * `--from` resolution (`resolve_from`): Dockerfile → build (and, in era A, upload into the
 * cluster container), directory → its Dockerfile, otherwise an image reference.
 * @param {ToolContext} ctx
 * @param {SimState} state
 * @param {Gateway} gateway
 * @param {string | undefined} from
 */
async function resolveFrom(ctx, state, gateway, from) {
  if (!from) return "ghcr.io/nvidia/openshell-community/sandboxes/base:latest";
  const path = resolve(ctx.call.cwd, from);
  let dockerfile = null;
  if (existsSync(path) && statSync(path).isFile()) {
    if (!basename(path).toLowerCase().includes("dockerfile")) {
      fail(ctx, mietteError(`local --from file is not a Dockerfile or rootfs tar (.tar/.tar.gz/.tgz): ${from}`));
    }
    dockerfile = path;
  } else if (existsSync(path) && statSync(path).isDirectory()) {
    if (!existsSync(join(path, "Dockerfile"))) fail(ctx, mietteError(`No Dockerfile found in directory: ${from}`));
    dockerfile = join(path, "Dockerfile");
  } else if (/^(\/|\.\.?\/|~\/)/.test(from) || from === "." || from === "..") {
    fail(
      ctx,
      mietteError(`local --from path does not exist: ${from}\nUse an existing Dockerfile, directory containing Dockerfile, rootfs tar (.tar/.tar.gz/.tgz), or a container image reference.`),
    );
  }
  if (!dockerfile) return resolveCommunityImage(from);
  if (atLeast(ctx.version, DOCKERFILE_FROM_REMOVED)) {
    // Stand-in text: the wording of the release that dropped local builds (OS#3214) is not known.
    fail(ctx, mietteError(`--from no longer builds local images: ${from}\nBuild and push the image, then pass its reference to --from.`));
  }
  if (state.docker.daemon !== "running") {
    fail(ctx, mietteError("failed to build image", ["Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"]));
  }
  const tag = `openshell/sandbox-from:${Math.floor(Date.now() / 1000)}`;
  ctx.err(`Building image ${cyan(tag)} from ${dockerfile}\n  ${dimmed("Context:")} ${dirname(dockerfile)}\n  ${dimmed("Gateway:")} ${gateway.name}\n\n`);
  const lines = await updateState(ctx.paths, (s) => buildImage(s, dockerfile, tag));
  ctx.err(lines.map((line) => `  ${line}\n`).join(""));
  if (gateway.driver === "cluster-container") {
    ctx.err(`  [progress] Exporting image ${tag}\n`);
    const arm64 = ["aarch64", "arm64"].includes(state.host.arch);
    if (arm64 && state.options.arm64UploadFailure) {
      fail(
        ctx,
        mietteError("failed to upload image tar into container", [
          `Docker responded with status code 404: No such container: openshell-cluster-${gateway.name}`,
        ]),
      );
    }
    ctx.err("  [progress] Uploaded to gateway\n");
    ctx.err(`  [progress] Image ${tag} is available in the gateway\n\n`);
  } else {
    ctx.err(`\n${bold(green("✓"))} Image ${cyan(tag)} is available in the local Docker daemon for gateway '${gateway.name}'.\n\n`);
  }
  return tag;
}

/**
 * The stdin payload `sandbox exec` sends (read fully when stdin is not a terminal).
 * @param {ToolContext} ctx
 */
async function readStdinPayload(ctx) {
  if (ctx.call.stdinIsTerminal) return Buffer.alloc(0);
  const payload = await ctx.call.readStdin(MAX_STDIN_PAYLOAD);
  if (payload === null) fail(ctx, mietteError(`stdin payload exceeds ${MAX_STDIN_PAYLOAD} byte limit; pipe smaller inputs or use \`sandbox upload\``));
  return /** @type {Buffer} */ (payload);
}

/**
 * `sandbox exec`: the command is clap's trailing_var_arg + allow_hyphen_values, so an unknown
 * flag (or anything after the first command word) already belongs to the remote command.
 * @param {ToolContext} ctx @param {Globals} globals @param {Matches} m
 */
async function exec(ctx, globals, m) {
  const command = valuesOf(m, "command");
  const name = requireName(ctx, valueOf(m, "name"));
  const { state, gateway } = connect(ctx, resolveGateway(ctx, globals));
  checkProtobuf(ctx, gateway);
  const sandbox = requireSandbox(ctx, gateway, name);
  const phase = reportedPhase(state, sandbox);
  if (phase !== "Ready") fail(ctx, mietteError(`sandbox '${name}' is not ready (phase: ${phase}); wait for it to reach Ready state`));
  const stdin = await readStdinPayload(ctx);
  /** @type {Record<string, string>} */
  const env = Object.fromEntries(valuesOf(m, "envs").map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));
  const code = await execInSandbox(ctx.paths, gateway.name, sandbox, command, {
    env,
    workdir: valueOf(m, "workdir") ?? "/sandbox",
    stdin,
  });
  return code;
}

/**
 * `mkdir -p <dest> && cat | tar xf - -C <dest>` in the sandbox, fed by a local tar.
 * @param {ToolContext} ctx
 * @param {string} gatewayName
 * @param {Sandbox} sandbox
 * @param {string} local
 * @param {string | undefined} dest
 */
async function uploadInto(ctx, gatewayName, sandbox, local, dest) {
  const source = resolve(ctx.call.cwd, local);
  if (!existsSync(source)) fail(ctx, mietteError(`local path does not exist: ${local}`));
  const isFilePath = statSync(source).isFile() && dest !== undefined && !dest.endsWith("/");
  const remote = isFilePath
    ? ["/bin/sh", "-c", 'mkdir -p "$(dirname "$1")" && cat > "$1"', "sh", /** @type {string} */ (dest)]
    : ["/bin/sh", "-c", 'mkdir -p "$1" && cat | tar xf - -C "$1"', "sh", dest ?? "."];
  const inside = spawnInSandbox(ctx.paths, gatewayName, sandbox, remote, { stdin: "pipe" });
  const producer = isFilePath ? spawnHelper("cat", [source], { stdout: "pipe" }) : spawnHelper("tar", ["cf", "-", "-C", dirname(source), basename(source)], { stdout: "pipe" });
  if (producer.stdout && inside.stdin) producer.stdout.pipe(inside.stdin);
  const [, code] = await Promise.all([helperExit(producer), helperExit(inside)]);
  if (code !== 0) fail(ctx, mietteError(`ssh tar extract exited with status ${code}`));
}

/** @param {ToolContext} ctx @param {Globals} globals @param {Matches} m */
async function upload(ctx, globals, m) {
  const name = /** @type {string} */ (valueOf(m, "name"));
  const local = /** @type {string} */ (valueOf(m, "local_path"));
  const dest = valueOf(m, "dest");
  const { gateway } = connect(ctx, resolveGateway(ctx, globals));
  checkProtobuf(ctx, gateway);
  const sandbox = requireSandbox(ctx, gateway, name);
  if (!existsSync(resolve(ctx.call.cwd, local))) fail(ctx, mietteError(`local path does not exist: ${local}`));
  ctx.err(`Uploading ${local} -> sandbox:${dest ?? "~"}\n`);
  await uploadInto(ctx, gateway.name, sandbox, local, dest);
  ctx.err(`${bold(green("✓"))} Upload complete\n`);
  return 0;
}

/**
 * Run a command in the sandbox and collect its stdout.
 * @param {ToolContext} ctx
 * @param {string} gatewayName
 * @param {Sandbox} sandbox
 * @param {string[]} argv
 */
async function captureInSandbox(ctx, gatewayName, sandbox, argv) {
  const child = spawnInSandbox(ctx.paths, gatewayName, sandbox, argv, { stdout: "pipe", stderr: "ignore" });
  /** @type {Buffer[]} */
  const chunks = [];
  child.stdout?.on("data", (chunk) => chunks.push(chunk));
  const code = await helperExit(child);
  return { code, stdout: Buffer.concat(chunks).toString("utf8") };
}

/** @param {ToolContext} ctx @param {Globals} globals @param {Matches} m */
async function download(ctx, globals, m) {
  const name = /** @type {string} */ (valueOf(m, "name"));
  const path = /** @type {string} */ (valueOf(m, "sandbox_path"));
  const dest = valueOf(m, "dest");
  const { gateway } = connect(ctx, resolveGateway(ctx, globals));
  checkProtobuf(ctx, gateway);
  const sandbox = requireSandbox(ctx, gateway, name);
  ctx.err(`Downloading sandbox:${path} -> ${dest ?? "."}\n`);
  const probe = await captureInSandbox(ctx, gateway.name, sandbox, ["/bin/sh", "-c", 'pwd -P && realpath -e -- "$1"', "sh", path]);
  const [root = "/sandbox", resolved] = probe.stdout.trim().split("\n");
  if (probe.code !== 0 || !resolved) fail(ctx, mietteError(`sandbox source path '${path}' does not exist`));
  if (atLeast(ctx.version, SINCE.downloadRestricted) && resolved !== root && !resolved.startsWith(`${root}/`)) {
    fail(ctx, mietteError(`sandbox source path '${path}' resolves to '${resolved}', outside the sandbox workspace (${root})`));
  }
  const isDir = (await captureInSandbox(ctx, gateway.name, sandbox, ["/bin/sh", "-c", 'test -d "$1"', "sh", resolved])).code === 0;
  const destination = resolve(ctx.call.cwd, dest ?? ".");
  const remote = isDir ? ["tar", "cf", "-", "-C", resolved, "."] : ["tar", "cf", "-", "-C", dirname(resolved), "--", basename(resolved)];
  const intoDir = isDir || (existsSync(destination) && statSync(destination).isDirectory());
  const extractDir = intoDir ? destination : mkdtempSync(join(dirname(destination), ".download-"));
  mkdirSync(extractDir, { recursive: true });
  const inside = spawnInSandbox(ctx.paths, gateway.name, sandbox, remote, { stdout: "pipe" });
  const consumer = spawnHelper("tar", ["xf", "-", "-C", extractDir], { stdin: "pipe" });
  if (inside.stdout && consumer.stdin) inside.stdout.pipe(consumer.stdin);
  const [code] = await Promise.all([helperExit(inside), helperExit(consumer)]);
  if (!intoDir) {
    renameSync(join(extractDir, basename(resolved)), destination);
    rmSync(extractDir, { recursive: true, force: true });
  }
  if (code !== 0) fail(ctx, mietteError(`ssh tar exited with status ${code}`));
  ctx.err(`${bold(green("✓"))} Download complete\n`);
  return 0;
}

/** @param {ToolContext} ctx @param {Globals} globals @param {Matches} m */
function sshConfig(ctx, globals, m) {
  const name = requireName(ctx, valueOf(m, "name"));
  const target = resolveGateway(ctx, globals);
  const { gateway } = connect(ctx, target);
  checkProtobuf(ctx, gateway);
  requireSandbox(ctx, gateway, name);
  const workspaces = atLeast(ctx.version, SINCE.workspaces);
  const alias = workspaces ? `openshell-${name}.${globals.workspace}` : `openshell-${name}`;
  const proxy = `${ctx.paths.openshellBin} ssh-proxy --gateway-name ${target.name} --name ${name}${workspaces ? ` --workspace ${globals.workspace}` : ""}`;
  ctx.out(
    `Host ${alias}\n  User sandbox\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  GlobalKnownHostsFile /dev/null\n  LogLevel ERROR\n  ServerAliveInterval 15\n  ServerAliveCountMax 3\n  ProxyCommand ${proxy}\n`,
  );
  return 0;
}


/**
 * `sandbox stop|start [NAME]` (≥ 0.0.105; OS@v0.0.111:crates/openshell-cli/src/run.rs:2415-2467 and
 * the server rules of crates/openshell-server/src/compute/mod.rs:1000-1240).
 * @param {ToolContext} ctx @param {Globals} globals @param {Matches} m @param {"stop" | "start"} action
 */
async function stopOrStart(ctx, globals, m, action) {
  const name = requireName(ctx, valueOf(m, "name"));
  const target = resolveGateway(ctx, globals);
  const { state, gateway } = connect(ctx, target);
  checkProtobuf(ctx, gateway);
  const sandbox = requireSandbox(ctx, gateway, name);
  const phase = reportedPhase(state, sandbox);
  if (action === "stop") {
    if (phase !== "Stopped") {
      if (phase !== "Ready" && phase !== "Stopping") {
        fail(ctx, mietteError(grpcStatus(ctx.version, "FailedPrecondition", `sandbox must be Ready to stop (current phase: ${phase})`)));
      }
      await updateState(ctx.paths, (live) => {
        const liveGateway = gatewayByPort(live, target.port);
        const liveSandbox = liveGateway?.sandboxes[name];
        if (liveSandbox) stopSandbox(live, liveSandbox);
      });
    }
    ctx.out(`${bold(green("✓"))} Stopped sandbox ${name}\n`);
    return 0;
  }
  if (phase !== "Ready") {
    if (phase !== "Stopped" && phase !== "Starting") {
      fail(ctx, mietteError(grpcStatus(ctx.version, "FailedPrecondition", `sandbox must be Stopped to start (current phase: ${phase})`)));
    }
    await updateState(ctx.paths, async (live) => {
      const liveGateway = gatewayByPort(live, target.port);
      const liveSandbox = liveGateway?.sandboxes[name];
      if (liveGateway && liveSandbox) await startSandbox(ctx.paths, live, liveGateway, liveSandbox);
    });
  }
  ctx.out(`${bold(green("✓"))} Started sandbox ${name}\n`);
  return 0;
}
