/**
 * The demo's field scenarios as built observations (test/unit/plan/builders.ts), for rendering
 * tests: spark-01 healthy (the fleet file adds coder), spark-02 guards lost with a stale gateway
 * lock, spark-03 a stale registry entry, station-01 schema drift, spark-09 unreachable — and on
 * spark-01 an unmanaged sandbox whose name is hostile markup, as an untrusted host could report.
 */
import type { ApplyEventBody, RunSource } from "../../../src/apply/events.js";
import type { PolicyFreshness, SeriesFreshness } from "../../../src/backup/catalogue.js";
import type { DesiredFleet } from "../../../src/config/types.js";
import type { ObservedFleet } from "../../../src/observe/types.js";
import { planFleet } from "../../../src/plan/planner.js";
import type { Plan } from "../../../src/plan/types.js";
import { desiredHost, desiredSandbox, fleet, gateway, GUARD_PATHS, guardFile, known, NOW, observedHost, observedSandbox, safeGuards, unknown } from "../plan/builders.js";

export { NOW };

export const HOSTILE = `<img src=x onerror="alert(1)">&amp;"quote'\\back`;
export const STALE_LOCK = "/tmp/openclaw-1000/gateway.8f2a.lock";

export function demoFleet(): { fleet: DesiredFleet; observed: ObservedFleet; plan: Plan } {
  const desired = fleet([
    desiredHost("spark-01", { sandboxes: [desiredSandbox("assistant", { host: "spark-01" }), desiredSandbox("coder", { host: "spark-01" })] }),
    desiredHost("spark-02"),
    desiredHost("spark-03"),
    desiredHost("station-01"),
    desiredHost("spark-09"),
  ]);
  const spark01 = observedHost("spark-01");
  gateway(spark01).sandboxes = known([observedSandbox("assistant"), observedSandbox(HOSTILE)]);

  const spark02 = observedHost("spark-02", {
    fleetLock: known({ runId: "20261122T090000Z-aaaaaa", user: "ops", machine: "ctl-01", pid: 4711, startedAt: "2026-11-22T09:00:00.000Z", expiresAt: "2026-11-22T09:10:00.000Z" }),
  });
  gateway(spark02).sandboxes = known([
    observedSandbox("assistant", {
      guards: known(
        safeGuards({
          files: Object.values(GUARD_PATHS).map((path) => guardFile(path, { present: false, owner: null, group: null, mode: null, type: null })),
          locks: [{ path: STALE_LOCK, pid: 77, stale: true }],
          agentGatewayPids: [],
        }),
      ),
    }),
  ]);

  const spark03 = observedHost("spark-03");
  gateway(spark03).sandboxes = known([]);

  const station01 = observedHost("station-01", { system: known({ hostname: "station-01", os: null, arch: "x86_64", kernel: "6.8.0", dgxModel: "DGX Station" }) });
  gateway(station01).runningVersion = known("0.0.71");
  gateway(station01).binary = `/home/op/.local/bin/openshell-gateway</pre><script>alert(2)</script>`;

  const spark09 = observedHost("spark-09", { unreachable: { kind: "timeout", message: "no answer within 30s" } });
  for (const key of ["system", "gpus", "docker", "openshell", "gatewayBinary", "nemoclaw", "activeGateway", "gateways", "registry", "shields", "hostBackups", "fleetLock"] as const) {
    (spark09 as unknown as Record<string, unknown>)[key] = unknown("the host could not be reached");
  }

  const observed = { hosts: [spark01, spark02, spark03, station01, spark09] };
  const plan = planFleet(desired, observed, { limit: null, hosts: desired.hosts.map((host) => host.name), pruneUnmanaged: false, now: NOW, toolVersion: "0.1.0" });
  return { fleet: desired, observed, plan };
}

/** spark-01's assistant, backed up and verified after last night's 02:00 fire. */
export const FRESH_ASSISTANT: SeriesFreshness = {
  host: "spark-01",
  sandbox: "assistant",
  latestVerified: "2026-11-22T02:00:30.000Z",
  newest: { createdAt: "2026-11-22T02:00:30.000Z", verified: true },
  state: "fresh",
};

/** A nightly policy (02:00 UTC) whose store holds these series. */
export function nightlyFreshness(series: SeriesFreshness[]): PolicyFreshness {
  return { policy: "nightly", schedule: "0 2 * * *", firedAt: "2026-11-22T02:00:00.000Z", intervalSeconds: 86_400, stores: [{ store: "/srv/backups", error: null }], series };
}

/**
 * The events of a run on spark-01 and station-01: on spark-01 one step ok and one failed, station-01
 * refused by the preflight; exit 5 after 61.5 s.
 */
export function runEvents(source: RunSource): ApplyEventBody[] {
  const finished = { durationMs: 10, attempts: 1, output: "", failureKind: null, hint: null, postcondition: null, notes: [] };
  const host = { message: null, changedFacts: null, stepDrift: null, holder: null };
  return [
    {
      type: "run-started",
      toolVersion: "0.1.0",
      identity: { user: "ops", machine: "ctl-01", pid: 1, pidScope: "boot-1:4026531836" },
      fleet: { name: "lab", file: "/srv/fleet/fleet.yaml", digest: "sha256:x" },
      planHash: "x",
      source,
      selection: { limit: null, hosts: ["spark-01", "station-01"] },
      waves: [["spark-01", "station-01"]],
      concurrency: 2,
      maxFailPercentage: 0,
      journal: null,
      steps: { "spark-01": ["sandbox-create:coder", "policy-add:coder"], "station-01": [] },
    },
    { type: "step-finished", host: "spark-01", step: "sandbox-create:coder", kind: "sandbox-create", status: "ok", exitCode: 0, error: null, ...finished },
    { type: "step-finished", host: "spark-01", step: "policy-add:coder", kind: "policy-add", status: "failed", exitCode: 1, error: "boom", ...finished },
    { type: "host-finished", host: "spark-01", status: "failed", durationMs: 1100, sessions: 4, block: null, ...host },
    { type: "host-finished", host: "station-01", status: "blocked", durationMs: 10, sessions: 1, block: ["  refused"], ...host },
    { type: "run-finished", exitCode: 5, durationMs: 61_500, interrupted: false, stoppedAt: [], hosts: { ok: 0, "no-changes": 0, failed: 1, unreachable: 0, blocked: 1, stale: 0, locked: 0, skipped: 0, interrupted: 0 } },
  ];
}
