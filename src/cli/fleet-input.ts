/**
 * What every command that works on hosts starts with: load the fleet file (./fleet.yaml when none
 * is named and no inventories are given) and inventories, print their warnings, select `--limit`.
 * A bad file or limit prints every diagnostic and ends in exit 3; anything else is a real error
 * and is rethrown.
 */
import { ExitCode } from "../exit-codes.js";
import { FleetValidationError, formatDiagnostics, type Diagnostic } from "../config/diagnostics.js";
import { limitWarnings } from "../config/selectors.js";
import type { DesiredFleet } from "../config/types.js";
import { vaultIdentitiesFromEnv } from "../config/inventory/vault.js";
import { inputClash, type InputFile } from "../report/output-file.js";
import { DEFAULTED_HINT, fleetFileFor } from "./fleet-default.js";

export interface FleetInput {
  fleet: DesiredFleet;
  hosts: string[];
  /** The files read: the fleet file, its inventories and variables files (outputs must not overwrite them). */
  inputs: InputFile[];
}

export interface FleetInputDeps {
  load(fleetFile: string | undefined, inventories: string[]): Promise<{ fleet: DesiredFleet; warnings: Diagnostic[]; sources?: string[] }>;
  select(fleet: DesiredFleet, limit: string | undefined): string[];
  stderr: { write(text: string): unknown };
}

export async function readFleetInput(
  named: string | undefined,
  options: { inventories: string[]; limit: string | undefined; color: boolean },
  deps: FleetInputDeps,
): Promise<FleetInput | typeof ExitCode.ValidationError> {
  const fleetFile = fleetFileFor(named, options.inventories);
  try {
    const { fleet, warnings, sources } = await deps.load(fleetFile, options.inventories);
    if (warnings.length > 0) deps.stderr.write(formatDiagnostics(warnings, { color: options.color }));
    const hosts = deps.select(fleet, options.limit);
    // Like Ansible, say which parts of --limit matched nothing (the limit as a whole matched something).
    for (const warning of limitWarnings(fleet, options.limit)) deps.stderr.write(`warning: ${warning}\n`);
    return { fleet, hosts, inputs: fleetInputs(fleet, sources) };
  } catch (error) {
    if (!(error instanceof FleetValidationError)) throw error;
    deps.stderr.write(formatDiagnostics(error.diagnostics, { color: options.color }));
    if (named === undefined && fleetFile !== undefined) deps.stderr.write(DEFAULTED_HINT);
    return ExitCode.ValidationError;
  }
}

/**
 * The files a loaded fleet was read from, each named as the user knows it, and the vault password
 * files it was given (--vault-password-file and --vault-id put them in Ansible's variables, which
 * the loader reads too).
 */
export function fleetInputs(fleet: Pick<DesiredFleet, "sourceFile"> | undefined, sources: readonly string[] | undefined): InputFile[] {
  const fleetFile = fleet?.sourceFile;
  const files = sources ?? (typeof fleetFile === "string" && !fleetFile.startsWith("<") ? [fleetFile] : []);
  const vaultFiles = vaultIdentitiesFromEnv(process.env).map((identity) => ({ path: identity.file, what: "a vault password file" }));
  return [...files.map((path) => ({ path, what: path === fleetFile ? "the fleet file" : "an inventory or variables file" })), ...vaultFiles];
}

/**
 * Null when none of `outputs` (option and path) is one of the files the command reads; otherwise
 * says which on stderr and returns exit 1, before anything is written.
 */
export function refuseOverwritingInputs(command: string, outputs: ReadonlyArray<{ option: string; path: string | undefined | null }>, inputs: readonly InputFile[], stderr: { write(text: string): unknown }): typeof ExitCode.Error | null {
  for (const { option, path } of outputs) {
    if (path === undefined || path === null || path === "-") continue;
    const clash = inputClash(path, inputs);
    if (clash !== null) {
      stderr.write(`nemoclaw ${command}: ${option} ${path}: ${clash}\n`);
      return ExitCode.Error;
    }
  }
  return null;
}

/** loadFleet with the signature FleetInputDeps.load takes. */
export async function loadFleetFrom(fleetFile: string | undefined, inventories: string[]): Promise<{ fleet: DesiredFleet; warnings: Diagnostic[]; sources: string[] }> {
  const [{ loadFleet }, { NEMOCLAW_RELEASE_RULES }] = await Promise.all([import("../config/load.js"), import("../host/nemoclaw/release-rules.js")]);
  return loadFleet({ ...(fleetFile ? { fleetFile } : {}), inventories, releaseRules: NEMOCLAW_RELEASE_RULES });
}
