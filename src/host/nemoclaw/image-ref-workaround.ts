/**
 * NemoClaw's arm64 image-reference workaround (real-cli-2026-12 §11, NemoClaw #3266/#4934) as
 * command lines: a local registry, the built image pushed into it, and the sandbox created from
 * that reference. The create is NemoClaw's own (its create arguments with `--from` swapped for the
 * registry reference, `build-context.ts` `reconstructImageRefCreateCommand`), completed where
 * NemoClaw's printed step 3 leaves placeholders: the real base policy file instead of
 * `<your-policy-file>`, the runtime environment NemoClaw passes instead of `<YOUR_RUNTIME_ENV>`,
 * and `--no-bootstrap` on the cluster-driver releases (OpenShell ≤ 0.0.36), where a create without
 * it may bootstrap a gateway of its own. `nemoclaw onboard --resume` (with the failed create's
 * environment) then finds the sandbox Ready and finishes agent setup, presets and registry.
 */
import { versionAtLeast, versionWithin } from "../../config/openshell-version.js";
import { quote } from "../../transport/shell.js";
import { literalEnv, plannedCommand, type PlannedCommand } from "../command.js";
import { OPENSHELL_SINCE, OPENSHELL_UNTIL } from "../openshell/releases.js";

export const LOCAL_REGISTRY = "localhost:5000";

/** NemoClaw's default dashboard port, passed to `nemoclaw-start` as its runtime environment. */
const DASHBOARD_PORT = 18789;

/** What the create needs beyond the built image: the sandbox's settings and the release that runs it. */
export interface WorkaroundTarget {
  sandbox: string;
  gateway: string;
  agent: string;
  /** NemoClaw passes `--gpu` for a GPU sandbox (v0.0.36–v0.0.38 with the gateway's GPU passthrough, then by the sandbox's GPU mode). */
  gpu: boolean;
  gpuDevice?: string;
  cpu?: string;
  memory?: string;
  /** The OpenShell release on the host (x.y.z). */
  openshell: string;
}

/**
 * NemoClaw's base policy for the agent (`getAgentPolicyPath`, else `nemoclaw-blueprint/policies/
 * openclaw-sandbox.yaml`), under the source root the installer uses (`~/.nemoclaw/source`) or the
 * package the `nemoclaw` command resolves to. `$1` is the agent; the rest is the create command.
 */
const CREATE_WITH_BASE_POLICY = [
  'agent=$1; shift',
  'root="$HOME/.nemoclaw/source"',
  'if [ ! -d "$root/nemoclaw-blueprint" ]; then bin=$(command -v nemoclaw) && root=$(dirname "$(dirname "$(readlink -f "$bin")")"); fi',
  'policy="$root/agents/$agent/policy-additions.yaml"',
  'if [ "$agent" = openclaw ] || [ ! -f "$policy" ]; then policy="$root/nemoclaw-blueprint/policies/openclaw-sandbox.yaml"; fi',
  'if [ ! -f "$policy" ]; then echo "NemoClaw\'s base sandbox policy is not at $policy" >&2; exit 1; fi',
  'exec openshell sandbox create --policy "$policy" "$@"',
].join("\n");

/** How the workaround's text shows the policy the command finds on the host. */
const BASE_POLICY_SHOWN = "~/.nemoclaw/source/nemoclaw-blueprint/policies/openclaw-sandbox.yaml";

/** The image reference the sandbox is created from once pushed. */
export function pushedImageRef(imageRef: string): string {
  return `${LOCAL_REGISTRY}/${imageRef}`;
}

/** `sandbox create`'s arguments after `--policy`: image, name, the flags this OpenShell takes, and the runtime command. */
function createArguments(imageRef: string, target: WorkaroundTarget): string[] {
  const resources = versionAtLeast(target.openshell, OPENSHELL_SINCE.resources)
    ? [...(target.cpu !== undefined ? ["--cpu", target.cpu] : []), ...(target.memory !== undefined ? ["--memory", target.memory] : [])]
    : [];
  const gpuDevice =
    target.gpu && target.gpuDevice !== undefined && versionWithin(target.openshell, OPENSHELL_SINCE.gpuDevice, OPENSHELL_UNTIL.gpuDevice) ? ["--gpu-device", target.gpuDevice] : [];
  const clusterDriver = !versionAtLeast(target.openshell, OPENSHELL_SINCE.hostProcessDriver);
  return [
    "--from", pushedImageRef(imageRef),
    "--name", target.sandbox,
    ...(target.gpu ? ["--gpu"] : []),
    ...gpuDevice,
    ...resources,
    ...(clusterDriver ? ["--no-bootstrap"] : []),
    "--", "env", `CHAT_UI_URL=http://127.0.0.1:${DASHBOARD_PORT}`, `NEMOCLAW_DASHBOARD_PORT=${DASHBOARD_PORT}`, "nemoclaw-start",
  ];
}

function registryCommands(imageRef: string): PlannedCommand[] {
  const pushed = pushedImageRef(imageRef);
  return [
    // A registry left by an earlier workaround is reused: start it (fails harmlessly when absent)…
    plannedCommand(["docker", "start", "registry"], {}, [0, 1]),
    // …or create it (a name conflict means the start above already brought it up).
    plannedCommand(["docker", "run", "-d", "-p", "5000:5000", "--restart=always", "--name", "registry", "registry:2"], {}, [0, 125]),
    plannedCommand(["docker", "tag", imageRef, pushed]),
    plannedCommand(["docker", "push", pushed]),
  ];
}

const gatewayEnv = (target: WorkaroundTarget) => literalEnv([["OPENSHELL_GATEWAY", target.gateway]]);

/** Every command, including the `docker start` that reuses a registry an earlier workaround left. */
export function imageRefWorkaroundCommands(imageRef: string, target: WorkaroundTarget): PlannedCommand[] {
  return [
    ...registryCommands(imageRef),
    plannedCommand(["sh", "-c", CREATE_WITH_BASE_POLICY, "sh", target.agent, ...createArguments(imageRef, target)], gatewayEnv(target)),
  ];
}

/** The same commands as a person types them (the policy path written out, no `docker start`). */
export function imageRefWorkaroundDisplay(imageRef: string, target: WorkaroundTarget): string[] {
  const registry = registryCommands(imageRef).filter((command) => command.argv[1] !== "start");
  const create = plannedCommand(["openshell", "sandbox", "create", "--policy", BASE_POLICY_SHOWN, ...createArguments(imageRef, target)], gatewayEnv(target));
  // Unquoted, so the shell it is pasted into expands `~`.
  return [...registry.map((command) => command.display), create.display.replace(quote(BASE_POLICY_SHOWN), BASE_POLICY_SHOWN)];
}

