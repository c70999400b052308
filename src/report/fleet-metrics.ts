/**
 * The metric families each command writes with `--metrics-file` (docs/monitoring.md is their
 * reference): the observed fleet (`facts`, `plan`), the plan against the fleet file (`plan`), a
 * run's outcome (`apply`, `backup run`) and the stores against the backup policies (`backup due`,
 * `backup verify`). Built from the same models the report page shows.
 */
import { HOST_STATUSES } from "../apply/events.js";
import type { RunSummary } from "../apply/tally.js";
import { FRESHNESS_STATES, type PolicyFreshness } from "../backup/catalogue.js";
import { gauge, type MetricFamily, type Sample, stateSet } from "./metrics.js";
import { HOST_STATES, type HostView, RISKS, SANDBOX_STATES, type VersionState } from "./fleet-status.js";

/** Gateway health states, as `nemoclaw facts` judges them (docs/facts.md). */
const GATEWAY_HEALTH = ["healthy", "unhealthy", "stopped", "unreachable", "unknown", "missing"] as const;
/** OpenShell's sandbox phases; another phase a release reports is added to the set. */
const SANDBOX_PHASES = ["Ready", "Provisioning", "Starting", "Stopping", "Stopped", "Deleting", "Error", "Unknown"] as const;
const GUARD_STATES = ["ok", "problem", "unknown"] as const;
const STEP_STATUSES = ["ok", "failed", "skipped", "cancelled", "pending"] as const;
/**
 * How a host of a run ended: its host-finished status, or `unfinished` when the journal has none
 * (the run was killed first), as `nemoclaw history` and the report page count it (docs/journal.md),
 * so both run families add up to the run's hosts.
 */
const RUN_HOST_STATES = [...HOST_STATUSES, "unfinished"] as const;

/** A version as a label value: the version, "" when not installed, "unknown" when it could not be read. */
function versionLabel(version: VersionState): string {
  return version.state === "installed" ? version.version : version.state === "absent" ? "" : "unknown";
}

function seconds(iso: string | null): number | null {
  const ms = iso === null ? NaN : Date.parse(iso);
  return Number.isNaN(ms) ? null : ms / 1000;
}

function sandboxesOf(hosts: readonly HostView[]) {
  return hosts.flatMap((host) =>
    (host.gateways ?? []).flatMap((gateway) => gateway.sandboxes.map((sandbox) => ({ labels: { host: host.host, gateway: gateway.name, sandbox: sandbox.name }, sandbox }))),
  );
}

/** What one observation of each host shows: `facts` and `plan` write these. */
export function observedFamilies(hosts: readonly HostView[]): MetricFamily[] {
  const observed = hosts.filter((host) => host.observedAt !== null);
  const gateways = observed.flatMap((host) => (host.gateways ?? []).map((gateway) => ({ labels: { host: host.host, gateway: gateway.name }, gateway })));
  const sandboxes = sandboxesOf(observed);
  const live = sandboxes.filter(({ sandbox }) => sandbox.state !== "missing");
  const locks = observed.flatMap((host) => (host.lock === "unknown" ? [] : [{ labels: { host: host.host }, lock: host.lock }]));
  return [
    gauge("nemoclaw_host_up", "1 when the host answered its observation in full, 0 when it could not be reached or the probe did not finish.", ["host"],
      observed.map((host) => ({ labels: { host: host.host }, value: host.unreachable === null ? 1 : 0 }))),
    gauge("nemoclaw_host_observed_timestamp_seconds", "When the host was observed, in seconds since the Unix epoch.", ["host"],
      observed.flatMap((host) => {
        const at = seconds(host.observedAt);
        return at === null ? [] : [{ labels: { host: host.host }, value: at }];
      })),
    gauge("nemoclaw_host_info", "The NemoClaw and OpenShell releases on the host (value 1); a version is empty when not installed and \"unknown\" when it could not be read.",
      ["host", "nemoclaw_version", "openshell_version", "gateway_binary_version"],
      observed.filter((host) => host.unreachable === null).map((host) => ({
        labels: {
          host: host.host,
          nemoclaw_version: versionLabel(host.versions.nemoclaw),
          openshell_version: versionLabel(host.versions.openshell),
          gateway_binary_version: versionLabel(host.versions.gatewayBinary),
        },
        value: 1,
      }))),
    gauge("nemoclaw_host_schema_drift", "1 when the installed OpenShell CLI and a running gateway differ, so NemoClaw's schema preflight refuses state-touching work on the host.", ["host"],
      observed.flatMap((host) => (host.schemaDrift === null ? [] : [{ labels: { host: host.host }, value: host.schemaDrift ? 1 : 0 }]))),
    gauge("nemoclaw_gateway_health", "The OpenShell gateway's health (value 1 for its state, 0 for the others); missing: the fleet file or NemoClaw's registry has it, the host does not.",
      ["host", "gateway", "state"],
      gateways.flatMap(({ labels, gateway }) => stateSet(labels, "state", GATEWAY_HEALTH, gateway.health))),
    gauge("nemoclaw_gateway_info", "The gateway's driver and the OpenShell version it actually runs (value 1); the version is empty when it is not running.",
      ["host", "gateway", "driver", "running_version"],
      gateways.filter(({ gateway }) => gateway.health !== "missing").map(({ labels, gateway }) => ({
        labels: { ...labels, driver: gateway.driver, running_version: versionLabel(gateway.runningVersion) },
        value: 1,
      }))),
    gauge("nemoclaw_sandbox_state", "The sandbox as the report colours it (value 1 for its state): ok, degraded (not Ready or its agent gateway down), guards (unsafe or missing guard files, a stale gateway lock), missing, unknown.",
      ["host", "gateway", "sandbox", "state"],
      sandboxes.flatMap(({ labels, sandbox }) => stateSet(labels, "state", SANDBOX_STATES, sandbox.state))),
    gauge("nemoclaw_sandbox_phase", "The sandbox's OpenShell phase (value 1 for its phase, 0 for the others).", ["host", "gateway", "sandbox", "phase"],
      live.flatMap(({ labels, sandbox }) => stateSet(labels, "phase", SANDBOX_PHASES, sandbox.phase ?? "Unknown"))),
    gauge("nemoclaw_sandbox_guard_state", "The sandbox's guard files and gateway locks (value 1 for its state): ok, problem (a guard file unsafe or missing, a stale lock), unknown (the sandbox could not be looked into).",
      ["host", "gateway", "sandbox", "state"],
      live.flatMap(({ labels, sandbox }) => stateSet(labels, "state", GUARD_STATES, sandbox.guardProblems === null ? "unknown" : sandbox.guardProblems.length > 0 ? "problem" : "ok"))),
    gauge("nemoclaw_sandbox_stale_gateway_locks", "Stale OpenClaw gateway locks in the sandbox (their pid is not a running agent gateway).", ["host", "gateway", "sandbox"],
      live.flatMap(({ labels, sandbox }) => (sandbox.staleGatewayLocks === null ? [] : [{ labels, value: sandbox.staleGatewayLocks }]))),
    gauge("nemoclaw_registry_stale_entries", "Sandboxes registered with NemoClaw on the host whose gateway no longer lists them.", ["host"],
      observed.flatMap((host) =>
        host.gateways === null ? [] : [{ labels: { host: host.host }, value: host.gateways.reduce((sum, gateway) => sum + gateway.sandboxes.filter((sandbox) => sandbox.staleRegistryEntry).length, 0) }],
      )),
    gauge("nemoclaw_fleet_lock_held", "1 while a nemoclaw run holds the host's lock (~/.nemoclaw-fleet/lock.json), else 0.", ["host"],
      locks.map(({ labels, lock }) => ({ labels, value: lock === null ? 0 : 1 }))),
    gauge("nemoclaw_fleet_lock_age_seconds", "How long the run holding the host's lock has held it, when the file was written.", ["host"],
      locks.flatMap(({ labels, lock }) => (lock === null ? [] : [{ labels, value: lock.ageSeconds }]))),
  ];
}

/** The plan against the fleet file: `plan` writes these beside the observed families. */
export function planFamilies(hosts: readonly HostView[]): MetricFamily[] {
  const planned = hosts.filter((host) => host.state !== null);
  return [
    gauge("nemoclaw_host_state", "The host against the fleet file (value 1 for its state): ok, drift (changes pending), blocked (schema preflight), unreachable, unknown (facts needed to plan are unknown).",
      ["host", "state"],
      planned.flatMap((host) => stateSet({ host: host.host }, "state", HOST_STATES, host.state as string))),
    gauge("nemoclaw_host_pending_steps", "Steps the plan has for the host, by risk.", ["host", "risk"],
      planned.flatMap((host) => RISKS.map((risk) => ({ labels: { host: host.host, risk }, value: host.pending.filter((step) => step.risk === risk).length })))),
  ];
}

/** The latest run of `command` (`apply` or `backup run`), folded from its events as `nemoclaw history` folds them. */
export function runFamilies(command: string, run: RunSummary): MetricFamily[] {
  const labels = { command };
  const finished = seconds(run.finishedAt);
  const steps = run.hosts.flatMap((host) => host.steps);
  const one = (value: number | null): Sample[] => (value === null ? [] : [{ labels, value }]);
  const ended = run.hosts.map((host) => ({ host: host.host, status: host.status ?? "unfinished" }));
  return [
    gauge("nemoclaw_run_info", "The latest run of the command (value 1): its id, for `nemoclaw history <run_id>`.", ["command", "run_id"], [{ labels: { command, run_id: run.runId }, value: 1 }]),
    gauge("nemoclaw_run_finished_timestamp_seconds", "When the latest run of the command finished, in seconds since the Unix epoch.", ["command"], one(finished)),
    gauge("nemoclaw_run_duration_seconds", "How long the latest run of the command took.", ["command"], one(run.durationMs === null ? null : run.durationMs / 1000)),
    gauge("nemoclaw_run_exit_code", "The latest run's exit code (docs/exit-codes.md): 0 ok, 4 unreachable, 5 failed, 8 preflight refused, 130 interrupted, …", ["command"], one(run.exitCode)),
    gauge("nemoclaw_run_hosts", "Hosts of the latest run by how they ended (unfinished: the run was killed before they did).", ["command", "status"],
      RUN_HOST_STATES.map((status) => ({ labels: { command, status }, value: ended.filter((host) => host.status === status).length }))),
    gauge("nemoclaw_run_host_status", "How each host of the latest run ended (value 1 for its status, 0 for the others).", ["command", "host", "status"],
      ended.flatMap((host) => stateSet({ command, host: host.host }, "status", RUN_HOST_STATES, host.status))),
    gauge("nemoclaw_run_steps", "Steps of the latest run by how they ended (pending: never started).", ["command", "status"],
      STEP_STATUSES.map((status) => ({ labels: { command, status }, value: steps.filter((step) => step.status === status).length }))),
    gauge("nemoclaw_run_notify_failures", "Webhook notices of the latest run that did not arrive, or 1 when its webhook reference could not be read; absent without notify:.", ["command"],
      one(run.notify === null ? null : run.notify.problems.length)),
  ];
}

/** The stores against the policies: `backup due` and `backup verify` write these. */
export function backupFamilies(policies: readonly PolicyFreshness[], now: Date): MetricFamily[] {
  const stores = new Map<string, string | null>();
  for (const policy of policies) for (const { store, error } of policy.stores) stores.set(store, error);
  const series = policies.flatMap((policy) => policy.series.map((entry) => ({ labels: { policy: policy.policy, host: entry.host, sandbox: entry.sandbox }, entry })));
  const verified = series.flatMap(({ labels, entry }) => {
    const at = seconds(entry.latestVerified);
    return at === null ? [] : [{ labels, at }];
  });
  return [
    gauge("nemoclaw_backup_store_up", "1 when the backup store could be read, 0 when not (its policies' series are then unknown).", ["store"],
      [...stores].map(([store, error]) => ({ labels: { store }, value: error === null ? 1 : 0 }))),
    gauge("nemoclaw_backup_policy_interval_seconds", "The longest time between two fires of the policy's schedule (over its last 8 fires): how old a backup may grow while every scheduled run succeeds.",
      ["policy"],
      policies.flatMap((policy) => (policy.intervalSeconds === null ? [] : [{ labels: { policy: policy.policy }, value: policy.intervalSeconds }]))),
    gauge("nemoclaw_backup_last_verified_timestamp_seconds", "When the newest backup of the sandbox that passed verification was taken, in seconds since the Unix epoch.",
      ["policy", "host", "sandbox"], verified.map(({ labels, at }) => ({ labels, value: at }))),
    gauge("nemoclaw_backup_age_seconds", "Age of the newest verified backup of the sandbox when the file was written (alert on time() - nemoclaw_backup_last_verified_timestamp_seconds, which stays true between writes).",
      ["policy", "host", "sandbox"], verified.map(({ labels, at }) => ({ labels, value: Math.max(0, Math.round(now.getTime() / 1000 - at)) }))),
    gauge("nemoclaw_backup_state", "The sandbox's backups against the policy (value 1 for its state): fresh, unverified, failed (newest failed verification), overdue (none since the schedule last fired), never, unknown (store unreadable).",
      ["policy", "host", "sandbox", "state"],
      series.flatMap(({ labels, entry }) => stateSet(labels, "state", FRESHNESS_STATES, entry.state))),
  ];
}
