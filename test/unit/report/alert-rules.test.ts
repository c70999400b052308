/**
 * The alert rules of docs/monitoring.md, as written there: checked by the real `promtool check
 * rules` and made to fire (and not before) by `promtool test rules`. promtool comes with Debian's
 * prometheus package (scripts/install-test-deps.sh installs it); without it these are skipped.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { promtool, PROMTOOL_MISSING } from "../../support/promtool.js";

describe("the alert rules of docs/monitoring.md", () => {
  const rules = /## Alert rules[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readFileSync(fileURLToPath(new URL("../../../docs/monitoring.md", import.meta.url)), "utf8"))?.[1] ?? "";
  const ruleDir = mkdtempSync(join(tmpdir(), "ncf-rules-"));
  afterAll(() => rmSync(ruleDir, { recursive: true, force: true }));

  /** `promtool test rules` on the rules as the docs write them, with these tests (a unit-test file of promtool's). */
  function passesRuleTests(file: string, tests: string): void {
    writeFileSync(join(ruleDir, "nemoclaw.rules.yml"), rules);
    writeFileSync(join(ruleDir, file), tests);
  }

  it("pass promtool check rules", ({ skip }) => {
    if (PROMTOOL_MISSING) skip(PROMTOOL_MISSING);
    writeFileSync(join(ruleDir, "nemoclaw.rules.yml"), rules);
    const run = promtool(["check", "rules", join(ruleDir, "nemoclaw.rules.yml")]);
    expect(run.output).toContain("SUCCESS: 9 rules found");
    expect(run.code).toBe(0);
  });

  it("fire for a backup older than its policy and for a blocked host, and not before", ({ skip }) => {
    if (PROMTOOL_MISSING) skip(PROMTOOL_MISSING);
    // promtool evaluates from the Unix epoch: time() is the evaluation time in seconds.
    passesRuleTests(
      "test.yml",
      `rule_files: [nemoclaw.rules.yml]
evaluation_interval: 1m
tests:
  - interval: 5m
    input_series:
      - series: 'nemoclaw_backup_last_verified_timestamp_seconds{policy="nightly",host="spark-01",sandbox="assistant"}'
        values: '0x400'
      - series: 'nemoclaw_backup_last_verified_timestamp_seconds{policy="nightly",host="spark-02",sandbox="assistant"}'
        values: '86400x400'
      - series: 'nemoclaw_backup_policy_interval_seconds{policy="nightly"}'
        values: '86400x400'
      - series: 'nemoclaw_host_state{host="station-01",state="blocked"}'
        values: '1x400'
      - series: 'nemoclaw_host_state{host="spark-01",state="blocked"}'
        values: '0x400'
    alert_rule_test:
      - eval_time: 25h
        alertname: NemoclawBackupOlderThanPolicy
        exp_alerts: []
      - eval_time: 26h
        alertname: NemoclawBackupOlderThanPolicy
        exp_alerts:
          - exp_labels: { severity: warning, policy: nightly, host: spark-01, sandbox: assistant }
            exp_annotations:
              summary: "spark-01/assistant: no verified backup within policy nightly"
              description: "The newest verified backup is 1d 2h 0m 0s old. See \`nemoclaw backup due\` and \`nemoclaw history\`."
      - eval_time: 5m
        alertname: NemoclawHostBlocked
        exp_alerts: []
      - eval_time: 15m
        alertname: NemoclawHostBlocked
        exp_alerts:
          - exp_labels: { severity: critical, host: station-01, state: blocked }
            exp_annotations:
              summary: "station-01: blocked by NemoClaw's schema preflight"
              description: "The installed OpenShell CLI and a running gateway differ; nothing that trusts sandbox state runs there. Run \`nemoclaw onboard --resume\` on the host; \`nemoclaw plan\` shows the block."
`,
    );
  });

  it("fire for a run that failed, never for an apply whose risk ceiling only held steps back (exit 2, a scheduled apply's success)", ({ skip }) => {
    if (PROMTOOL_MISSING) skip(PROMTOOL_MISSING);
    passesRuleTests(
      "runs.yml",
      `rule_files: [nemoclaw.rules.yml]
evaluation_interval: 1m
tests:
  - interval: 5m
    input_series:
      - series: 'nemoclaw_run_exit_code{command="apply"}'
        values: '2x10'
      - series: 'nemoclaw_run_exit_code{command="backup run"}'
        values: '5x10'
    alert_rule_test:
      - eval_time: 10m
        alertname: NemoclawRunFailed
        exp_alerts:
          - exp_labels: { severity: warning, command: backup run }
            exp_annotations:
              summary: "the last nemoclaw backup run exited 5"
              description: "See \`nemoclaw history\` for each host and step."
`,
    );
  });

  it("fire for a metrics file node_exporter names by its full path (1.3 and later) or by its name, and for no other file", ({ skip }) => {
    if (PROMTOOL_MISSING) skip(PROMTOOL_MISSING);
    // node_exporter's textfile collector labels node_textfile_mtime_seconds with the file's full
    // path since v1.3.0 (collector/textfile.go, mtimes[metricsFilePath]); before, with its name.
    passesRuleTests(
      "stale.yml",
      `rule_files: [nemoclaw.rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1h
    input_series:
      - series: 'node_textfile_mtime_seconds{instance="ctl-01:9100",file="/var/lib/prometheus/node-exporter/nemoclaw.prom"}'
        values: '0x10'
      - series: 'node_textfile_mtime_seconds{instance="ctl-02:9100",file="nemoclaw-plan.prom"}'
        values: '0x10'
      - series: 'node_textfile_mtime_seconds{instance="ctl-01:9100",file="/var/lib/prometheus/node-exporter/nemoclaw/apt.prom"}'
        values: '0x10'
      - series: 'node_textfile_mtime_seconds{instance="ctl-01:9100",file="/var/lib/prometheus/node-exporter/smartmon.prom"}'
        values: '0x10'
    alert_rule_test:
      - eval_time: 1h
        alertname: NemoclawMetricsStale
        exp_alerts: []
      - eval_time: 3h
        alertname: NemoclawMetricsStale
        exp_alerts:
          - exp_labels: { severity: warning, instance: "ctl-01:9100", file: /var/lib/prometheus/node-exporter/nemoclaw.prom }
            exp_annotations:
              summary: "/var/lib/prometheus/node-exporter/nemoclaw.prom on ctl-01:9100 was last written 3h 0m 0s ago"
          - exp_labels: { severity: warning, instance: "ctl-02:9100", file: nemoclaw-plan.prom }
            exp_annotations:
              summary: "nemoclaw-plan.prom on ctl-02:9100 was last written 3h 0m 0s ago"
`,
    );
  });

  it("tell an unattended apply that keeps failing or stopped running from one that only holds steps back", ({ skip }) => {
    if (PROMTOOL_MISSING) skip(PROMTOOL_MISSING);
    // What node_exporter scrapes each minute from `nemoclaw report --metrics-file` (the journal's
    // latest runs): instance "held" has a disruptive step held back (exit 2) while its scheduled apply
    // runs every 5m; "broken" fails every run and its webhook is down; "stopped" last finished a run at the epoch.
    passesRuleTests(
      "test.yml",
      `rule_files: [nemoclaw.rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'nemoclaw_run_exit_code{command="apply",instance="held"}'
        values: '2x600'
      - series: 'nemoclaw_run_finished_timestamp_seconds{command="apply",instance="held"}'
        values: '0+60x600'
      - series: 'nemoclaw_run_exit_code{command="apply",instance="broken"}'
        values: '5x600'
      - series: 'nemoclaw_run_finished_timestamp_seconds{command="apply",instance="broken"}'
        values: '0+60x600'
      - series: 'nemoclaw_run_notify_failures{command="apply",instance="broken"}'
        values: '1x600'
      - series: 'nemoclaw_run_notify_failures{command="apply",instance="held"}'
        values: '0x600'
      - series: 'nemoclaw_run_exit_code{command="apply",instance="stopped"}'
        values: '0x600'
      - series: 'nemoclaw_run_finished_timestamp_seconds{command="apply",instance="stopped"}'
        values: '0x600'
    alert_rule_test:
      - eval_time: 10h
        alertname: NemoclawRunFailed
        exp_alerts:
          - exp_labels: { severity: warning, command: apply, instance: broken }
            exp_annotations:
              summary: "the last nemoclaw apply exited 5"
              description: "See \`nemoclaw history\` for each host and step."
      - eval_time: 50m
        alertname: NemoclawRepairsKeepFailing
        exp_alerts: []
      - eval_time: 10h
        alertname: NemoclawRepairsKeepFailing
        exp_alerts:
          - exp_labels: { severity: critical, command: apply, instance: broken }
            exp_annotations:
              summary: "every nemoclaw apply for an hour has failed (the last exited 5)"
              description: "Unattended repairs are not getting through. See \`nemoclaw history\` for each host and step."
      - eval_time: 10h
        alertname: NemoclawNotifyFailing
        exp_alerts:
          - exp_labels: { severity: warning, command: apply, instance: broken }
            exp_annotations:
              summary: "the last nemoclaw apply could not tell its webhook (1 notice(s) lost)"
              description: "\`nemoclaw history last --json\` has the reason in its notify field; the run itself went on."
      - eval_time: 59m
        alertname: NemoclawScheduleStopped
        exp_alerts: []
      - eval_time: 10h
        alertname: NemoclawScheduleStopped
        exp_alerts:
          - exp_labels: { severity: critical, command: apply, instance: stopped }
            exp_annotations:
              summary: "no nemoclaw apply has finished for 10h 0m 0s"
              description: "The scheduled apply stopped running, is skipped (exit 75), or stops before it starts (exit 1 or 3). See \`journalctl --user -u 'nemoclaw-*-apply.service'\` or the crontab's mail."
`,
    );
  });
});
