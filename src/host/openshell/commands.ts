/** Command lines for the `openshell` CLI (reference: openshell-surface §2, nemoclaw-surface §2.2). */
import { type CommandEnv, plannedCommand, type PlannedCommand } from "../command.js";

export function openshellVersion(): PlannedCommand {
  return plannedCommand(["openshell", "--version"]);
}

/**
 * Cluster era (≤ 0.0.36): starts a gateway, or resumes a stopped one from its existing volume.
 * Never `--recreate`: that destroys the container AND the volume.
 */
export function gatewayStart(gateway: string, port: number, options: { gpu?: boolean; env?: CommandEnv } = {}): PlannedCommand {
  // `--gpu` is in every release that has `gateway start` (OS@v0.0.1…v0.0.36:crates/openshell-cli/src/main.rs).
  return plannedCommand(["openshell", "gateway", "start", "--name", gateway, "--port", String(port), ...(options.gpu ? ["--gpu"] : [])], options.env);
}

/** Cluster era: stops the container only; state stays in the volume. */
export function gatewayStop(gateway: string): PlannedCommand {
  return plannedCommand(["openshell", "gateway", "stop", "--name", gateway]);
}

/** Cluster era only (the command is gone from 0.0.37): removes container, volume and metadata. */
export function gatewayDestroy(gateway: string): PlannedCommand {
  // `--name`, not `-g`: the subcommand's own name option reads OPENSHELL_GATEWAY and wins over the
  // global -g (OS@v0.0.36:crates/openshell-cli/src/main.rs:846, 1747-1749), so a host that
  // exports it would have its other gateway destroyed.
  return plannedCommand(["openshell", "gateway", "destroy", "--name", gateway]);
}
