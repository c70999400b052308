/**
 * `nemoclaw apply` as a use case, wired to fakes: the fleet the loader returns, an observation the
 * test scripts (and changes once the command that fixes it has run), a connection that runs the
 * lock scripts for real in a temp HOME and records every other command. Checks what a user sees
 * and what reaches the host.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listRuns } from "../../../src/apply/history.js";
import { FleetValidationError } from "../../../src/config/diagnostics.js";
import { listJournalFiles } from "../../../src/apply/journal.js";
import { runApplySession, type ApplySessionOptions, type SessionDeps } from "../../../src/cli/apply-session.js";
import { ExitCode } from "../../../src/exit-codes.js";
import type { ObservedHost } from "../../../src/observe/types.js";
import type { Connection, RemoteCommand, RunResult } from "../../../src/transport/types.js";
import { planFleet } from "../../../src/plan/planner.js";
import type { Plan } from "../../../src/plan/types.js";
import { writePlanFile } from "../../../src/report/plan-file.js";
import { LocalShell } from "../apply/local-shell.js";
import { converged, NOW, registryEntries } from "../plan/builders.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "apply-session-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const OPTIONS: ApplySessionOptions = { inventory: [], json: false, yes: false, prune: false, color: false };

/** One host whose sandbox lacks the preset the fleet file asks for: one policy-add to do. */
function session(answers: { stdinIsTTY?: boolean; answer?: string } = {}) {
  const scenario = converged();
  scenario.host.sandboxes[0]!.policy.presets = ["npm"];
  let out = "";
  let err = "";
  const ran: string[][] = [];
  const shell = new LocalShell("spark-01", dir);
  const connection = {
    host: "spark-01",
    async run(command: RemoteCommand): Promise<RunResult> {
      if ("script" in command) return shell.run(command);
      ran.push(command.argv);
      return { exitCode: 0, signal: null, stdout: Buffer.from(""), stderr: Buffer.from(""), durationMs: 1, timedOut: false };
    },
  } as unknown as Connection;
  const observe = (): ObservedHost => {
    const observed = structuredClone(scenario.observed);
    if (ran.some((argv) => argv.includes("policy-add"))) registryEntries(observed)[0]!.policies = ["npm"];
    return observed;
  };
  const deps: SessionDeps = {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    env: {},
    now: () => NOW,
    identity: { user: "ops", machine: "ctl", pid: process.pid },
    journalDir: join(dir, "runs"),
    onInterrupt: () => () => undefined,
    loadFleet: async () => ({ fleet: scenario.fleet, warnings: [] }),
    selectHosts: (fleet) => fleet.hosts.map((host) => host.name),
    openPool: () => ({ get: async () => connection, closeAll: async () => undefined }),
    readCatalogue: async () => ({}),
    observeHost: async () => observe(),
    backupService: () => ({
      backupSandbox: async () => {
        throw new Error("no backups in this test");
      },
      restoreSandbox: async () => undefined,
    }),
    resolveSecret: async () => "nvapi-secret",
    ask: async () => answers.answer ?? "",
    stdinIsTTY: answers.stdinIsTTY ?? false,
  };
  return { deps, ran, scenario, out: () => out, err: () => err };
}

/** What `nemoclaw plan` makes of the session's fleet and host. */
function runPlanForTest(s: ReturnType<typeof session>): Plan {
  return planFleet(s.scenario.fleet, { hosts: [structuredClone(s.scenario.observed)] }, { limit: null, hosts: ["spark-01"], pruneUnmanaged: false, now: NOW, toolVersion: "0.1.0" });
}

describe("apply as a use case", () => {
  it("without a terminal and without --yes shows the plan, refuses, and touches nothing (exit 1)", async () => {
    const s = session();
    expect(await runApplySession("fleet.yaml", OPTIONS, s.deps)).toBe(ExitCode.Error);
    expect(s.out()).toContain("policy-add");
    expect(s.err()).toContain("refusing to apply 2 steps without confirmation: stdin is not a terminal");
    expect(s.ran).toEqual([]);
    expect(listJournalFiles(join(dir, "runs"))).toEqual([]);
  });

  it("asks on a terminal and takes only 'yes'", async () => {
    const s = session({ stdinIsTTY: true, answer: "y" });
    expect(await runApplySession("fleet.yaml", OPTIONS, s.deps)).toBe(ExitCode.Error);
    expect(s.err()).toContain("Apply cancelled; nothing was changed.");
    expect(s.ran).toEqual([]);
  });

  it("with --yes --json runs the step, prints the event stream and journals the run", async () => {
    const s = session();
    expect(await runApplySession("fleet.yaml", { ...OPTIONS, yes: true, json: true }, s.deps)).toBe(ExitCode.Ok);
    expect(s.ran).toEqual([["nemoclaw", "assistant", "policy-add", "npm", "--yes"]]);
    const events = s.out().trim().split("\n").map((line) => JSON.parse(line) as { type: string });
    expect(events[0]?.type).toBe("run-started");
    expect(events.at(-1)).toMatchObject({ type: "run-finished", exitCode: 0 });
    expect(listRuns(join(dir, "runs"), 5)).toMatchObject([{ source: "fleet", outcomes: { ok: 1 }, exitCode: 0 }]);
  });
});

describe("apply of a saved plan file", () => {
  it("refuses a file that is not a usable plan as a validation error (exit 3), naming the problem", async () => {
    const s = session();
    const file = join(dir, "plan.json");
    writeFileSync(file, JSON.stringify({ kind: "nemoclaw-fleet-plan", formatVersion: 99 }));
    expect(await runApplySession(file, OPTIONS, s.deps)).toBe(ExitCode.ValidationError);
    expect(s.err()).toContain(`${file}: not a usable plan file:`);
    expect(s.err()).toContain("formatVersion 99 is not supported");
  });

  /** The session's plan, saved as `plan -o` saves it, with `edit` applied to the plan first. */
  async function savedPlan(edit: (plan: Plan) => void = () => undefined): Promise<string> {
    const s = session();
    const file = join(dir, "saved.json");
    const planned = runPlanForTest(s);
    edit(planned);
    writePlanFile(file, planned);
    return file;
  }

  it("reports a damaged plan file as a broken plan file (exit 3), not as a fleet file", async () => {
    const file = await savedPlan();
    writeFileSync(file, readFileSync(file, "utf8").slice(0, 200));
    const s = session();
    expect(await runApplySession(file, OPTIONS, s.deps)).toBe(ExitCode.ValidationError);
    expect(s.err()).toContain(`${file}: not a usable plan file:\n  is not JSON (damaged or cut short?)`);
    expect(s.err()).not.toMatch(/YAML|fleet file/);
    expect(s.ran).toEqual([]);
  });

  it("says which plan a missing fleet file comes from", async () => {
    const file = await savedPlan();
    const s = session();
    s.deps.loadFleet = async () => {
      throw new FleetValidationError([{ file: "fleet.yaml", line: 1, column: 1, path: "", message: "fleet file does not exist", severity: "error" }]);
    };
    expect(await runApplySession(file, OPTIONS, s.deps)).toBe(ExitCode.ValidationError);
    expect(s.err()).toContain(`${file}: the plan was made from `);
    expect(s.err()).toContain(" (fleet.file), which apply reads for the hosts' settings:\nfleet.yaml:1:1: fleet file does not exist");
    expect(s.ran).toEqual([]);
  });

  it("refuses, as a whole and before anything runs, a plan naming a host that is not in the fleet (exit 3)", async () => {
    const file = await savedPlan((plan) => {
      const other = structuredClone(plan.hosts[0]!);
      other.host = "spark-99";
      plan.hosts.push(other);
      plan.selection.hosts.push("spark-99");
    });
    const s = session();
    expect(await runApplySession(file, OPTIONS, s.deps)).toBe(ExitCode.ValidationError);
    expect(s.err()).toContain("names host(s) that are not in");
    expect(s.err()).toContain("spark-99; nothing was applied");
    expect(s.ran).toEqual([]);
    expect(listJournalFiles(join(dir, "runs"))).toEqual([]);
  });

  it("refuses a plan whose command was edited after it was saved (exit 3), and runs the reviewed one otherwise", async () => {
    const file = await savedPlan();
    const saved = JSON.parse(readFileSync(file, "utf8")) as Plan;
    const step = saved.hosts[0]!.steps.find((candidate) => candidate.kind === "policy-add")!;
    step.commands[0]!.argv = ["nemoclaw", "assistant", "destroy", "--yes"];
    writeFileSync(file, JSON.stringify(saved));
    const s = session();
    expect(await runApplySession(file, OPTIONS, s.deps)).toBe(ExitCode.ValidationError);
    expect(s.err()).toContain("does not match its planDigest");
    expect(s.ran).toEqual([]);

    const good = await savedPlan();
    const again = session();
    expect(await runApplySession(good, OPTIONS, again.deps)).toBe(ExitCode.Ok);
    expect(again.ran).toEqual([["nemoclaw", "assistant", "policy-add", "npm", "--yes"]]);
  });
});
