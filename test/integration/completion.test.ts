/**
 * Shell completion in the real shells, with the built CLI on PATH: what bash, zsh and fish offer
 * for hosts and groups after --limit (never file names, even where files of those names exist),
 * policies, run ids from the journal, and file names where a file is wanted. zsh and fish are
 * installed by scripts/install-test-deps.sh; a shell that is missing is skipped.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI } from "./apply-support.js";

let dir: string;
let env: NodeJS.ProcessEnv;

function installed(shell: string): boolean {
  try {
    execFileSync(shell, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ncf-completion-"));
  mkdirSync(join(dir, "inventory"));
  writeFileSync(join(dir, "inventory", "hosts.ini"), "[spark]\nspark-01\nspark-02\n\n[station]\nstation-01\n");
  writeFileSync(
    join(dir, "fleet.yaml"),
    "apiVersion: nemoclaw.dev/v1\nkind: Fleet\nmetadata: { name: lab }\ninventory: [inventory/hosts.ini]\ngateways:\n  - port: 8080\nbackupPolicies:\n  - name: nightly\n    retention: { keepLast: 3 }\n    destination: { path: ./backups }\n",
  );
  // Files whose names a file completion would offer after --limit: it must not.
  writeFileSync(join(dir, "spark-notes.txt"), "");
  writeFileSync(join(dir, "plan.json"), "{}");
  const runs = join(dir, "state", "nemoclaw-fleet", "runs");
  mkdirSync(runs, { recursive: true });
  for (const run of ["20261121T090000Z-aaaaaa", "20261122T090000Z-bbbbbb"]) writeFileSync(join(runs, `${run}.jsonl`), "");
  mkdirSync(join(dir, "bin"));
  symlinkSync(CLI, join(dir, "bin", "nemoclaw"));
  env = { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH ?? "/usr/bin:/bin"}`, XDG_STATE_HOME: join(dir, "state"), HOME: dir };
  for (const shell of ["bash", "zsh", "fish"]) writeFileSync(join(dir, `completion.${shell}`), execFileSync(CLI, ["completion", shell], { encoding: "utf8" }));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const lines = (text: string) => text.split("\n").filter(Boolean);

/** What bash's completion function leaves in COMPREPLY, with the words split as bash splits them. */
function bash(line: string, words: string[]): string[] {
  const driver = `source ${join(dir, "completion.bash")}
COMP_LINE=${JSON.stringify(line)}; COMP_POINT=\${#COMP_LINE}
COMP_WORDS=(${words.map((word) => `'${word}'`).join(" ")}); COMP_CWORD=${words.length - 1}
_nemoclaw_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return lines(execFileSync("bash", ["-c", driver], { cwd: dir, env, encoding: "utf8" }));
}

/** What fish itself completes for a command line. */
function fish(line: string): string[] {
  return lines(execFileSync("fish", ["--no-config", "-c", `source ${join(dir, "completion.fish")}; complete -C ${JSON.stringify(line)}`], { cwd: dir, env, encoding: "utf8" }));
}

/** What zsh's completion function hands to compadd (or `:files` when it hands over to _files). */
function zsh(words: string[]): string[] {
  const driver = `compdef() { : }
compadd() { print -rl -- "\${(@P)\${@[-1]}}" }
_files() { print -r -- ':files' }
source ${join(dir, "completion.zsh")}
words=(${words.map((word) => `'${word}'`).join(" ")}); CURRENT=${words.length}; PREFIX='${words.at(-1)}'
_nemoclaw`;
  return lines(execFileSync("zsh", ["-f", "-c", driver], { cwd: dir, env, encoding: "utf8" }));
}

describe("bash", () => {
  it("completes hosts and groups after --limit from ./fleet.yaml and its inventory, never file names", () => {
    expect(bash("nemoclaw plan --limit sp", ["nemoclaw", "plan", "--limit", "sp"])).toEqual(["spark", "spark-01", "spark-02"]);
    expect(bash("nemoclaw plan --limit=st", ["nemoclaw", "plan", "--limit", "=", "st"])).toEqual(["station", "station-01"]);
    expect(bash("nemoclaw plan --limit spark-01,st", ["nemoclaw", "plan", "--limit", "spark-01,st"])).toEqual(["spark-01,station", "spark-01,station-01"]);
  });

  it("completes commands, options, policies and run ids; file names only where a file is wanted", () => {
    expect(bash("nemoclaw hi", ["nemoclaw", "hi"])).toEqual(["history"]);
    expect(bash("nemoclaw apply --lock", ["nemoclaw", "apply", "--lock"])).toEqual(["--lock-timeout"]);
    expect(bash("nemoclaw backup run --policy ", ["nemoclaw", "backup", "run", "--policy", ""])).toEqual(["nightly"]);
    expect(bash("nemoclaw history 2026112", ["nemoclaw", "history", "2026112"])).toEqual(["20261122T090000Z-bbbbbb", "20261121T090000Z-aaaaaa"]);
    expect(bash("nemoclaw apply pl", ["nemoclaw", "apply", "pl"])).toEqual(["plan.json"]);
  });
});

describe.runIf(installed("fish"))("fish", () => {
  it("completes hosts and groups after --limit, with what they are, never file names", () => {
    expect(fish("nemoclaw plan --limit sp")).toEqual(["spark\tgroup of 2 hosts", "spark-01\thost", "spark-02\thost"]);
    expect(fish("nemoclaw plan --limit spark:&st")).toEqual(["spark:&station\tgroup of 1 host", "spark:&station-01\thost"]);
  });

  it("completes commands with their descriptions, run ids, and file names where a file is wanted", () => {
    expect(fish("nemoclaw sh")).toEqual(["show\tshow a saved plan as `plan` printed it, or as JSON"]);
    expect(fish("nemoclaw history 20261121")).toEqual(["20261121T090000Z-aaaaaa"]);
    expect(fish("nemoclaw plan -i inv")).toEqual(["inventory/"]);
  });
});

describe.runIf(installed("zsh"))("zsh", () => {
  it("completes hosts and groups after --limit, policies, and hands file names to _files", () => {
    expect(zsh(["nemoclaw", "unlock", "st"])).toEqual(["station-01"]);
    expect(zsh(["nemoclaw", "plan", "--limit", "sp"])).toEqual(["spark", "spark-01", "spark-02"]);
    expect(zsh(["nemoclaw", "backup", "list", "--policy", ""])).toEqual(["nightly"]);
    expect(zsh(["nemoclaw", "show", "pl"])).toEqual([":files"]);
  });
});
