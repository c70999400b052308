import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { Vault } from "ansible-vault";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const run = promisify(execFile);
const COUNT_SSH2 = join(root, "test/support/count-ssh2.cjs");

async function nemoclaw(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return node(["dist/cli/main.js", ...args]);
}

async function node(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run("node", args, { cwd: root, env: { ...process.env, NO_COLOR: "1", ...env } });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

describe("the compiled CLI", () => {
  it("prints its version", async () => {
    const { stdout, code } = await nemoclaw("--version");
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("lists every command in --help, and each command explains itself", async () => {
    const { stdout } = await nemoclaw("--help");
    const commands = ["validate", "facts", "plan", "show", "apply", "backup", "report", "history", "schedule", "unlock", "inventory", "init", "completion"];
    for (const command of commands) expect(stdout).toContain(command);
    for (const command of commands) {
      const help = await nemoclaw(command, "--help");
      expect(help.code, `${command} --help`).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`Usage: nemoclaw ${command}`));
      expect(help.stdout, `${command} --help`).toMatch(/\nExit codes: 0 [\s\S]*\nExamples:\n {2}/);
    }
  });

  it("refuses a single-dash long option before doing anything, naming what was meant", async () => {
    const result = await nemoclaw("plan", "playbooks/dgx-lab.yaml", "-out=plan.json");
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("nemoclaw plan: -out=plan.json is not an option (one dash takes one letter: it would be read as -o 'ut=plan.json'); write -o plan.json or --out=plan.json\n");
  });

  it("gives an option after a subcommand to that subcommand: history prune --json prints JSON (docs/json-output.md)", async () => {
    const state = mkdtempSync(join(tmpdir(), "ncf-cli-state-"));
    try {
      const result = await node(["dist/cli/main.js", "history", "prune", "--keep", "5", "--dry-run", "--json"], { XDG_STATE_HOME: state });
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({ dryRun: true, removed: [], running: [], kept: 0, openHealthGates: [] });
      // history's own --json, before its subcommand word, still reaches history.
      const listing = await node(["dist/cli/main.js", "history", "--json"], { XDG_STATE_HOME: state });
      expect(JSON.parse(listing.stdout)).toEqual([]);
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  });

  it("unlock reads a vault-encrypted inventory with --vault-password-file, as every command that works on hosts (README)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ncf-cli-vault-"));
    try {
      const password = "correct horse";
      writeFileSync(join(dir, "pw"), `${password}\n`);
      writeFileSync(join(dir, "hosts.yml"), new Vault({ password }).encryptSync("all:\n  hosts:\n    spark-01: { ansible_host: 127.0.0.1, ansible_port: 1, ansible_user: nobody }\n", ""));
      const result = await nemoclaw("unlock", "spark-01", "-i", join(dir, "hosts.yml"), "--vault-password-file", join(dir, "pw"), "--json");
      expect(result.stderr).not.toContain("unknown option");
      // Read, so the host is known and tried: nothing listens on port 1.
      expect(result.code, result.stderr).toBe(4);
      expect(JSON.parse(result.stdout)).toMatchObject([{ host: "spark-01", result: "unreachable" }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("loads every command module, including the SSH transport, without the test runner's loader", async () => {
    // Contacting a host that does not exist forces the transport, observe and plan modules to load.
    const result = await node(["-r", COUNT_SSH2, "dist/cli/main.js", "plan", "playbooks/dgx-lab.yaml", "--limit", "spark-01", "--json"]);
    expect(result.stderr).not.toMatch(/not in cache|SyntaxError|Cannot find module/);
    expect(result.stderr).toMatch(/ssh2 modules loaded: [1-9]/);
    expect(JSON.parse(result.stdout)).toMatchObject({ kind: "nemoclaw-fleet-plan" });
  });

  it("plans a fleet of local hosts without loading the SSH client", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ncf-cli-local-"));
    try {
      writeFileSync(join(dir, "fleet.yaml"), "apiVersion: nemoclaw.dev/v1\nkind: Fleet\nmetadata: { name: local-one }\nhosts:\n  - name: spark-local\n    connection: local\n");
      const result = await node(["-r", COUNT_SSH2, "dist/cli/main.js", "plan", join(dir, "fleet.yaml")], { HOME: dir, XDG_STATE_HOME: join(dir, "state") });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain("No changes: 1 host matches the fleet file.");
      expect(result.stderr).toContain("ssh2 modules loaded: 0\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
