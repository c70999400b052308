/** Single-dash long options (`-out=plan.json`) refused on every command, with what was meant. */
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { registerCommands } from "../../../src/cli/commands.js";
import { optionTypo } from "../../../src/cli/option-typos.js";

const root = new Command("nemoclaw").version("0.0.0", "-V, --version");
await registerCommands(root, []);

/** Every command, registered once: nothing here changes a definition. */
function program(): Command {
  return root;
}

const typo = (line: string) => optionTypo(program(), line.split(" ").filter(Boolean));

describe("single-dash long options", () => {
  it("-out=plan.json: names the misreading and the spelling meant", () => {
    expect(typo("plan fleet.yaml -out=plan.json")).toBe(
      "nemoclaw plan: -out=plan.json is not an option (one dash takes one letter: it would be read as -o 'ut=plan.json'); write -o plan.json or --out=plan.json",
    );
  });

  it("-out plan.json and -o=plan.json are refused too", () => {
    expect(typo("plan -out plan.json")).toContain("write -o plan.json or --out=plan.json");
    expect(typo("plan -o=plan.json")).toBe("nemoclaw plan: -o=plan.json would give -o the value '=plan.json'; write -o plan.json or --out=plan.json");
  });

  it("on every command, subcommands included, with flags and unique prefixes", () => {
    expect(typo("apply fleet.yaml -limit spark-*")).toContain("nemoclaw apply: -limit is not an option (one dash takes one letter: it would be read as -l 'imit'); write -l 'spark-*'");
    expect(typo("apply -yes")).toBe("nemoclaw apply: -yes is not an option (one dash takes one letter: it would be read as -y 'es'); write --yes");
    expect(typo("backup prune fleet.yaml -dry-run")).toBe("nemoclaw backup prune: -dry-run is not an option; write --dry-run");
    expect(typo("plan -detailed")).toBe("nemoclaw plan: -detailed is not an option; write --detailed-exitcode");
    expect(typo("facts -json")).toBe("nemoclaw facts: -json is not an option; write --json");
    expect(typo("init -inventory hosts.ini")).toContain("write -i hosts.ini or --inventory=hosts.ini");
    expect(typo("-version")).toBe("nemoclaw: -version is not an option; write --version");
  });

  it("leaves correct command lines alone: short options, joined short values, values that start with a dash, after --", () => {
    for (const line of [
      "plan fleet.yaml -o plan.json",
      "plan fleet.yaml -oplan.json --out=x.json",
      "apply plan.json -y -l spark-01",
      "plan --limit -out",
      "plan -l -limit",
      "history -n 3",
      "backup run fleet.yaml --policy nightly",
      "unlock h1 -- -out=x",
      "init -i hosts.ini -o fleet.yaml",
    ]) {
      expect(typo(line), line).toBeNull();
    }
  });
});

describe("Terraform and Ansible options", () => {
  it("says what nemoclaw has instead of -auto-approve, --check, --diff, --forks and -parallelism", () => {
    expect(typo("apply fleet.yaml -auto-approve")).toBe("nemoclaw apply: -auto-approve is Terraform's option, not nemoclaw's; apply asks unless given --yes (-y): write --yes");
    expect(typo("apply --auto-approve")).toBe("nemoclaw apply: --auto-approve is Terraform's option, not nemoclaw's; apply asks unless given --yes (-y): write --yes");
    expect(typo("apply fleet.yaml --check")).toBe("nemoclaw apply: --check is Ansible's dry-run option, not nemoclaw's; `nemoclaw plan` shows what apply would change, in order and why, and changes nothing");
    expect(typo("apply --diff")).toContain("nemoclaw apply: --diff is Ansible's option, not nemoclaw's; `nemoclaw plan` shows each change");
    expect(typo("apply --forks 10")).toBe("nemoclaw apply: --forks is Ansible's option, not nemoclaw's; write --concurrency");
    expect(typo("backup run -parallelism=4")).toBe("nemoclaw backup run: -parallelism=4 is Terraform's option, not nemoclaw's; write --concurrency");
    expect(typo("facts --forks=5")).toContain("`apply --concurrency` and `backup run --concurrency` set how many hosts");
    expect(typo("apply fleet.yaml -vvv")).toBe(
      "nemoclaw apply: -vvv is Ansible's verbosity option, not nemoclaw's; nemoclaw has no verbosity levels: every step shows its command lines, and a failed one its output tail and hint; the journal keeps them all (`nemoclaw history last`, docs/journal.md)",
    );
    expect(typo("plan -v")).toContain("nemoclaw plan: -v is Ansible's verbosity option");
  });

  it("leaves the command's own options and option values alone", () => {
    expect(typo("apply --yes --concurrency 4")).toBeNull();
    expect(typo("apply --limit check")).toBeNull();
    expect(typo("backup run --sandbox diff")).toBeNull();
  });
});
