/** Small formatting pieces the apply views share: durations, status words and their colours. */
import type { ChangedFact, HostStatus, StepDrift, StepStatus } from "../apply/events.js";
import type { Colors, Paint } from "./color.js";

export function formatDuration(ms: number | null): string {
  if (ms === null) return "";
  if (ms < 1_000) return `${ms}ms`;
  const seconds = Math.round(ms / 100) / 10;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.round(ms / 1_000);
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes}m${String(whole % 60).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}

export function hostStatusPaint(status: HostStatus, colors: Colors): Paint {
  switch (status) {
    case "ok":
      return colors.green;
    case "no-changes":
    case "skipped":
      return colors.dim;
    case "failed":
    case "blocked":
      return colors.red;
    case "unreachable":
    case "stale":
    case "locked":
    case "interrupted":
      return colors.yellow;
  }
}

export const STEP_MARK: Record<StepStatus | "running" | "pending", string> = {
  ok: "✓",
  failed: "✗",
  skipped: "–",
  cancelled: "■",
  running: "▶",
  pending: "·",
};

export function stepStatusPaint(status: StepStatus | "running" | "pending", colors: Colors): Paint {
  switch (status) {
    case "ok":
      return colors.green;
    case "failed":
      return colors.red;
    case "cancelled":
      return colors.yellow;
    case "running":
      return colors.cyan;
    case "skipped":
    case "pending":
      return colors.dim;
  }
}

/** The last `count` non-empty lines of a text. */
export function lastLines(text: string, count: number): string[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .slice(-count);
}

export function indent(lines: readonly string[], prefix: string): string[] {
  return lines.map((line) => `${prefix}${line}`);
}

/**
 * Why a host was refused as stale, for the views and the recap: per changed fact the fields that
 * changed (old → new), then the steps a new plan would do differently — only those.
 */
export function staleLines(changedFacts: readonly ChangedFact[] | null, drift: StepDrift | null): string[] {
  const shown = (value: string | null) => value ?? "(none)";
  const lines: string[] = [];
  for (const fact of changedFacts ?? []) {
    const fields = fact.fields ?? [];
    const whole = fields.length === 1 && fields[0]?.field === "" ? fields[0] : undefined;
    if (whole) lines.push(`changed: ${fact.key}: ${shown(whole.before)} → ${shown(whole.after)}`);
    else if (fields.length > 0) lines.push(`changed: ${fact.key}`, ...fields.map((change) => `  ${change.field}: ${shown(change.before)} → ${shown(change.after)}`));
    else if (fact.masked && fact.masked.length > 0) lines.push(`changed: ${fact.key}: a masked field (${fact.masked.join(", ")})`);
    else lines.push(`changed: ${fact.key}${fact.now === undefined ? "" : `, now ${fact.now}`}`);
  }
  if (drift) {
    for (const step of drift.added) lines.push(`a new plan would add ${step.id}: ${step.summary}`);
    for (const step of drift.changed ?? []) lines.push(`a new plan would change ${step.id}: ${step.before} → ${step.after}`);
    for (const step of drift.removed) lines.push(`a new plan would drop ${step.id}: ${step.summary}`);
    if (drift.added.length + drift.removed.length + (drift.changed?.length ?? 0) === 0) lines.push("a new plan would have the same steps; re-plan to carry them out");
  }
  return lines;
}

/** A multi-line text under a label: the label on the first line, the rest aligned beneath it. */
export function labelled(label: string, text: string, prefix: string, paint: (text: string) => string = (t) => t): string[] {
  return text.split("\n").map((line, index) => `${prefix}${index === 0 ? paint(label) : " ".repeat(label.length)}${line}`);
}
