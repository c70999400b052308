/**
 * Is a sandbox healthy by its release's own account? The richest check each release has:
 * - from v0.0.78, `nemoclaw <sb> status --json`, whose exit code also proves the in-sandbox
 *   inference route (`https://inference.local/v1/models`; real-cli-2026-12 §12);
 * - v0.0.56 to v0.0.77, the same JSON (#4323), whose exit code ignores phase and inference health
 *   (NC@d50338aa:src/commands/sandbox/status.ts), so the fields are read: phase, gateway state, RPC
 *   issue, failure layer, and `inferenceHealth`, there a host-side probe of the provider;
 * - older releases, and hosts without NemoClaw, the phase `openshell sandbox list` reports.
 */
import { plannedCommand, type PlannedCommand } from "../command.js";
import { extractJson, isRecord, nonEmptyLines } from "../output.js";
import { nemoclawHas, releasesOf } from "./releases.js";

export type SandboxHealthCheck =
  /** `nemoclaw <sb> status --json`: phase, gateway state and the in-sandbox inference route (exit code). */
  | "status-json-inference"
  /** `nemoclaw <sb> status --json`: phase and gateway state; inference is a host-side provider probe. */
  | "status-json"
  /** The phase `openshell sandbox list` reports (observed). */
  | "phase";

export interface SandboxHealth {
  healthy: boolean;
  /** One line: what the check saw. */
  detail: string;
}

/** The check to use on a host that runs this NemoClaw (null: none installed; a release the tool cannot plan with gets the phase). */
export function sandboxHealthCheck(nemoclawVersion: string | null): SandboxHealthCheck {
  const release = nemoclawVersion === null ? null : releasesOf(nemoclawVersion, null);
  if (release === null || !nemoclawHas(release.nemoclaw, "sandboxStatusJson")) return "phase";
  return nemoclawHas(release.nemoclaw, "statusProvesInference") ? "status-json-inference" : "status-json";
}

export function sandboxStatusJson(sandbox: string): PlannedCommand {
  return plannedCommand(["nemoclaw", sandbox, "status", "--json"]);
}

/** How a check is named to the user, with what it proves. */
export function describeHealthCheck(check: SandboxHealthCheck, sandbox: string): string {
  switch (check) {
    case "status-json-inference":
      return `\`nemoclaw ${sandbox} status --json\` (phase and the in-sandbox inference route)`;
    case "status-json":
      return `\`nemoclaw ${sandbox} status --json\` (phase; this release checks inference only from the host)`;
    case "phase":
      return "the phase `openshell sandbox list` reports (this release has no `status --json`)";
  }
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/** Why an `inferenceHealth` (or one of its subprobes) says the route fails; null when it does not. */
function inferenceFailure(health: unknown): string | null {
  if (!isRecord(health)) return null;
  if (health.ok === false) return text(health.detail) ?? `${text(health.providerLabel) ?? "inference"} ${text(health.failureLabel) ?? "failed"}`;
  const subprobes = Array.isArray(health.subprobes) ? health.subprobes : [];
  for (const probe of subprobes) {
    const failure = inferenceFailure(probe);
    if (failure !== null) return failure;
  }
  return null;
}

/** Reads `nemoclaw <sb> status --json` (stdout, with stderr for a failure's reason) and its exit code. */
export function readSandboxStatus(result: { exitCode: number | null; stdout: string; stderr: string }, check: SandboxHealthCheck): SandboxHealth {
  const report = extractJson(result.stdout);
  if (!isRecord(report) || report.schemaVersion !== 1) {
    const tail = nonEmptyLines(`${result.stdout}\n${result.stderr}`).slice(-2).map((line) => line.trim()).join(" / ");
    return { healthy: false, detail: `no status report (exit ${result.exitCode ?? "by signal"})${tail ? `: ${tail.slice(0, 300)}` : ""}` };
  }
  const problems: string[] = [];
  if (report.found === false) problems.push("not registered with NemoClaw");
  if (report.gatewayState !== "present") problems.push(`gateway state ${text(report.gatewayState) ?? "unknown"}`);
  if (report.phase !== "Ready") problems.push(`phase ${text(report.phase) ?? "unknown"}`);
  if (isRecord(report.rpcIssue)) problems.push(`OpenShell RPC issue ${text(report.rpcIssue.kind) ?? "unknown"}`);
  if (text(report.failureLayer)) problems.push(`failure layer ${String(report.failureLayer)}`);
  if (isRecord(report.terminalRuntimeHealth) && report.terminalRuntimeHealth.kind === "degraded") problems.push("agent runtime degraded (OOM kills)");
  // A paused Docker-driver container runs nothing, whatever phase OpenShell reports; NemoClaw's exit
  // code ignores it (NC@d50338aa:src/lib/actions/sandbox/status-snapshot.ts:99-105, src/commands/sandbox/status.ts).
  if (report.dockerPaused === true) problems.push("its container is paused (`docker unpause` it)");
  const inference = inferenceFailure(report.inferenceHealth);
  if (inference !== null) problems.push(`inference: ${inference}`);
  // From v0.0.78 a non-zero exit is NemoClaw's own verdict, even for a reason not in the fields read above.
  if (problems.length === 0 && check === "status-json-inference" && result.exitCode !== 0) problems.push(`status exited ${result.exitCode ?? "by signal"}`);
  if (problems.length > 0) return { healthy: false, detail: problems.join("; ") };
  const route = isRecord(report.inferenceHealth) ? text(report.inferenceHealth.detail) : null;
  return { healthy: true, detail: `Ready${route ? `; inference: ${route}` : ""}` };
}

/** The observed phase of a sandbox (`openshell sandbox list`), as a health verdict. */
export function phaseHealth(phase: string | null): SandboxHealth {
  if (phase === null) return { healthy: false, detail: "not present on its gateway" };
  return phase === "Ready" ? { healthy: true, detail: "Ready" } : { healthy: false, detail: `phase ${phase}` };
}
