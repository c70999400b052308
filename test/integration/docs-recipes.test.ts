/**
 * Every recipe in docs/recipes runs as written. For each recipe the test starts the sshd test
 * fleet + simulator its front-matter names (`scenario:`), puts the built CLI on PATH as
 * `nemoclaw`, and walks the page top to bottom:
 *
 *   ```yaml file=fleet.yaml   the file is written (a later block with the same name replaces it)
 *   ```sh                     the block runs with `sh -e` in the recipe's directory; it must exit 0,
 *                             or the code of a following `<!-- exit: N -->`, and print every
 *                             `<!-- output: text -->` that follows it (stdout or stderr)
 *   ```ini with ExecStart=    the unit's command runs like a sh block (systemd units stay true)
 *
 * Other blocks (`console`, `text`, plain `yaml`) are for reading only. After the last block the
 * scenario's own checks look at the hosts (simulator state) to see the recipe did what it says.
 */
import { execFile } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { startFleet, type TestFleet } from "../fleet/index.mjs";
import { readSimState } from "../sim/index.mjs";
import { CLI } from "./apply-support.js";

const RECIPES = fileURLToPath(new URL("../../docs/recipes/", import.meta.url));
const SECRET = "nvapi-recipe-SECRET-51c2";

// ---- the recipes' fleets ------------------------------------------------------------------------

interface RecipeContext {
  dir: string;
  fleet: TestFleet;
  home(host: string): string;
}

interface RecipeScenario {
  hosts: { name: string; groups?: string[]; scenario: object }[];
  /** Where the recipe expects its inventory (written from the test fleet's, in that format). */
  inventory: string;
  /** What must be true on the hosts after the last block. */
  verify?(context: RecipeContext): void;
}

const notes = (text: string) => ({ "/sandbox/.openclaw/workspace/notes.md": text });

function sandboxFile(context: RecipeContext, host: string, gateway: string, sandbox: string, path: string): string | null {
  const file = join(context.home(host), ".fleet-sim", "sandboxes", gateway, sandbox, "root", path);
  return existsSync(file) ? readFileSync(file, "utf8") : null;
}

/** `gateway/sandbox phase` for every sandbox the host's gateways hold. */
function liveSandboxes(context: RecipeContext, host: string): string[] {
  const state = readSimState({ home: context.home(host) }) as { gateways: Record<string, { name: string; sandboxes: Record<string, { name: string; phase: string }> }> };
  return Object.values(state.gateways).flatMap((gateway) => Object.values(gateway.sandboxes).map((sandbox) => `${gateway.name}/${sandbox.name} ${sandbox.phase}`));
}

function calls(context: RecipeContext, host: string): string[] {
  return readSimState({ home: context.home(host) }).calls.map((call: { tool: string; argv: string[] }) => `${call.tool} ${call.argv.join(" ")}`);
}

const SCENARIOS: Record<string, RecipeScenario> = {
  /** Three Sparks on OpenShell 0.0.71, one sandbox each with work in it. */
  "sparks-on-0.0.71": {
    inventory: "inventory/hosts.yml",
    hosts: ["spark-01", "spark-02", "spark-03"].map((name) => ({
      name,
      groups: ["spark"],
      scenario: { openshell: { version: "0.0.71" }, gateways: [{ port: 8080, sandboxes: [{ name: "assistant", files: notes(`work on ${name}\n`) }] }] },
    })),
    verify(context) {
      for (const host of ["spark-01", "spark-02", "spark-03"]) {
        const installed = readFileSync(join(context.home(host), ".local", "bin", "openshell"), "utf8");
        expect(installed, host).toContain("openshell 0.0.72");
        expect(sandboxFile(context, host, "nemoclaw", "assistant", "sandbox/.openclaw/workspace/notes.md"), host).toBe(`work on ${host}\n`);
      }
    },
  },

  /** The morning after a power cut: one fault per host. */
  "after-a-reboot": {
    inventory: "inventory/hosts.yml",
    hosts: [
      { name: "spark-01", groups: ["spark"], scenario: { gateways: [{ port: 8080, state: "stopped", sandboxes: [{ name: "assistant" }] }], shields: { assistant: "up" } } },
      {
        name: "spark-02",
        groups: ["spark"],
        scenario: { gateways: [{ port: 8080, sandboxes: [{ name: "assistant", guards: { missing: "all" }, staleLock: true, agentGateway: "stopped" }] }], shields: { assistant: "up" } },
      },
      { name: "spark-03", groups: ["spark"], scenario: { gateways: [{ port: 8080, sandboxes: [{ name: "assistant", live: false }] }], shields: { assistant: "up" } } },
    ],
    verify(context) {
      for (const host of ["spark-01", "spark-02", "spark-03"]) expect(liveSandboxes(context, host), host).toEqual(["nemoclaw/assistant Ready"]);
      expect(sandboxFile(context, "spark-02", "nemoclaw", "assistant", "tmp/nemoclaw-proxy-env.sh")).not.toBeNull();
      const order = calls(context, "spark-02");
      expect(order.findIndex((call) => call.includes("nemoclaw-proxy-env.sh"))).toBeLessThan(order.findIndex((call) => call === "nemoclaw assistant recover"));
    },
  },

  /** Two Sparks on NemoClaw v0.0.124: spark-01 after a reboot, spark-02 with a guard of the wrong mode beside its running agent. */
  unattended: {
    inventory: "inventory/hosts.yml",
    hosts: [
      {
        name: "spark-01",
        groups: ["spark"],
        scenario: { nemoclaw: { version: "0.0.124" }, gateways: [{ port: 8080, sandboxes: [{ name: "assistant", guards: { missing: "all" }, staleLock: true, agentGateway: "stopped" }] }] },
      },
      { name: "spark-02", groups: ["spark"], scenario: { nemoclaw: { version: "0.0.124" }, gateways: [{ port: 8080, sandboxes: [{ name: "assistant", guards: { wrongMode: ["/tmp/nemoclaw-proxy-env.sh"] } }] }] } },
    ],
    verify(context) {
      for (const host of ["spark-01", "spark-02"]) expect(liveSandboxes(context, host), host).toEqual(["nemoclaw/assistant Ready"]);
      expect(sandboxFile(context, "spark-01", "nemoclaw", "assistant", "tmp/nemoclaw-proxy-env.sh")).not.toBeNull();
      // The disruptive repair ran once, in the run a person started, after the scheduled runs held it back.
      expect(calls(context, "spark-02").filter((call) => call === "nemoclaw assistant gateway restart")).toHaveLength(1);
    },
  },

  /** Two Sparks; spark-01 also runs a second gateway on port 8081 (NemoClaw's backup-all misses it). */
  "sandboxes-to-back-up": {
    inventory: "inventory/hosts.yml",
    hosts: [
      {
        name: "spark-01",
        groups: ["spark"],
        scenario: { gateways: [{ port: 8080, sandboxes: [{ name: "assistant" }] }, { port: 8081, sandboxes: [{ name: "coder" }] }] },
      },
      { name: "spark-02", groups: ["spark"], scenario: { gateways: [{ port: 8080, sandboxes: [{ name: "assistant" }] }] } },
    ],
    verify(context) {
      const stored = (host: string, sandbox: string) => readdirSync(join(context.dir, "backups", host, sandbox)).filter((name) => !name.startsWith("."));
      expect(stored("spark-01", "assistant").length).toBeGreaterThan(0);
      expect(stored("spark-01", "coder").length).toBeGreaterThan(0);
      expect(stored("spark-02", "assistant").length).toBeGreaterThan(0);
    },
  },

  /** alice lives on spark-01; spark-02 runs the default gateway and nothing else yet. */
  "alice-moves-hosts": {
    inventory: "inventory/hosts.yml",
    hosts: [
      { name: "spark-01", groups: ["spark"], scenario: { gateways: [{ port: 8080, sandboxes: [{ name: "alice", files: notes("remember the milk\n") }] }] } },
      { name: "spark-02", groups: ["spark"], scenario: { gateways: [{ port: 8080, sandboxes: [] }] } },
    ],
    verify(context) {
      expect(sandboxFile(context, "spark-02", "nemoclaw", "alice", "sandbox/.openclaw/workspace/notes.md")).toBe("remember the milk\n");
    },
  },

  /** docs/getting-started.md's fleet: two Sparks on NemoClaw v0.0.124 in the group spark, each running assistant. */
  "getting-started": {
    inventory: "inventory/hosts.ini",
    hosts: ["spark-01", "spark-02"].map((name) => ({
      name,
      groups: ["spark"],
      scenario: { nemoclaw: { version: "0.0.124" }, gateways: [{ port: 8080, sandboxes: [{ name: "assistant", files: notes(`work on ${name}\n`) }] }] },
    })),
    verify(context) {
      for (const host of ["spark-01", "spark-02"]) {
        expect(liveSandboxes(context, host), host).toEqual(["nemoclaw/assistant Ready"]);
        expect(readdirSync(join(context.dir, "backups", host, "assistant")).filter((name) => !name.startsWith(".")).length, host).toBeGreaterThan(0);
      }
    },
  },

  /** Hosts an Ansible INI inventory already lists: two Sparks on NemoClaw v0.0.76 (OpenShell 0.0.72), a Station still on v0.0.73 (0.0.71). */
  "existing-ansible-hosts": {
    inventory: "inventory/hosts.ini",
    hosts: [
      { name: "spark-01", groups: ["spark"], scenario: { gateways: [{ port: 8080, sandboxes: [{ name: "assistant" }] }] } },
      { name: "spark-02", groups: ["spark"], scenario: { gateways: [{ port: 8080, sandboxes: [{ name: "assistant" }] }] } },
      { name: "station-01", groups: ["station"], scenario: { arch: "x86_64", nemoclaw: { version: "0.0.73" }, openshell: { version: "0.0.71" }, gateways: [{ port: 8080, sandboxes: [] }] } },
    ],
    verify(context) {
      // Nothing was changed on the Station: it keeps the release it runs.
      expect(readFileSync(join(context.home("station-01"), ".local", "bin", "openshell"), "utf8")).toContain("openshell 0.0.71");
    },
  },
};

/** The test fleet's inventory in Ansible's INI format, as a user's existing inventory would be. */
function iniInventory(fleet: TestFleet, groupsOf: (host: string) => string[]): string {
  const yaml = parseYaml(readFileSync(fleet.inventoryPath, "utf8")) as { all: { vars: Record<string, string> } };
  const line = (host: TestFleet["hosts"][number]) => `${host.name} ansible_host=${host.address} ansible_port=${host.port} ansible_user=${host.user}`;
  const groups = [...new Set(fleet.hosts.flatMap((host) => groupsOf(host.name)))];
  return [
    ...groups.flatMap((group) => [`[${group}]`, ...fleet.hosts.filter((host) => groupsOf(host.name).includes(group)).map(line), ""]),
    "[all:vars]",
    `ansible_ssh_private_key_file=${yaml.all.vars.ansible_ssh_private_key_file}`,
    `ansible_ssh_common_args='${yaml.all.vars.ansible_ssh_common_args}'`,
    "",
  ].join("\n");
}

// ---- reading a recipe ---------------------------------------------------------------------------

type Block =
  | { kind: "file"; name: string; text: string; line: number }
  | { kind: "run"; script: string; exit: number; outputs: string[]; line: number };

interface Recipe {
  file: string;
  scenario: string;
  blocks: Block[];
}

function readRecipe(file: string, text: string): Recipe {
  const lines = text.split("\n");
  if (lines[0] !== "---") throw new Error(`${file}: starts without front-matter naming its scenario`);
  const end = lines.indexOf("---", 1);
  const front = parseYaml(lines.slice(1, end).join("\n")) as { scenario?: string };
  if (!front.scenario) throw new Error(`${file}: the front-matter names no scenario`);
  const blocks: Block[] = [];
  for (let i = end + 1; i < lines.length; i++) {
    const open = /^```(\S+)(.*)$/.exec(lines[i] as string);
    if (!open) continue;
    const start = i + 1;
    const close = lines.indexOf("```", start);
    if (close === -1) throw new Error(`${file}:${i + 1}: unclosed code block`);
    const body = lines.slice(start, close).join("\n");
    const [language, info] = [open[1], open[2] ?? ""];
    const fileName = /\bfile=(\S+)/.exec(info)?.[1];
    const annotations: string[] = [];
    let next = close + 1;
    while (next < lines.length && /^\s*(<!--.*-->)?\s*$/.test(lines[next] as string)) {
      const comment = /^\s*<!--\s*(.*?)\s*-->\s*$/.exec(lines[next] as string);
      if (comment) annotations.push(comment[1] as string);
      next++;
    }
    const exit = Number(/^exit:\s*(\d+)$/.exec(annotations.find((a) => a.startsWith("exit:")) ?? "exit: 0")?.[1]);
    const outputs = annotations.filter((a) => a.startsWith("output:")).map((a) => a.slice("output:".length).trim());
    if (fileName) blocks.push({ kind: "file", name: fileName, text: `${body}\n`, line: start });
    else if (language === "sh") blocks.push({ kind: "run", script: body, exit, outputs, line: start });
    else if (language === "ini" && /^ExecStart=/m.test(body)) {
      const command = (/^ExecStart=(.*)$/m.exec(body)?.[1] ?? "").trim();
      blocks.push({ kind: "run", script: command, exit, outputs, line: start });
    }
    i = close;
  }
  return { file, scenario: front.scenario, blocks };
}

// ---- running one --------------------------------------------------------------------------------

function runScript(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = execFile("sh", ["-e", "-c", script], { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === "number" ? ((error as { code: number }).code) : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
    child.stdin?.end();
  });
}

async function runRecipe(recipe: Recipe): Promise<void> {
  const scenario = SCENARIOS[recipe.scenario];
  if (!scenario) throw new Error(`${recipe.file}: unknown scenario '${recipe.scenario}' (known: ${Object.keys(SCENARIOS).join(", ")})`);
  const dir = mkdtempSync(join(tmpdir(), "ncf-recipe-"));
  chmodSync(dir, 0o755); // the hosts' own users (as root) reach their homes inside
  let fleet: TestFleet | undefined;
  try {
    fleet = await startFleet({ dir: join(dir, ".hosts"), hosts: scenario.hosts });
    const started = fleet;
    const inventory = join(dir, scenario.inventory);
    mkdirSync(dirname(inventory), { recursive: true });
    if (inventory.endsWith(".ini")) {
      writeFileSync(inventory, iniInventory(started, (host) => scenario.hosts.find((spec) => spec.name === host)?.groups ?? []));
    } else {
      copyFileSync(started.inventoryPath, inventory);
    }
    const bin = join(dir, ".bin");
    mkdirSync(bin);
    symlinkSync(CLI, join(bin, "nemoclaw"));
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`, NVIDIA_API_KEY: SECRET, XDG_STATE_HOME: join(dir, ".state"), NO_COLOR: "1" };
    delete env.FORCE_COLOR;
    delete env.SSH_AUTH_SOCK;

    for (const block of recipe.blocks) {
      if (block.kind === "file") {
        writeFileSync(join(dir, block.name), block.text);
        continue;
      }
      const { code, output } = await runScript(block.script, dir, env);
      const where = `${recipe.file}:${block.line}\n$ ${block.script}\n${output}`;
      expect(code, where).toBe(block.exit);
      for (const expected of block.outputs) expect(output, where).toContain(expected);
      expect(output, where).not.toContain(SECRET);
    }
    scenario.verify?.({ dir, fleet: started, home: (host) => started.hosts.find((candidate) => candidate.name === host)?.home ?? "" });
  } finally {
    await fleet?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const recipes = readdirSync(RECIPES)
  .filter((name) => name.endsWith(".md"))
  .sort()
  .map((name) => readRecipe(`docs/recipes/${name}`, readFileSync(join(RECIPES, name), "utf8")));

/**
 * docs/getting-started.md from its fourth section on, as a new user follows it: the inventory
 * commands, the example fleet file, validate and plan, the saved-plan route §5 gives for a reviewed
 * change (the interactive `apply fleet.yaml` asks for `yes` on a terminal, which a test has not),
 * and the backup commands.
 */
function gettingStarted(): Recipe {
  const file = "docs/getting-started.md";
  const text = readFileSync(fileURLToPath(new URL("../../docs/getting-started.md", import.meta.url)), "utf8");
  const section = (heading: string) => {
    const start = text.indexOf(`\n## ${heading}`);
    if (start === -1) throw new Error(`${file}: no section '${heading}'`);
    const end = text.indexOf("\n## ", start + 1);
    return text.slice(start, end === -1 ? undefined : end);
  };
  const blocks = (part: string, language: string) => [...part.matchAll(/^```(\S+)\n([\s\S]*?)^```$/gm)].filter((match) => match[1] === language).map((match) => match[2] as string);
  const four = section("4. ");
  const five = section("5. ");
  const reviewed = /`(nemoclaw plan fleet\.yaml -o plan\.json)`, then\s+`(nemoclaw apply plan\.json)`/.exec(five);
  if (!reviewed) throw new Error(`${file}: section 5 no longer gives the saved-plan route`);
  const interactive = /^(export |nemoclaw apply fleet\.yaml)/;
  const run = (script: string): Extract<Block, { kind: "run" }> => ({ kind: "run", script, exit: 0, outputs: [], line: 0 });
  return {
    file,
    scenario: "getting-started",
    blocks: [
      { ...run(blocks(four, "sh")[0] ?? ""), outputs: ["inventory/hosts.ini is valid: 2 hosts", "Wrote fleet.yaml: 2 hosts from inventory/hosts.ini, NemoClaw 0.0.124"] },
      { kind: "file", name: "fleet.yaml", text: blocks(four, "yaml")[0] ?? "", line: 0 },
      { ...run((blocks(five, "sh")[0] ?? "").split("\n").filter((line) => !interactive.test(line)).join("\n")), outputs: ["fleet.yaml is valid: 2 hosts, 2 gateways, 2 sandboxes, 1 backup policy"] },
      run(`${reviewed[1]}\n${reviewed[2]}`),
      { ...run(blocks(section("6. "), "sh")[0] ?? ""), outputs: ["verified"] },
    ],
  };
}

describe("docs/getting-started.md", () => {
  it("runs as written from 'A fleet file from your inventory' on, against the fleet it describes", () => runRecipe(gettingStarted()), 900_000);
});

describe("docs/recipes", () => {
  it("has recipes, each with commands to run", () => {
    expect(recipes.length).toBeGreaterThanOrEqual(5);
    for (const recipe of recipes) expect(recipe.blocks.filter((block) => block.kind === "run").length, recipe.file).toBeGreaterThan(0);
  });

  describe.concurrent.each(recipes.map((recipe) => [recipe.file, recipe] as const))("%s", (_file, recipe) => {
    it(`runs as written against the '${recipe.scenario}' fleet`, () => runRecipe(recipe), 900_000);
  });
});
