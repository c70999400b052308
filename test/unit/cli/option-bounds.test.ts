/**
 * Numeric and duration options are bounded as their fleet-file counterparts are: a value out of
 * range is bad command-line usage (exit 1) naming the option, before any command runs.
 */
import { Command, CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { concurrency, durationMs } from "../../../src/cli/common.js";
import { registerCommands } from "../../../src/cli/commands.js";
import { parseWaves } from "../../../src/apply/waves.js";

/** The error commander reports for `nemoclaw <args>`; the command's action must not be reached. */
async function usageError(args: string[]): Promise<{ exitCode: number; message: string }> {
  const program = new Command("nemoclaw");
  await registerCommands(program, args);
  let message = "";
  const quiet = (command: Command): void => {
    command.exitOverride().configureOutput({ writeErr: (text) => (message += text), writeOut: () => undefined });
    // Nothing runs: a value that got through is the failure.
    if (command.commands.length === 0) command.action(() => Promise.reject(new Error(`nemoclaw ${args.join(" ")} was accepted`)));
    command.commands.forEach(quiet);
  };
  quiet(program);
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return { exitCode: error.exitCode, message };
    throw error;
  }
  throw new Error(`nemoclaw ${args.join(" ")} was accepted`);
}

describe("--concurrency", () => {
  it("takes 1 to 1024 hosts, as apply.concurrency in the fleet file", () => {
    expect(["1", "32", "1024"].map(concurrency)).toEqual([1, 32, 1024]);
  });

  it.each([
    ["apply", "99999999999999999999"],
    ["apply", "1025"],
    ["apply", "0"],
    ["apply", "1e3"],
    ["backup run", "99999999999999999999"],
    ["backup run", "abc"],
    ["backup run", "2.5"],
  ])("nemoclaw %s --concurrency %s is refused, naming the option, exit 1", async (command, value) => {
    const { exitCode, message } = await usageError([...command.split(" "), "fleet.yaml", "--concurrency", value]);
    expect(exitCode).toBe(1);
    expect(message).toContain(`option '--concurrency <n>' argument '${value}' is invalid`);
    expect(message).toContain("expected a whole number from 1 to 1024");
  });
});

describe("history prune --keep", () => {
  it.each(["99999999999999999999", "1e3", "-1", "2.5"])("--keep %s is refused, naming the option, exit 1", async (value) => {
    const { exitCode, message } = await usageError(["history", "prune", "--keep", value]);
    expect(exitCode).toBe(1);
    expect(message).toContain(`option '--keep <count>' argument '${value}' is invalid`);
  });
});

describe("--waves", () => {
  it("takes what the fleet file's apply.waves takes: host counts and percentages above 0% up to 100%", () => {
    expect(parseWaves("1,12.5%,100%")).toEqual([
      { size: 1, unit: "hosts" },
      { size: 12.5, unit: "percent" },
      { size: 100, unit: "percent" },
    ]);
  });

  it.each(["0", "0%", "100.5%", "99999999999999999999", "2.5"])("refuses --waves %s, naming the option, exit 1", async (value) => {
    const { exitCode, message } = await usageError(["apply", "fleet.yaml", "--waves", value]);
    expect(exitCode).toBe(1);
    expect(message).toContain(`option '--waves <sizes>' argument '${value}' is invalid`);
  });
});

describe("durations", () => {
  it("are at most ten years", () => {
    expect(durationMs("3650d")).toBe(3650 * 86_400_000);
    expect(() => durationMs("3651d")).toThrow("too long: at most 3650d (ten years)");
    expect(() => durationMs(`${"9".repeat(400)}s`)).toThrow("too long");
  });

  it.each([
    ["apply", "fleet.yaml", "--lock-timeout", "99999999999999999999h"],
    ["history", "prune", "--older-than", "99999999999999999999h"],
    ["schedule", "show", "fleet.yaml", "--lock-timeout", "99999999999999999999h"],
    ["schedule", "show", "fleet.yaml", "--keep-history", "99999999999999999999h"],
  ])("nemoclaw %s %s %s %s is refused, naming the option, exit 1", async (...args) => {
    const { exitCode, message } = await usageError(args);
    expect(exitCode).toBe(1);
    expect(message).toContain(`option '${args.at(-2)}`);
    expect(message).toContain("too long: at most 3650d");
  });
});

describe("counts", () => {
  it.each([
    ["history", "--last", "99999999999999999999"],
    ["report", "fleet.yaml", "--runs", "99999999999999999999"],
    ["report", "fleet.yaml", "--runs", "1e3"],
  ])("nemoclaw %s %s %s is refused, naming the option, exit 1", async (...args) => {
    const { exitCode, message } = await usageError(args);
    expect(exitCode).toBe(1);
    expect(message).toContain(`${args.at(-2)} <count>' argument`);
    expect(message).toContain("expected a whole number of at least 1");
  });
});

describe("schedule --every", () => {
  it.each(["99999999999999h", "25h", "2d"])("--every %s is refused: a day at most, the longest interval cron keeps too", async (value) => {
    const { exitCode, message } = await usageError(["schedule", "install", "fleet.yaml", "--every", value]);
    expect(exitCode).toBe(1);
    expect(message).toContain(`option '--every <duration>' argument '${value}' is invalid. --every must be at most 1d`);
  });

  it("--help shows the defaults as durations are written", async () => {
    const program = new Command("nemoclaw");
    await registerCommands(program, ["schedule"]);
    let help = "";
    const install = program.commands[0]!.commands.find((command) => command.name() === "install")!;
    install.configureOutput({ writeOut: (text) => (help += text) }).outputHelp();
    const flat = help.replace(/\s+/g, " ");
    expect(flat).toContain("how often the apply runs (1m to 1d) (default: 5m)");
    expect(flat).toContain("older than this (1h at least), except those of failed health gates no run has checked since (default: 30d)");
    expect(flat).not.toMatch(/default: \d{4,}/);
  });
});

describe("malformed selections are bad usage (exit 1), naming the option", () => {
  it.each([
    ["plan", "--replace", "foo"],
    ["apply", "--replace", "coder@"],
    ["plan", "--target", "@spark-01"],
    ["apply", "--target", "spark-01"],
  ])("nemoclaw %s %s %s", async (command, option, value) => {
    const { exitCode, message } = await usageError([command, "fleet.yaml", option, value]);
    expect(exitCode).toBe(1);
    expect(message).toContain(`option '${option} <sandbox@host>' argument '${value}' is invalid. expected <sandbox>@<host>`);
  });

  it.each([
    ["plan", "~["],
    ["apply", "spark:!"],
    ["backup run", "@retry.txt,~["],
    ["validate", "~("],
    ["facts", "~["],
  ])("nemoclaw %s --limit %s", async (command, value) => {
    const { exitCode, message } = await usageError([...command.split(" "), "fleet.yaml", "--limit", value]);
    expect(exitCode).toBe(1);
    expect(message).toContain(`option '-l, --limit <pattern>' argument '${value}' is invalid. `);
    expect(message).not.toContain("<command line>");
  });

  it("--list-hosts with a malformed --limit is refused the same way", async () => {
    const { exitCode, message } = await usageError(["plan", "fleet.yaml", "--list-hosts", "--limit", "~["]);
    expect(exitCode).toBe(1);
    expect(message).toContain(`argument '~[' is invalid. "~[" has a "[" without a closing "]"`);
  });
});
