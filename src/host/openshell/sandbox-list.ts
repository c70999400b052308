/**
 * `openshell sandbox list -g <gw> [-o json]`. Table in every version (≤0.0.36 adds NAMESPACE,
 * `--all-workspaces` a leading WORKSPACE; phases are coloured even when piped) and JSON from
 * 0.0.44 (`annotations` from 0.0.84, OS@v0.0.84:crates/openshell-cli/src/run.rs:3446; `workspace`
 * from 0.0.88, OS@v0.0.88:run.rs:3651; keys sorted). `No sandboxes found.` is empty.
 */
import type { Fact } from "../output.js";
import { classifyOpenShellError, describeOpenShellError } from "./errors.js";
import { parseTable } from "./table.js";
import { type Captured, describeExit, extractJson, isRecord, known, stringOrNull, stripAnsi, unknown } from "../output.js";

export type SandboxPhase =
  | "Ready"
  | "Provisioning"
  | "Error"
  | "Deleting"
  | "Stopping"
  | "Stopped"
  | "Starting"
  | "Unknown"
  | (string & {});

export interface SandboxListRow {
  name: string;
  phase: string;
  createdAt: string | null;
}

/** Every phase token OpenShell or NemoClaw's parsers know, for tables whose columns are unclear. */
const PHASES = new Set([
  "Ready", "Provisioning", "Error", "Deleting", "Stopping", "Stopped", "Starting", "Unknown", "Unspecified",
  "Running", "NotReady", "Pending", "Creating", "Terminating", "Failed", "CrashLoopBackOff", "ImagePullBackOff",
]);
const TIMESTAMP = /\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}/;

export function parseSandboxList(run: Captured): Fact<SandboxListRow[]> {
  const text = stripAnsi(run.output);
  if (run.exitCode !== 0) {
    const error = classifyOpenShellError(text);
    return unknown(`openshell sandbox list ${describeExit(run.exitCode)}${error ? `: ${describeOpenShellError(error)}` : ""}`, text);
  }
  if (/^\s*No sandboxes found\.?\s*$/m.test(text)) return known([]);

  const json = extractJson(text);
  if (Array.isArray(json)) return fromJson(json, text);

  const table = parseTable(text, ["NAME", "WORKSPACE"]);
  if (table === null) return unknown("openshell sandbox list printed neither a table nor JSON", text);
  const nameIndex = table.columns[0] === "WORKSPACE" ? 1 : 0;
  const rows: SandboxListRow[] = [];
  for (const [index, row] of table.rows.entries()) {
    const line = table.lines[index]!;
    const tokens = line.trim().split(/\s+/);
    const name = tokens[nameIndex];
    const phase = phaseOf(row, tokens, table.columns);
    if (name === undefined || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || phase === null) {
      return unknown("openshell sandbox list has a row without a name or phase", text);
    }
    rows.push({ name, phase, createdAt: TIMESTAMP.exec(row.CREATED ?? line)?.[0] ?? null });
  }
  return known(rows);
}

function phaseOf(row: Record<string, string>, tokens: string[], columns: string[]): string | null {
  const cell = (row.PHASE ?? row.STATUS ?? "").trim();
  if (/^\S+$/.test(cell)) return cell;
  const knownToken = tokens.slice(1).find((token) => PHASES.has(token));
  if (knownToken !== undefined) return knownToken;
  return columns.at(-1) === "PHASE" && tokens.length > 1 ? tokens.at(-1)! : null;
}

function fromJson(items: unknown[], text: string): Fact<SandboxListRow[]> {
  const rows: SandboxListRow[] = [];
  for (const item of items) {
    if (!isRecord(item) || typeof item.name !== "string" || typeof item.phase !== "string") {
      return unknown("openshell sandbox list JSON has an entry without name or phase", text);
    }
    rows.push({ name: item.name, phase: item.phase, createdAt: stringOrNull(item.created_at) });
  }
  return known(rows);
}
