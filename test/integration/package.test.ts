/**
 * The package installs and runs the way users get it: `npm pack` of this checkout (built by the
 * integration setup), `npm install -g` of the tarball into an empty prefix, then the installed
 * `nemoclaw` — from a directory outside the checkout, so everything it needs (schemas, the
 * example playbook and inventories) must come from the package itself.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PACKAGE = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; version: string };

let dir: string;
let tarball: string;
let packedFiles: string[];
let nemoclaw: string;
let installed: string;

function npmEnv(): NodeJS.ProcessEnv {
  // Settings `npm test` exports to its children (prefix, global, …) must not steer these installs.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith("npm_")));
  return { ...env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false", NO_COLOR: "1" };
}

/** The installed CLI, run from `cwd` outside the checkout. */
async function cli(args: string[], cwd = dir): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(nemoclaw, args, { cwd, env: npmEnv() });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ncf-package-"));
  // --ignore-scripts: prepack would rebuild, emptying dist/ under the tests that run beside this one.
  const packed = await run("npm", ["pack", "--ignore-scripts", "--pack-destination", dir, "--json"], { cwd: ROOT, env: npmEnv() });
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  tarball = join(dir, info!.filename);
  packedFiles = info!.files.map((file) => file.path);
  const prefix = join(dir, "prefix");
  // --prefer-offline: the packages `npm ci` just fetched are in the cache; the registry is asked only for what is not.
  await run("npm", ["install", "--global", "--prefix", prefix, "--prefer-offline", tarball], { cwd: dir, env: npmEnv() });
  nemoclaw = join(prefix, "bin", "nemoclaw");
  installed = join(prefix, "lib", "node_modules", PACKAGE.name);
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the npm package", () => {
  it("ships the built CLI, schemas, examples and docs, and no sources or tests", () => {
    for (const file of ["dist/cli/main.js", "schemas/fleet.schema.json", "schemas/plan.schema.json", "playbooks/dgx-lab.yaml", "inventory/dgx-lab.ini", "docs/README.md", "README.md", "package.json"]) {
      expect(packedFiles, file).toContain(file);
    }
    expect(packedFiles.filter((file) => /^(src|test|scripts)\/|\.test\.js$/.test(file))).toEqual([]);
    // The bundled CLI only: tsc's single modules stay in the checkout, for scripts and the benchmark.
    expect(packedFiles.filter((file) => file.startsWith("dist/") && !/^dist\/cli\/(main\.js|chunks\/)/.test(file))).toEqual([]);
  });

  it("installs a nemoclaw command that starts and lists every command", async () => {
    expect(existsSync(nemoclaw)).toBe(true);
    expect((await cli(["--version"])).stdout.trim()).toBe(PACKAGE.version);
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    for (const command of ["validate", "plan", "apply", "facts", "backup", "history", "schedule", "unlock", "init", "completion"]) expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, "m"));
  });

  it("validates the example playbook with the schema from the package", async () => {
    const result = await cli(["validate", join(installed, "playbooks", "dgx-lab.yaml"), "--json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ valid: true, errors: [] });
  });

  it("starts a fleet file from an inventory with a portable schema line: the schema's URL, or --schema relative to the file", async () => {
    const result = await cli(["init", "-i", join(installed, "inventory", "dgx-lab.ini"), "--openshell", "0.0.72", "-o", "fleet.yaml"]);
    expect(result.code, result.stderr).toBe(0);
    const schema = join(installed, "schemas", "fleet.schema.json");
    const firstLine = readFileSync(join(dir, "fleet.yaml"), "utf8").split("\n")[0];
    expect(firstLine).toBe(`# yaml-language-server: $schema=${JSON.parse(readFileSync(schema, "utf8")).$id}`);
    const validated = await cli(["validate", "fleet.yaml"]);
    expect(validated.code, validated.stderr).toBe(0);
    expect(validated.stdout).toContain("fleet.yaml is valid: 6 hosts");

    const local = await cli(["init", "-i", join(installed, "inventory", "dgx-lab.ini"), "--openshell", "0.0.72", "-o", "local.yaml", "--schema", schema]);
    expect(local.code, local.stderr).toBe(0);
    const reference = /\$schema=(.*)$/.exec(readFileSync(join(dir, "local.yaml"), "utf8").split("\n")[0] ?? "")?.[1] ?? "";
    expect(reference.startsWith("/")).toBe(false);
    expect(existsSync(join(dir, reference))).toBe(true);
  });

  it("prints shell completion scripts whose completions know the commands", async () => {
    const bash = await cli(["completion", "bash"]);
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain("complete -F _nemoclaw_complete nemoclaw");
    for (const shell of ["zsh", "fish"]) expect((await cli(["completion", shell])).code, shell).toBe(0);
    const words = await cli(["__complete", "--", ""]);
    expect(words.stdout).toMatch(/^init\t/m);
  });
});
