/**
 * Running one planned command on a host: environment split into plain values and secrets
 * (secrets travel as secretEnv, never in argv), a deadline, cancellation, and a bounded,
 * secret-free excerpt of what it printed.
 */

import { formatSecretRef } from "../config/secrets.js";
import type { SecretRef } from "../config/types.js";
import type { PlannedCommand, Step } from "../plan/types.js";
import { stripAnsi } from "../host/output.js";
import type { Connection } from "../transport/types.js";
import type { Redactor } from "./redact.js";

/** Resolved secret values for one host's steps, keyed by the reference's text (`env:NAME`, `file:PATH`). */
export type ResolvedSecrets = ReadonlyMap<string, string>;

export function secretRefsOf(steps: readonly Step[]): SecretRef[] {
  const refs = new Map<string, SecretRef>();
  for (const step of steps) {
    for (const command of step.commands) {
      for (const value of Object.values(command.env ?? {})) {
        if ("secret" in value) refs.set(formatSecretRef(value.secret), value.secret);
      }
    }
  }
  return [...refs.values()];
}

export interface CommandOutcome {
  /** Null when the command did not finish (error) or ended by a signal. */
  exitCode: number | null;
  ok: boolean;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Thrown by the transport (unreachable, cancelled, …); null when the command ran to completion. */
  error: unknown;
}

export async function runPlannedCommand(
  connection: Connection,
  command: PlannedCommand,
  secrets: ResolvedSecrets,
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<CommandOutcome> {
  const env: Record<string, string> = {};
  const secretEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(command.env ?? {})) {
    if ("value" in value) {
      env[name] = value.value;
      continue;
    }
    const resolved = secrets.get(formatSecretRef(value.secret));
    if (resolved === undefined) throw new Error(`secret ${formatSecretRef(value.secret)} for ${name} was not resolved`);
    secretEnv[name] = resolved;
  }
  const remote = {
    argv: command.argv,
    ...(Object.keys(env).length > 0 ? { env } : {}),
    ...(Object.keys(secretEnv).length > 0 ? { secretEnv } : {}),
  };
  try {
    const result = await connection.run(remote, { timeoutMs: options.timeoutMs, signal: options.signal });
    const okCodes = command.okExitCodes ?? [0];
    return {
      exitCode: result.exitCode,
      ok: !result.timedOut && result.exitCode !== null && okCodes.includes(result.exitCode),
      stdout: result.stdout.toString("utf8"),
      stderr: result.stderr.toString("utf8"),
      timedOut: result.timedOut,
      error: null,
    };
  } catch (error) {
    return { exitCode: null, ok: false, stdout: "", stderr: "", timedOut: false, error };
  }
}

export const OUTPUT_EXCERPT_CHARS = 4_000;

/** The tail of the output (where errors are), without colour codes or secrets, at most `limit` characters. */
export function outputExcerpt(text: string, redactor: Redactor, limit = OUTPUT_EXCERPT_CHARS): string {
  // Scrub before cutting, so a secret split by the cut cannot survive as a fragment.
  const clean = redactor.scrub(stripAnsi(text).replace(/\r\n?/g, "\n")).trimEnd();
  if (clean.length <= limit) return clean;
  return `…${clean.slice(clean.length - limit + 1)}`;
}
