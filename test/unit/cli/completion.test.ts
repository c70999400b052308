/** What completion offers for the word being typed, from the real command definitions and fake names. */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { registerCommands } from "../../../src/cli/commands.js";
import { complete, completionData, type CompletionData } from "../../../src/cli/complete.js";
import { bashCompletion, fishCompletion, formatCompletion, shellWords, zshCompletion } from "../../../src/cli/completion.js";

const root = new Command("nemoclaw");
await registerCommands(root, []);

/** Every command, registered once: nothing here changes a definition. */
function program(): Command {
  return root;
}

/** Names as a fleet file would give them; records which fleet file and inventories were asked for. */
function data(overrides: Partial<CompletionData> = {}) {
  const asked: [string | undefined, string[]][] = [];
  const fake: CompletionData = {
    async hosts(fleetFile, inventories) {
      asked.push([fleetFile, inventories]);
      return ["spark-01", "spark-02", "station-01"];
    },
    async groups() {
      return [
        { name: "all", hosts: 3 },
        { name: "spark", hosts: 2 },
      ];
    },
    async policies() {
      return ["nightly", "weekly"];
    },
    runs: () => ["20261122T090000Z-bbbbbb", "20261121T090000Z-aaaaaa"],
    defaultFleetExists: () => true,
    planFleet: (file) => (file === "plan.json" ? "/srv/fleet/prod.yaml" : undefined),
    ...overrides,
  };
  return { fake, asked };
}

async function offered(line: string, overrides: Partial<CompletionData> = {}) {
  const { words, current } = shellWords(line);
  const { fake, asked } = data(overrides);
  const result = await complete(program(), words.slice(1), current, fake);
  return { values: result.candidates.map((candidate) => candidate.value), directive: result.directive, asked };
}

describe("completion of commands and options", () => {
  it("offers the commands, with their descriptions, and never the hidden one", async () => {
    const { fake } = data();
    const result = await complete(program(), [], "", fake);
    expect(result.candidates.map((candidate) => candidate.value)).toEqual(["validate", "plan", "show", "apply", "facts", "backup", "report", "history", "schedule", "unlock", "inventory", "init", "completion"]);
    expect(result.candidates.find((candidate) => candidate.value === "show")?.description).toBe("show a saved plan as `plan` printed it, or as JSON");
    expect(await offered("nemoclaw backup p")).toEqual({ values: ["prune"], directive: "none", asked: [] });
  });

  it("offers the options of the command being typed", async () => {
    expect((await offered("nemoclaw backup prune --d")).values).toEqual(["--dry-run"]);
    expect((await offered("nemoclaw plan --det")).values).toEqual(["--detailed-exitcode"]);
    expect((await offered("nemoclaw apply --lock")).values).toEqual(["--lock-timeout"]);
    expect((await offered("nemoclaw plan -")).values).toContain("-o");
  });
});

describe("completion of names", () => {
  it("--limit offers groups and hosts, never file names", async () => {
    expect(await offered("nemoclaw plan --limit ")).toMatchObject({ values: ["all", "spark", "spark-01", "spark-02", "station-01"], directive: "none" });
    expect((await offered("nemoclaw apply -l st")).values).toEqual(["station-01"]);
    expect((await offered("nemoclaw facts --limit=sp")).values).toEqual(["--limit=spark", "--limit=spark-01", "--limit=spark-02"]);
  });

  it("completes the last part of a --limit pattern, keeping what came before and & or !", async () => {
    expect((await offered("nemoclaw plan --limit spark-01,st")).values).toEqual(["spark-01,station-01"]);
    expect((await offered("nemoclaw plan --limit spark:&sp")).values).toEqual(["spark:&spark", "spark:&spark-01", "spark:&spark-02"]);
    expect((await offered("nemoclaw plan --limit all:!spark-0")).values).toEqual(["all:!spark-01", "all:!spark-02"]);
  });

  it("reads the names from the fleet file and inventories on the command line, or ./fleet.yaml", async () => {
    expect((await offered("nemoclaw plan prod.yaml -i extra.ini --limit ")).asked).toEqual([["prod.yaml", ["extra.ini"]]]);
    expect((await offered("nemoclaw plan -i a.ini --inventory=b.ini -ic.ini --limit ")).asked).toEqual([[undefined, ["a.ini", "b.ini", "c.ini"]]]);
    expect((await offered("nemoclaw plan --limit ")).asked).toEqual([["fleet.yaml", []]]);
    expect((await offered("nemoclaw plan --limit ", { defaultFleetExists: () => false })).asked).toEqual([[undefined, []]]);
    expect((await offered("nemoclaw apply plan.json --limit ")).asked).toEqual([["/srv/fleet/prod.yaml", []]]);
    expect((await offered("nemoclaw unlock --fleet lab.yaml sp")).asked).toEqual([["lab.yaml", []]]);
    expect((await offered("nemoclaw backup restore spark-01/alice lab.yaml --policy ")).asked.length).toBe(0);
    expect((await offered("nemoclaw backup list lab.yaml --host ")).asked).toEqual([["lab.yaml", []]]);
  });

  it("hosts after unlock and --host, policies after --policy, run ids after history, groups after inventory --graph", async () => {
    expect((await offered("nemoclaw unlock spark-01 s")).values).toEqual(["spark-01", "spark-02", "station-01"]);
    expect((await offered("nemoclaw backup list --host sp")).values).toEqual(["spark-01", "spark-02"]);
    expect((await offered("nemoclaw backup run --policy ")).values).toEqual(["nightly", "weekly"]);
    expect((await offered("nemoclaw history ")).values).toEqual(["last", "20261122T090000Z-bbbbbb", "20261121T090000Z-aaaaaa", "prune"]);
    expect((await offered("nemoclaw history pr")).values).toEqual(["prune"]);
    expect((await offered("nemoclaw history 20261121")).values).toEqual(["20261121T090000Z-aaaaaa"]);
    expect((await offered("nemoclaw inventory fleet.yaml s")).values).toEqual(["spark"]);
    expect((await offered("nemoclaw completion ")).values).toEqual(["bash", "zsh", "fish"]);
  });

  it("file names only where a file is wanted; nothing for other values", async () => {
    expect((await offered("nemoclaw plan ")).directive).toBe("files");
    expect((await offered("nemoclaw plan -i ")).directive).toBe("files");
    expect((await offered("nemoclaw plan -o ")).directive).toBe("files");
    expect((await offered("nemoclaw show ")).directive).toBe("files");
    expect(await offered("nemoclaw apply --concurrency ")).toMatchObject({ values: [], directive: "none" });
    expect(await offered("nemoclaw backup restore ")).toMatchObject({ values: [], directive: "none" });
  });

  it("file names for every option whose value is a file, directory or path, as its help says", async () => {
    expect((await offered("nemoclaw schedule install --secrets-file ")).directive).toBe("files");
    expect((await offered("nemoclaw schedule show --unit-dir ")).directive).toBe("files");
    expect((await offered("nemoclaw report --journal-dir ")).directive).toBe("files");
    expect((await offered("nemoclaw init --schema ")).directive).toBe("files");
    expect((await offered("nemoclaw plan --vault-id ")).directive).toBe("files");
    expect(await offered("nemoclaw backup restore spark-01/alice --to ")).toMatchObject({ values: [], directive: "none" });
    expect(await offered("nemoclaw plan --target ")).toMatchObject({ values: [], directive: "none" });
  });

  it("run ids are the journals `history` lists, never another file in the journal directory", () => {
    const home = mkdtempSync(join(tmpdir(), "ncf-completion-"));
    const runs = join(home, "state", "nemoclaw-fleet", "runs");
    mkdirSync(runs, { recursive: true });
    for (const name of ["20261121T090000Z-aaaaaa.jsonl", "20261122T090000Z-bbbbbb.jsonl", "notes.jsonl", "20261122T090000Z-bbbbbb.jsonl~"]) writeFileSync(join(runs, name), "");
    try {
      expect(completionData(home, { XDG_STATE_HOME: join(home, "state") }).runs()).toEqual(["20261122T090000Z-bbbbbb", "20261121T090000Z-aaaaaa"]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe("the protocol and the shell side", () => {
  it("splits a command line as the shell would, the last word being typed", () => {
    expect(shellWords("nemoclaw plan 'my fleet.yaml' --limit \"spark-0")).toEqual({ words: ["nemoclaw", "plan", "my fleet.yaml", "--limit"], current: "spark-0" });
    expect(shellWords("nemoclaw plan a\\ b ")).toEqual({ words: ["nemoclaw", "plan", "a b"], current: "" });
  });

  it("one candidate a line with its description, then the directive; relative to bash's own word", () => {
    const completion = { candidates: [{ value: "spark:&spark-01", description: "host" }, { value: "spark:&spark-02" }], directive: "none" as const };
    expect(formatCompletion(completion)).toBe("spark:&spark-01\thost\nspark:&spark-02\n:none\n");
    expect(formatCompletion(completion, "spark:&")).toBe("spark-01\thost\nspark-02\n:none\n");
  });

  it("prints scripts each shell reads without error", () => {
    const root = program();
    const dir = mkdtempSync(join(tmpdir(), "ncf-completion-"));
    for (const [shell, script] of [["bash", bashCompletion(root)], ["zsh", zshCompletion(root)], ["fish", fishCompletion(root)]] as const) {
      try {
        execFileSync(shell, ["--version"], { stdio: "ignore" });
      } catch {
        continue; // not installed here (scripts/install-test-deps.sh installs zsh and fish)
      }
      writeFileSync(join(dir, shell), script);
      expect(() => execFileSync(shell, ["-n", join(dir, shell)], { stdio: "pipe" }), shell).not.toThrow();
    }
    rmSync(dir, { recursive: true, force: true });
  });
});
