/**
 * `--metrics-file PATH` on facts, plan, apply and backup run|verify|due: the path is checked
 * before the command does any work (a typo fails at once, naming the path), and the metrics are
 * written when the work is done. Light imports only: this module loads for `--help`.
 */
import type { Command } from "commander";
import { ExitCode, type ExitCodeValue } from "../exit-codes.js";
import { outputPathProblem } from "../report/output-file.js";
import type { MetricFamily } from "../report/metrics.js";
import type { Output } from "./session-deps.js";

export interface MetricsOption {
  metricsFile?: string;
}

export function withMetricsOption(command: Command): Command {
  return command.option("--metrics-file <path>", "also write Prometheus metrics to this file (atomically; a *.prom file in node_exporter's textfile directory), see docs/monitoring.md");
}

/** Null when `path` can be written (or none was given); otherwise says why on stderr and returns the exit code. */
export function checkMetricsFile(command: string, path: string | undefined, stderr: Output): ExitCodeValue | null {
  if (path === undefined) return null;
  const problem = outputPathProblem(path);
  if (problem !== null) {
    stderr.write(`nemoclaw ${command}: --metrics-file ${path}: ${problem}\n`);
    return ExitCode.Error;
  }
  if (!path.endsWith(".prom")) stderr.write(`warning: --metrics-file ${path}: node_exporter's textfile collector reads only files named *.prom\n`);
  return null;
}

/**
 * Write the metrics the command's work produced. The work is done whatever happens here, so a
 * failure is said and returned as an error exit code for the caller to combine with its own.
 */
export async function writeMetrics(command: string, path: string | undefined, families: () => MetricFamily[], deps: { stderr: Output; now(): Date }): Promise<ExitCodeValue> {
  if (path === undefined) return ExitCode.Ok;
  const { writeMetricsFile } = await import("../report/metrics.js");
  try {
    writeMetricsFile(path, families(), [`nemoclaw ${command}, ${deps.now().toISOString()}`]);
    return ExitCode.Ok;
  } catch (error) {
    deps.stderr.write(`nemoclaw ${command}: --metrics-file ${error instanceof Error ? error.message : String(error)}\n`);
    return ExitCode.Error;
  }
}
