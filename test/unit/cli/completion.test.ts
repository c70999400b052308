import { Command } from "commander";
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { bashCompletion, zshCompletion } from "../../../src/cli/completion.js";

function sampleProgram(): Command {
  const program = new Command("nemoclaw");
  program.command("plan").option("-o, --out <file>").option("--detailed-exitcode");
  const backup = program.command("backup");
  backup.command("run").option("--strict");
  backup.command("prune").option("--dry-run");
  return program;
}

/** Ask real bash what it would complete for a command line. */
function complete(script: string, line: string): string[] {
  const words = line.split(" ");
  const driver = `${script}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}
_nemoclaw_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync("bash", ["-c", driver], { cwd: "/", encoding: "utf8" }).split("\n").filter(Boolean);
}

describe("bash completion", () => {
  const script = bashCompletion(sampleProgram());

  it("completes top-level commands", () => {
    expect(complete(script, "nemoclaw ba")).toContain("backup");
  });

  it("completes subcommands of a command group", () => {
    expect(complete(script, "nemoclaw backup p")).toEqual(["prune"]);
  });

  it("completes the options of the command being typed", () => {
    expect(complete(script, "nemoclaw backup prune --d")).toEqual(["--dry-run"]);
    expect(complete(script, "nemoclaw plan --det")).toEqual(["--detailed-exitcode"]);
  });

  it("is loadable by zsh's bash compatibility layer", () => {
    expect(zshCompletion(sampleProgram())).toMatch(/^#compdef nemoclaw\n[\s\S]*bashcompinit[\s\S]*complete -o filenames -F _nemoclaw_complete nemoclaw/);
  });
});

describe("bash completion of arguments", () => {
  it("offers files for a command's positional arguments", () => {
    const words = complete(bashCompletion(sampleProgram()), "nemoclaw plan et");
    expect(words).toContain("etc");
  });
});
