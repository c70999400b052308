/**
 * The one writer of metrics files: Prometheus text exposition format 0.0.4, as node_exporter's
 * textfile collector reads it (https://prometheus.io/docs/instrumenting/exposition_formats/).
 * Every family has HELP and TYPE lines; label values and HELP text are escaped as the format
 * says; no sample carries a timestamp (the collector skips a whole file that has one). The file
 * is replaced atomically, so a scrape never reads half of it. What the families mean is
 * docs/monitoring.md; they are built in src/report/fleet-metrics.ts.
 */
import { writeFileAtomically } from "./output-file.js";

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  labels: Labels;
  value: number;
}

/** A gauge family: every metric the tool writes is a value as of the run that wrote the file. */
export interface MetricFamily {
  name: string;
  help: string;
  /** The label names every sample has, in the order they are written. */
  labelNames: readonly string[];
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A gauge family with its samples, after checking the names (a wrong name here is a bug in the tool). */
export function gauge(name: string, help: string, labelNames: readonly string[], samples: Sample[]): MetricFamily {
  if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
  // Prometheus naming: `_total` marks a counter, and a gauge is never one.
  if (name.endsWith("_total")) throw new Error(`${name}: a gauge does not end in _total`);
  for (const label of labelNames) {
    if (!LABEL_NAME.test(label) || label.startsWith("__")) throw new Error(`${name}: invalid label name ${JSON.stringify(label)}`);
  }
  return { name, help, labelNames, samples };
}

/** One sample per state, 1 for `current` and 0 for the others: a state set, as OpenMetrics models one. */
export function stateSet(labels: Labels, label: string, states: readonly string[], current: string): Sample[] {
  const all = states.includes(current) ? states : [...states, current];
  return all.map((state) => ({ labels: { ...labels, [label]: state }, value: state === current ? 1 : 0 }));
}

/** One family per name: the samples of same-named families (e.g. the runs of two commands) together. */
export function mergeFamilies(groups: readonly (readonly MetricFamily[])[]): MetricFamily[] {
  const merged = new Map<string, MetricFamily>();
  for (const metric of groups.flat()) {
    const existing = merged.get(metric.name);
    if (existing) existing.samples.push(...metric.samples);
    else merged.set(metric.name, { ...metric, samples: [...metric.samples] });
  }
  return [...merged.values()];
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function sampleLine(metric: MetricFamily, sample: Sample): string {
  const names = Object.keys(sample.labels);
  if (names.length !== metric.labelNames.length || metric.labelNames.some((name) => !(name in sample.labels))) {
    throw new Error(`${metric.name}: a sample has labels ${names.join(",")}, the family ${metric.labelNames.join(",")}`);
  }
  const labels = metric.labelNames.map((name) => `${name}="${escapeLabelValue(sample.labels[name] as string)}"`).join(",");
  return `${metric.name}${labels === "" ? "" : `{${labels}}`} ${formatValue(sample.value)}`;
}

/**
 * The exposition text of these families, in order; a family without samples is left out (a HELP
 * and TYPE with nothing under them tells a reader nothing). `comment` lines head the file.
 */
export function renderExposition(families: readonly MetricFamily[], comment: readonly string[] = []): string {
  const seen = new Set<string>();
  const lines = comment.map((line) => `# ${line.replace(/\n/g, " ")}`);
  for (const metric of families) {
    if (seen.has(metric.name)) throw new Error(`metric family ${metric.name} written twice`);
    seen.add(metric.name);
    if (metric.samples.length === 0) continue;
    lines.push(`# HELP ${metric.name} ${escapeHelp(metric.help)}`, `# TYPE ${metric.name} gauge`);
    const written = new Set<string>();
    for (const sample of metric.samples) {
      const line = sampleLine(metric, sample);
      const series = line.slice(0, line.lastIndexOf(" "));
      if (written.has(series)) throw new Error(`${series} written twice`);
      written.add(series);
      lines.push(line);
    }
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Replace the metrics file at `path` (textfile collector conventions: a `*.prom` name, written
 * whole and renamed into place, readable by the exporter's user).
 */
export function writeMetricsFile(path: string, families: readonly MetricFamily[], comment: readonly string[] = []): void {
  writeFileAtomically(path, renderExposition(families, comment), { mode: 0o644 });
}
