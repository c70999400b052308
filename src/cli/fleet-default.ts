/**
 * Which fleet file a command reads when none is named: ./fleet.yaml, as Terraform reads the
 * working directory. Light on purpose: `--help` loads it.
 */

/** The fleet file every command reads when none is named (Terraform's habit: the working directory). */
export const DEFAULT_FLEET_FILE = "fleet.yaml";

/** How `--help` names that default, for commands that can also work from inventories alone. */
export const FLEET_ARGUMENT_HELP = `fleet file (default: ./${DEFAULT_FLEET_FILE}; with -i and no fleet file, the inventories alone)`;

/**
 * The fleet file a command reads: the one named, else ./fleet.yaml — except when inventories are
 * given with -i and no fleet file, which then stand alone (as `-i` replaces the inventory that
 * ansible.cfg names).
 */
export function fleetFileFor(named: string | undefined, inventories: readonly string[]): string | undefined {
  if (named !== undefined) return named;
  return inventories.length > 0 ? undefined : DEFAULT_FLEET_FILE;
}

/** Said when ./fleet.yaml, read because no fleet file was named, is missing or invalid. */
export const DEFAULTED_HINT = `(no fleet file was named, so ./${DEFAULT_FLEET_FILE} was read; name one, or give inventories with -i to work from them alone)\n`;
