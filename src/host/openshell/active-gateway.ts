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

/** Prints the selected gateway's name, or nothing. A script of its own, so another read can share its session. */
export const ACTIVE_GATEWAY_SCRIPT = 'f="${XDG_CONFIG_HOME:-$HOME/.config}/openshell/active_gateway"; if [ -f "$f" ]; then cat -- "$f"; fi';

/** What ACTIVE_GATEWAY_SCRIPT printed: the selected gateway, or null when none is selected. */
export function parseActiveGateway(output: string): string | null {
  const name = output.trim();
  return name === "" ? null : name;
}

/** The user's selected gateway, or null when none is selected. */
export async function selectedGateway(connection: Connection, options: RunCheckedOptions = {}): Promise<string | null> {
  return parseActiveGateway(await runChecked(connection, { argv: ["sh", "-c", ACTIVE_GATEWAY_SCRIPT] }, "reading the active OpenShell gateway", options));
}

/**
 * Puts the selection back to `previous` when something changed it: `current` is the selection now
 * when the caller has just read it, else it is read here. Nothing is done when no gateway was
 * selected before: OpenShell has no command that unselects one.
 */
export async function reselectGateway(connection: Connection, previous: string | null, options: RunCheckedOptions = {}, current?: string | null): Promise<void> {
  if (previous === null) return;
  if ((current === undefined ? await selectedGateway(connection, options) : current) === previous) return;
  await runChecked(connection, { argv: ["openshell", "gateway", "select", previous] }, `selecting the OpenShell gateway ${previous} again`, options);
}
