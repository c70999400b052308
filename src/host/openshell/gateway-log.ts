/**
 * The tail of a gateway's log. A gateway started from an older binary against a newer database
 * dies at startup with sqlx's `migration N was previously applied but is missing in the resolved
 * migrations` (or `… but has been modified`), wrapped by OpenShell as `migration error: …`.
 */
import { stripAnsi } from "../output.js";

const FATAL_MIGRATION = /migration \d+ was previously applied but (?:is missing in the resolved migrations|has been modified)/i;

/**
 * What every gateway start logs before it runs its migrations (`info!(…, "Starting OpenShell
 * server")` ahead of `run_server` in crates/openshell-server/src/cli.rs, OS@v0.0.37 … v0.0.111).
 */
const START = /Starting OpenShell server/;

/**
 * The fatal migration line of the gateway's latest start, trimmed; null when that start logged
 * none. NemoClaw appends to the log on every start (`O_APPEND` in
 * src/lib/onboard/docker-driver-gateway-launch.ts, NC@9708c264), so a crash from before the
 * gateway was restarted stays in the tail; a start line after it means the crash is history.
 */
export function fatalMigrationLine(logTail: string): string | null {
  const lines = stripAnsi(logTail).split("\n");
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    if (FATAL_MIGRATION.test(lines[index]!)) return lines[index]!.trim();
    if (START.test(lines[index]!)) return null;
  }
  return null;
}
