/**
 * What a plan keeps of the facts its steps were planned from, beside their fingerprints: each
 * fact's value as it was fingerprinted (canonical JSON, volatile fields dropped), with anything
 * shaped like a secret masked — API keys, passwords in URLs, `password=…`-style assignments in
 * captured output. So when a host changed since its plan, apply can say field by field what
 * changed (old → new) instead of "the fingerprint differs", and the plan file still holds no secret.
 *
 * Field paths read like the facts (`policies`, `entries[alice].model`,
 * `guards.files[/tmp/nemoclaw-proxy-env.sh].mode`): a known fact is shown by its value, a list of
 * named things by their names, an unknown fact as `unknown (<reason>)`.
 */
import { maskSecretAssignments } from "../config/diagnostics.js";
import { apiKeyShape } from "../config/secrets.js";
import { canonicalJson, factValue, VOLATILE_FIELDS } from "./fingerprint.js";
import type { ObservedHost } from "../observe/types.js";

export const MASKED = "<masked>";

/** One field of a fact that differs: its path and both values as compact JSON (null: not there). */
export interface FieldChange {
  field: string;
  before: string | null;
  after: string | null;
}

/** fact key → its recorded value, for the given keys. */
export function factValues(observed: ObservedHost, keys: Iterable<string>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const key of [...new Set(keys)].sort()) values[key] = recordedFact(observed, key);
  return values;
}

/** A fact's value now, as a plan records it. */
export function recordedFact(observed: ObservedHost, key: string): unknown {
  return recorded(factValue(observed, key));
}

/** The fields that differ between two recorded values of one fact. */
export function fieldChanges(before: unknown, after: unknown): FieldChange[] {
  const changes: FieldChange[] = [];
  compare("", before, after, changes);
  return changes;
}

/** Fields whose values were masked in a recorded value: what may have changed unseen. */
export function maskedFields(value: unknown): string[] {
  const found: string[] = [];
  walk("", value, (path, leaf) => {
    if (typeof leaf === "string" && leaf.includes(MASKED)) found.push(path);
  });
  return found;
}

/** A recorded value shown on one line, shortened when long. */
export function compactValue(value: unknown): string {
  const text = isUnknownFact(value) ? `unknown (${value.reason})` : canonicalJson(value);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

const TOKEN = /[A-Za-z0-9_-]{12,}/g;
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:)[^\s@/]+@/gi;

const ASSIGNMENT_NAME = /pass|secret|token/i;

/** Most fact strings are short names and versions: the patterns only run where they could match. */
function maskText(text: string): string {
  let result = text.length >= 12 ? text.replace(TOKEN, (token) => (apiKeyShape(token) === undefined ? token : MASKED)) : text;
  if (result.includes("://")) result = result.replace(URL_PASSWORD, `$1${MASKED}@`);
  return ASSIGNMENT_NAME.test(result) ? maskSecretAssignments(result) : result;
}

/** The value as canonical JSON would write it — keys sorted, undefined and volatile fields dropped — with strings masked. */
function recorded(value: unknown): unknown {
  if (typeof value === "string") return maskText(value);
  if (value === null || value === undefined) return null;
  if (typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(recorded);
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const field = (value as Record<string, unknown>)[key];
    if (field !== undefined && !VOLATILE_FIELDS.has(key)) result[key] = recorded(field);
  }
  return result;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isUnknownFact(value: unknown): value is { state: "unknown"; reason: string } {
  return isObject(value) && value.state === "unknown" && typeof value.reason === "string";
}

/** A known fact stands for its value: `{state: "known", value: X}` is shown as X. */
function unwrap(value: unknown): unknown {
  return isObject(value) && value.state === "known" && "value" in value ? value.value : value;
}

/** The name a list element is known by (`name`, else `path`), when it has one. */
function identity(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  if (typeof value.name === "string") return value.name;
  return typeof value.path === "string" ? value.path : undefined;
}

/** List elements by name, when every element has a distinct one. */
function byIdentity(list: unknown[]): Map<string, unknown> | undefined {
  const map = new Map<string, unknown>();
  for (const element of list) {
    const id = identity(element);
    if (id === undefined || map.has(id)) return undefined;
    map.set(id, element);
  }
  return map;
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function compare(path: string, rawBefore: unknown, rawAfter: unknown, changes: FieldChange[]): void {
  const [before, after] = [unwrap(rawBefore), unwrap(rawAfter)];
  if (isObject(before) && isObject(after) && !isUnknownFact(before) && !isUnknownFact(after)) {
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) compare(join(path, key), before[key], after[key], changes);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.some(isObject) && after.some(isObject)) {
    const [named, renamed] = [byIdentity(before), byIdentity(after)];
    if (named && renamed) {
      for (const id of [...new Set([...named.keys(), ...renamed.keys()])]) compare(`${path}[${id}]`, named.get(id), renamed.get(id), changes);
      return;
    }
  }
  const [beforeText, afterText] = [before === undefined ? null : compactValue(before), after === undefined ? null : compactValue(after)];
  if (canonicalJson(before ?? null) !== canonicalJson(after ?? null) || (before === undefined) !== (after === undefined)) {
    changes.push({ field: path, before: beforeText, after: afterText });
  }
}

function walk(path: string, raw: unknown, visit: (path: string, leaf: unknown) => void): void {
  const value = unwrap(raw);
  if (isObject(value) && !isUnknownFact(value)) {
    for (const [key, field] of Object.entries(value)) walk(join(path, key), field, visit);
  } else if (Array.isArray(value) && byIdentity(value) !== undefined && value.length > 0) {
    for (const element of value) walk(`${path}[${identity(element)}]`, element, visit);
  } else if (Array.isArray(value)) {
    value.forEach((element, index) => walk(`${path}[${index}]`, element, visit));
  } else {
    visit(path, isUnknownFact(value) ? value.reason : value);
  }
}
