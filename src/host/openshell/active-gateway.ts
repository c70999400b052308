/**
 * The host user's active OpenShell gateway, as `openshell gateway select <gw>` records it in
 * `${XDG_CONFIG_HOME:-~/.config}/openshell/active_gateway` (OpenShell's `save_active_gateway`,
 * crates/openshell-cli/src/commands/gateway.rs at v0.0.111). NemoClaw switches it as a side
 * effect: since NemoClaw #5225 (2026-06-13) `<sandbox> snapshot create` selects the sandbox's own
 * gateway first (`selectSandboxGatewayIfRegistered`, src/lib/actions/sandbox/sandbox-gateway-routing.ts),
 * so backing up a sandbox of a per-port gateway leaves that gateway active. Callers read the
 * setting before and put it back after, through OpenShell's own command.
 */
import type { Connection } from "../../transport/types.js";
import { runChecked, type RunCheckedOptions } from "../run.js";

const READ_ACTIVE = 'f="${XDG_CONFIG_HOME:-$HOME/.config}/openshell/active_gateway"; if [ -f "$f" ]; then cat -- "$f"; fi';

/** The user's selected gateway, or null when none is selected. */
export async function selectedGateway(connection: Connection, options: RunCheckedOptions = {}): Promise<string | null> {
  const output = await runChecked(connection, { argv: ["sh", "-c", READ_ACTIVE] }, "reading the active OpenShell gateway", options);
  const name = output.trim();
  return name === "" ? null : name;
}

/**
 * Puts the selection back to `previous` when something changed it. Nothing is done when no gateway
 * was selected before: OpenShell has no command that unselects one.
 */
export async function reselectGateway(connection: Connection, previous: string | null, options: RunCheckedOptions = {}): Promise<void> {
  if (previous === null) return;
  if ((await selectedGateway(connection, options)) === previous) return;
  await runChecked(connection, { argv: ["openshell", "gateway", "select", previous] }, `selecting the OpenShell gateway ${previous} again`, options);
}
