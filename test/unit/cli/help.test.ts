/** Every command's --help explains its exit codes and shows examples of itself. */
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { registerCommands } from "../../../src/cli/commands.js";

function commandsOf(command: Command, path: string[] = []): { path: string[]; command: Command }[] {
  const visible = command.commands.filter((sub) => !(sub as unknown as { _hidden?: boolean })._hidden);
  return visible.flatMap((sub) => [{ path: [...path, sub.name()], command: sub }, ...commandsOf(sub, [...path, sub.name()])]);
}

function helpOf(command: Command): string {
  let text = "";
  command.configureOutput({ writeOut: (chunk) => (text += chunk) });
  command.outputHelp();
  return text;
}

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
