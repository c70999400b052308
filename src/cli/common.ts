/**
 * Options every command shares, the Ansible way: `-i/--inventory` (repeatable), `--limit`,
 * `--list-hosts`, the vault password options, `--json`. This module stays free of heavy imports:
 * it is loaded for `--help` and `--version` too.
 */
import { type Command, InvalidArgumentError } from "commander";
import { parseDuration } from "../config/duration.js";

export interface CommonOptions {
  inventory: string[];
  limit?: string;
  json: boolean;
  listHosts?: boolean;
  vaultPasswordFile?: string[];
  vaultId?: string[];
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function withCommonOptions(command: Command): Command {
  return withVaultOptions(
    command
      .option("-i, --inventory <path>", "Ansible inventory: INI, YAML, JSON, a directory, an inventory script or a plugin file; repeatable", collect, [])
      .option("-l, --limit <pattern>", "only these hosts, as Ansible's --limit: names, globs, groups, ~regex, group[0:2], @file, label=value; ',' or ':' to add, '&' to intersect, '!' to exclude")
      .option("--list-hosts", "print the hosts --limit selects, as `ansible --list-hosts` does, and exit; contacts no host")
      .option("--json", "machine-readable output (see docs/json-output.md)", false),
  ).hook("preAction", async (thisCommand, actionCommand) => {
    const { limit } = actionCommand.opts<CommonOptions>();
    if (limit !== undefined) {
      // A malformed pattern is bad usage (exit 1), said as commander says it of any option value;
      // a well-formed one that selects no host is told with the fleet (exit 3).
      const { limitSyntaxProblem } = await import("../config/patterns.js");
      const problem = limitSyntaxProblem(limit);
      if (problem !== null) actionCommand.error(`error: option '-l, --limit <pattern>' argument '${limit}' is invalid. ${problem}`, { exitCode: 1, code: "commander.invalidArgument" });
    }
    if (actionCommand.opts<CommonOptions>().listHosts !== true) return;
    const { listHostsInstead } = await import("./list-hosts.js");
    // The command's own action must not run: contacting hosts is exactly what was not asked for.
    throw new FinishedEarly(await listHostsInstead(actionCommand));
  });
}

/** Thrown from a hook that already did the command's work: the entry point exits with `exitCode`. */
export class FinishedEarly extends Error {
  constructor(readonly exitCode: number) {
    super("finished early");
  }
}

/**
 * `--vault-password-file` and `--vault-id`, for vault-encrypted inventories and variables. They go
 * where Ansible's own configuration puts them (ANSIBLE_VAULT_PASSWORD_FILE and
 * ANSIBLE_VAULT_IDENTITY_LIST), so every loader, and `ansible-inventory` run for plugin files,
 * sees them.
 */
export function withVaultOptions(command: Command): Command {
  return command
    .option("--vault-password-file <file>", "vault password file (an executable file is run for the password); repeatable", collect, [])
    .option("--vault-id <[label@]file>", "vault identity: a label and its password file; repeatable", collect, [])
    .hook("preAction", (_thisCommand, actionCommand) => {
      const { vaultPasswordFile = [], vaultId = [] } = actionCommand.opts<CommonOptions>();
      const identities = [...vaultId, ...vaultPasswordFile.map((file) => `default@${file}`)];
      if (identities.length === 0) return;
      const existing = process.env.ANSIBLE_VAULT_IDENTITY_LIST;
      process.env.ANSIBLE_VAULT_IDENTITY_LIST = [...(existing ? [existing] : []), ...identities].join(",");
    });
}

/** An option value that must be a whole number of at least 1 (`--runs`, `--last`). */
export function wholeNumber(value: string): number {
  const number = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < 1) throw new InvalidArgumentError("expected a whole number of at least 1");
  return number;
}

/** The most hosts worked on at once, as the fleet file's `apply.concurrency` allows. */
export const MAX_CONCURRENCY = 1024;

/** A duration as Terraform's -lock-timeout takes it (Go's form): 30s, 5m, 1h30m, 500ms; 0 for none. */
export function durationMs(value: string): number {
  try {
    return parseDuration(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** `--concurrency`: bounded as the fleet file's `apply.concurrency` is, 1 to 1024. */
export function concurrency(value: string): number {
  const number = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!(number >= 1 && number <= MAX_CONCURRENCY)) throw new InvalidArgumentError(`expected a whole number from 1 to ${MAX_CONCURRENCY} (as apply.concurrency in the fleet file)`);
  return number;
}
