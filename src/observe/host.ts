/**
 * Observe one host: send the probe in ONE exec, split its output into sections, parse each with
 * its parser and assemble the typed ObservedHost. Never throws for host-side problems: a host that
 * cannot be reached, or a probe that does not finish, becomes `unreachable` with the cause.
 */
import { performance } from "node:perf_hooks";
import type { DesiredHost } from "../config/types.js";
import type { Connection } from "../transport/types.js";
import { readDocker } from "../host/docker/probe.js";
import { readHostBackups, readNemoClawCli, readRegistry, readShields } from "../host/nemoclaw/probe.js";
import { readActiveGateway, readGatewayBinary, readOpenShellCli } from "../host/openshell/probe.js";
import { excerptOf, unknown } from "../host/output.js";
import { parseProbeOutput, ProbeOutput } from "../host/probe/sections.js";
import { askedMarker } from "../host/probe/shell.js";
import { runAnswering } from "../transport/execution.js";
import { readFleetLock, readGpus, readSystem } from "../host/system/probe.js";
import { assembleGateways } from "./gateways.js";
import { AFTER_NEMOCLAW_FILES, buildProbeScript, buildSandboxCheckScript, newProbeNonce, type ProbeInput, type SandboxCheckTarget } from "./probe.js";
import { withSandboxChecked } from "./sandbox-check.js";
import type { Fact, ObservedHost } from "./types.js";
import { unreachableCause } from "./unreachable.js";

/** Generous: a host with several gateways and sandboxes runs dozens of bounded commands. */
export const DEFAULT_PROBE_TIMEOUT_MS = 180_000;

export interface ObserveOptions {
  /** Bound for the whole probe. */
  timeoutMs?: number;
  now?: () => Date;
  /** Bound for each command inside the probe, seconds. */
  commandTimeoutSec?: number;
  /** Check guard files inside every sandbox (default true); without, each sandbox's guards are unknown. */
  sandboxGuards?: boolean;
}

export async function observeHost(host: DesiredHost, connection: Connection, options: ObserveOptions = {}): Promise<ObservedHost> {
  return (await observeHostWith(host, connection, {}, options)).observed;
}

/** Work done in the same round trip as an observation (see ProbeInput.before/after). */
export interface RoundTrip {
  before?: string;
  after?: string;
  /** Secret values `before` hands to its commands (the transport delivers them on stdin). */
  secretEnv?: Record<string, string>;
  /** Time `before` may take, added to the probe's bound. */
  extraTimeoutMs?: number;
  signal?: AbortSignal;
  /**
   * A question the caller answers from this very observation, in the same session: once the probe
   * has reported everything, it waits for one line, computed by `answer` from what it found, and
   * runs `then` (shell) with it in NCF_ANSWER. An answer that fails, or takes longer than
   * ANSWER_WAIT_MS, reaches the probe as none (NCF_ANSWER empty), so `then` must make empty mean
   * "do nothing".
   */
  ask?: { then: string; answer: (observed: ObservedHost, probe: ProbeOutput) => Promise<string> };
}

/** How long a probe waits for its caller's answer; the caller only plans one host. */
const ANSWER_WAIT_MS = 15_000;

export interface RoundTripResult {
  observed: ObservedHost;
  /** Every section of the round trip (`before`'s and `after`'s too); null when nothing came back. */
  probe: ProbeOutput | null;
  /** Why the round trip ended early: it timed out, or the transport failed (null: it finished). */
  stopped: { timedOut: boolean; error: unknown } | null;
}

/** Observe the host in one round trip together with other work (taking the lock, a step's commands). */
export async function observeHostWith(host: DesiredHost, connection: Connection, trip: RoundTrip, options: ObserveOptions = {}): Promise<RoundTripResult> {
  const input = probeInput(host, trip, options);
  return runProbe(host.name, connection, buildProbeScript(input), input.nonce, trip, options, (probe, meta) => assembleHost(host.name, probe, meta));
}

/**
 * A step's round trip with a targeted check instead of the whole probe (src/observe/sandbox-check.ts):
 * the host as `previous` saw it, with one gateway's sandbox list and one sandbox read again.
 */
export async function checkSandboxWith(host: DesiredHost, connection: Connection, trip: RoundTrip, previous: ObservedHost, target: SandboxCheckTarget, options: ObserveOptions = {}): Promise<RoundTripResult> {
  const input = probeInput(host, trip, options);
  return runProbe(host.name, connection, buildSandboxCheckScript(input, target), input.nonce, trip, options, (probe, meta) => withSandboxChecked(previous, probe, target, meta));
}

function probeInput(host: DesiredHost, trip: RoundTrip, options: ObserveOptions): ProbeInput {
  return {
    nonce: newProbeNonce(),
    gatewayNames: host.gateways.map((gateway) => gateway.name),
    ...(options.commandTimeoutSec !== undefined ? { commandTimeoutSec: options.commandTimeoutSec } : {}),
    ...(options.sandboxGuards !== undefined ? { sandboxGuards: options.sandboxGuards } : {}),
    ...(trip.before !== undefined ? { before: trip.before } : {}),
    ...(trip.secretEnv !== undefined ? { secretNames: Object.keys(trip.secretEnv) } : {}),
    ...(trip.after !== undefined ? { after: trip.after } : {}),
    ...(trip.ask !== undefined ? { ask: trip.ask.then } : {}),
  };
}

type ProbeMeta = Pick<ObservedHost, "observedAt" | "durationMs" | "unreachable">;

async function runProbe(
  hostName: string,
  connection: Connection,
  script: string,
  nonce: string,
  trip: RoundTrip,
  options: ObserveOptions,
  assemble: (probe: ProbeOutput, meta: ProbeMeta) => ObservedHost,
): Promise<RoundTripResult> {
  const now = options.now ?? (() => new Date());
  const observedAt = now().toISOString();
  const started = performance.now();
  // A probe that asks may wait for its answer as well.
  const timeoutMs = (options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS) + (trip.extraTimeoutMs ?? 0) + (trip.ask ? ANSWER_WAIT_MS : 0);
  const elapsed = () => Math.round(performance.now() - started);
  const secretEnv = trip.secretEnv && Object.keys(trip.secretEnv).length > 0 ? { secretEnv: trip.secretEnv } : {};
  const ask = trip.ask;
  // What the probe had reported when it asked: parsed and assembled once, for the answer and the result.
  const question: { reported?: { probe: ProbeOutput; observed: ObservedHost; bytes: number } } = {};
  try {
    const command = { script, ...secretEnv };
    const runOptions = { timeoutMs, ...(trip.signal ? { signal: trip.signal } : {}) };
    const result =
      ask === undefined
        ? await connection.run(command, runOptions)
        : await runAnswering(connection, command, runOptions, {
            asked: askedMarker(nonce),
            answer: (soFar) => {
              const probe = parseProbeOutput(soFar.toString("utf8"), nonce);
              const observed = assemble(probe, { observedAt, durationMs: elapsed(), unreachable: null });
              question.reported = { probe, observed, bytes: soFar.length };
              return withinAnswerWait(ask.answer(observed, probe));
            },
          });
    const asked = question.reported;
    if (asked !== undefined) {
      // The observation was complete before the question; only what answered it is new.
      const after = parseProbeOutput(result.stdout.subarray(asked.bytes).toString("utf8"), nonce);
      const probe = new ProbeOutput([...asked.probe.sections, ...after.sections], asked.probe.finished);
      return { observed: asked.observed, probe, stopped: result.timedOut ? { timedOut: true, error: null } : null };
    }
    const probe = parseProbeOutput(result.stdout.toString("utf8"), nonce);
    let problem: ObservedHost["unreachable"] = null;
    if (result.timedOut) {
      problem = { kind: "timeout", message: `the probe did not finish within ${timeoutMs} ms` };
    } else if (!probe.finished) {
      const stderr = excerptOf(result.stderr.toString("utf8"));
      const ending = result.exitCode !== null ? `exited ${result.exitCode}` : `was killed by ${result.signal ?? "a signal"}`;
      problem = { kind: "probe-failed", message: `the probe ${ending} before it finished${stderr ? `: ${stderr}` : ""}` };
    }
    return {
      observed: assemble(probe, { observedAt, durationMs: elapsed(), unreachable: problem }),
      probe,
      stopped: result.timedOut ? { timedOut: true, error: null } : null,
    };
  } catch (error) {
    // Lost while the probe waited for its answer: the host was observed all the same.
    const asked = question.reported;
    if (asked !== undefined) return { observed: asked.observed, probe: asked.probe, stopped: { timedOut: false, error } };
    return { observed: unreachableHost(hostName, unreachableCause(error), observedAt, elapsed()), probe: null, stopped: { timedOut: false, error } };
  }
}

function withinAnswerWait(answer: Promise<string>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("no answer in time")), ANSWER_WAIT_MS);
  });
  return Promise.race([answer, late]).finally(() => clearTimeout(timer));
}

/** An ObservedHost for a host that was not observed at all: every fact unknown, saying why. */
export function unreachableHost(host: string, cause: { kind: string; message: string }, observedAt: string, durationMs: number): ObservedHost {
  const none = <T>(): Fact<T> => unknown(`host not observed (${cause.kind}): ${cause.message}`);
  return {
    host,
    unreachable: cause,
    observedAt,
    durationMs,
    system: none(),
    gpus: none(),
    docker: none(),
    openshell: none(),
    gatewayBinary: none(),
    nemoclaw: none(),
    activeGateway: none(),
    gateways: none(),
    registry: none(),
    shields: none(),
    hostBackups: none(),
    fleetLock: none(),
  };
}

export function assembleHost(
  host: string,
  probe: ProbeOutput,
  meta: { observedAt: string; durationMs: number; unreachable: ObservedHost["unreachable"] },
): ObservedHost {
  const openshell = readOpenShellCli(probe);
  const registry = readRegistry(probe);
  return {
    host,
    unreachable: meta.unreachable,
    observedAt: meta.observedAt,
    durationMs: meta.durationMs,
    system: readSystem(probe),
    gpus: readGpus(probe),
    docker: readDocker(probe),
    openshell,
    gatewayBinary: readGatewayBinary(probe),
    nemoclaw: readNemoClawCli(probe),
    activeGateway: readActiveGateway(probe),
    gateways: probe.finished
      ? assembleGateways(probe, { openshell })
      : unknown("the probe did not finish, so the list of gateways may be incomplete"),
    registry,
    shields: readShields(probe, registry, AFTER_NEMOCLAW_FILES),
    hostBackups: readHostBackups(probe, AFTER_NEMOCLAW_FILES),
    fleetLock: readFleetLock(probe),
  };
}
