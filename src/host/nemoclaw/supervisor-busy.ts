/**
 * NemoClaw's report that another lifecycle request holds a sandbox's in-sandbox gateway
 * supervisor: the one gateway-control failure NemoClaw itself says to wait out and retry
 * ("if `gateway restart` reports `SUPERVISOR_BUSY`, wait for the active request to finish and
 * retry the command", NC@9708c264:docs/reference/troubleshooting.mdx:915).
 *
 * The controller (`nemoclaw-gateway-control`, scripts/gateway-control.sh and
 * scripts/managed-gateway-control.py, #5874) prints the bare marker `SUPERVISOR_BUSY` on stderr,
 * but it runs inside the sandbox behind `docker exec`; the host command `nemoclaw <sb> gateway
 * restart` (from v0.0.71, releases.ts) never passes that through as it is. It reports it, exit 1,
 * as (NC@0cfaf8fb…NC@9708c264:src/lib/actions/sandbox/gateway-restart.ts, restartSandboxGatewayWithDeps
 * and printGatewayRestartFailure; src/commands/sandbox/gateway/restart.ts sets exit code 1):
 *
 *   stdout: "\n  Restarting <Agent> gateway in '<sb>'...\n"        (nothing with --quiet)
 *   stderr: "  Failure layer: privileged control unavailable - gateway restart failed for '<sb>'.\n"
 *           "  SUPERVISOR_BUSY\n"
 *
 * with <Agent> the agent's display name: "OpenClaw" (also for a sandbox whose agent it cannot
 * load) or "Hermes Agent" (`display_name` in agents/openclaw/manifest.yaml and
 * agents/hermes/manifest.yaml), the two agents gateway restart supports. The text is the same from
 * the command's first commit (0cfaf8fb) to the newest source read (9708c264). SUPERVISOR_UNAVAILABLE
 * is not waited out: for `gateway restart` NemoClaw reads it as an image older than the lifecycle
 * contract (troubleshooting.mdx:916), which only a rebuild fixes.
 */
const BUSY_AGENTS = ["OpenClaw", "Hermes Agent"];

/** Whether `argv` is `nemoclaw <sb> gateway restart [--quiet]` and its output is exactly NemoClaw's busy report for `<sb>`. */
export function isGatewayRestartBusy(argv: readonly string[], outcome: { exitCode: number | null; stdout: string; stderr: string }): boolean {
  const [tool, sandbox, noun, verb, ...flags] = argv;
  if (tool !== "nemoclaw" || sandbox === undefined || noun !== "gateway" || verb !== "restart") return false;
  const quiet = flags.length === 1 && flags[0] === "--quiet";
  if (!quiet && flags.length > 0) return false;
  if (outcome.exitCode !== 1) return false;
  if (outcome.stderr !== `  Failure layer: privileged control unavailable - gateway restart failed for '${sandbox}'.\n  SUPERVISOR_BUSY\n`) return false;
  if (quiet) return outcome.stdout === "";
  return BUSY_AGENTS.some((agent) => outcome.stdout === `\n  Restarting ${agent} gateway in '${sandbox}'...\n`);
}

/** The reason a retry names. */
export const SUPERVISOR_BUSY = "SUPERVISOR_BUSY";
