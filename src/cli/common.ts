/**
 * Options every command shares, the Ansible way: `-i/--inventory` (repeatable), `--limit`, `--json`.
 * This module stays free of heavy imports: it is loaded for `--help` and `--version` too.
 */
import type { Command } from "commander";

export interface CommonOptions {
  inventory: string[];
  limit?: string;
  json: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function withCommonOptions(command: Command): Command {
  return command
    .option("-i, --inventory <path>", "Ansible inventory (YAML or INI); repeatable", collect, [])
    .option("-l, --limit <pattern>", "only these hosts: names, globs, groups, label=value; ',' or ':' to add, '&' to intersect, '!' to exclude")
    .option("--json", "machine-readable output (see docs/json-output.md)", false);
}
