/**
 * The report page from the demo's field scenarios: one self-contained file (no script, no
 * external asset, a CSP that forbids both), each host and sandbox in the class of its state with
 * its explanation, the preflight block verbatim, backups and runs — and nothing a host reports
 * can inject markup. (test/integration/report.test.ts opens the real demo's page in Chromium.)
 */
import { describe, expect, it } from "vitest";
import { EventBus } from "../../../src/apply/events.js";
import type { RunListing } from "../../../src/apply/history.js";
import { RunTally } from "../../../src/apply/tally.js";
import { fleetStatus } from "../../../src/report/fleet-status.js";
import { escapeHtml, html } from "../../../src/report/html.js";
import { type FleetReport, renderReportHtml } from "../../../src/report/report-html.js";
import { demoFleet, FRESH_ASSISTANT, HOSTILE, nightlyFreshness, NOW, runEvents, STALE_LOCK } from "./fleet-fixtures.js";

function demoReport(): FleetReport {
  const { fleet, observed, plan } = demoFleet();
  const run: RunListing = {
    runId: "20261122T083000Z-3fa2c1",
    startedAt: "2026-11-22T08:30:00.000Z",
    user: "ops",
    machine: "ctl-01",
    fleet: "/srv/fleet/fleet.yaml",
    source: "fleet",
    hosts: 5,
    outcomes: { ok: 3, blocked: 1, unreachable: 1 },
    exitCode: 8,
    complete: true,
    damaged: null,
    durationMs: 372_000,
    journal: "/home/ops/.local/state/nemoclaw-fleet/runs/20261122T083000Z-3fa2c1.jsonl",
  };
  return {
    fleet: { name: "lab", file: fleet.sourceFile },
    generatedAt: NOW.toISOString(),
    toolVersion: "0.1.0",
    sources: { facts: "observed now", plan: "made now from these facts", backups: "1 store", runs: "/home/ops/.local/state/nemoclaw-fleet/runs" },
    hosts: fleetStatus({ fleet, observed, plan, now: NOW }),
    backups: [
      nightlyFreshness([
        FRESH_ASSISTANT,
        { host: "spark-02", sandbox: "assistant", latestVerified: "2026-11-20T02:00:30.000Z", newest: { createdAt: "2026-11-20T02:00:30.000Z", verified: true }, state: "overdue" },
        { host: "spark-03", sandbox: HOSTILE, latestVerified: null, newest: null, state: "never" },
      ]),
    ],
    runs: [run],
    latestRuns: [],
    problems: [`journal ${run.journal}: line 3 is not a readable event <b>`],
  };
}

/** The opening tag of the element carrying `data-<attribute>="<value>"` (values as they appear escaped). */
function tagWith(page: string, attribute: string, value: string, from = 0): string {
  const at = page.indexOf(`data-${attribute}="${escapeHtml(value)}"`, from);
  if (at < 0) throw new Error(`no element with data-${attribute}=${value}`);
  return page.slice(page.lastIndexOf("<", at), page.indexOf(">", at) + 1);
}

/** The text of an element's subtree up to its closing tag of `name`, tags removed. */
function textFrom(page: string, attribute: string, value: string, name: string): string {
  const tag = tagWith(page, attribute, value);
  const start = page.indexOf(tag);
  const end = page.indexOf(`</${name}>`, start);
  return page.slice(start, end).replace(/<[^>]+>/g, "").replace(/\s+/g, " ");
}

describe("the report page", () => {
  const page = renderReportHtml(demoReport());

  it("is one self-contained file: no script, no external asset, a policy that forbids both", () => {
    expect(page.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(page).not.toMatch(/<(script|link|img|iframe|object|embed|base)\b/i);
    // The only links are to the page's own sections.
    expect(page).not.toMatch(/\s(src|href|action|srcset)="(?!#)/i);
    expect(page).not.toMatch(/url\(|@import/i);
    expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">`);
    expect(page).toContain("@media screen and (prefers-color-scheme: dark)");
    expect(page).toContain("@media print");
  });

  it("never lets a host's strings become markup", () => {
    expect(page).not.toContain(HOSTILE);
    expect(page).toContain(escapeHtml(HOSTILE));
    expect(page).not.toContain("</pre><script>");
    expect(page).toContain("openshell-gateway&lt;/pre&gt;&lt;script&gt;alert(2)&lt;/script&gt;");
    expect(page).toContain("line 3 is not a readable event &lt;b&gt;");
    expect(html`<p title="${'"><x'}">${["<a>", html`<b>`]}</p>`.text).toBe('<p title="&quot;&gt;&lt;x">&lt;a&gt;<b></p>');
  });

  it("gives each host the class and words of its state, and why", () => {
    const expected: Record<string, [string, string]> = {
      "spark-01": ["drift", "2 steps pending (2 safe)"],
      "spark-02": ["drift", "steps pending"],
      "spark-03": ["drift", "steps pending"],
      "station-01": ["blocked", "the schema preflight refuses state-touching work: installed OpenShell 0.0.72, gateway nemoclaw runs 0.0.71"],
      "spark-09": ["unreachable", "unreachable (timeout): no answer within 30s"],
    };
    for (const [host, [state, why]] of Object.entries(expected)) {
      expect(tagWith(page, "host", host)).toMatch(new RegExp(`^<tr id="host-\\d" class="host state-${state}" data-host="${host}" data-state="${state}">$`));
      expect(textFrom(page, "host", host, "tr")).toContain(why);
    }
  });

  it("colours each sandbox by its state with the reason: lost guards and a stale lock, a stale registry entry, one not created yet", () => {
    const cell = (host: string, sandbox: string) => {
      const row = page.indexOf(tagWith(page, "host", host));
      return page.slice(page.lastIndexOf("<", page.indexOf(`data-sandbox="${escapeHtml(sandbox)}"`, row)), page.indexOf("</li>", page.indexOf(`data-sandbox="${escapeHtml(sandbox)}"`, row)));
    };
    expect(cell("spark-01", "assistant")).toMatch(/class="sandbox tone-good cell-ok"[^>]*data-state="ok"/);
    expect(cell("spark-01", "coder")).toMatch(/class="sandbox tone-missing cell-missing"/);
    expect(cell("spark-01", "coder")).toContain("in the fleet file, not created on the host yet");
    expect(cell("spark-02", "assistant")).toMatch(/class="sandbox tone-bad cell-guards"/);
    expect(cell("spark-02", "assistant")).toContain(`/tmp/nemoclaw-proxy-env.sh is missing`);
    expect(cell("spark-02", "assistant")).toContain(`stale gateway lock ${STALE_LOCK} (pid 77 is gone); agent gateway not running`);
    expect(cell("spark-03", "assistant")).toMatch(/class="sandbox tone-missing cell-missing"/);
    expect(cell("spark-03", "assistant")).toContain("(stale registry entry)");
  });

  it("shows the preflight block verbatim, and says when a host cannot be seen", () => {
    const { plan } = demoFleet();
    const block = plan.hosts.find((host) => host.host === "station-01")!.block!;
    // A newline right after <pre> is dropped by HTML: the block's own blank first line follows it.
    expect(page).toContain(`<pre>\n${escapeHtml(block.lines.join("\n"))}</pre>`);
    expect(block.lines[0]).toBe("");
    expect(textFrom(page, "host", "spark-09", "tr")).toContain("gateways unknown: the host could not be reached");
  });

  it("shows versions against the fleet file, the fleet lock, backups against their policy and the runs", () => {
    expect(textFrom(page, "host", "spark-02", "tr")).toContain("held by ops@ctl-01 (run 20261122T090000Z-aaaaaa, pid 4711) for 30m; expired 20m ago");
    expect(tagWith(page, "state", "overdue")).toContain('class="series tone-bad fresh-overdue"');
    expect(textFrom(page, "policy", "nightly", "article")).toContain("2026-11-22T02:00:30.000Z (8h old)");
    expect(page).toContain("a backup may be at most 24h old");
    expect(textFrom(page, "run", "20261122T083000Z-3fa2c1", "tr")).toMatch(/apply.*ops@ctl-01.*3 ok.*1 blocked.*1 unreachable.*exit 8.*6m12s/);
  });

  it("counts the hosts by state in the header", () => {
    expect(page).toMatch(/<ul class="counts"><li><span class="badge tone-warn state-drift">.*3 drift<\/span><\/li><li><span class="badge tone-bad state-blocked">.*1 blocked<\/span><\/li><li><span class="badge tone-down state-unreachable">.*1 unreachable/);
  });
});

describe("a run killed before every host finished, on the page", () => {
  // The journal of a SIGKILLed run: station-01 started, never finished; no run-finished record.
  const bus = new EventBus("20261122T100000Z-dead01", () => NOW);
  const tally = new RunTally(bus.runId);
  bus.subscribe((event) => tally.apply(event));
  for (const body of runEvents("fleet").filter((body) => body.type !== "run-finished" && !(body.type === "host-finished" && body.host === "station-01"))) bus.emit(body);
  const summary = tally.summary();
  const run: RunListing = { runId: summary.runId, startedAt: null, user: "ops", machine: "ctl-01", fleet: "/srv/fleet/fleet.yaml", source: "fleet", hosts: 2, outcomes: { failed: 1 }, exitCode: summary.exitCode, complete: false, damaged: null, durationMs: null, journal: "/j" };
  const page = renderReportHtml({ ...demoReport(), runs: [run], latestRuns: [{ kind: "apply", summary }] });

  it("calls the host without an outcome unfinished, as the recap does (not interrupted), and counts it with the run's hosts", () => {
    expect(summary.hosts.find((host) => host.host === "station-01")?.status).toBeNull();
    expect(tagWith(page, "status", "unfinished")).toContain('data-host="station-01"');
    expect(page).not.toContain('data-status="interrupted"');
    expect(textFrom(page, "run", run.runId, "tr")).toMatch(/1 failed.*1 unfinished.*did not finish/);
  });

  it("names no kind for a run whose journal has no header (killed while writing it): it may have been a backup run", () => {
    const headless: RunListing = { ...run, runId: "20261122T110000Z-dead02", user: null, machine: null, fleet: null, source: null, hosts: 0, outcomes: {} };
    const listed = renderReportHtml({ ...demoReport(), runs: [headless], latestRuns: [] });
    expect(textFrom(listed, "run", headless.runId, "tr")).toMatch(/^20261122T110000Z-dead02\s*\?\s*\?@\?/);
  });
});
