/**
 * Human output of `nemoclaw backup …`: progress lines while a run goes, the run recap (with
 * NemoClaw's preflight block verbatim for refused hosts), the store listing, verification, the
 * prune plan and the due report. JSON output is the structured objects themselves (backup-json.ts).
 */
import { stripAnsi } from "../host/output.js";
import type { PolicyDue, StoreContents } from "../backup/catalogue.js";
import type { PrunePlan, PruneResult } from "../backup/prune.js";
import type { BackupRecord } from "../backup/record.js";
import type { HostOutcome, RunEvent, RunReport, SandboxOutcome } from "../backup/run.js";
import type { Leftover, VerifyOutcome } from "../backup/store.js";
import type { Colors } from "./color.js";
import { formatDuration } from "./progress-format.js";

export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

export function formatAge(fromIso: string, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(fromIso)) / 1000));
  if (seconds < 90) return `${seconds}s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes}m`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.round(hours / 24)}d`;
}

function verifiedText(record: BackupRecord, colors: Colors): string {
  if (record.verified === true) return colors.green("verified");
  if (record.verified === false) return colors.red("FAILED");
  return colors.yellow("not verified");
}

function table(rows: string[][], colors: Colors): string[] {
  // Widths ignore colour codes so columns line up with and without colour.
  const visible = (text: string) => stripAnsi(text).length;
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => visible(row[column] ?? ""))));
  return rows.map((row, index) => {
    const line = row.map((cell, column) => (column === row.length - 1 ? cell : cell + " ".repeat(widths[column]! - visible(cell)))).join("  ");
    return index === 0 ? colors.bold(line) : line;
  });
}

function sandboxLine(outcome: SandboxOutcome, colors: Colors): string {
  const subject = `${outcome.host}: ${outcome.sandbox}${outcome.gateway ? ` @${outcome.gateway}` : ""} (${outcome.policy})`;
  if (outcome.status === "backed-up" && outcome.record) {
    const record = outcome.record;
    return `${colors.green("✓")} ${subject}: ${formatBytes(record.sizeBytes)}, ${verifiedText(record, colors)} → ${record.location}`;
  }
  if (outcome.status === "skipped") return `${colors.yellow("-")} ${subject}: skipped, ${outcome.reason ?? ""}`;
  return `${colors.red("✗")} ${subject}: ${outcome.reason ?? "failed"}`;
}

/** One line per finished sandbox and per host that could not be backed up; null for the rest. */
export function renderRunEvent(event: RunEvent, colors: Colors): string | null {
  if (event.type === "sandbox-done") return `${sandboxLine(event.outcome, colors)}\n`;
  if (event.type !== "host-done") return null;
  const host = event.outcome;
  if (host.status === "refused") return `${colors.red("✗")} ${host.host}: refused by the schema preflight, nothing written for it\n`;
  if (host.status === "unreachable") return `${colors.red("✗")} ${host.host}: ${host.problems.join("; ")}\n`;
  if (host.status === "locked") return `${colors.red("✗")} ${host.host}: locked, nothing backed up: ${host.problems.join("; ")}\n`;
  if (host.problems.length > 0) return host.problems.map((problem) => `${colors.red("✗")} ${host.host}: ${problem}\n`).join("");
  return null;
}

function hostCounts(host: HostOutcome): string {
  const count = (status: SandboxOutcome["status"]) => host.sandboxes.filter((sandbox) => sandbox.status === status).length;
  return `${count("backed-up")} backed up, ${count("skipped")} skipped, ${count("failed")} failed`;
}

export function renderRunReport(report: RunReport, colors: Colors): string {
  const lines: string[] = [];
  for (const host of report.hosts.filter((entry) => entry.block)) {
    lines.push(colors.bold(`${host.host}:`), ...host.block!.lines, "");
  }
  for (const cleaned of report.cleaned) lines.push(`Removed the leftovers of an interrupted run: ${cleaned}`);
  for (const problem of [...report.unreachableStores, ...report.storeProblems]) lines.push(`${colors.yellow("!")} ${problem}`);
  const { globs, available } = report.unmatchedSandboxes;
  for (const glob of globs) {
    const there = available.length > 0 ? `the policies cover ${available.join(", ")}` : "the policies cover none there";
    lines.push(`${colors.red("✗")} --sandbox '${glob}' matches no sandbox the policies cover on the selected hosts (${there}); nothing was backed up for it`);
  }
  lines.push(colors.bold(`Backup run ${report.runId} (${report.policies.join(", ")}):`));
  for (const host of report.hosts) {
    const paint = host.status === "ok" ? colors.green : host.status === "not-started" ? colors.yellow : colors.red;
    lines.push(`  ${host.host}: ${paint(host.status)}${host.sandboxes.length > 0 ? `, ${hostCounts(host)}` : ""}`);
  }
  const all = report.hosts.flatMap((host) => host.sandboxes);
  const bytes = all.reduce((sum, sandbox) => sum + (sandbox.record?.sizeBytes ?? 0), 0);
  const elapsed = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  lines.push(
    `${all.filter((s) => s.status === "backed-up").length} backed up (${formatBytes(bytes)}), ${all.filter((s) => s.status === "skipped").length} skipped, ` +
      `${all.filter((s) => s.status === "failed").length} failed on ${report.hosts.length} host(s) in ${formatDuration(elapsed)}`,
  );
  return `${lines.join("\n")}\n`;
}

export function renderListing(contents: readonly StoreContents[], now: Date, colors: Colors): string {
  const lines: string[] = [];
  for (const store of contents) {
    lines.push(colors.bold(`${store.store}`) + colors.dim(` (policies: ${store.policies.join(", ")})`));
    if (store.error !== undefined) {
      lines.push(`  ${colors.red("unreadable")}: ${store.error}`, "");
      continue;
    }
    if (store.records.length === 0) lines.push("  no backups");
    else {
      const rows = [["HOST", "SANDBOX", "TIMESTAMP", "AGE", "SIZE", "POLICY", "STATUS"]];
      for (const record of store.records) {
        rows.push([record.host, record.sandbox, record.timestamp, formatAge(record.manifest.createdAt, now), formatBytes(record.sizeBytes), record.policy, verifiedText(record, colors)]);
      }
      lines.push(...table(rows, colors).map((line) => `  ${line}`));
    }
    for (const entry of store.invalid) lines.push(`  ${colors.red("invalid")}: ${entry.location}: ${entry.problem}`);
    if (store.leftovers.length > 0) {
      lines.push(`  ${colors.yellow("leftovers")}: ${store.leftovers.length} partial entr${store.leftovers.length === 1 ? "y" : "ies"} of interrupted runs (${leftoverBytes(store.leftovers)}); \`nemoclaw backup prune\` removes them`);
    }
    lines.push("");
  }
  return `${lines.join("\n")}`;
}

export function renderVerifyOutcome({ record, problems, notRecorded }: VerifyOutcome, colors: Colors): string {
  const unrecorded = notRecorded === undefined ? "" : `    ${colors.yellow("!")} ${notRecorded}\n`;
  if (problems.length === 0) return `${colors.green("✓")} ${record.location}: sha256 and contents check out\n${unrecorded}`;
  return `${colors.red("✗")} ${record.location}:\n${problems.map((problem) => `    ${problem}\n`).join("")}${unrecorded}`;
}

export function renderVerifySummary(results: readonly VerifyOutcome[], colors: Colors): string {
  const bad = results.filter((result) => result.problems.length > 0).length;
  const unrecorded = results.filter((result) => result.notRecorded !== undefined).length;
  const failed = bad > 0 ? `, ${colors.red(`${bad} failed`)}` : "";
  const notWritten = unrecorded > 0 ? `; ${colors.yellow(`${unrecorded} result(s) could not be recorded in the store`)}` : "";
  return `${results.length - bad} of ${results.length} backup(s) verified${failed}${notWritten}\n`;
}

/** What leftovers of killed runs take: the bytes of their files, and how many could not be measured. */
function leftoverBytes(leftovers: readonly Leftover[]): string {
  const unknown = leftovers.filter((leftover) => leftover.sizeBytes === null).length;
  const bytes = formatBytes(leftovers.reduce((sum, leftover) => sum + (leftover.sizeBytes ?? 0), 0));
  return unknown === 0 ? bytes : `${bytes}, and ${unknown} of unknown size`;
}

export function renderPrune(plan: PrunePlan, result: PruneResult | null, colors: Colors): string {
  const lines: string[] = [];
  for (const series of plan.series) {
    lines.push(colors.bold(`${series.store}: ${series.host}/${series.sandbox} (${series.policy})`));
    for (const decision of series.decisions) {
      const mark = decision.keep ? colors.green("keep".padEnd(12)) : colors.red((result ? "delete" : "would delete").padEnd(12));
      lines.push(`  ${mark} ${decision.record.timestamp}${decision.keep ? colors.dim(`  ${decision.reasons.join(", ")}`) : ""}`);
    }
  }
  if (plan.leftovers.length > 0) lines.push(colors.bold("Leftovers of interrupted runs (partial entries whose writer is gone):"));
  for (const { leftover } of plan.leftovers) {
    const size = leftover.sizeBytes === null ? "size unknown" : formatBytes(leftover.sizeBytes);
    lines.push(`  ${colors.red((result ? "remove" : "would remove").padEnd(12))} ${leftover.location}${colors.dim(`  ${size}`)}`);
  }
  for (const skipped of plan.skipped) lines.push(`${colors.yellow("-")} policy ${skipped.policy}: ${skipped.reason}`);
  const leftovers = plan.leftovers.map((entry) => entry.leftover);
  if (result) {
    for (const failure of result.failed) lines.push(`${colors.red("✗")} ${failure.record.location}: ${failure.error}`);
    for (const failure of result.leftoversFailed) lines.push(`${colors.red("✗")} ${failure.leftover.location}: ${failure.error}`);
    lines.push(`Deleted ${result.removed.length} of ${plan.remove.length} backup(s).`);
    if (leftovers.length > 0) {
      lines.push(`Removed ${result.leftoversRemoved.length} of ${leftovers.length} leftover(s) of interrupted runs, freeing ${leftoverBytes(result.leftoversRemoved)}.`);
    }
  } else {
    const alsoLeftovers = leftovers.length > 0 ? ` and remove ${leftovers.length} leftover(s) of interrupted runs (${leftoverBytes(leftovers)})` : "";
    lines.push(`Would delete ${plan.remove.length} backup(s)${alsoLeftovers} (dry run; nothing was changed).`);
  }
  return `${lines.join("\n")}\n`;
}

export function renderDue(dues: readonly PolicyDue[], colors: Colors): string {
  const lines: string[] = [];
  for (const due of dues) {
    lines.push(`${due.due ? colors.yellow("due    ") : colors.green("not due")} ${colors.bold(due.policy)}${due.schedule ? colors.dim(` (${due.schedule})`) : ""}: ${due.reason}`);
    for (const series of due.series.filter((entry) => entry.due)) {
      lines.push(`  ${series.host}/${series.sandbox}: last backup ${series.latest ?? "never"}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
