/**
 * `nemoclaw report` as a use case, wired to fakes: where the page goes and what the user is told,
 * saved facts and plans read instead of contacting hosts, and every bad input refused with the
 * file and the field before anything is written.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ReportCommandDeps, type ReportCommandOptions, runReportCommand } from "../../../src/cli/report.js";
import { EventBus } from "../../../src/apply/events.js";
import { JournalWriter } from "../../../src/apply/journal.js";
import { Redactor } from "../../../src/apply/redact.js";
import { ExitCode } from "../../../src/exit-codes.js";
import { writePlanFile } from "../../../src/report/plan-file.js";
import type { FleetReport } from "../../../src/report/report-html.js";
import { demoFleet, NOW, runEvents } from "../report/fleet-fixtures.js";
import { parseExposition, stateOf, valueOf } from "../../support/exposition.js";
import { checkMetrics, PROMTOOL_MISSING } from "../../support/promtool.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "report-command-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function harness() {
  const { fleet, observed, plan } = demoFleet();
  let out = "";
  let err = "";
  const contacted: string[] = [];
  const deps: ReportCommandDeps = {
    load: async () => ({ fleet, warnings: [] }),
    select: (value) => value.hosts.map((host) => host.name),
    observe: async (_fleet, hosts) => {
      contacted.push(...hosts);
      return observed;
    },
    readStores: async () => [],
    close: async () => undefined,
    now: () => NOW,
    journalDir: join(dir, "runs"),
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    env: {},
  };
  return { deps, fleet, observed, plan, contacted, out: () => out, err: () => err };
}

const options = (extra: Partial<ReportCommandOptions> = {}): ReportCommandOptions => ({ inventory: [], json: false, runs: 10, ...extra });

describe("nemoclaw report", () => {
  it("observes the hosts, writes the page and says where, with the hosts by state", async () => {
    const h = harness();
    const page = join(dir, "fleet.html");
    expect(await runReportCommand("fleet.yaml", options({ html: page }), h.deps)).toBe(ExitCode.Ok);
    expect(h.contacted).toEqual(["spark-01", "spark-02", "spark-03", "station-01", "spark-09"]);
    expect(readFileSync(page, "utf8")).toContain('data-host="station-01" data-state="blocked"');
    expect(h.err()).toContain(`Wrote the fleet report to ${page} (5 hosts: 3 drift, 1 blocked, 1 unreachable); open ${pathToFileURL(page).href} in a browser.\n`);
  });

  it("contacts no host with saved facts and a saved plan, and says where each part came from", async () => {
    const h = harness();
    writeFileSync(join(dir, "facts.json"), JSON.stringify(h.observed));
    writePlanFile(join(dir, "plan.json"), h.plan);
    const html = join(dir, "fleet.html");
    expect(await runReportCommand("fleet.yaml", options({ html, fromFacts: join(dir, "facts.json"), fromPlan: join(dir, "plan.json"), json: true }), h.deps)).toBe(ExitCode.Ok);
    expect(h.contacted).toEqual([]);
    const report = JSON.parse(h.out()) as FleetReport;
    expect(report.sources.facts).toBe(`${join(dir, "facts.json")} (observed 2026-11-22T09:29:58.000Z)`);
    expect(report.sources.plan).toBe(`${join(dir, "plan.json")} (made ${h.plan.createdAt})`);
    expect(report.hosts.map((host) => [host.host, host.state])).toEqual([["spark-01", "drift"], ["spark-02", "drift"], ["spark-03", "drift"], ["station-01", "blocked"], ["spark-09", "unreachable"]]);
    expect(existsSync(html)).toBe(true);
  });

  it("plans saved facts itself when no plan is given, and narrows to --limit", async () => {
    const h = harness();
    writeFileSync(join(dir, "facts.json"), JSON.stringify(h.observed));
    h.deps.select = () => ["station-01"];
    expect(await runReportCommand("fleet.yaml", options({ fromFacts: join(dir, "facts.json"), json: true, limit: "station-01" }), h.deps)).toBe(ExitCode.Ok);
    const report = JSON.parse(h.out()) as FleetReport;
    expect(report.hosts.map((host) => [host.host, host.state, host.block?.gateway])).toEqual([["station-01", "blocked", "nemoclaw"]]);
    expect(report.sources.plan).toBe("made now from these facts");
  });

  it("writes the page to stdout with --html -, and refuses --json with it", async () => {
    const h = harness();
    expect(await runReportCommand("fleet.yaml", options({ html: "-" }), h.deps)).toBe(ExitCode.Ok);
    expect(h.out().startsWith("<!DOCTYPE html>")).toBe(true);
    const both = harness();
    expect(await runReportCommand("fleet.yaml", options({ html: "-", json: true }), both.deps)).toBe(ExitCode.Error);
    expect(both.err()).toBe("nemoclaw report: --json and --html - both want stdout; give --html a file\n");
  });

  it("refuses a page path it cannot write before contacting any host, naming the path", async () => {
    const h = harness();
    const page = join(dir, "missing", "fleet.html");
    expect(await runReportCommand("fleet.yaml", options({ html: page }), h.deps)).toBe(ExitCode.Error);
    expect(h.err()).toBe(`nemoclaw report: --html ${page}: directory ${join(dir, "missing")} does not exist\n`);
    expect(h.contacted).toEqual([]);
  });

  it("refuses a facts file that is not facts, naming the file and the field", async () => {
    const h = harness();
    const facts = JSON.parse(JSON.stringify(h.observed)) as { hosts: { gateways: { value: { health: { status: string } }[] } }[] };
    facts.hosts[1]!.gateways.value[0]!.health.status = "fine";
    writeFileSync(join(dir, "facts.json"), JSON.stringify(facts));
    expect(await runReportCommand("fleet.yaml", options({ fromFacts: join(dir, "facts.json") }), h.deps)).toBe(ExitCode.ValidationError);
    expect(h.err()).toBe(`${join(dir, "facts.json")}: not facts saved by \`nemoclaw facts --json\`:\n  /hosts/1/gateways/value/0/health/status: must be equal to one of the allowed values: "healthy", "unhealthy", "stopped", "unreachable", "unknown"\n`);

    writeFileSync(join(dir, "cut.json"), JSON.stringify(h.observed).slice(0, 100));
    expect(await runReportCommand("fleet.yaml", options({ fromFacts: join(dir, "cut.json") }), h.deps)).toBe(ExitCode.ValidationError);
    expect(h.err()).toContain(`${join(dir, "cut.json")}: not facts saved by \`nemoclaw facts --json\`:\n  is not JSON (damaged or cut short?)`);
    expect(h.contacted).toEqual([]);
  });

  it("refuses facts or a plan naming hosts the fleet file does not have", async () => {
    const h = harness();
    const facts = { hosts: [{ ...h.observed.hosts[0]!, host: "spark-99" }] };
    writeFileSync(join(dir, "facts.json"), JSON.stringify(facts));
    expect(await runReportCommand("fleet.yaml", options({ fromFacts: join(dir, "facts.json") }), h.deps)).toBe(ExitCode.ValidationError);
    expect(h.err()).toBe(`nemoclaw report: ${join(dir, "facts.json")}: names host(s) that are not in /srv/fleet/fleet.yaml: spark-99\n`);

    const edited = harness();
    writePlanFile(join(dir, "plan.json"), edited.plan);
    const text = readFileSync(join(dir, "plan.json"), "utf8").replace("sandbox coder does not exist", "nothing to see");
    writeFileSync(join(dir, "plan.json"), text);
    expect(await runReportCommand("fleet.yaml", options({ fromPlan: join(dir, "plan.json") }), edited.deps)).toBe(ExitCode.ValidationError);
    expect(edited.err()).toContain("does not match its planDigest");
  });

  it("refuses facts or a plan that leave out a host the report selects, instead of a page without it", async () => {
    const h = harness();
    const facts = { hosts: h.observed.hosts.filter((host) => host.host === "spark-01") };
    writeFileSync(join(dir, "facts.json"), JSON.stringify(facts));
    const html = join(dir, "fleet.html");
    expect(await runReportCommand("fleet.yaml", options({ html, fromFacts: join(dir, "facts.json") }), h.deps)).toBe(ExitCode.ValidationError);
    expect(h.err()).toBe(
      `nemoclaw report: ${join(dir, "facts.json")}: holds no facts for spark-02, spark-03, station-01, spark-09, which the report selects; save it again for every host (\`nemoclaw facts --json\`, with the same --limit), or narrow the report with --limit\n`,
    );
    expect(existsSync(html)).toBe(false);

    const partial = harness();
    writePlanFile(join(dir, "plan.json"), { ...partial.plan, hosts: partial.plan.hosts.filter((host) => host.host !== "station-01") });
    expect(await runReportCommand("fleet.yaml", options({ html, fromPlan: join(dir, "plan.json") }), partial.deps)).toBe(ExitCode.ValidationError);
    expect(partial.err()).toContain(`${join(dir, "plan.json")}: has no plan for station-01, which the report selects`);
    expect(existsSync(html)).toBe(false);

    // The same facts with the --limit they were saved with make the page.
    const narrowed = harness();
    narrowed.deps.select = () => ["spark-01"];
    expect(await runReportCommand("fleet.yaml", options({ html, fromFacts: join(dir, "facts.json"), limit: "spark-01" }), narrowed.deps)).toBe(ExitCode.Ok);
    expect(narrowed.contacted).toEqual([]);
  });

  it("--metrics-file writes everything the page shows: the fleet, the plan, the backups and the latest run of each kind", async ({ skip }) => {
    const h = harness();
    const runs = join(dir, "runs");
    for (const [runId, source] of [["20261122T080000Z-aaaaaa", "fleet"], ["20261122T090000Z-bbbbbb", "backup"]] as const) {
      const journal = JournalWriter.open(runs, runId, new Redactor());
      const bus = new EventBus(runId, () => NOW);
      bus.subscribe((event) => journal.write(event));
      for (const body of runEvents(source)) bus.emit(body);
      journal.close();
    }
    const path = join(dir, "nemoclaw.prom");
    expect(await runReportCommand("fleet.yaml", options({ html: join(dir, "fleet.html"), metricsFile: path }), h.deps)).toBe(ExitCode.Ok);
    const text = readFileSync(path, "utf8");
    const families = parseExposition(text);
    expect(stateOf(families, "nemoclaw_host_state", { host: "station-01" })).toBe("blocked");
    expect(stateOf(families, "nemoclaw_sandbox_state", { host: "spark-02", sandbox: "assistant" })).toBe("guards");
    expect(valueOf(families, "nemoclaw_run_info", { command: "apply", run_id: "20261122T080000Z-aaaaaa" })).toBe(1);
    expect(valueOf(families, "nemoclaw_run_info", { command: "backup run", run_id: "20261122T090000Z-bbbbbb" })).toBe(1);
    expect(valueOf(families, "nemoclaw_run_exit_code", { command: "backup run" })).toBe(5);
    if (PROMTOOL_MISSING) skip(PROMTOOL_MISSING);
    expect(checkMetrics(text)).toEqual({ code: 0, output: "" });
  });
});
