/**
 * Problems found in fleet files and inventories, each tied to a file position so the user can
 * jump straight to it (`file:line:col: path: message`, the format editors and CI annotate).
 */
import type { SourceRef } from "./types.js";
import { byCodeUnits } from "./order.js";

export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
  severity: "error" | "warning";
  /** The source line the position is on (secrets masked), shown under the message with a caret. */
  excerpt?: string;
}

export class FleetValidationError extends Error {
  readonly diagnostics: Diagnostic[];

  constructor(diagnostics: Diagnostic[], message?: string) {
    const errors = diagnostics.filter((d) => d.severity === "error");
    const first = errors[0];
    super(
      message ??
        (first === undefined
          ? "invalid fleet"
          : `${formatLocation(first)}${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? "s" : ""})` : ""}`),
    );
    this.name = "FleetValidationError";
    this.diagnostics = diagnostics;
  }
}

/** Text of a source file, by line, for excerpts. */
export interface SourceTexts {
  lineText(file: string, line: number): string | undefined;
}

/** Collects diagnostics while a fleet is loaded, so every problem is reported in one run. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];

  constructor(private readonly sources: SourceTexts) {}

  error(at: SourceRef, message: string, options: { mask?: string } = {}): void {
    this.add("error", at, message, options.mask);
  }

  warning(at: SourceRef, message: string): void {
    this.add("warning", at, message, undefined);
  }

  get errors(): Diagnostic[] {
    return this.items.filter((d) => d.severity === "error");
  }

  get warnings(): Diagnostic[] {
    return this.items.filter((d) => d.severity === "warning");
  }

  /** An empty bag on the same sources, for trying a reading whose problems may not count. */
  scratch(): DiagnosticBag {
    return new DiagnosticBag(this.sources);
  }

  /** Takes over what a scratch bag collected. */
  absorb(other: DiagnosticBag): void {
    for (const item of other.items) {
      if (!this.items.some((d) => d.file === item.file && d.line === item.line && d.column === item.column && d.message === item.message)) this.items.push(item);
    }
  }

  hasErrorAt(file: string, path: string): boolean {
    return this.items.some((d) => d.severity === "error" && d.file === file && d.path === path);
  }

  private add(severity: Diagnostic["severity"], at: SourceRef, message: string, mask: string | undefined): void {
    const duplicate = this.items.some(
      (d) => d.file === at.file && d.line === at.line && d.column === at.column && d.message === message,
    );
    if (duplicate) return;
    let excerpt = this.sources.lineText(at.file, at.line);
    // A literal secret must not be echoed to terminals and CI logs, not even in an error message.
    if (excerpt !== undefined && mask !== undefined && mask.length > 0) excerpt = excerpt.split(mask).join("<redacted>");
    if (excerpt !== undefined) excerpt = maskSecretAssignments(excerpt);
    this.items.push({
      file: at.file,
      line: at.line,
      column: at.column,
      path: at.path,
      message,
      severity,
      ...(excerpt === undefined ? {} : { excerpt }),
    });
  }
}

/**
 * A source line with the values of password-like assignments masked: `ansible_password=…`,
 * `ansible_become_pass: …`, `"vault_token": "…"` (any name holding "pass", "secret" or "token"),
 * and a `webhook:` URL (which carries its token). Inventories write such values in the clear;
 * excerpts must not carry them to logs.
 */
export function maskSecretAssignments(line: string): string {
  return line.replace(
    /(["']?)([\w.-]*(?:pass|secret|token|webhook)[\w.-]*)\1(\s*)([=:])(\s*)("(?:[^"\\]|\\.)*"|'[^']*'|[^\s]*)(.*)/gi,
    (whole, quote: string, name: string, before: string, separator: string, after: string, value: string, rest: string) => {
      if (value === "" || value.startsWith("!vault")) return whole;
      // A YAML value runs to the end of the line (up to a comment, or the end of a flow mapping).
      const tail = separator === ":" && !/^["']/.test(value) ? rest.replace(/^[^#,}]*?(\s*)(?=[#,}]|$)/, "$1") : rest;
      return `${quote}${name}${quote}${before}${separator}${after}<masked>${maskSecretAssignments(tail)}`;
    },
  );
}

function formatLocation(d: Diagnostic): string {
  // A problem with an option (--limit, -i) names the option, not a position on a command line.
  if (d.file === COMMAND_LINE) return d.path === "" || d.message.startsWith(d.path) ? "" : `${d.path}: `;
  return `${d.file}:${d.line}:${d.column}: ${d.path === "" ? "" : `${d.path}: `}`;
}

/** The `file` of a diagnostic about the command line itself (an option), not a file. */
export const COMMAND_LINE = "<command line>";

const RED = "\u001b[31m";
const YELLOW = "\u001b[33m";
const BOLD = "\u001b[1m";
const DIM = "\u001b[2m";
const RESET = "\u001b[0m";

/** Diagnostics in reading order, each as `file:line:col: path: message`, the source line and a caret. */
export function formatDiagnostics(diagnostics: Diagnostic[], options: { color: boolean }): string {
  const paint = (code: string, text: string): string => (options.color ? `${code}${text}${RESET}` : text);
  const blocks = sortDiagnostics(diagnostics).map((d) => {
    const message = d.severity === "error" ? paint(RED, d.message) : `${paint(YELLOW + BOLD, "warning:")} ${d.message}`;
    const lines = [`${paint(BOLD, formatLocation(d))}${message}`];
    if (d.excerpt !== undefined) {
      lines.push(`  ${paint(DIM, d.excerpt)}`);
      lines.push(`  ${caretPadding(d.excerpt, d.column)}${paint((d.severity === "error" ? RED : YELLOW) + BOLD, "^")}`);
    }
    return lines.join("\n");
  });
  return blocks.length === 0 ? "" : `${blocks.join("\n")}\n`;
}

/** Stable order: by file, then position, errors before warnings at the same spot. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      byCodeUnits(a.file, b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1),
  );
}

/** Spaces up to the column, keeping tabs so the caret lines up under tab-indented text. */
function caretPadding(excerpt: string, column: number): string {
  return [...excerpt.slice(0, Math.max(0, column - 1))].map((ch) => (ch === "\t" ? "\t" : " ")).join("");
}
