/**
 * Metrics files: the exposition format (escaping, one TYPE per family, no duplicate series), the
 * families built from the demo's field scenarios, a run and the backup stores — read back with an
 * independent parser and, where installed, checked by the real `promtool check metrics`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EventBus } from "../../../src/apply/events.js";
import { RunTally } from "../../../src/apply/tally.js";
import type { PolicyFreshness } from "../../../src/backup/catalogue.js";
import { backupFamilies, observedFamilies, planFamilies, runFamilies } from "../../../src/report/fleet-metrics.js";
import { fleetStatus } from "../../../src/report/fleet-status.js";
import { gauge, renderExposition, stateSet, writeMetricsFile } from "../../../src/report/metrics.js";
import { OutputPathError } from "../../../src/report/output-file.js";
import { parseExposition, stateOf, valueOf } from "../../support/exposition.js";
import { checkMetrics, PROMTOOL_MISSING } from "../../support/promtool.js";
import { demoFleet, FRESH_ASSISTANT, HOSTILE, nightlyFreshness, NOW, runEvents } from "./fleet-fixtures.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "metrics-test-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function demoExposition(): string {
  const hosts = fleetStatus({ ...demoFleet(), now: NOW });
  return renderExposition([...observedFamilies(hosts), ...planFamilies(hosts)], ["nemoclaw plan"]);
}

describe("the exposition format", () => {
  it("escapes label values and HELP text as the format says, so any string reads back exactly", () => {
    const value = 'a"b\\c\nd}{,=';
    const text = renderExposition([gauge("nemoclaw_test", "help with \\ and\nnewline", ["name"], [{ labels: { name: value }, value: 1 }])]);
    expect(text).toBe('# HELP nemoclaw_test help with \\\\ and\\nnewline\n# TYPE nemoclaw_test gauge\nnemoclaw_test{name="a\\"b\\\\c\\nd}{,="} 1\n');
    const family = parseExposition(text).get("nemoclaw_test")!;
    expect(family.help).toBe("help with \\ and\nnewline");
    expect(family.samples[0]!.labels.name).toBe(value);
  });

  it("writes special values as Prometheus spells them, and no timestamps", () => {
    const text = renderExposition([gauge("nemoclaw_test", "x", ["v"], [{ labels: { v: "a" }, value: NaN }, { labels: { v: "b" }, value: Infinity }, { labels: { v: "c" }, value: -Infinity }, { labels: { v: "d" }, value: 0.25 }])]);
    expect(text.split("\n").slice(2, 6)).toEqual(['nemoclaw_test{v="a"} NaN', 'nemoclaw_test{v="b"} +Inf', 'nemoclaw_test{v="c"} -Inf', 'nemoclaw_test{v="d"} 0.25']);
  });

  it("leaves out families without samples and refuses what would make an invalid file", () => {
    expect(renderExposition([gauge("nemoclaw_empty", "x", ["a"], [])])).toBe("\n");
    expect(() => gauge("nemoclaw_things_total", "x", [], [])).toThrow(/a gauge does not end in _total/);
    expect(() => gauge("nemoclaw-bad", "x", [], [])).toThrow(/invalid metric name/);
    expect(() => gauge("nemoclaw_x", "x", ["__reserved"], [])).toThrow(/invalid label name/);
    const twice = gauge("nemoclaw_x", "x", ["a"], [{ labels: { a: "1" }, value: 1 }, { labels: { a: "1" }, value: 2 }]);
    expect(() => renderExposition([twice])).toThrow(/written twice/);
    const ragged = gauge("nemoclaw_x", "x", ["a"], [{ labels: { b: "1" }, value: 1 }]);
    expect(() => renderExposition([ragged])).toThrow(/labels b, the family a/);
  });

  it("models a state set as one sample per state, the current one 1, an unforeseen state added", () => {
    expect(stateSet({ host: "h" }, "state", ["ok", "bad"], "bad").map((sample) => [sample.labels.state, sample.value])).toEqual([["ok", 0], ["bad", 1]]);
    expect(stateSet({ host: "h" }, "state", ["ok"], "odd").map((sample) => sample.labels.state)).toEqual(["ok", "odd"]);
  });
});

describe("the fleet as metrics", () => {
  const families = parseExposition(demoExposition());

  it("passes promtool check metrics", ({ skip }) => {
    if (PROMTOOL_MISSING) skip(PROMTOOL_MISSING);
    const run = checkMetrics(demoExposition());
    expect(run.output).toBe("");
    expect(run.code).toBe(0);
  });

  it("gives every family HELP and TYPE gauge, names prefixed nemoclaw_ and labels snake_case", () => {
    for (const [name, family] of families) {
      expect(name).toMatch(/^nemoclaw_[a-z0-9_]+$/);
      expect(family.type).toBe("gauge");
      expect(family.help.length).toBeGreaterThan(10);
      for (const sample of family.samples) for (const label of Object.keys(sample.labels)) expect(label).toMatch(/^[a-z][a-z0-9_]*$/);
    }
  });

  it("says each host's state against the fleet file, and its pending steps by risk", () => {
    const states = ["spark-01", "spark-02", "spark-03", "station-01", "spark-09"].map((host) => stateOf(families, "nemoclaw_host_state", { host }));
    expect(states).toEqual(["drift", "drift", "drift", "blocked", "unreachable"]);
    expect(valueOf(families, "nemoclaw_host_pending_steps", { host: "spark-02", risk: "safe" })).toBeGreaterThan(0);
    expect(valueOf(families, "nemoclaw_host_pending_steps", { host: "station-01", risk: "safe" })).toBe(0);
    expect(valueOf(families, "nemoclaw_host_up", { host: "spark-09" })).toBe(0);
    expect(valueOf(families, "nemoclaw_host_up", { host: "spark-01" })).toBe(1);
  });

  it("puts the releases in labels of an info metric and flags schema drift", () => {
    expect(families.get("nemoclaw_host_info")!.samples.find((sample) => sample.labels.host === "station-01")!.labels).toEqual({
      host: "station-01",
      nemoclaw_version: "0.0.80",
      openshell_version: "0.0.72",
      gateway_binary_version: "0.0.72",
    });
    expect(families.get("nemoclaw_gateway_info")!.samples.find((sample) => sample.labels.host === "station-01")!.labels.running_version).toBe("0.0.71");
    expect(valueOf(families, "nemoclaw_host_schema_drift", { host: "station-01" })).toBe(1);
    expect(valueOf(families, "nemoclaw_host_schema_drift", { host: "spark-01" })).toBe(0);
    // Nothing is claimed about a host that could not be observed.
    expect(families.get("nemoclaw_host_info")!.samples.some((sample) => sample.labels.host === "spark-09")).toBe(false);
  });

  it("gives each sandbox its state, phase and guard state: lost guards, a stale lock, a stale registry entry", () => {
    const assistant = (host: string) => ({ host, gateway: "nemoclaw", sandbox: "assistant" });
    expect(stateOf(families, "nemoclaw_sandbox_state", assistant("spark-01"))).toBe("ok");
    expect(stateOf(families, "nemoclaw_sandbox_state", assistant("spark-02"))).toBe("guards");
    expect(stateOf(families, "nemoclaw_sandbox_guard_state", assistant("spark-02"))).toBe("problem");
    expect(valueOf(families, "nemoclaw_sandbox_stale_gateway_locks", assistant("spark-02"))).toBe(1);
    expect(stateOf(families, "nemoclaw_sandbox_phase", assistant("spark-02"), "phase")).toBe("Ready");
    expect(stateOf(families, "nemoclaw_sandbox_state", assistant("spark-03"))).toBe("missing");
    expect(valueOf(families, "nemoclaw_registry_stale_entries", { host: "spark-03" })).toBe(1);
    expect(valueOf(families, "nemoclaw_registry_stale_entries", { host: "spark-01" })).toBe(0);
    expect(stateOf(families, "nemoclaw_sandbox_state", { host: "spark-01", sandbox: "coder" })).toBe("missing");
  });

  it("carries a hostile sandbox name as an exact label value", () => {
    expect(stateOf(families, "nemoclaw_sandbox_state", { host: "spark-01", sandbox: HOSTILE })).toBe("ok");
  });

  it("says which hosts a run holds locked, and for how long", () => {
    expect(valueOf(families, "nemoclaw_fleet_lock_held", { host: "spark-02" })).toBe(1);
    expect(valueOf(families, "nemoclaw_fleet_lock_age_seconds", { host: "spark-02" })).toBe(30 * 60);
    expect(valueOf(families, "nemoclaw_fleet_lock_held", { host: "spark-01" })).toBe(0);
    expect(families.get("nemoclaw_fleet_lock_age_seconds")!.samples).toHaveLength(1);
  });

  it("writes only what it observed when there is no plan (facts)", () => {
    const hosts = fleetStatus({ ...demoFleet(), plan: null, now: NOW });
    expect(planFamilies(hosts).every((family) => family.samples.length === 0)).toBe(true);
  });
});

describe("a run as metrics", () => {
  function summary(...after: Parameters<EventBus["emit"]>[0][]) {
    const bus = new EventBus("20261122T090000Z-abc123", () => NOW);
    const tally = new RunTally(bus.runId);
    bus.subscribe((event) => tally.apply(event));
    for (const body of [...runEvents("fleet"), ...after]) bus.emit(body);
    return tally.summary();
  }

  it("counts the webhook notices that did not arrive, as the journal recorded them, and says nothing without a webhook", () => {
    const failing = summary({ type: "notify-finished", webhook: "env:HOOK", delivered: 0, problems: ["the webhook env:HOOK did not take the run notice: it answered HTTP 500"], trouble: "exit 5 spark-02:failed", since: null, told: null });
    expect(valueOf(parseExposition(renderExposition(runFamilies("apply", failing))), "nemoclaw_run_notify_failures", { command: "apply" })).toBe(1);
    const delivered = summary({ type: "notify-finished", webhook: "env:HOOK", delivered: 1, problems: [], trouble: null, since: null, told: null });
    expect(valueOf(parseExposition(renderExposition(runFamilies("apply", delivered))), "nemoclaw_run_notify_failures", { command: "apply" })).toBe(0);
    expect(renderExposition(runFamilies("apply", summary()))).not.toContain("nemoclaw_run_notify_failures");
  });

  it("tells the outcome, the duration and each host's status of the latest run", () => {
    const text = renderExposition(runFamilies("apply", summary()));
    const families = parseExposition(text);
    expect(valueOf(families, "nemoclaw_run_exit_code", { command: "apply" })).toBe(5);
    expect(valueOf(families, "nemoclaw_run_duration_seconds", { command: "apply" })).toBe(61.5);
    expect(valueOf(families, "nemoclaw_run_finished_timestamp_seconds", { command: "apply" })).toBe(NOW.getTime() / 1000);
    expect(valueOf(families, "nemoclaw_run_info", { command: "apply", run_id: "20261122T090000Z-abc123" })).toBe(1);
    expect(valueOf(families, "nemoclaw_run_hosts", { command: "apply", status: "failed" })).toBe(1);
    expect(valueOf(families, "nemoclaw_run_hosts", { command: "apply", status: "ok" })).toBe(0);
    expect(stateOf(families, "nemoclaw_run_host_status", { command: "apply", host: "station-01" }, "status")).toBe("blocked");
    expect(valueOf(families, "nemoclaw_run_steps", { command: "apply", status: "failed" })).toBe(1);
    expect(valueOf(families, "nemoclaw_run_steps", { command: "apply", status: "ok" })).toBe(1);
  });

  it("passes promtool check metrics", ({ skip }) => {
    if (PROMTOOL_MISSING) skip(PROMTOOL_MISSING);
    expect(checkMetrics(renderExposition(runFamilies("backup run", summary())))).toEqual({ code: 0, output: "" });
  });

  it("counts a host a killed run never finished as unfinished in both families, so they agree and add up to the run's hosts", () => {
    // The journal of a SIGKILLed run: station-01 never finished, and there is no run-finished record.
    const bus = new EventBus("20261122T100000Z-dead01", () => NOW);
    const tally = new RunTally(bus.runId);
    bus.subscribe((event) => tally.apply(event));
    for (const body of runEvents("fleet").filter((body) => body.type !== "run-finished" && !(body.type === "host-finished" && body.host === "station-01"))) bus.emit(body);
    const run = tally.summary();
    const families = parseExposition(renderExposition(runFamilies("apply", run)));
    expect(stateOf(families, "nemoclaw_run_host_status", { command: "apply", host: "station-01" }, "status")).toBe("unfinished");
    expect(valueOf(families, "nemoclaw_run_hosts", { command: "apply", status: "unfinished" })).toBe(1);
    expect(valueOf(families, "nemoclaw_run_hosts", { command: "apply", status: "interrupted" })).toBe(0);
    const counted = families.get("nemoclaw_run_hosts")?.samples.reduce((sum, sample) => sum + sample.value, 0);
    expect(counted).toBe(run.hosts.length);
  });
});

describe("backups as metrics", () => {
  const policies: PolicyFreshness[] = [
    nightlyFreshness([FRESH_ASSISTANT, { host: "spark-02", sandbox: "assistant", latestVerified: null, newest: null, state: "never" }]),
    { policy: "offsite", schedule: null, firedAt: null, intervalSeconds: null, stores: [{ store: "backup-01:/srv", error: "connection refused" }], series: [{ ...FRESH_ASSISTANT, latestVerified: null, newest: null, state: "unknown" }] },
  ];
  const families = parseExposition(renderExposition(backupFamilies(policies, NOW)));

  it("gives the age and time of each sandbox's newest verified backup, its state and the policy's interval", () => {
    const series = { policy: "nightly", host: "spark-01", sandbox: "assistant" };
    expect(valueOf(families, "nemoclaw_backup_last_verified_timestamp_seconds", series)).toBe(Date.parse("2026-11-22T02:00:30.000Z") / 1000);
    expect(valueOf(families, "nemoclaw_backup_age_seconds", series)).toBe(NOW.getTime() / 1000 - Date.parse("2026-11-22T02:00:30.000Z") / 1000);
    expect(stateOf(families, "nemoclaw_backup_state", series)).toBe("fresh");
    expect(stateOf(families, "nemoclaw_backup_state", { policy: "nightly", host: "spark-02" })).toBe("never");
    expect(valueOf(families, "nemoclaw_backup_policy_interval_seconds", { policy: "nightly" })).toBe(86_400);
    expect(families.get("nemoclaw_backup_age_seconds")!.samples).toHaveLength(1);
  });

  it("says which stores could not be read", () => {
    expect(valueOf(families, "nemoclaw_backup_store_up", { store: "/srv/backups" })).toBe(1);
    expect(valueOf(families, "nemoclaw_backup_store_up", { store: "backup-01:/srv" })).toBe(0);
    expect(stateOf(families, "nemoclaw_backup_state", { policy: "offsite" })).toBe("unknown");
  });
});

describe("writing the file", () => {
  it("replaces the file whole, readable by the exporter's user, and leaves no temporary file", () => {
    const path = join(dir, "nemoclaw.prom");
    writeMetricsFile(path, [gauge("nemoclaw_a", "first", [], [{ labels: {}, value: 1 }])]);
    writeMetricsFile(path, [gauge("nemoclaw_b", "second", [], [{ labels: {}, value: 2 }])], ["nemoclaw plan"]);
    expect(readFileSync(path, "utf8")).toBe("# nemoclaw plan\n# HELP nemoclaw_b second\n# TYPE nemoclaw_b gauge\nnemoclaw_b 2\n");
    expect(statSync(path).mode & 0o777).toBe(0o644);
    expect(readdirSync(dir)).toEqual(["nemoclaw.prom"]);
  });

  it("names the path when its directory is missing", () => {
    const path = join(dir, "missing", "nemoclaw.prom");
    expect(() => writeMetricsFile(path, [])).toThrow(OutputPathError);
    expect(() => writeMetricsFile(path, [])).toThrow(`${path}: directory ${join(dir, "missing")} does not exist`);
  });
});

describe("docs/monitoring.md", () => {
  it("lists every metric the tool writes, with its labels, and no other", () => {
    const doc = readFileSync(new URL("../../../docs/monitoring.md", import.meta.url), "utf8");
    const documented = new Map(
      [...doc.matchAll(/^\| `(nemoclaw_[a-z_]+)` \| ([^|]*) \|/gm)].map((row) => [row[1]!, [...row[2]!.matchAll(/`([a-z_]+)`/g)].map((label) => label[1]!)]),
    );
    const hosts = fleetStatus({ ...demoFleet(), now: NOW });
    const written = [...observedFamilies(hosts), ...planFamilies(hosts), ...runFamilies("apply", new RunTally("r").summary()), ...backupFamilies([], NOW)];
    expect(new Map(written.map((family) => [family.name, [...family.labelNames]]))).toEqual(documented);
  });
});
