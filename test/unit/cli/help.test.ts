/** Every command's --help explains its exit codes and shows examples of itself. */
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { registerCommands } from "../../../src/cli/commands.js";
import { commandsOf, helpOf } from "../../support/commands.js";

const program = new Command("nemoclaw");
await registerCommands(program, []);

describe("registerCommands", () => {
  const registered = async (args: string[]) => {
    const root = new Command("nemoclaw");
    await registerCommands(root, args);
    return root.commands.map((command) => command.name());
  };

  it("registers only the command the first word names", async () => {
    expect(await registered(["plan", "fleet.yaml", "--limit", "spark-01"])).toEqual(["plan"]);
    expect(await registered(["backup", "run", "--due"])).toEqual(["backup"]);
    expect(await registered(["completion", "bash"])).toEqual(["completion", "__complete"]);
  });

  it("registers every command, in --help's order, for help, a mistyped command and completion", async () => {
    const every = ["validate", "plan", "show", "apply", "facts", "backup", "report", "history", "schedule", "unlock", "inventory", "init", "completion", "__complete"];
    for (const args of [[], ["--help"], ["help", "plan"], ["plna"], ["__complete", "--", "nemoclaw", "pl"]]) {
      expect(await registered(args), args.join(" ")).toEqual(every);
    }
  });
});

describe("--help", () => {
  it.each(commandsOf(program).map(({ path, command }) => [path.join(" "), command] as const))("nemoclaw %s --help has exit codes and examples of itself", (path, command) => {
    const help = helpOf(command);
    expect(help).toMatch(/\nExit codes: 0 /);
    const examples = help.split("\nExamples:\n")[1]?.split("\n").filter((line) => line.startsWith("  ")) ?? [];
    expect(examples.length, path).toBeGreaterThan(0);
    for (const example of examples) expect(example.trim(), path).toMatch(new RegExp(`^(.*\\b)?nemoclaw ${path}\\b`));
  });
});

describe("option names", () => {
  /**
   * Node 20 reads these from anywhere on its command line — after the script name too — before any
   * JavaScript runs: `nemoclaw schedule show --env-file new.env` died with `node: new.env: not
   * found` (exit 9), and with a file that exists Node would load it into nemoclaw's environment.
   */
  const TAKEN_BY_NODE = ["--env-file"];

  it("no command has an option Node itself would take from the command line", () => {
    const clashes = commandsOf(program).flatMap(({ path, command }) =>
      command.options.filter((option) => option.long !== undefined && TAKEN_BY_NODE.includes(option.long)).map((option) => `nemoclaw ${path.join(" ")} ${option.long}`),
    );
    expect(clashes).toEqual([]);
  });

  it("schedule names the secrets file with --secrets-file", () => {
    const schedule = program.commands.find((command) => command.name() === "schedule")!;
    for (const action of ["install", "show", "remove"]) {
      const command = schedule.commands.find((candidate) => candidate.name() === action)!;
      expect(command.options.map((option) => option.long), action).toContain("--secrets-file");
    }
  });
});
