/**
 * Monitoring against the demo's fleet (scripts/demo-fleet.mjs: spark-01 healthy, spark-02 guards
 * lost with a stale gateway lock, spark-03 a stale registry entry, station-01 schema drift) on
 * real sshd hosts: every command's --metrics-file checked by the real `promtool check metrics`
 * and read back (the alert rules of docs/monitoring.md: test/unit/report/alert-rules.test.ts); the report page before and after apply opened in one
 * headless Chromium, its DOM, colours (light, dark, print) and network requests checked, and a
 * screenshot kept in .test-output/report/.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ObservedFleet } from "../../src/observe/types.js";
import type { Plan } from "../../src/plan/types.js";
import { DEMO_KEY, DRIFTED, HOSTS, sshdInstalled, startHosts } from "../../scripts/demo-fleet.mjs";
import { Browser, CHROMIUM_MISSING, type Page } from "../support/chromium.js";
import { parseExposition, stateOf, valueOf, type ParsedFamily } from "../support/exposition.js";
import { checkMetrics, PROMTOOL_MISSING } from "../support/promtool.js";
import { runCli, type CliRun } from "./apply-support.js";

const SCREENSHOTS = fileURLToPath(new URL("../../.test-output/report/", import.meta.url));
const HOSTILE = `<img src="x.png" onerror="document.title='pwned'">"&amp;'`;
const SPARKS = ["spark-01", "spark-02", "spark-03"];

let dir: string;
let stopHosts: (() => Promise<void>) | undefined;
let env: NodeJS.ProcessEnv;
const runs: Record<string, CliRun> = {};
let browser: Browser | undefined;

async function cli(name: string, args: string[]): Promise<CliRun> {
  const run = await runCli(args, { cwd: dir, env });
  runs[name] = run;
  return run;
}

function expectExit(name: string, code: number): void {
  expect(runs[name]?.code, `${name}: ${runs[name]?.stderr}`).toBe(code);
}

function metrics(file: string): Map<string, ParsedFamily> {
  return parseExposition(readFileSync(join(dir, file), "utf8"));
}

const facts = (): ObservedFleet => JSON.parse(readFileSync(join(dir, "facts.json"), "utf8")) as ObservedFleet;
const plan = (): Plan => JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")) as Plan;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ncf-report-it-"));
  chmodSync(dir, 0o755); // as root, each host's own user must reach its home inside
  const hosts = await startHosts(dir, !sshdInstalled());
  stopHosts = hosts.stop;
  writeFileSync(join(dir, "fleet.yaml"), hosts.fleetYaml);
  env = { ...process.env, NVIDIA_API_KEY: DEMO_KEY, XDG_STATE_HOME: join(dir, "state"), NO_COLOR: "1" };
  delete env.SSH_AUTH_SOCK;
  delete env.FORCE_COLOR;

  // Before apply: the field scenarios as they are.
  writeFileSync(join(dir, "facts.json"), (await cli("facts", ["facts", "fleet.yaml", "--json", "--metrics-file", "facts.prom"])).stdout);
  await cli("plan", ["plan", "fleet.yaml", "-o", "plan.json", "--metrics-file", "plan.prom"]);
  await cli("due", ["backup", "due", "fleet.yaml", "--metrics-file", "backups-before.prom"]);
  await cli("report-before", ["report", "fleet.yaml", "--from-facts", "facts.json", "--from-plan", "plan.json", "--html", "before.html"]);
  // The same facts with what an untrusted host could report: markup in a sandbox name and a binary path.
  const hostile = facts();
  for (const host of hostile.hosts) {
    if (host.gateways.state !== "known") continue;
    const gateway = host.gateways.value[0]!;
    if (host.host === "spark-01" && gateway.sandboxes.state === "known") gateway.sandboxes.value.push({ ...gateway.sandboxes.value[0]!, name: HOSTILE });
    if (host.host === DRIFTED) gateway.binary = `/opt/x</pre><script>document.title='pwned'</script>`;
  }
  writeFileSync(join(dir, "hostile.json"), JSON.stringify(hostile));
  await cli("report-hostile", ["report", "fleet.yaml", "--from-facts", "hostile.json", "--html", "hostile.html"]);

  // The main job, then the fleet as it is after it.
  await cli("apply", ["apply", "plan.json", "--metrics-file", "apply.prom"]);
  await cli("backup-run", ["backup", "run", "fleet.yaml", "--metrics-file", "backup-run.prom"]);
  await cli("verify", ["backup", "verify", "fleet.yaml", "--latest", "--metrics-file", "backups.prom"]);
  await cli("report-after", ["report", "fleet.yaml", "--html", "after.html", "--metrics-file", "report.prom"]);

  if (!CHROMIUM_MISSING) browser = Browser.launch();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await stopHosts?.();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("metrics files of the demo fleet", () => {
  it("every command wrote its file and exited as it does without one", () => {
    expectExit("facts", 0);
    expectExit("plan", 8);
    expectExit("due", 2);
    expectExit("apply", 8);
    expectExit("backup-run", 8);
    expectExit("verify", 0);
    expectExit("report-after", 0);
    expect(readdirSync(dir).filter((name) => name.endsWith(".prom")).sort()).toEqual(["apply.prom", "backup-run.prom", "backups-before.prom", "backups.prom", "facts.prom", "plan.prom", "report.prom"]);
    // Written whole and renamed: no temporary file is left beside them.
    expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("each passes promtool check metrics", ({ skip }) => {
    if (PROMTOOL_MISSING) skip(PROMTOOL_MISSING);
    for (const file of readdirSync(dir).filter((name) => name.endsWith(".prom"))) {
      expect(checkMetrics(readFileSync(join(dir, file), "utf8")), file).toEqual({ code: 0, output: "" });
    }
  });

  it("plan says each field scenario: drift, lost guards with a stale lock, a stale registry entry, the schema drift block", () => {
    const families = metrics("plan.prom");
    expect(Object.fromEntries(HOSTS.map((host) => [host.name, stateOf(families, "nemoclaw_host_state", { host: host.name })]))).toEqual({
      "spark-01": "drift",
      "spark-02": "drift",
      "spark-03": "drift",
      "station-01": "blocked",
    });
    const assistant = (host: string) => ({ host, gateway: "nemoclaw", sandbox: "assistant" });
    expect(stateOf(families, "nemoclaw_sandbox_state", assistant("spark-01"))).toBe("ok");
    expect(stateOf(families, "nemoclaw_sandbox_state", { host: "spark-01", sandbox: "coder" })).toBe("missing");
    expect(stateOf(families, "nemoclaw_sandbox_state", assistant("spark-02"))).toBe("guards");
    expect(stateOf(families, "nemoclaw_sandbox_guard_state", assistant("spark-02"))).toBe("problem");
    expect(valueOf(families, "nemoclaw_sandbox_stale_gateway_locks", assistant("spark-02"))).toBe(1);
    expect(stateOf(families, "nemoclaw_sandbox_state", assistant("spark-03"))).toBe("missing");
    expect(valueOf(families, "nemoclaw_registry_stale_entries", { host: "spark-03" })).toBe(1);
    expect(valueOf(families, "nemoclaw_host_schema_drift", { host: DRIFTED })).toBe(1);
    const steps = plan().hosts.find((host) => host.host === "spark-02")!.steps;
    expect(valueOf(families, "nemoclaw_host_pending_steps", { host: "spark-02", risk: "safe" })).toBe(steps.filter((step) => step.risk === "safe").length);
  });

  it("facts writes the observed fleet, its releases as labels, and nothing about the plan", () => {
    const families = metrics("facts.prom");
    const observed = facts().hosts.find((host) => host.host === DRIFTED)!;
    const cli = observed.openshell.state === "known" ? observed.openshell.value.version : null;
    expect(families.get("nemoclaw_host_info")!.samples.find((sample) => sample.labels.host === DRIFTED)!.labels.openshell_version).toBe(cli);
    expect(families.get("nemoclaw_gateway_info")!.samples.find((sample) => sample.labels.host === DRIFTED)!.labels.running_version).toBe("0.0.71");
    expect(SPARKS.map((host) => valueOf(families, "nemoclaw_host_up", { host }))).toEqual([1, 1, 1]);
    expect(families.has("nemoclaw_host_state")).toBe(false);
  });

  it("apply and backup run tell their run as the journal does", () => {
    const journals = readdirSync(join(dir, "state", "nemoclaw-fleet", "runs")).sort();
    expect(journals).toHaveLength(2);
    for (const [file, command, journal] of [["apply.prom", "apply", journals[0]!], ["backup-run.prom", "backup run", journals[1]!]] as const) {
      const families = metrics(file);
      expect(valueOf(families, "nemoclaw_run_info", { command, run_id: basename(journal, ".jsonl") })).toBe(1);
      expect(valueOf(families, "nemoclaw_run_exit_code", { command })).toBe(8);
      expect(valueOf(families, "nemoclaw_run_duration_seconds", { command })).toBeGreaterThan(0);
      expect(valueOf(families, "nemoclaw_run_hosts", { command, status: "ok" })).toBe(3);
      expect(stateOf(families, "nemoclaw_run_host_status", { command, host: DRIFTED }, "status")).toBe("blocked");
    }
  });

  it("backup due and verify say how old each sandbox's newest verified backup is against its policy", () => {
    const before = metrics("backups-before.prom");
    expect(stateOf(before, "nemoclaw_backup_state", { policy: "nightly", host: "spark-02", sandbox: "assistant" })).toBe("never");
    expect(before.has("nemoclaw_backup_age_seconds")).toBe(false);

    const after = metrics("backups.prom");
    expect(valueOf(after, "nemoclaw_backup_policy_interval_seconds", { policy: "nightly" })).toBe(86_400);
    for (const [host, sandbox] of [["spark-01", "assistant"], ["spark-01", "coder"], ["spark-02", "assistant"], ["spark-03", "assistant"]]) {
      const series = { policy: "nightly", host: host!, sandbox: sandbox! };
      expect(stateOf(after, "nemoclaw_backup_state", series), `${host}/${sandbox}`).toBe("fresh");
      // apply backed spark-02's sandbox up before its disruptive step; the run's is the newest.
      const stored = readdirSync(join(dir, "backups", host!, sandbox!)).sort().at(-1);
      const manifest = JSON.parse(readFileSync(join(dir, "backups", host!, sandbox!, stored!, "manifest.json"), "utf8")) as { createdAt: string };
      expect(valueOf(after, "nemoclaw_backup_last_verified_timestamp_seconds", series)).toBe(Date.parse(manifest.createdAt) / 1000);
      expect(valueOf(after, "nemoclaw_backup_age_seconds", series)).toBeGreaterThanOrEqual(0);
    }
    expect(stateOf(after, "nemoclaw_backup_state", { policy: "nightly", host: DRIFTED, sandbox: "assistant" })).toBe("never");
  });

  it("report writes all of it from one observation", () => {
    const families = metrics("report.prom");
    expect(SPARKS.map((host) => stateOf(families, "nemoclaw_host_state", { host }))).toEqual(["ok", "ok", "ok"]);
    expect(stateOf(families, "nemoclaw_host_state", { host: DRIFTED })).toBe("blocked");
    expect(stateOf(families, "nemoclaw_backup_state", { host: "spark-02", sandbox: "assistant" })).toBe("fresh");
    expect(valueOf(families, "nemoclaw_run_exit_code", { command: "apply" })).toBe(8);
    expect(valueOf(families, "nemoclaw_run_exit_code", { command: "backup run" })).toBe(8);
  });

  it("refuses a path it cannot write before contacting a host, naming the path", async () => {
    const missing = join(dir, "no-such-dir", "plan.prom");
    const run = await runCli(["plan", "fleet.yaml", "--metrics-file", missing], { cwd: dir, env });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`nemoclaw plan: --metrics-file ${missing}: directory ${join(dir, "no-such-dir")} does not exist\n`);
  });
});

describe("the report page in Chromium", () => {
  const pages = new Map<string, Page>();

  async function open(file: string): Promise<Page> {
    let page = pages.get(file);
    if (!page) {
      page = await browser!.open(pathToFileURL(join(dir, file)).href);
      pages.set(file, page);
    }
    return page;
  }

  /** Per host row: its state, classes, explanation and the colour of its state badge. */
  async function rows(page: Page): Promise<Record<string, { state: string; classes: string; why: string; badge: string; text: string }>> {
    return page.evaluate(`Object.fromEntries([...document.querySelectorAll("tr.host")].map((row) => [row.dataset.host, {
      state: row.dataset.state,
      classes: row.className,
      why: row.querySelector("td.state .why").textContent,
      badge: getComputedStyle(row.querySelector("td.state .badge")).backgroundColor,
      text: row.textContent.replace(/\\s+/g, " "),
    }]))`);
  }

  /** The sandbox cell of a host: its state, classes, explanation and background colour. */
  function cell(page: Page, host: string, sandbox: string): Promise<{ state: string; classes: string; why: string; name: string; background: string } | null> {
    return page.evaluate(`(() => {
      const row = [...document.querySelectorAll("tr.host")].find((candidate) => candidate.dataset.host === ${JSON.stringify(host)});
      const li = [...row.querySelectorAll("li.sandbox")].find((candidate) => candidate.dataset.sandbox === ${JSON.stringify(sandbox)});
      return li ? { state: li.dataset.state, classes: li.className, why: li.querySelector(".why").textContent, name: li.querySelector(".name").textContent, background: getComputedStyle(li).backgroundColor } : null;
    })()`);
  }

  // The tones of the light theme (src/report/report-html.ts).
  const LIGHT = { good: "rgb(218, 251, 225)", warn: "rgb(255, 248, 197)", bad: "rgb(255, 235, 233)", missing: "rgb(255, 241, 229)" };

  it("shows every host of the demo before apply in the colour of its state, with why", async ({ skip }) => {
    if (CHROMIUM_MISSING) skip(CHROMIUM_MISSING);
    expectExit("report-before", 0);
    const page = await open("before.html");
    await page.emulate({ colorScheme: "light" });
    const found = await rows(page);
    expect(Object.keys(found)).toEqual(HOSTS.map((host) => host.name));
    for (const host of SPARKS) {
      expect(found[host]).toMatchObject({ state: "drift", classes: "host state-drift", badge: LIGHT.warn });
      expect(found[host]!.why).toMatch(/^\d+ steps? pending \(\d+ safe\)$/);
    }
    expect(found[DRIFTED]).toMatchObject({ state: "blocked", classes: "host state-blocked", badge: LIGHT.bad });
    expect(found[DRIFTED]!.why).toBe("the schema preflight refuses state-touching work: installed OpenShell 0.0.72, gateway nemoclaw runs 0.0.71");
    // Versions per host, as observed.
    for (const observed of facts().hosts) {
      const version = observed.openshell.state === "known" ? observed.openshell.value.version : "?";
      expect(found[observed.host]!.text).toContain(`OpenShell CLI${version}`);
    }
  });

  it("colours each field scenario's sandbox and says why: healthy, guards lost with a stale lock, a stale registry entry", async ({ skip }) => {
    if (CHROMIUM_MISSING) skip(CHROMIUM_MISSING);
    const page = await open("before.html");
    expect(await cell(page, "spark-01", "assistant")).toMatchObject({ state: "ok", classes: "sandbox tone-good cell-ok", background: LIGHT.good });
    expect((await cell(page, "spark-01", "assistant"))!.why).toMatch(/^Ready, guard files in place, agent gateway pid \d+$/);
    expect(await cell(page, "spark-01", "coder")).toMatchObject({ state: "missing", background: LIGHT.missing, why: "in the fleet file, not created on the host yet" });
    const guards = (await cell(page, "spark-02", "assistant"))!;
    expect(guards).toMatchObject({ state: "guards", classes: "sandbox tone-bad cell-guards", background: LIGHT.bad });
    expect(guards.why).toContain("/tmp/nemoclaw-proxy-env.sh is missing");
    expect(guards.why).toMatch(/stale gateway lock \/tmp\/openclaw-[^ ]+\/gateway\.[^ ]+\.lock/);
    expect(guards.why).toContain("agent gateway not running");
    expect(await cell(page, "spark-03", "assistant")).toMatchObject({
      state: "missing",
      background: LIGHT.missing,
      why: "registered with NemoClaw on gateway nemoclaw, which does not list it (stale registry entry)",
    });
  });

  it("shows the schema drift block verbatim", async ({ skip }) => {
    if (CHROMIUM_MISSING) skip(CHROMIUM_MISSING);
    const page = await open("before.html");
    const block = plan().hosts.find((host) => host.host === DRIFTED)!.block!;
    expect(await page.evaluate(`[...document.querySelectorAll("#blocks article")].map((article) => [article.dataset.host, article.querySelector("pre").textContent])`)).toEqual([
      [DRIFTED, block.lines.join("\n")],
    ]);
  });

  it("is self-contained: no script, no request but the page itself; dark mode and print restyle it", async ({ skip }) => {
    if (CHROMIUM_MISSING) skip(CHROMIUM_MISSING);
    const page = await open("before.html");
    expect(page.requests).toEqual([pathToFileURL(join(dir, "before.html")).href]);
    expect(await page.evaluate("document.scripts.length")).toBe(0);
    await page.emulate({ colorScheme: "dark" });
    expect(await page.evaluate(`getComputedStyle(document.body).backgroundColor`)).toBe("rgb(13, 17, 23)");
    expect((await rows(page))[DRIFTED]!.badge).toBe("rgb(75, 17, 19)");
    await page.emulate({ colorScheme: "dark", media: "print" });
    expect(await page.evaluate(`[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.querySelector("nav")).display]`)).toEqual(["rgb(255, 255, 255)", "none"]);
    // Colours survive printing: a state is not left to the printer's economy mode.
    expect((await rows(page))[DRIFTED]!.badge).toBe(LIGHT.bad);
    await page.emulate({ colorScheme: "light" });
    mkdirSync(SCREENSHOTS, { recursive: true });
    writeFileSync(join(SCREENSHOTS, "demo-before-apply.png"), await page.screenshot());
  });

  it("never runs or loads what a host reports: markup in a sandbox name or a preflight line stays text", async ({ skip }) => {
    if (CHROMIUM_MISSING) skip(CHROMIUM_MISSING);
    expectExit("report-hostile", 0);
    const page = await open("hostile.html");
    expect(await page.evaluate("[document.title, document.images.length, document.scripts.length]")).toEqual(["Fleet demo — nemoclaw report", 0, 0]);
    expect(page.requests).toEqual([pathToFileURL(join(dir, "hostile.html")).href]);
    expect((await cell(page, "spark-01", HOSTILE))!.name).toBe(HOSTILE);
    expect(await page.evaluate(`document.querySelector("#blocks pre").textContent`)).toContain("Running gateway binary: /opt/x</pre><script>document.title='pwned'</script> (0.0.71)");
  });

  it("after apply and a backup run: three hosts ok, station-01 still blocked, fresh backups, both runs", async ({ skip }) => {
    if (CHROMIUM_MISSING) skip(CHROMIUM_MISSING);
    const page = await open("after.html");
    await page.emulate({ colorScheme: "light" });
    const found = await rows(page);
    for (const host of SPARKS) expect(found[host]).toMatchObject({ state: "ok", classes: "host state-ok", badge: LIGHT.good, why: "matches the fleet file" });
    expect(found[DRIFTED]).toMatchObject({ state: "blocked", badge: LIGHT.bad });
    const backups = await page.evaluate<[string, string, string][]>(`[...document.querySelectorAll("#backups tr.series")].map((row) => [row.dataset.host + "/" + row.dataset.sandbox, row.dataset.state, getComputedStyle(row).backgroundColor])`);
    expect(backups).toEqual([
      ["spark-01/assistant", "fresh", LIGHT.good],
      ["spark-01/coder", "fresh", LIGHT.good],
      ["spark-02/assistant", "fresh", LIGHT.good],
      ["spark-03/assistant", "fresh", LIGHT.good],
      [`${DRIFTED}/assistant`, "never", LIGHT.bad],
    ]);
    const latest = await page.evaluate<[string, string[]][]>(`[...document.querySelectorAll("article.latest-run")].map((run) => [run.dataset.kind, [...run.querySelectorAll("li")].map((li) => li.dataset.host + ":" + li.dataset.status)])`);
    expect(latest).toEqual([
      ["backup run", ["spark-01:ok", "spark-02:ok", "spark-03:ok", `${DRIFTED}:blocked`]],
      ["apply", ["spark-01:ok", "spark-02:ok", "spark-03:ok", `${DRIFTED}:blocked`]],
    ]);
    expect(await page.evaluate(`document.querySelectorAll("#runs table.runs tbody tr").length`)).toBe(2);
    mkdirSync(SCREENSHOTS, { recursive: true });
    writeFileSync(join(SCREENSHOTS, "demo-after-apply.png"), await page.screenshot());
  });
});
