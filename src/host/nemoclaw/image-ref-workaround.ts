/**
 * NemoClaw's arm64 image-reference workaround (#3266, reference §7) as command lines: a local
 * registry, the built image pushed into it, and the sandbox created from that reference on its own
 * gateway with NemoClaw's runtime command. `nemoclaw onboard --resume` (with the failed create's
 * environment) then finds the sandbox Ready and finishes agent setup, presets and registry.
 */
import { literalEnv, plannedCommand, type PlannedCommand } from "../command.js";

export const LOCAL_REGISTRY = "localhost:5000";

export interface WorkaroundTarget {
  sandbox: string;
  gateway: string;
  gpu: boolean;
}

/** The image reference the sandbox is created from once pushed. */
export function pushedImageRef(imageRef: string): string {
  return `${LOCAL_REGISTRY}/${imageRef}`;
}

/** Every command, including the `docker start` that reuses a registry an earlier workaround left. */
export function imageRefWorkaroundCommands(imageRef: string, target: WorkaroundTarget): PlannedCommand[] {
  const pushed = pushedImageRef(imageRef);
  return [
    // A registry left by an earlier workaround is reused: start it (fails harmlessly when absent)…
    plannedCommand(["docker", "start", "registry"], {}, [0, 1]),
    // …or create it (a name conflict means the start above already brought it up).
    plannedCommand(["docker", "run", "-d", "-p", "5000:5000", "--restart=always", "--name", "registry", "registry:2"], {}, [0, 125]),
    plannedCommand(["docker", "tag", imageRef, pushed]),
    plannedCommand(["docker", "push", pushed]),
    plannedCommand(
      [
        "openshell", "sandbox", "create", "--from", pushed, "--name", target.sandbox,
        ...(target.gpu ? ["--gpu"] : []),
        "--", "env", "CHAT_UI_URL=http://127.0.0.1:18789", "NEMOCLAW_DASHBOARD_PORT=18789", "nemoclaw-start",
      ],
      literalEnv([["OPENSHELL_GATEWAY", target.gateway]]),
    ),
  ];
}
