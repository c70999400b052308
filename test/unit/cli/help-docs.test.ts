/**
 * The docs keep up with --help: every option a command's --help lists is on the page that documents
 * that command, and what every command says about its exit codes agrees with docs/exit-codes.md.
 */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { registerCommands } from "../../../src/cli/commands.js";

const read = (file: string) => readFileSync(new URL(`../../../${file}`, import.meta.url), "utf8");

/** The page a user is sent to for each command (docs/README.md's reference table, the recipes). */
const PAGES: Record<string, string> = {
  validate: "docs/getting-started.md",
  plan: "docs/plan.md",
  show: "docs/plan.md",
  apply: "docs/apply.md",
  unlock: "docs/apply.md",
  facts: "docs/facts.md",
  backup: "docs/backups.md",
  report: "docs/monitoring.md",
  history: "docs/journal.md",
  schedule: "docs/recipes/unattended-operation.md",
  inventory: "docs/inventories.md",
  init: "docs/recipes/ansible-inventory.md",
  completion: "docs/getting-started.md",
};

/** Options many commands share, documented once, in README.md's paragraph on them. */
const SHARED = ["--inventory", "--limit", "--list-hosts", "--vault-password-file", "--vault-id", "--json", "--no-color"];

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
const commands = commandsOf(program);

describe("options in the docs", () => {
  it("every command has a page", () => {
    expect(program.commands.filter((command) => !(command as unknown as { _hidden?: boolean })._hidden && PAGES[command.name()] === undefined).map((command) => command.name())).toEqual([]);
  });

  it("README.md names every shared option", () => {
    const readme = read("README.md");
    expect(SHARED.filter((option) => !readme.includes(option))).toEqual([]);
  });

  it("every option of every command is on the command's page", () => {
    const missing = commands.flatMap(({ path, command }) => {
      const page = PAGES[path[0]!]!;
      const text = read(page);
      return command.options
        .filter((option) => !SHARED.includes(option.long ?? ""))
        .filter((option) => !text.includes(option.long!) && !(option.short !== undefined && new RegExp(`(^|[\\s\`[(])${option.short}\\b`).test(text)))
        .map((option) => `nemoclaw ${path.join(" ")} ${option.long}: not in ${page}`);
    });
    expect(missing).toEqual([]);
  });
});
