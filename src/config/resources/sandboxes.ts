/**
 * Sandboxes: NemoClaw's name rule, placement on one host or a selector, the gateway they live
 * on, secrets as references only, and values that will reach a command line checked here rather
 * than half-way through an apply.
 */
import type { Sandbox } from "../fleet-file.generated.js";
import { argumentProblem, DEFAULT_GATEWAY_NAME, ENV_NAME, nameProblem, sandboxNameProblem } from "../names.js";
import { apiKeyShape, literalSecret, parseSecretRef, secretRefProblem } from "../secrets.js";
import { formatPath, type Path } from "../source.js";
import { didYouMean } from "../suggest.js";
import type { SettingProblem } from "../release-rules.js";
import type { DesiredHost, DesiredSandbox, SecretRef } from "../types.js";
import { reportSettingProblems, resolveSelector, type BuildContext } from "./context.js";
import { implicitDefaultGateway } from "./gateways.js";
import { resolveLocalPath } from "../hosts/layers.js";

/** NemoClaw's `isSafeModelId` (NC@d50338aa:src/lib/validation.ts:255-257, checked by onboard/providers.ts:295-304; the same at v0.0.25). */
const MODEL_ID = /^[A-Za-z0-9._:/-]+$/;
const CPU = /^\d+(\.\d+)?m?$/;
const MEMORY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|K|M|G|T|P|k)?$/;

export function placeSandboxes(ctx: BuildContext): void {
  const implicitGateways = ctx.checked.data.gateways === undefined;
  const placedAt = new Map<string, Path>(); // `${host}/${name}` → where it was first placed
  for (const [index, raw] of ctx.checked.items(ctx.checked.data.sandboxes)) {
    const at: Path = ["sandboxes", index];
    const sandbox = sandboxFields(raw, at, ctx);
    const hosts = placement(raw, at, ctx);
    if (sandbox === undefined || hosts === undefined) continue;
    const presetIndex = ctx.checked.items(raw.policy?.presets).map(([index]) => index);
    const inFile = (field: SettingProblem["field"]): SettingProblem["field"] =>
      field[0] === "policy" && field[1] === "presets" && typeof field[2] === "number" ? ["policy", "presets", presetIndex[field[2]] ?? field[2]] : field;
    reportSettingProblems(ctx, at, (target) => ctx.releaseRules!.sandboxProblems(sandbox, undefined, target).map((found) => ({ ...found, field: inFile(found.field) })), hosts);
    for (const host of hosts) {
      const gateway = host.gateways.find((g) => g.name === sandbox.gateway);
      if (gateway === undefined) {
        if (implicitGateways && sandbox.gateway === DEFAULT_GATEWAY_NAME) implicitDefaultGateway(host, sandbox.source, ctx);
        else {
          reportMissingGateway(host, sandbox.gateway, at, raw, ctx, implicitGateways);
          continue;
        }
      }
      const key = `${host.name}/${sandbox.name}`;
      const first = placedAt.get(key);
      if (first !== undefined) {
        ctx.bag.error(
          ctx.yaml.ref([...at, "name"]),
          `sandbox "${sandbox.name}" is already on host ${host.name} (${formatPath(first)}); NemoClaw keeps one sandbox per name per host, whatever the gateway`,
        );
        continue;
      }
      placedAt.set(key, at);
      host.sandboxes.push({ ...sandbox, host: host.name });
    }
  }
}

function placement(raw: Sandbox, at: Path, ctx: BuildContext): DesiredHost[] | undefined {
  const { yaml, bag } = ctx;
  if (raw.host !== undefined && raw.hosts !== undefined) {
    bag.error(yaml.ref([...at, "hosts"], "key"), "set host (one host) or hosts (a selector), not both");
    return undefined;
  }
  if (raw.host !== undefined) {
    const host = ctx.hostsByName.get(raw.host);
    if (host === undefined) {
      bag.error(yaml.ref([...at, "host"]), `host "${raw.host}" is not in the fleet${didYouMean(raw.host, ctx.hostsByName.keys())}`);
      return undefined;
    }
    return [host];
  }
  if (raw.hosts !== undefined) return resolveSelector(raw.hosts, [...at, "hosts"], ctx)?.hosts;
  bag.error(yaml.ref(at), `sandbox "${raw.name}" needs host: (one host) or hosts: (a selector) to say where it runs`);
  return undefined;
}

function reportMissingGateway(host: DesiredHost, gateway: string, at: Path, raw: Sandbox, ctx: BuildContext, implicit: boolean): void {
  const declared = host.gateways.map((g) => g.name);
  const where = ctx.yaml.ref(raw.gateway === undefined ? at : [...at, "gateway"]);
  const detail = implicit
    ? "without a gateways: list only the default gateway nemoclaw exists; declare it under gateways:"
    : declared.length === 0
      ? "no gateway is declared for that host"
      : `gateways there: ${declared.join(", ")}${didYouMean(gateway, declared)}`;
  ctx.bag.error(where, `gateway "${gateway}" is not declared on host ${host.name} (${detail})`);
}

/** The host-independent part of a sandbox, or undefined when it is too broken to place. */
function sandboxFields(raw: Sandbox, at: Path, ctx: BuildContext): Omit<DesiredSandbox, "host"> | undefined {
  const { yaml, bag } = ctx;
  let ok = true;
  const fail = (field: Path, message: string, mask?: string): void => {
    bag.error(yaml.ref([...at, ...field]), message, mask === undefined ? {} : { mask });
    ok = false;
  };

  const nameIssue = sandboxNameProblem(raw.name);
  if (nameIssue !== undefined) fail(["name"], nameIssue);

  if (raw.provider !== undefined) {
    const problem = argumentProblem("provider", raw.provider);
    if (problem !== undefined) fail(["provider"], problem);
  }
  for (const field of ["model", "gpuDevice"] as const) {
    const value = raw[field];
    const problem = value === undefined ? undefined : argumentProblem(field, value);
    if (problem !== undefined) fail([field], problem);
    else if (field === "model" && value !== undefined && !MODEL_ID.test(value)) {
      fail(
        ["model"],
        `model "${value}" is not a model id NemoClaw takes: only letters, digits and . _ : / - (onboard exits 1 with "Invalid NEMOCLAW_MODEL for provider …")`,
      );
    }
  }
  if (raw.endpoint !== undefined && !/^https?:\/\//.test(raw.endpoint)) fail(["endpoint"], "endpoint must be an http:// or https:// URL");

  let credential: SecretRef | undefined;
  if (raw.credential !== undefined) {
    credential = parseSecretRef(raw.credential);
    if (credential === undefined) fail(["credential"], `credential ${secretRefProblem(raw.credential)}`, literalSecret(raw.credential));
    else if (credential.kind === "file") credential = { kind: "file", path: resolveLocalPath(credential.path, ctx.baseDir) };
  }

  if (raw.credentialEnv !== undefined && !ENV_NAME.test(raw.credentialEnv)) {
    const shape = apiKeyShape(raw.credentialEnv);
    fail(
      ["credentialEnv"],
      shape === undefined
        ? `credentialEnv must be an environment variable name like NVIDIA_INFERENCE_API_KEY, not "${raw.credentialEnv}"`
        : `credentialEnv looks like a literal API key (${shape}); it names the variable NemoClaw reads the key from on the host, and the key itself goes in credential: env:NAME`,
      raw.credentialEnv,
    );
  }

  const presets = raw.policy?.presets ?? [];
  // Entries the schema check dropped (`1.5`) keep the others at their place in the file.
  ctx.checked.items(presets).forEach(([index, preset], i) => {
    const problem = nameProblem("preset", preset);
    if (problem !== undefined) fail(["policy", "presets", index], problem);
    else if (presets.indexOf(preset) !== i) fail(["policy", "presets", index], `preset "${preset}" is listed twice`);
  });

  if (raw.from !== undefined) {
    const problem = argumentProblem("from", raw.from) ?? fromProblem(raw.from);
    if (problem !== undefined) fail(["from"], problem);
  }
  const cpu = raw.resources?.cpu === undefined ? undefined : String(raw.resources.cpu);
  if (cpu !== undefined && !CPU.test(cpu)) fail(["resources", "cpu"], `cpu must be a number of CPUs like 4, 0.5 or 1500m, not "${cpu}"`);
  const memory = raw.resources?.memory;
  if (memory !== undefined && !MEMORY.test(memory)) fail(["resources", "memory"], `memory must be a size like 16Gi or 512Mi, not "${memory}"`);

  if (!ok) return undefined;
  const resources = cpu === undefined && memory === undefined ? undefined : { ...(cpu === undefined ? {} : { cpu }), ...(memory === undefined ? {} : { memory }) };
  return {
    name: raw.name,
    gateway: raw.gateway ?? DEFAULT_GATEWAY_NAME,
    agent: raw.agent ?? "openclaw",
    ...(raw.provider === undefined ? {} : { provider: raw.provider }),
    ...(raw.model === undefined ? {} : { model: raw.model }),
    ...(raw.endpoint === undefined ? {} : { endpoint: raw.endpoint }),
    ...(credential === undefined ? {} : { credential, credentialSource: yaml.ref([...at, "credential"]) }),
    ...(raw.credentialEnv === undefined ? {} : { credentialEnv: raw.credentialEnv }),
    policy: { ...(raw.policy?.tier === undefined ? {} : { tier: raw.policy.tier }), presets },
    gpu: raw.gpu ?? "auto",
    ...(raw.gpuDevice === undefined ? {} : { gpuDevice: raw.gpuDevice }),
    ...(raw.from === undefined ? {} : { from: raw.from }),
    ...(resources === undefined ? {} : { resources }),
    ...(raw.shields === undefined ? {} : { shields: raw.shields }),
    protect: raw.protect ?? false,
    imageRefWorkaround: raw.imageRefWorkaround ?? false,
    source: yaml.ref(at),
  };
}

/**
 * `from` is a Dockerfile on the host, by absolute path: NemoClaw's onboard takes only a Dockerfile
 * (`--from <Dockerfile>`, "Custom Dockerfile not found" otherwise) and records it resolved, so a
 * relative path would never match what the host reports.
 */
function fromProblem(from: string): string | undefined {
  if (from.startsWith("/")) return undefined;
  if (/^(\.{1,2}\/|~\/)/.test(from) || /(^|\/)Dockerfile[^/]*$/.test(from)) {
    return `from must be the absolute path of the Dockerfile on the host (NemoClaw records it resolved, so "${from}" would never match), like /srv/agents/edge/Dockerfile`;
  }
  return `from must be the absolute path of a Dockerfile on the host, like /srv/agents/edge/Dockerfile: NemoClaw builds sandboxes only from a Dockerfile (onboard --from <Dockerfile>), not from "${from}"`;
}
