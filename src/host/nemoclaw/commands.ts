/** Command lines for the `nemoclaw` CLI (reference: nemoclaw-surface §1). */
import type { GpuMode, SecretRef, ShieldsPosture } from "../../config/types.js";
import { type CommandEnv, literalEnv, plannedCommand, type PlannedCommand } from "../command.js";

/** Everything `nemoclaw onboard --non-interactive` needs to create (or re-attach) one sandbox. */
export interface OnboardSettings {
  sandbox: string;
  agent: string;
  /** Onboard option key (`build`, `openai`, …). */
  provider?: string;
  model?: string;
  endpoint?: string;
  /** The provider key, delivered as this environment variable from a secret reference. */
  credential?: { env: string; ref: SecretRef };
  gatewayPort: number;
  bindAddress: string;
  policyTier?: string;
  presets: string[];
  gpu: GpuMode;
  gpuDevice?: string;
  from?: string;
  cpu?: string;
  memory?: string;
}

const GPU_ENV: Record<GpuMode, string> = { auto: "auto", on: "1", off: "0" };

/** The non-interactive onboard environment (NemoClaw `commands.mdx` §Environment Variables). */
function onboardEnv(settings: OnboardSettings): CommandEnv {
  const env = literalEnv([
    ["NEMOCLAW_SANDBOX_NAME", settings.sandbox],
    ["NEMOCLAW_AGENT", settings.agent],
    ["NEMOCLAW_PROVIDER", settings.provider],
    ["NEMOCLAW_MODEL", settings.model],
    ["NEMOCLAW_ENDPOINT_URL", settings.endpoint],
  ]);
  if (settings.credential) env[settings.credential.env] = { secret: settings.credential.ref };
  return {
    ...env,
    ...literalEnv([
      ["NEMOCLAW_GATEWAY_PORT", String(settings.gatewayPort)],
      ["NEMOCLAW_GATEWAY_BIND_ADDRESS", settings.bindAddress],
      ["NEMOCLAW_POLICY_TIER", settings.policyTier],
      // custom = the preset list is authoritative, exactly the file's.
      ["NEMOCLAW_POLICY_MODE", "custom"],
      ["NEMOCLAW_POLICY_PRESETS", settings.presets.join(",")],
      ["NEMOCLAW_SANDBOX_GPU", GPU_ENV[settings.gpu]],
      ["NEMOCLAW_SANDBOX_GPU_DEVICE", settings.gpuDevice],
      ["NEMOCLAW_FROM_DOCKERFILE", settings.from],
      ["NEMOCLAW_CPU", settings.cpu],
      ["NEMOCLAW_RAM", settings.memory],
      ["NEMOCLAW_ACCEPT_THIRD_PARTY_SOFTWARE", "1"],
    ]),
  };
}

/**
 * Creates the sandbox, starting its gateway first when needed (host-process era). With `recreate`,
 * an existing sandbox of that name is deleted and created again with the file's settings — the
 * documented way to apply what neither `rebuild` (it resumes with the recorded provider) nor
 * `inference set` can change.
 */
export function onboard(settings: OnboardSettings, options: { recreate?: boolean } = {}): PlannedCommand {
  const argv = ["nemoclaw", "onboard", "--non-interactive", ...(options.recreate ? ["--recreate-sandbox"] : [])];
  return plannedCommand(argv, onboardEnv(settings));
}

/** The same onboard, continuing the session a failed run left (`onboard --resume`, same environment). */
export function resumedOnboard(command: PlannedCommand): PlannedCommand {
  return plannedCommand([...command.argv, "--resume"], command.env ?? {});
}

/** Repairs a stopped in-sandbox agent gateway through NemoClaw's privileged controller. */
export function recover(sandbox: string): PlannedCommand {
  return plannedCommand(["nemoclaw", sandbox, "recover"]);
}

/**
 * Back up, destroy and recreate the sandbox, then restore its state. The settings that only a
 * recreate can change travel in the onboard environment the inner onboard reads.
 */
export function rebuild(sandbox: string, env: CommandEnv = {}): PlannedCommand {
  return plannedCommand(["nemoclaw", sandbox, "rebuild", "--yes"], env);
}

export function destroy(sandbox: string): PlannedCommand {
  return plannedCommand(["nemoclaw", sandbox, "destroy", "--yes"]);
}

export function policyAdd(sandbox: string, preset: string): PlannedCommand {
  return plannedCommand(["nemoclaw", sandbox, "policy-add", preset, "--yes"]);
}

export function policyRemove(sandbox: string, preset: string): PlannedCommand {
  return plannedCommand(["nemoclaw", sandbox, "policy-remove", preset, "--yes"]);
}

/**
 * Switches the gateway-wide route to another model of the same provider and syncs this sandbox's
 * agent config (`provider` is the OpenShell provider name, e.g. `nvidia-prod`).
 */
export function inferenceSet(sandbox: string, route: { provider: string; model: string }): PlannedCommand {
  return plannedCommand(["nemoclaw", "inference", "set", "--provider", route.provider, "--model", route.model, "--sandbox", sandbox]);
}

export function shields(sandbox: string, posture: ShieldsPosture): PlannedCommand {
  return plannedCommand(["nemoclaw", sandbox, "shields", posture]);
}

/** NemoClaw's own snapshot (to ~/.nemoclaw/rebuild-backups on the host), for sandboxes no backup policy covers. */
export function snapshotCreate(sandbox: string, label: string): PlannedCommand {
  return plannedCommand(["nemoclaw", sandbox, "snapshot", "create", "--name", label]);
}

export function snapshotRestore(sandbox: string, label: string): PlannedCommand {
  return plannedCommand(["nemoclaw", sandbox, "snapshot", "restore", label, "--yes"]);
}

/** The onboard variables only a recreate can apply, passed to `rebuild` so it recreates the file's shape. */
const RECREATE_VARIABLES = new Set([
  "NEMOCLAW_AGENT",
  "NEMOCLAW_POLICY_TIER",
  "NEMOCLAW_SANDBOX_GPU",
  "NEMOCLAW_SANDBOX_GPU_DEVICE",
  "NEMOCLAW_FROM_DOCKERFILE",
  "NEMOCLAW_CPU",
  "NEMOCLAW_RAM",
]);

export function recreateEnv(settings: OnboardSettings): CommandEnv {
  return Object.fromEntries(Object.entries(onboardEnv(settings)).filter(([name]) => RECREATE_VARIABLES.has(name)));
}
