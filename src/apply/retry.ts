/**
 * Retry policy: only failures KNOWN to be transient are retried, with exponential backoff and
 * jitter. Everything else fails at once — re-running an unknown failure risks doing half of a
 * state change twice.
 */

import { TransportError } from "../transport/types.js";
import { classifySandboxCreateFailure, isTransientCreateFailure } from "../host/nemoclaw/create-failure.js";
import { isGatewayRestartBusy, SUPERVISOR_BUSY } from "../host/nemoclaw/supervisor-busy.js";

export interface AttemptOutcome {
  /** The command that failed, as run. */
  argv: readonly string[];
  /** The command finished with an exit code that counts as failure. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** The command did not finish because of a transport problem. */
  error: unknown;
  /** Sandbox-creating steps classify their output with NemoClaw's classifier. */
  createsSandbox: boolean;
}

/** Why a failed attempt may be retried, or null when it must not be. */
export function transientReason(outcome: AttemptOutcome): string | null {
  if (outcome.error !== null && outcome.error !== undefined) {
    // A reset connection: the SSH transport reconnects on the next command. Timeouts and
    // cancellations are not transient — the command may still be running or was stopped on purpose.
    if (outcome.error instanceof TransportError && outcome.error.kind === "unreachable") {
      return `transport reset (${outcome.error.cause_})`;
    }
    return null;
  }
  // Another lifecycle request holds the sandbox's gateway supervisor: exactly NemoClaw's own report of it.
  if (isGatewayRestartBusy(outcome.argv, outcome)) return SUPERVISOR_BUSY;
  if (outcome.createsSandbox) {
    const { kind } = classifySandboxCreateFailure(`${outcome.stdout}\n${outcome.stderr}`);
    if (isTransientCreateFailure(kind)) return kind;
  }
  return null;
}

export interface RetryPolicy {
  /** Total attempts, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 2_000, maxDelayMs: 30_000 };

/** Delay before attempt `attempt + 1`: exponential, capped, with ±25 % jitter so hosts do not retry in lockstep. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jitter = 1 + (random() * 0.5 - 0.25);
  return Math.round(exponential * jitter);
}
