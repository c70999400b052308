/**
 * The docs keep up with --help: every option a command's --help lists is on the narrative page that
 * explains that command, and what every command says about its exit codes agrees with
 * docs/exit-codes.md. docs/cli.md does not count here: it is generated from the very commands
 * checked (test/unit/config/generated-files.test.ts keeps it current), so it lists every option by
 * construction; these checks are about the pages a person writes and a user reads to understand one.
 */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { COMMAND_PAGES } from "../../../scripts/gen-docs.mjs";
import { registerCommands } from "../../../src/cli/commands.js";
import { commandsOf, helpOf } from "../../support/commands.js";

const read = (file: string) => readFileSync(new URL(`../../../${file}`, import.meta.url), "utf8");

/** The narrative page a user is sent to for each command: the one docs/cli.md links each command to. */
const PAGES: Record<string, string> = Object.fromEntries(Object.entries(COMMAND_PAGES).map(([command, page]) => [command, `docs/${page}`]));

/** Options many commands share, documented once, in README.md's paragraph on them. */
const SHARED = ["--inventory", "--limit", "--list-hosts", "--vault-password-file", "--vault-id", "--json", "--no-color"];

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

/** `code meaning` entries of the "Exit codes:" paragraph of a command's --help. */
function exitCodesOf(help: string): Map<number, string> {
  const paragraph = (help.split("\nExit codes: ")[1] ?? "").split("\n\n")[0]!.replace(/\s+/g, " ");
  const parts = paragraph.split(/(?:^|,\s+)(\d+)\s(?=[a-z(`])/);
  const entries = new Map<number, string>();
  for (let index = 1; index < parts.length; index += 2) entries.set(Number(parts[index]), parts[index + 1]!);
  return entries;
}

/** The meaning of a code in a page's exit-code table (`| 3 | … |` or `| 3 | \`Name\` | … |`). */
function tableRow(page: string, code: number): string {
  return read(page).split("\n").find((line) => line.startsWith(`| ${code} |`)) ?? "";
}

describe("exit codes in --help and the docs", () => {
  /** Outcomes today's commands added, each with the unit test that establishes the code. */
  const OUTCOMES: { command: string; code: number; says: RegExp; pages: string[] }[] = [
    // test/unit/cli/apply-session.test.ts: a secret that cannot be read refuses the run.
    { command: "apply", code: 3, says: /secret/, pages: ["docs/apply.md", "docs/exit-codes.md"] },
    // apply-session.test.ts: a backup step's store that cannot be written (1) or reached (4).
    { command: "apply", code: 1, says: /store/, pages: ["docs/apply.md", "docs/exit-codes.md"] },
    { command: "apply", code: 4, says: /store/, pages: ["docs/apply.md", "docs/exit-codes.md"] },
    // test/unit/cli/backup-session.test.ts: a --to host the fleet does not have.
    { command: "backup restore", code: 3, says: /not in the fleet|does not have/, pages: ["docs/backups.md", "docs/exit-codes.md"] },
    // backup-session.test.ts: backup run leaves a host another run holds out.
    { command: "backup run", code: 7, says: /lock/, pages: ["docs/backups.md", "docs/exit-codes.md"] },
  ];

  it.each(OUTCOMES.map((outcome) => [`${outcome.command} ${outcome.code} ${outcome.says}`, outcome] as const))("%s: in --help and on its pages", (_, outcome) => {
    const { command } = commands.find(({ path }) => path.join(" ") === outcome.command)!;
    expect(exitCodesOf(helpOf(command)).get(outcome.code) ?? "", `nemoclaw ${outcome.command} --help`).toMatch(outcome.says);
    for (const page of outcome.pages) expect(tableRow(page, outcome.code), page).toMatch(outcome.says);
  });

  it("a --help lists only codes docs/exit-codes.md has, and the backup group every code of its actions", () => {
    const documented = new Set(read("docs/exit-codes.md").split("\n").flatMap((line) => /^\| (\d+) \|/.exec(line)?.[1] ?? []).map(Number));
    for (const { path, command } of commands) {
      for (const code of exitCodesOf(helpOf(command)).keys()) expect(documented, `nemoclaw ${path.join(" ")}: ${code}`).toContain(code);
    }
    const backup = commands.find(({ path }) => path.join(" ") === "backup")!.command;
    const actions = new Set(commands.filter(({ path }) => path[0] === "backup" && path.length === 2).flatMap(({ command }) => [...exitCodesOf(helpOf(command)).keys()]));
    expect([...exitCodesOf(helpOf(backup)).keys()].sort((a, b) => a - b)).toEqual([...actions].sort((a, b) => a - b));
  });

  it("a page that gives the order of severity gives docs/exit-codes.md's", () => {
    const order = /interrupted > [^.]*\./.exec(read("docs/exit-codes.md"))![0];
    for (const page of ["README.md", "docs/apply.md", "docs/plan.md", "docs/backups.md", "docs/concepts.md", "docs/json-output.md", "docs/journal.md"]) {
      for (const stated of read(page).replace(/\s+/g, " ").match(/interrupted > [^.]*\./g) ?? []) expect(stated, page).toBe(order);
    }
  });
});
