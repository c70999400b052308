/**
 * Whether a line read back from a journal has the shape of the event it says it is — the fields
 * RunTally and the history views read, with the right types. A journal is a file on disk: an
 * edit, a disk fault or another program can leave `{"type":"run-started"}` or `"fleet": null` in
 * it, and such a line must count as damaged (docs/journal.md), not crash `nemoclaw history`.
 * Fields the readers do not depend on are not checked, so journals of older and newer versions
 * still read; an event type this version does not know is passed on (RunTally ignores it).
 */
import { HOST_STATUSES } from "./events.js";

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === "object" && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === "string";
const isNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);
const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);
const isRecordOf = (value: unknown, item: (entry: unknown) => boolean): boolean => isObject(value) && Object.values(value).every(item);
const isOptional = (value: unknown, check: (entry: unknown) => boolean): boolean => value === undefined || check(value);
const isNullable = (value: unknown, check: (entry: unknown) => boolean): boolean => value === null || check(value);

const RUN_SOURCES = ["fleet", "plan-file", "backup"];
const STEP_STATUSES = ["ok", "failed", "skipped", "cancelled"];
const GATE_STATUSES = ["healthy", "unhealthy", "interrupted"];

function isIdentity(value: unknown): boolean {
  return isObject(value) && isString(value.user) && isString(value.machine) && isNumber(value.pid) && (value.pidScope === undefined || isNullable(value.pidScope, isString));
}

function isStoppedStep(value: unknown): boolean {
  return isObject(value) && isString(value.host) && isNullable(value.step, isString) && isStrings(value.notStarted);
}

/** Checks per event type, beyond `type` itself (and `host` for the events about one host). */
const SHAPES: Record<string, (event: Fields) => boolean> = {
  "run-started": (e) =>
    isIdentity(e.identity) &&
    isObject(e.fleet) &&
    isString(e.fleet.file) &&
    RUN_SOURCES.includes(e.source as string) &&
    isObject(e.selection) &&
    isStrings(e.selection.hosts) &&
    isRecordOf(e.steps, isStrings) &&
    isOptional(e.heldBack, (held) => isRecordOf(held, Array.isArray)),
  "wave-finished": (e) => isNumber(e.wave) && isNumber(e.hosts) && isNumber(e.failed) && isNumber(e.unreachable) && isNumber(e.failPercentage),
  "threshold-exceeded": (e) => isNumber(e.wave) && isNumber(e.failPercentage) && isStrings(e.skipped),
  "lock-waiting": (e) => isObject(e.holder) && isNumber(e.timeoutMs),
  "lock-acquired": (e) => isOptional(e.reclaimed, (reclaimed) => reclaimed === null || isObject(reclaimed)),
  "host-note": (e) => isString(e.message) && (e.level === "info" || e.level === "warning"),
  "step-started": (e) => isString(e.step) && isStrings(e.commands) && isNumber(e.attempt),
  "step-retrying": (e) => isString(e.step),
  "step-finished": (e) => isString(e.step) && STEP_STATUSES.includes(e.status as string),
  "host-finished": (e) => (HOST_STATUSES as readonly unknown[]).includes(e.status),
  "health-gate-started": (e) => isStrings(e.sandboxes) && isNumber(e.timeoutMs),
  "health-gate-finished": (e) => GATE_STATUSES.includes(e.status as string) && Array.isArray(e.sandboxes),
  "notify-finished": (e) =>
    isString(e.webhook) && isNumber(e.delivered) && isStrings(e.problems) && [e.trouble, e.since, e.told].every((field) => isNullable(field, isString)),
  "run-finished": (e) => Number.isInteger(e.exitCode) && isNumber(e.durationMs) && typeof e.interrupted === "boolean" && Array.isArray(e.stoppedAt) && e.stoppedAt.every(isStoppedStep),
};

const HOST_EVENTS = new Set([
  "host-started",
  "lock-waiting",
  "lock-acquired",
  "lock-released",
  "host-note",
  "step-started",
  "step-retrying",
  "step-finished",
  "host-finished",
  "health-gate-started",
  "health-gate-finished",
]);

/** True when `value` can be handed to RunTally and the history views as an event. */
export function isReadableEvent(value: unknown): boolean {
  if (!isObject(value) || !isString(value.type)) return false;
  if (!isOptional(value.at, isString)) return false;
  if (HOST_EVENTS.has(value.type) && !isString(value.host)) return false;
  const shape = SHAPES[value.type];
  return shape === undefined || shape(value);
}
