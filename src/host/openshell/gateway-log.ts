/**
 * The tail of a gateway's log. A gateway started from an older binary against a newer database
 * dies at startup with sqlx's `migration N was previously applied but is missing in the resolved
 * migrations` (or `… but has been modified`), wrapped by OpenShell as `migration error: …`.
 */
import { stripAnsi } from "../output.js";

const FATAL_MIGRATION = /migration \d+ was previously applied but (?:is missing in the resolved migrations|has been modified)/i;

/** The last fatal migration line in the log tail, trimmed; null when the tail is clean. */
export function fatalMigrationLine(logTail: string): string | null {
  const lines = stripAnsi(logTail).split("\n");
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    if (FATAL_MIGRATION.test(lines[index]!)) return lines[index]!.trim();
  }
  return null;
}
