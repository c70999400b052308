/**
 * An executor wired to fakes: scripted command answers per host, an in-memory lock table, a
 * programmable observation and a recording backup service. Every event is collected.
 */
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { expect } from "vitest";
import type { BackupRecord, BackupService } from "../../../src/backup/service.js";
import { RunControl } from "../../../src/apply/control.js";
import { EventBus, type ApplyEvent, type EventOf } from "../../../src/apply/events.js";
import { applyPlan, type ApplyDeps, type ApplyOptions, type RunSummary } from "../../../src/apply/executor.js";
import type { AcquireResult, HostLease } from "../../../src/apply/lock.js";
import { Redactor } from "../../../src/apply/redact.js";
import type { RunAndObserve } from "../../../src/apply/round-trip.js";
import { formatSecretRef } from "../../../src/config/secrets.js";
import type { CommandOutcome } from "../../../src/host/command.js";
import { TOOL_PATH } from "../../../src/host/batch.js";
import { DEFAULT_RETRY_POLICY } from "../../../src/apply/retry.js";
import type { HostLockInfo, ObservedHost } from "../../../src/observe/types.js";
import type { HostPlan, Plan } from "../../../src/plan/types.js";
import type { Connection, RemoteCommand, RunOptions, RunResult } from "../../../src/transport/types.js";
import { fleet, hostPlan, observed } from "./fixtures.js";
import { LocalShell } from "./local-shell.js";

export interface Answer {
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  timedOut?: boolean;
  /** Thrown instead of answering. */
  error?: unknown;
}

export interface Call {
  host: string;
  argv: string[];
  env: Record<string, string>;
  secretEnv: Record<string, string>;
  timeoutMs: number | undefined;
}

export interface HarnessOptions {
  hosts: string[];
  /** Answer for a command; default exit 0 with no output. May await (e.g. to hold a command in flight). */
  respond?: (call: Call, attempt: number) => Answer | Promise<Answer>;
  /** Run shell scripts (registry snapshot/restore) for real with this HOME. */
  home?: string;
  /** Hosts whose connection cannot be opened. */
  unreachable?: string[];
  /** Locks already held by other runs. */
  held?: Record<string, HostLockInfo>;
  observe?: (host: string, callsSoFar: Call[]) => ObservedHost;
  /** Block lines the preflight refuses with; default: versions agree. */
  preflight?: (observed: ObservedHost) => string[] | null;
  fingerprints?: (observed: ObservedHost, keys: string[]) => Record<string, string>;
  /** The host planned afresh; default: converged (no steps). */
  replan?: (host: string, observed: ObservedHost, callsSoFar: Call[]) => HostPlan | null;
  secrets?: Record<string, string>;
  backupVerified?: boolean | null;
  backupFails?: boolean;
  options?: Partial<ApplyOptions>;
  /** Hosts whose lock the plan's own observation took (src/apply/refresh-locks.ts). */
  refreshLocked?: string[];
}

/** One round trip a host run asked for: its commands, and whether it also released the lock. */
export interface Trip {
  host: string;
  argv: string[][];
  releases: boolean;
  /** `gateway/sandbox` when the round trip checks that sandbox only instead of observing the host. */
  checks: string | null;
}

export interface Harness {
  events: ApplyEvent[];
  calls: Call[];
  backups: string[];
  restores: string[];
  released: string[];
  trips: Trip[];
  /** Hosts whose plan-time lock a host run took over. */
  refreshTaken: string[];
  /** How many times each host was observed. */
  observations: Map<string, number>;
  /** Every pause the run asked for (ms); each advances the run's clock. */
  sleeps: number[];
  control: RunControl;
  deps: ApplyDeps;
  run(plan: Plan): Promise<RunSummary>;
  ofType<T extends ApplyEvent["type"]>(type: T): EventOf<T>[];
  stepEvent(host: string, step: string): EventOf<"step-finished">;
  hostStatus(host: string): string | undefined;
}

function fakeLease(host: string, released: string[]): HostLease {
  const info: HostLockInfo = { runId: "run-test", user: "ops", machine: "ctl", pid: 1, startedAt: "t", expiresAt: "t" };
  return { info, content: "fake", renew: async () => true, release: async () => void released.push(host), released: () => void released.push(host) };
}

/**
 * A stand-in for the round trip: each command through the connection on its own (so tests see
 * every call), stopping at the first that fails, then the observation. The lock is taken by
 * `acquireLock` instead (the lock part does not report), and released with the last step's
 * commands when they all succeed, otherwise at the end.
 */
export function commandsThenObserve(observe: (host: string) => ObservedHost): RunAndObserve {
  return async (host, connection, request) => {
    const outcomes: CommandOutcome[] = [];
    for (const command of request.commands) {
      const env: Record<string, string> = {};
      const secretEnv: Record<string, string> = {};
      for (const [name, value] of Object.entries(command.env ?? {})) {
        if ("value" in value) env[name] = value.value;
        else secretEnv[name] = request.secrets.get(formatSecretRef(value.secret)) ?? "";
      }
      let outcome: CommandOutcome;
      try {
        const result = await connection.run(
          { argv: command.argv, ...(Object.keys(env).length > 0 ? { env } : {}), ...(Object.keys(secretEnv).length > 0 ? { secretEnv } : {}) },
          { timeoutMs: request.timeoutMs, ...(request.signal ? { signal: request.signal } : {}) },
        );
        const ok = !result.timedOut && result.exitCode !== null && (command.okExitCodes ?? [0]).includes(result.exitCode);
        outcome = { exitCode: result.exitCode, ok, stdout: result.stdout.toString("utf8"), stderr: result.stderr.toString("utf8"), timedOut: result.timedOut, error: null };
      } catch (error) {
        outcome = { exitCode: null, ok: false, stdout: "", stderr: "", timedOut: false, error };
      }
      outcomes.push(outcome);
      if (!outcome.ok) break;
    }
    // As the real round trip: the lock goes with the commands only when every one succeeded.
    const released = request.releaseLock !== undefined && outcomes.length === request.commands.length && outcomes.every((outcome) => outcome.ok);
    return { outcomes, observed: observe(host.name), lockCreated: null, lockReleased: released ? "swapped" : null };
  };
}

export function harness(options: HarnessOptions): Harness {
  const events: ApplyEvent[] = [];
  const calls: Call[] = [];
  const backups: string[] = [];
  const restores: string[] = [];
  const released: string[] = [];
  const trips: Trip[] = [];
  const refreshTaken: string[] = [];
  const observations = new Map<string, number>();
  const observe = (host: string): ObservedHost => {
    observations.set(host, (observations.get(host) ?? 0) + 1);
    return options.observe?.(host, calls) ?? observed(host);
  };
  const refreshLeases = new Map((options.refreshLocked ?? []).map((host) => [host, fakeLease(host, released)]));
  const sleeps: number[] = [];
  // The run's clock: it moves only when the run sleeps, so deadlines are reached without waiting.
  let clock = Date.parse("2026-11-22T10:00:00.000Z");
  const attempts = new Map<string, number>();
  const bus = new EventBus("run-test", () => new Date("2026-11-22T10:00:00.000Z"));
  bus.subscribe((event) => events.push(event));
  const control = new RunControl(60_000, (stage) => bus.emit({ type: "run-interrupting", stage }));

  const connection = (host: string): Connection => ({
    host,
    async run(command: RemoteCommand, runOptions: RunOptions = {}): Promise<RunResult> {
      if (!("argv" in command)) {
        if (!options.home) throw new Error("scripts are not expected through the fake connection");
        return new LocalShell(host, options.home).run(command);
      }
      // The tool itself, without the ~/.local/bin PATH fallback it is run with (src/host/run.ts withToolPath).
      const argv = command.argv[0] === "sh" && command.argv[2] === `${TOOL_PATH}; exec "$@"` ? command.argv.slice(4) : command.argv;
      const call: Call = { host, argv, env: command.env ?? {}, secretEnv: command.secretEnv ?? {}, timeoutMs: runOptions.timeoutMs };
      calls.push(call);
      const key = `${host} ${argv.join(" ")}`;
      const attempt = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, attempt);
      const answer = (await options.respond?.(call, attempt)) ?? {};
      if (answer.error) throw answer.error;
      return {
        exitCode: answer.timedOut ? null : (answer.exitCode ?? 0),
        signal: null,
        stdout: Buffer.from(answer.stdout ?? ""),
        stderr: Buffer.from(answer.stderr ?? ""),
        durationMs: 1,
        timedOut: answer.timedOut ?? false,
      };
    },
    spawn: () => Promise.reject(new Error("not used")),
    upload: () => Promise.reject(new Error("not used")),
    download: () => Promise.reject(new Error("not used")),
    close: async () => {},
  });

  const backup: BackupService = {
    async backupSandbox(request) {
      backups.push(`${request.host.name}/${request.sandbox}@${request.policy.name}`);
      if (options.backupFails) throw new Error("tar stream broke");
      return {
        id: `b-${request.sandbox}`,
        host: request.host.name,
        sandbox: request.sandbox,
        gateway: request.gateway,
        policy: request.policy.name,
        timestamp: "2026-11-22T10:00:00Z",
        sizeBytes: 1024,
        sha256: "f".repeat(64),
        location: `/backups/${request.host.name}/${request.sandbox}`,
        verified: options.backupVerified === undefined ? true : options.backupVerified,
        manifest: {},
      } as unknown as BackupRecord;
    },
    async restoreSandbox(request) {
      restores.push(`${request.host.name}/${request.sandbox}<-${request.record.id}`);
      return { previous: null };
    },
    async checkRestore() {
      throw new Error("apply never only checks a restore");
    },
  };

  const desired = fleet(options.hosts);
  desired.backupPolicies.push({
    name: "nightly",
    hosts: { kind: "pattern", pattern: "*" },
    sandboxNames: ["*"],
    retention: { keepLast: 3 },
    destination: { kind: "local", path: "/backups" },
    verify: true,
    beforeDisruptive: true,
    strict: false,
    source: { file: "/fleet/fleet.yaml", line: 1, column: 1, path: "backups[0]" },
  });

  const deps: ApplyDeps = {
    fleet: desired,
    pool: {
      get: async (host) => {
        if (options.unreachable?.includes(host)) throw new Error(`${host}: unreachable: connect ECONNREFUSED`);
        return connection(host);
      },
    },
    observeHost: async (host) => observe(host.name),
    runAndObserve: (host, conn, request) => {
      const checks = request.check ? `${request.check.target.gateway}/${request.check.target.sandbox}` : null;
      trips.push({ host: host.name, argv: request.commands.map((command) => command.argv), releases: request.releaseLock !== undefined, checks });
      return commandsThenObserve(observe)(host, conn, request);
    },
    refreshLocks: {
      take: async (host) => {
        const lease = refreshLeases.get(host);
        refreshLeases.delete(host);
        if (!lease) return undefined;
        refreshTaken.push(host);
        return { lease, observed: options.observe?.(host, calls) ?? observed(host) };
      },
    },
    backup,
    resolveSecret: async (ref) => {
      const key = ref.kind === "env" ? ref.name : ref.path;
      const value = options.secrets?.[key];
      if (value === undefined) throw new Error(`secret env:${key}: environment variable ${key} is not set`);
      return value;
    },
    preflight: (obs) => {
      const lines = options.preflight?.(obs) ?? null;
      return lines
        ? { state: "refused", block: { driver: "host-process", installedVersion: "0.0.72", runningVersion: "0.0.71", gateway: "nemoclaw", lines } }
        : { state: "clean", openshellVersion: "0.0.72" };
    },
    fingerprints: options.fingerprints ?? ((_observed, keys) => Object.fromEntries(keys.map((key) => [key, "same"]))),
    explainChange: (_observed, key, recorded) => (recorded === undefined ? { key, now: `now(${key})` } : { key, fields: [{ field: "f", before: JSON.stringify(recorded), after: `now(${key})` }] }),
    replan: (host, obs) => (options.replan ? options.replan(host, obs, calls) : hostPlan(host, [])),
    acquireLock: async (conn, lockOptions): Promise<AcquireResult> => {
      const holder = options.held?.[conn.host];
      // A held lock is never released here: a wait (--lock-timeout) runs out.
      if (holder && lockOptions.wait) lockOptions.wait.onWait?.(holder);
      if (holder) return { acquired: false, holder, reason: `its lease is live until ${holder.expiresAt}`, ...(lockOptions.wait ? { waitedMs: lockOptions.wait.timeoutMs } : {}) };
      return { acquired: true, lease: fakeLease(conn.host, released), reclaimed: null };
    },
    identity: { user: "ops", machine: "ctl", pid: 1, pidScope: "boot-1:4026531836" },
    pidAlive: () => true,
    now: () => new Date(clock),
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    random: () => 0.5,
    events: bus,
    redactor: new Redactor(),
    control,
  };

  const applyOptions: ApplyOptions = {
    source: "fleet",
    concurrency: 4,
    waves: [],
    maxFailPercentage: 0,
    stepTimeoutMs: 60_000,
    lockTtlMs: 600_000,
    retry: DEFAULT_RETRY_POLICY,
    journalPath: null,
    toolVersion: "0.1.0",
    ...options.options,
  };

  const ofType = <T extends ApplyEvent["type"]>(type: T) => events.filter((event): event is EventOf<T> => event.type === type);
  return {
    events,
    calls,
    backups,
    restores,
    released,
    trips,
    refreshTaken,
    observations,
    sleeps,
    control,
    deps,
    run: (plan) => applyPlan(plan, deps, applyOptions),
    ofType,
    stepEvent: (host, stepId) => {
      const found = ofType("step-finished").find((event) => event.host === host && event.step === stepId);
      if (!found) throw new Error(`no step-finished for ${host} ${stepId}`);
      return found;
    },
    hostStatus: (host) => ofType("host-finished").find((event) => event.host === host)?.status,
  };
}

/** Every event follows schemas/events.schema.json. */
export function expectValidEvents(events: readonly ApplyEvent[]): void {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats.default(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(new URL("../../../schemas/events.schema.json", import.meta.url), "utf8")));
  for (const event of events) expect(validate(event), `${event.type}: ${ajv.errorsText(validate.errors)}`).toBe(true);
}
