/** Plain host commands: stopping a host-process gateway and running the OpenShell installer. */
import { DEFAULT_OPENSHELL_INSTALLER } from "../../config/openshell-version.js";
import { quote } from "../../transport/shell.js";
import { literalEnv, plannedCommand, type PlannedCommand } from "../command.js";

/** SIGTERM to the observed gateway pid; the executor checks the process is the one observed. */
export function killProcess(pid: number): PlannedCommand {
  return plannedCommand(["kill", String(pid)]);
}

/**
 * OpenShell's installer, pinned: the script at `installer` (the fleet file's `openshell.installer`,
 * an https:// URL, quoted for the shell) run with `OPENSHELL_VERSION`. Crossing 0.0.36 → 0.0.37 the
 * installer refuses unless the breaking upgrade is acknowledged, which the plan only does after
 * the old gateways are retired.
 */
export function installOpenShell(version: string, options: { acknowledgeBreaking: boolean; installer?: string }): PlannedCommand {
  return plannedCommand(
    ["sh", "-c", `curl -LsSf ${quote(options.installer ?? DEFAULT_OPENSHELL_INSTALLER)} | sh`],
    literalEnv([
      ["OPENSHELL_VERSION", `v${version}`],
      ["OPENSHELL_ACK_BREAKING_UPGRADE", options.acknowledgeBreaking ? "1" : undefined],
    ]),
  );
}

/** The version of a host-process gateway binary (`openshell-gateway 0.0.72`). */
export function gatewayBinaryVersion(binary: string): PlannedCommand {
  return plannedCommand([binary, "--version"]);
}
