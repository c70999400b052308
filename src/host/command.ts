/**
 * A planned command: argv plus environment, and its display — rendered through the transport's
 * quoting (the one place argv becomes shell text), with each secret shown as `<secret env:NAME>`
 * so plans, journals and terminals never carry a secret value — and what running one gives back.
 * Commands run in batches with the host's observation (src/host/batch.ts): secrets travel on
 * stdin into the environment of exactly the commands that name them, never in argv.
 */
import { formatSecretRef } from "../config/secrets.js";
import { assertEnvName, quote, renderArgv } from "../transport/shell.js";
import type { SecretRef } from "../config/types.js";

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
