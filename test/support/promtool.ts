/**
 * The real `promtool` (Debian's `prometheus` package; scripts/install-test-deps.sh installs it):
 * `check metrics` lints an exposition as Prometheus' own linter does, `check rules` validates
 * alerting rules. Tests skip what needs it only when the binary is not installed, saying so.
 */
import { spawnSync } from "node:child_process";

export const PROMTOOL_MISSING = spawnSync("promtool", ["--version"], { encoding: "utf8" }).error
  ? "promtool is not installed (Debian's prometheus package; scripts/install-test-deps.sh installs it)"
  : null;

export interface PromtoolRun {
  code: number | null;
  output: string;
}

/** `promtool check metrics` on the exposition text (read from stdin, as the tool expects). */
export function checkMetrics(text: string): PromtoolRun {
  const run = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

export function promtool(args: string[]): PromtoolRun {
  const run = spawnSync("promtool", args, { encoding: "utf8" });
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}
