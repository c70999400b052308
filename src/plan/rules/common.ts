/** Small helpers the rules share: targets, the onboard settings of a desired sandbox. */
import type { DesiredSandbox } from "../../config/types.js";
import type { OnboardSettings } from "../../host/nemoclaw/commands.js";
import type { HostContext } from "../context.js";
import { defaultCredentialEnv, providerOptionKey } from "../../host/nemoclaw/providers.js";
import { NEMOCLAW_RELEASE_RULES } from "../../host/nemoclaw/release-rules.js";
import type { StepTarget } from "../types.js";

export function hostTarget(ctx: HostContext): StepTarget {
  return { kind: "host", name: ctx.host.name };
}

export function gatewayTarget(gateway: string): StepTarget {
  return { kind: "gateway", name: gateway };
}

export function sandboxTarget(sandbox: string, gateway: string): StepTarget {
  return { kind: "sandbox", name: sandbox, gateway };
}

/** Where a desired field was written, for reasons (`fleet.yaml:12 sandboxes[0].agent`). */
export function sourceOf(sandbox: DesiredSandbox, field: string): string {
  return `${sandbox.source.file}:${sandbox.source.line} ${sandbox.source.path}.${field}`;
}

/**
 * The release the host runs takes the sandbox's settings (src/host/nemoclaw/release-rules.ts).
 * A fleet file that chooses the release was checked at load; one that does not is checked here,
 * against the release observed — a setting the release would refuse or ignore is never sent.
 */
function releaseTakes(ctx: HostContext, sandbox: DesiredSandbox): boolean {
  if (ctx.release === null) return true;
  const gateway = ctx.desiredGateway(sandbox.gateway);
  const problems = [...NEMOCLAW_RELEASE_RULES.sandboxProblems(sandbox, gateway, ctx.release), ...(gateway ? NEMOCLAW_RELEASE_RULES.gatewayProblems(gateway, ctx.release) : [])];
  const errors = problems.filter((problem) => problem.severity === "error");
  if (errors.length === 0) return true;
  const where = `${sandbox.source.file}:${sandbox.source.line}`;
  ctx.note("warning", `sandbox ${sandbox.name} (${where}) is not planned: ${errors.map((problem) => `${problem.field.join(".")}: ${problem.message}`).join("; ")}`, {
    target: sandboxTarget(sandbox.name, sandbox.gateway),
  });
  return false;
}

/**
 * The onboard settings for a desired sandbox, or null (with a note) when its gateway is not
 * declared on the host, the release the host runs would refuse a setting, or its provider key has
 * no environment variable to travel in.
 */
export function onboardSettingsFor(ctx: HostContext, sandbox: DesiredSandbox): OnboardSettings | null {
  const gateway = ctx.desiredGateway(sandbox.gateway);
  const target = sandboxTarget(sandbox.name, sandbox.gateway);
  if (!gateway) {
    ctx.note("warning", `sandbox ${sandbox.name} names gateway ${sandbox.gateway}, which is not declared for this host; it is not planned`, { target });
    return null;
  }
  if (!releaseTakes(ctx, sandbox)) return null;
  const provider = sandbox.provider === undefined ? undefined : providerOptionKey(sandbox.provider);
  let credential: OnboardSettings["credential"];
  if (sandbox.credential) {
    const env = sandbox.credentialEnv ?? (provider === undefined ? null : defaultCredentialEnv(provider, ctx.release?.nemoclaw ?? null));
    if (env === null) {
      ctx.note("warning", `sandbox ${sandbox.name}: provider ${sandbox.provider ?? "(none)"} has no default key variable; set credentialEnv`, { target });
      return null;
    }
    credential = { env, ref: sandbox.credential };
  }
  return {
    sandbox: sandbox.name,
    agent: sandbox.agent,
    ...(provider !== undefined ? { provider } : {}),
    ...(sandbox.model !== undefined ? { model: sandbox.model } : {}),
    ...(sandbox.endpoint !== undefined ? { endpoint: sandbox.endpoint } : {}),
    ...(credential ? { credential } : {}),
    gatewayPort: gateway.port,
    bindAddress: gateway.bind,
    ...(sandbox.policy.tier !== undefined ? { policyTier: sandbox.policy.tier } : {}),
    presets: sandbox.policy.presets,
    gpu: sandbox.gpu,
    ...(sandbox.gpuDevice !== undefined ? { gpuDevice: sandbox.gpuDevice } : {}),
    ...(sandbox.from !== undefined ? { from: sandbox.from } : {}),
    ...(sandbox.resources?.cpu !== undefined ? { cpu: sandbox.resources.cpu } : {}),
    ...(sandbox.resources?.memory !== undefined ? { memory: sandbox.resources.memory } : {}),
  };
}
