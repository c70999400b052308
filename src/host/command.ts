/**
 * A planned command: argv plus environment, and its display — rendered through the transport's
 * quoting (the one place argv becomes shell text), with each secret shown as `<secret env:NAME>`
 * so plans, journals and terminals never carry a secret value — and how one is run: environment
 * split into plain values and secrets (secrets travel as secretEnv, never in argv), a deadline,
 * cancellation.
 */
import { formatSecretRef } from "../config/secrets.js";
import { assertEnvName, quote, renderArgv } from "../transport/shell.js";
import type { SecretRef } from "../config/types.js";
import type { Connection } from "../transport/types.js";

/** An environment value: literal, or a secret reference resolved only at apply time. */
export type EnvValue = { value: string } | { secret: SecretRef };

/** A command the step runs on the host, as an argument list. */
export interface PlannedCommand {
  argv: string[];
  env?: Record<string, EnvValue>;
  /** Shell rendering with secrets redacted, exactly as shown to the user and journaled. */
  display: string;
  /** Exit codes that count as success (default [0]). */
  okExitCodes?: number[];
}

export type CommandEnv = Record<string, EnvValue>;

export function plannedCommand(argv: string[], env: CommandEnv = {}, okExitCodes?: number[]): PlannedCommand {
  const names = Object.keys(env);
  for (const name of names) assertEnvName(name);
  const assignments = names.map((name) => `${name}=${displayValue(env[name]!)}`);
  const display = assignments.length === 0 ? renderArgv(argv) : `env ${assignments.join(" ")} ${renderArgv(argv)}`;
  return {
    argv,
    ...(names.length > 0 ? { env } : {}),
    display,
    ...(okExitCodes ? { okExitCodes } : {}),
  };
}

/** A planned command without secrets as the transport runs it (adapters that run their own commands use it). */
export function remoteCommand(command: PlannedCommand): { argv: string[]; env?: Record<string, string> } {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(command.env ?? {})) {
    if (!("value" in value)) throw new Error(`${command.display}: ${name} is a secret and cannot be passed here`);
    env[name] = value.value;
  }
  return { argv: command.argv, ...(Object.keys(env).length > 0 ? { env } : {}) };
}

/** Environment of literal values, skipping unset ones, in the order given. */
export function literalEnv(entries: [string, string | undefined][]): CommandEnv {
  const env: CommandEnv = {};
  for (const [name, value] of entries) if (value !== undefined) env[name] = { value };
  return env;
}

function displayValue(value: EnvValue): string {
  return "secret" in value ? `<secret ${formatSecretRef(value.secret)}>` : quote(value.value);
}

/** Resolved secret values for one host's steps, keyed by the reference's text (`env:NAME`, `file:PATH`). */
export type ResolvedSecrets = ReadonlyMap<string, string>;

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
