/**
 * Small helpers every parser shares: ANSI stripping, excerpts for unknown facts, tolerant JSON
 * extraction. OpenShell colours its tables even when piped, and merges miette errors onto
 * stderr, so every parser works on the ANSI-stripped, merged text.
 */

import { terminalSafe, withoutControls } from "../transport/terminal-text.js";

export type Fact<T> =
  | { state: "known"; value: T }
  | { state: "unknown"; reason: string; excerpt: string };

/** What one external command left behind: stdout and stderr merged, and its exit status. */
export interface Captured {
  output: string;
  /** Null when the command did not finish (killed, or the probe was cut off). */
  exitCode: number | null;
}

const EXCERPT_MAX = 400;

/**
 * How a command ended, for reasons: the probe bounds commands with coreutils `timeout`, which
 * exits 124 when it had to stop one.
 */
export function describeExit(exitCode: number | null): string {
  if (exitCode === null) return "did not finish";
  if (exitCode === 124) return "timed out";
  return `exited ${exitCode}`;
}

/**
 * What a host printed, made safe to read and to show: escape sequences removed, and every other
 * control character but tab, line feed and carriage return shown as U+FFFD, so no output of a
 * host (or text decoded from its JSON, see `extractJson`) can act on the operator's terminal.
 */
export function stripAnsi(text: string): string {
  return terminalSafe(text);
}

/**
 * Every string in a JSON value with its control characters (tab and line breaks aside) shown as
 * U+FFFD. Without recursion: JSON.parse reads nesting far deeper than the call stack allows.
 */
export function withoutControlCharacters(value: unknown): unknown {
  const shell = (item: unknown): unknown => (typeof item === "string" ? withoutControls(item) : Array.isArray(item) ? [] : isRecord(item) ? {} : item);
  const root = shell(value);
  const pending: Array<[unknown, unknown]> = [[value, root]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [source, copy] = next;
    if (Array.isArray(source)) {
      for (const item of source) {
        const made = shell(item);
        (copy as unknown[]).push(made);
        if (made !== item) pending.push([item, made]);
      }
    } else if (isRecord(source)) {
      for (const [key, item] of Object.entries(source)) {
        const made = shell(item);
        // defineProperty: a "__proto__" key stays a plain property, as JSON.parse made it.
        Object.defineProperty(copy, withoutControls(key), { value: made, enumerable: true, writable: true, configurable: true });
        if (made !== item) pending.push([item, made]);
      }
    }
  }
  return root;
}

export function known<T>(value: T): Fact<T> {
  return { state: "known", value };
}

export function unknown<T>(reason: string, raw = ""): Fact<T> {
  return { state: "unknown", reason, excerpt: excerptOf(raw) };
}

/** A short, readable piece of raw output for an unknown fact. */
export function excerptOf(raw: string): string {
  const text = stripAnsi(raw).replace(/\r/g, "").trim();
  return text.length > EXCERPT_MAX ? `${text.slice(0, EXCERPT_MAX)}…` : text;
}

export function nonEmptyLines(text: string): string[] {
  return stripAnsi(text)
    .replace(/\r/g, "")
    .split("\n")
    .filter((line) => line.trim() !== "");
}

const LINE_MAX = 240;

/** The first line matching `pattern`, trimmed (and shortened when very long); null when none does. */
export function firstLineMatching(text: string, pattern: RegExp): string | null {
  for (const line of stripAnsi(text).split("\n")) {
    if (pattern.test(line)) {
      const trimmed = line.trim();
      return trimmed.length > LINE_MAX ? `${trimmed.slice(0, LINE_MAX)}…` : trimmed;
    }
  }
  return null;
}

/**
 * Parse JSON that may be surrounded by other lines (warnings on stderr before it, a miette
 * error after it): the whole text first, then the span from the first line opening `[`/`{` to
 * the last line closing `]`/`}`. Undefined when there is no JSON. Strings come back without
 * control characters (`\u001b` escapes decode to a raw ESC), as `stripAnsi` leaves text;
 * `extractExactJson` keeps them, for a file that is written back.
 */
export function extractJson(text: string): unknown {
  const json = extractExactJson(text);
  return json === undefined ? undefined : withoutControlCharacters(json);
}

export function extractExactJson(text: string): unknown {
  const clean = stripAnsi(text).trim();
  const whole = tryJson(clean);
  if (whole !== undefined) return whole;
  const lines = clean.split("\n");
  const start = lines.findIndex((line) => /^\s*[[{]/.test(line));
  if (start < 0) return undefined;
  for (let end = lines.length; end > start; end -= 1) {
    if (!/[\]}]\s*$/.test(lines[end - 1] ?? "")) continue;
    const parsed = tryJson(lines.slice(start, end).join("\n"));
    if (parsed !== undefined) return parsed;
  }
  return undefined;
}

function tryJson(text: string): unknown {
  if (!/^[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function stringOrNull(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

export function numberOrNull(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^\d+$/.test(value.trim())) return Number(value.trim());
  return null;
}

/** Port of an endpoint URL such as `https://127.0.0.1:8080/`; the scheme default when omitted. */
export function portOfEndpoint(endpoint: string | null): number | null {
  if (endpoint === null) return null;
  try {
    const url = new URL(endpoint);
    if (url.port !== "") return Number(url.port);
    return url.protocol === "https:" ? 443 : url.protocol === "http:" ? 80 : null;
  } catch {
    return null;
  }
}

/** `Key: value` lines of OpenShell's indented text reports (`  Gateway: nemoclaw`). */
export function keyValueLines(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of stripAnsi(text).split("\n")) {
    const match = /^\s*([A-Za-z][A-Za-z ]*?):\s+(\S.*?)\s*$/.exec(line);
    if (match && !fields.has(match[1]!)) fields.set(match[1]!, match[2]!);
  }
  return fields;
}
