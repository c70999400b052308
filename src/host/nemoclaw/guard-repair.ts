/**
 * Clearing a stale OpenClaw gateway lock inside a sandbox, as root, before NemoClaw relaunches the
 * agent gateway. The guard files themselves are never written by the tool: NemoClaw's own recover
 * or gateway restart restores them (real-cli-2026-12 §5).
 */
import type { GatewayDriver } from "../../config/types.js";
import type { PlannedCommand } from "../command.js";
import { execAsRootInDockerSandbox, execInClusterSandbox } from "../docker/commands.js";

/** Only OpenClaw gateway lock files (/tmp/openclaw-<dir>/gateway.<id>.lock) are ever removed. */
export const GATEWAY_LOCK_PATH = /^\/tmp\/openclaw-[^/]+\/gateway\.[^/]+\.lock$/;

/** Removes exactly the given lock files (already checked against GATEWAY_LOCK_PATH). */
export function removeLockFiles(driver: GatewayDriver, gateway: string, sandbox: string, paths: string[]): PlannedCommand {
  const argv = ["rm", "-f", "--", ...paths];
  return driver === "cluster-container" ? execInClusterSandbox(gateway, sandbox, argv) : execAsRootInDockerSandbox(sandbox, argv);
}
