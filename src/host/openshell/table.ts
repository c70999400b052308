/**
 * OpenShell's tables: a header of upper-case column names, rows padded to the header's column
 * starts (padding is applied to the text inside the colour codes, so positions hold once ANSI is
 * stripped). Cells are sliced by the header's column positions, so a value containing a space
 * (`2026-08-20 17:03:11`) or an empty cell does not shift the columns after it.
 */
import { stripAnsi } from "../output.js";

export interface Table {
  columns: string[];
  rows: Array<Record<string, string>>;
  /** The raw (ANSI-stripped) line of each row, for whitespace-token fallbacks. */
  lines: string[];
  /** Lines before the header (e.g. warnings on stderr). */
  preamble: string[];
}

/** Null when no line looks like a header whose first column is one of `firstColumns`. */
export function parseTable(text: string, firstColumns: string[]): Table | null {
  const lines = stripAnsi(text).replace(/\r/g, "").split("\n");
  const headerIndex = lines.findIndex((line) => {
    const first = /^[\s*]*([A-Z][A-Z_]*)\b/.exec(line)?.[1];
    return first !== undefined && firstColumns.includes(first) && /^[\s*]*[A-Z_]+(?:\s+[A-Z_]+)*\s*$/.test(line);
  });
  if (headerIndex < 0) return null;
  const header = lines[headerIndex]!;
  const starts: Array<{ name: string; at: number }> = [];
  for (const match of header.matchAll(/[A-Z_]+/g)) starts.push({ name: match[0], at: match.index });
  const rows: Array<Record<string, string>> = [];
  const rowLines: string[] = [];
  for (const line of lines.slice(headerIndex + 1)) {
    if (line.trim() === "") continue;
    const row: Record<string, string> = {};
    starts.forEach((column, index) => {
      const end = index + 1 < starts.length ? starts[index + 1]!.at : undefined;
      row[column.name] = line.slice(index === 0 ? 0 : column.at, end).trim();
    });
    rows.push(row);
    rowLines.push(line);
  }
  return { columns: starts.map((column) => column.name), rows, lines: rowLines, preamble: lines.slice(0, headerIndex).filter((line) => line.trim() !== "") };
}
