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

describe("--help", () => {
  const program = new Command("nemoclaw");
  registerCommands(program);

  it.each(commandsOf(program).map(({ path, command }) => [path.join(" "), command] as const))("nemoclaw %s --help has exit codes and examples of itself", (path, command) => {
    const help = helpOf(command);
    expect(help).toMatch(/\nExit codes: 0 /);
    const examples = help.split("\nExamples:\n")[1]?.split("\n").filter((line) => line.startsWith("  ")) ?? [];
    expect(examples.length, path).toBeGreaterThan(0);
    for (const example of examples) expect(example.trim(), path).toMatch(new RegExp(`^(.*\\b)?nemoclaw ${path}\\b`));
  });
});
