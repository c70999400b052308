/**
 * `openshell gateway list [-o json]` (≥0.0.37; JSON ≥0.0.47). `*` marks the active gateway;
 * SOURCE arrived in 0.0.62, REMOTE (only when a gateway is remote) by 0.0.85.
 */
import type { Fact } from "../output.js";
import { classifyOpenShellError, describeOpenShellError } from "./errors.js";
import { parseTable } from "./table.js";
import { type Captured, describeExit, extractJson, isRecord, known, stringOrNull, stripAnsi, unknown } from "../output.js";

export interface GatewayListEntry {
  name: string;
  endpoint: string | null;
  type: string | null;
  source: string | null;
  auth: string | null;
  active: boolean;
}

export function parseGatewayList(run: Captured): Fact<GatewayListEntry[]> {
  if (run.exitCode !== 0) {
    const error = classifyOpenShellError(run.output);
    return unknown(`openshell gateway list ${describeExit(run.exitCode)}${error ? `: ${describeOpenShellError(error)}` : ""}`, run.output);
  }
  if (/^\s*No gateways found\.?\s*$/m.test(stripAnsi(run.output))) return known([]);

  const json = extractJson(run.output);
  if (Array.isArray(json)) {
    const entries: GatewayListEntry[] = [];
    for (const item of json) {
      if (!isRecord(item) || typeof item.name !== "string") return unknown("openshell gateway list JSON has an entry without a name", run.output);
      entries.push({
        name: item.name,
        endpoint: stringOrNull(item.endpoint),
        type: stringOrNull(item.type),
        source: stringOrNull(item.source),
        auth: stringOrNull(item.auth),
        active: item.active === true,
      });
    }
    return known(entries);
  }

  const table = parseTable(run.output, ["NAME"]);
  if (table === null) return unknown("openshell gateway list printed neither a table nor JSON", run.output);
  const entries: GatewayListEntry[] = [];
  for (const [index, row] of table.rows.entries()) {
    // Name and endpoint from whitespace tokens: they never contain spaces, and a misaligned row
    // must not yield a truncated gateway name.
    const match = /^\s*(\*)?\s*(\S+)(?:\s+([a-z][a-z0-9+.-]*:\/\/\S+))?/.exec(table.lines[index]!);
    if (!match) return unknown("openshell gateway list has a row without a name", run.output);
    entries.push({
      name: match[2]!,
      endpoint: match[3] ?? null,
      type: row.TYPE || null,
      source: row.SOURCE || null,
      auth: row.AUTH || null,
      active: match[1] === "*",
    });
  }
  return known(entries);
}
