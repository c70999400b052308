/**
 * A `nemoclaw backup run` told in the run event stream apply uses (src/apply/events.ts), so the
 * journal records it and `nemoclaw history` lists and shows it like an apply: each sandbox backed
 * up to a policy is a step `backup:<sandbox>@<policy>` of kind `backup`, a host the schema
 * preflight refuses is `blocked` with NemoClaw's block, a host not started is `skipped`.
 */
import { createHash } from "node:crypto";
import type { ApplyEventBody, EventBus, HostStatus, RunIdentity } from "../apply/events.js";
import type { Reclaimed } from "../apply/lock.js";
import { RunTally, type RunSummary } from "../apply/tally.js";
import { backupStepId, INTERRUPTED, type HostOutcome, type RunEvent, type RunReport, type SandboxOutcome } from "../backup/run.js";
import { snapshotLabel } from "../backup/service.js";
import type { DesiredFleet } from "../config/types.js";
import { snapshotCreate } from "../host/nemoclaw/commands.js";
import type { HostLockInfo } from "../host/system/fleet-lock.js";

export interface BackupRunHeader {
  toolVersion: string;
  identity: RunIdentity;
  fleet: DesiredFleet;
  policies: string[];
  limit: string | null;
  hosts: string[];
  sandboxes: string[];
  concurrency: number;
  journal: string | null;
}

const HOST_STATUS: Record<HostOutcome["status"], HostStatus> = {
  ok: "ok",
  refused: "blocked",
  unreachable: "unreachable",
  locked: "locked",
  failed: "failed",
  "not-started": "skipped",
};

function stepStatus(outcome: SandboxOutcome): "ok" | "failed" | "skipped" {
  return outcome.status === "backed-up" ? "ok" : outcome.status;
}

/** Kept from being backed up by Ctrl-C (cancelled in flight, or never started). */
function keptByInterrupt(outcome: SandboxOutcome): boolean {
  return outcome.status === "skipped" && (outcome.reason ?? "").startsWith(INTERRUPTED);
}

/** Emits a backup run's events on `bus` as the run goes, and folds them as apply's runs are folded. */
export class BackupRunEvents {
  private readonly tally: RunTally;
  /** When each host and each step began (ms), for durations. */
  private readonly started = new Map<string, number>();
  private readonly startedAt: number;
  /** The sessions each host-finished record counted. */
  private readonly sessions = new Map<string, number | null>();

  constructor(
    private readonly bus: EventBus,
    private readonly now: () => Date,
    /** SSH sessions opened on a host so far, as apply's host-finished counts them (docs/performance.md). */
    private readonly sessionsOf: (host: string) => number | null = () => null,
  ) {
    this.tally = new RunTally(bus.runId);
    this.startedAt = now().getTime();
  }

  private since(key: string): number {
    const began = this.started.get(key);
    return began === undefined ? 0 : this.now().getTime() - began;
  }

  private emit(body: ApplyEventBody): void {
    this.tally.apply(this.bus.emit(body));
  }

  runStarted(header: BackupRunHeader): void {
    const selection = { command: "backup run", policies: header.policies, hosts: header.hosts, sandboxes: header.sandboxes };
    this.emit({
      type: "run-started",
      toolVersion: header.toolVersion,
      identity: header.identity,
      fleet: { name: header.fleet.name, file: header.fleet.sourceFile, digest: header.fleet.sourceDigest },
      planHash: createHash("sha256").update(JSON.stringify(selection)).digest("hex"),
      source: "backup",
      selection: { limit: header.limit, hosts: header.hosts },
      waves: [header.hosts],
      concurrency: header.concurrency,
      maxFailPercentage: 100,
      journal: header.journal,
      steps: {},
    });
  }

  /** Feed every event `runBackups` reports. */
  onRunEvent(event: RunEvent): void {
    switch (event.type) {
      case "host-start":
        this.started.set(event.host, this.now().getTime());
        return;
      case "host-plan":
        this.emit({ type: "host-started", host: event.host, steps: event.steps.length });
        return;
      case "sandbox-start":
        this.started.set(`${event.host} ${backupStepId(event.sandbox, event.policy)}`, this.now().getTime());
        this.emit({
          type: "step-started",
          host: event.host,
          step: backupStepId(event.sandbox, event.policy),
          kind: "backup",
          target: event.sandbox,
          commands: [snapshotCreate(event.sandbox, snapshotLabel(this.bus.runId), event.gateway).display],
          attempt: 1,
        });
        return;
      case "sandbox-progress":
        return;
      case "sandbox-done": {
        const outcome = event.outcome;
        const record = outcome.record;
        const step = backupStepId(outcome.sandbox, outcome.policy);
        // Ctrl-C: the backup in flight was cancelled; the ones after it are skipped (not started).
        const inFlight = this.started.has(`${outcome.host} ${step}`);
        this.emit({
          type: "step-finished",
          host: outcome.host,
          step,
          kind: "backup",
          status: keptByInterrupt(outcome) && inFlight ? "cancelled" : stepStatus(outcome),
          durationMs: this.since(`${outcome.host} ${step}`),
          attempts: outcome.status === "backed-up" || outcome.status === "failed" ? 1 : 0,
          exitCode: null,
          output: "",
          error: outcome.reason ?? null,
          failureKind: null,
          hint: null,
          postcondition: null,
          notes: record
            ? [`backup ${record.id}: ${record.sizeBytes} bytes, sha256 ${record.sha256.slice(0, 12)}…, at ${record.location}${record.verified ? ", verified" : ""}`]
            : [],
        });
        return;
      }
      case "host-done": {
        const host = event.outcome;
        this.sessions.set(host.host, this.sessionsOf(host.host));
        this.emit({
          type: "host-finished",
          host: host.host,
          status: host.status !== "not-started" && host.sandboxes.some(keptByInterrupt) ? "interrupted" : HOST_STATUS[host.status],
          durationMs: this.since(host.host),
          sessions: this.sessions.get(host.host) ?? null,
          message: host.problems.length > 0 ? host.problems.join("; ") : null,
          block: host.block?.lines ?? null,
          changedFacts: null,
          stepDrift: null,
          holder: null,
        });
        return;
      }
    }
  }

  /** A host waits for another run's lock (`--lock-timeout`), as apply journals it. */
  lockWaiting(host: string, holder: HostLockInfo, timeoutMs: number): void {
    this.emit({ type: "lock-waiting", host, holder, timeoutMs });
  }

  /** The host's lock is this run's now; `reclaimed` when it was taken over from a run that is gone. */
  lockAcquired(host: string, reclaimed: Reclaimed | null): void {
    this.emit({ type: "lock-acquired", host, reclaimed });
  }

  /** The SSH sessions the host's host-finished record counted; null before it or where not counted. */
  sessionsRecorded(host: string): number | null {
    return this.sessions.get(host) ?? null;
  }

  /** The run folded so far, as `nemoclaw history` folds its journal. */
  summary(): RunSummary {
    return this.tally.summary();
  }

  runFinished(report: RunReport, exitCode: number, interrupted: boolean): void {
    // Hosts the run never reached (an interrupt, --strict) are in the report but have no events yet.
    for (const host of report.hosts) {
      if ((this.tally.hostState(host.host)?.status ?? null) === null) this.onRunEvent({ type: "host-done", outcome: host });
    }
    this.emit({
      type: "run-finished",
      exitCode,
      durationMs: this.now().getTime() - this.startedAt,
      interrupted,
      // Per host stopped part-way: the backup in flight, and those the interrupt kept from starting
      // (the tally knows a backup run's steps only once they are reported).
      stoppedAt: interrupted
        ? this.tally.openWork().map((open) => ({
            ...open,
            notStarted: (report.hosts.find((host) => host.host === open.host)?.sandboxes ?? [])
              .filter((outcome) => keptByInterrupt(outcome) && !this.started.has(`${outcome.host} ${backupStepId(outcome.sandbox, outcome.policy)}`))
              .map((outcome) => backupStepId(outcome.sandbox, outcome.policy)),
          }))
        : [],
      hosts: this.tally.hostCounts(),
    });
  }
}
