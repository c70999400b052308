/**
 * The human view of a plan. One identical change on 40 hosts is shown once with its host list
 * (steps are grouped by kind, target, reason and command lines), then notes (grouped the same
 * way), then every preflight block verbatim, then one summary line with counts by risk and
 * fidelity and the blocked, unreachable and incomplete hosts.
 */
import { diffLines } from "diff";
import type { HeldBackStep, HostNote, Plan, Step, TextDiff } from "../plan/types.js";
import type { Colors } from "./color.js";

export interface HumanOptions {
  colors: Colors;
  /** Host names listed per group before "… and N more". */
  maxHostsListed?: number;
}

interface Grouped<T> {
  item: T;
  hosts: string[];
}

export function renderPlanHuman(plan: Plan, options: HumanOptions): string {
  const { colors } = options;
  const listHosts = (hosts: string[]) => hostList(hosts, options.maxHostsListed ?? 8);
  const out: string[] = [];
  const selected = plan.selection.limit ? ` (--limit ${plan.selection.limit})` : "";
  out.push(colors.bold(`Plan for fleet ${plan.fleet.name} (${plan.fleet.file}): ${count(plan.hosts.length, "host")} selected${selected}`));

  const steps = group(plan.hosts.flatMap((host) => host.steps.map((step) => ({ host: host.host, item: step }))), stepKey);
  if (steps.length > 0) {
    out.push("", colors.bold("Changes"));
    steps.forEach(({ item: step, hosts }, index) => out.push(...renderStep(step, index + 1, listHosts(hosts), hosts.length, colors)));
  }

  const held = group(plan.hosts.flatMap((host) => (host.heldBack ?? []).map((step) => ({ host: host.host, item: step }))), (step) => JSON.stringify(step));
  if (held.length > 0) {
    out.push("", colors.bold(`Held back by ${ceilingText(plan)} (pending)`));
    for (const { item: step, hosts } of held) out.push(...renderHeldBack(step, listHosts(hosts), colors));
  }

  const notes = group(plan.hosts.flatMap((host) => host.notes.map((note) => ({ host: host.host, item: note }))), noteKey);
  if (notes.length > 0) {
    out.push("", colors.bold("Notes"));
    for (const { item: note, hosts } of notes) out.push(...renderNote(note, listHosts(hosts), colors));
  }

  const blocks = group(
    plan.hosts.flatMap((host) => (host.block ? [{ host: host.host, item: host.block.lines }] : [])),
    (lines) => lines.join("\n"),
  );
  for (const { item: lines, hosts } of blocks) {
    out.push("", colors.red(colors.bold(`Blocked by the schema preflight: ${listHosts(hosts)}`)));
    out.push(...lines);
  }

  out.push("", summaryLine(plan, colors));
  return `${out.join("\n")}\n`;
}

function renderStep(step: Step, number: number, hosts: string, hostCount: number, colors: Colors): string[] {
  const target = step.target.kind === "sandbox" && step.target.gateway ? `sandbox ${step.target.name} @ ${step.target.gateway}` : `${step.target.kind} ${step.target.name}`;
  const badge = `[${riskColor(step.risk, colors)(step.risk)} · ${step.fidelity === "exact" ? "exact" : colors.cyan("predicted")}]`;
  const lines = [
    `${String(number).padStart(3)}. ${colors.bold(step.kind)}  ${target}  ${badge}`,
    `     on ${hostCount === 1 ? "" : `${hostCount} hosts: `}${hosts}`,
    `     why: ${step.reason.summary}`,
  ];
  const after = step.dependsOn.filter((id) => !id.startsWith("preflight:"));
  if (after.length > 0) lines.push(colors.dim(`     after: ${after.join(", ")}`));
  for (const command of step.commands) lines.push(...commandLines(command.display, colors));
  if (step.commands.length === 0 && step.kind === "backup") lines.push(colors.dim(`     by the fleet backup engine → policy ${String(step.params?.policy)}`));
  for (const diff of step.diff ?? []) lines.push(...diffBlock(diff, colors));
  return lines;
}

/** Multi-line scripts are shortened here; `--json` and plan files carry them whole. */
function commandLines(display: string, colors: Colors): string[] {
  const [first = "", ...rest] = display.split("\n");
  const shown = `     $ ${first}`;
  return rest.length === 0 ? [shown] : [shown, colors.dim(`       … ${rest.length} more line${rest.length === 1 ? "" : "s"} (see --json)`)];
}

function diffBlock(diff: TextDiff, colors: Colors): string[] {
  const lines = [colors.dim(`     ${diff.label}:`)];
  for (const change of diffLines(diff.before, diff.after)) {
    const paint = change.added ? colors.green : change.removed ? colors.red : colors.dim;
    const sign = change.added ? "+" : change.removed ? "-" : " ";
    for (const line of change.value.replace(/\n$/, "").split("\n")) lines.push(paint(`       ${sign} ${line}`));
  }
  return lines;
}

function renderHeldBack(step: HeldBackStep, hosts: string, colors: Colors): string[] {
  return [`  ${colors.bold(step.id)}  [${riskColor(step.risk, colors)(step.risk)}] on ${hosts}`, colors.dim(`     why: ${step.summary}`), colors.dim(`     held back: ${step.because}`)];
}

function ceilingText(plan: Plan): string {
  return plan.options.maxRisk ? `--max-risk ${plan.options.maxRisk}` : "the risk ceiling";
}

function renderNote(note: HostNote, hosts: string, colors: Colors): string[] {
  const label = note.level === "warning" ? colors.yellow("warning") : colors.blue("info");
  const lines = [`  ${label} ${hosts}: ${note.message}`];
  if (note.excerpt) lines.push(colors.dim(`     output: ${note.excerpt.split("\n")[0]}`));
  return lines;
}

function summaryLine(plan: Plan, colors: Colors): string {
  const { summary } = plan;
  const byStatus = (status: string) => plan.hosts.filter((host) => host.status === status).map((host) => host.host);
  const trouble = [
    ["blocked", byStatus("blocked"), colors.red],
    ["unreachable", byStatus("unreachable"), colors.red],
    ["with unknown facts", byStatus("unknown"), colors.yellow],
  ] as const;
  const tail = trouble
    .filter(([, hosts]) => hosts.length > 0)
    .map(([label, hosts, paint]) => paint(`${hosts.length} ${label} (${hostList(hosts, 8)})`));
  const held = summary.heldBack ? [colors.yellow(`${count(summary.heldBack, "step")} held back by ${ceilingText(plan)}`)] : [];
  if (summary.steps === 0) {
    const clean = summary.hosts - summary.blocked - summary.unreachable - summary.unknown;
    const head = clean > 0 ? `No changes: ${count(clean, "host")} ${clean === 1 ? "matches" : "match"} the fleet file.` : "No changes planned.";
    const rest = [...held, ...tail];
    return `${colors.bold(held.length > 0 ? "Nothing to run within the risk ceiling." : head)}${rest.length > 0 ? ` ${rest.join(", ")}.` : ""}`;
  }
  const risks = (["safe", "disruptive", "destructive"] as const)
    .filter((risk) => summary.byRisk[risk] > 0)
    .map((risk) => riskColor(risk, colors)(`${summary.byRisk[risk]} ${risk}`));
  const fidelity = [`${summary.byFidelity.exact} exact`, ...(summary.byFidelity.predicted > 0 ? [colors.cyan(`${summary.byFidelity.predicted} predicted`)] : [])];
  const head = colors.bold(`Plan: ${count(summary.steps, "step")} on ${summary.hostsWithChanges} of ${count(summary.hosts, "host")}`);
  const rest = [...held, ...tail];
  return `${head} — ${risks.join(", ")}; ${fidelity.join(", ")}.${rest.length > 0 ? ` ${rest.join(", ")}.` : ""}`;
}

function riskColor(risk: Step["risk"], colors: Colors) {
  return risk === "safe" ? colors.green : risk === "disruptive" ? colors.yellow : colors.red;
}

function stepKey(step: Step): string {
  return JSON.stringify([step.kind, step.target, step.reason.summary, step.risk, step.fidelity, step.commands.map((command) => command.display)]);
}

function noteKey(note: HostNote): string {
  return JSON.stringify([note.level, note.message, note.excerpt ?? ""]);
}

/** Items grouped by key in order of first appearance, each with the hosts that have it. */
function group<T>(entries: { host: string; item: T }[], key: (item: T) => string): Grouped<T>[] {
  const groups = new Map<string, { item: T; hosts: Set<string> }>();
  for (const { host, item } of entries) {
    const k = key(item);
    const existing = groups.get(k);
    if (existing) existing.hosts.add(host);
    else groups.set(k, { item, hosts: new Set([host]) });
  }
  return [...groups.values()].map(({ item, hosts }) => ({ item, hosts: [...hosts] }));
}

/** Hosts named, the first `max` of them and how many more. */
export function hostList(hosts: readonly string[], max: number): string {
  return hosts.length <= max ? hosts.join(", ") : `${hosts.slice(0, max).join(", ")} … and ${hosts.length - max} more`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
