/**
 * Hosts whose login user's shell is not the tidy default, against real sshd hosts: sshd runs every
 * command as `<login shell> -c TEXT` after the shell has read its startup files (docs/ssh.md, "How
 * commands run on a host"). zsh, fish, tcsh, bash and dash as /bin/sh, each with startup files
 * that print banners on stdout and stderr and set a German locale, umask 077, nounset or
 * noclobber, must give the same facts, plan, apply and byte-exact backups as any host; nologin and
 * false must be a clear per-host error. Needs root (one OS user per host, each with its own shell).
 */
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setTimeout as sleep } from "node:timers/promises";
import type { DesiredHost } from "../../src/config/types.js";
import { ConnectionPool } from "../../src/transport/pool.js";
import { startFleet, type TestFleet } from "../fleet/index.mjs";
import type { RunReport } from "../../src/backup/run.js";
import type { ObservedHost } from "../../src/observe/types.js";
import { cliEnv, runCli, sandboxYaml, writeFleetFile, type CliRun } from "./apply-support.js";

const root = process.getuid?.() === 0;
if (!root) console.warn("login-shells.test.ts: skipped: only root can give each test host's user its own login shell");

interface ShellHost {
  name: string;
  shell: string;
  /** Startup files the shell reads for `sh -c`-style commands, relative to the home. */
  files: Record<string, string>;
}

/** Each prints a banner on stdout and on stderr, as a careless profile or motd script does. */
const SHELLS = ([
  {
    name: "bash-host",
    shell: "/bin/bash",
    // Debian's bash reads ~/.bashrc for commands sshd starts (SSH_SOURCE_BASHRC).
    files: { ".bashrc": 'echo "Welcome to DGX (bashrc)"\necho "bashrc says hi" >&2\nset -u\nset -o noclobber\numask 077\nexport LANG=de_DE.UTF-8\n' },
  },
  { name: "zsh-host", shell: "/usr/bin/zsh", files: { ".zshenv": 'echo "Welcome to DGX (zshenv)"\necho "zshenv says hi" >&2\nsetopt noclobber nounset\nexport LC_ALL=de_DE.UTF-8\n' } },
  {
    name: "fish-host",
    shell: "/usr/bin/fish",
    files: { ".config/fish/config.fish": 'echo "Welcome to DGX (config.fish)"\necho "config.fish says hi" >&2\nset -gx LANG de_DE.ISO-8859-1\n' },
  },
  { name: "tcsh-host", shell: "/usr/bin/tcsh", files: { ".tcshrc": 'echo "Welcome to DGX (tcshrc)"\necho "tcshrc says hi" > /dev/stderr\numask 077\nset noclobber\n' } },
  { name: "dash-host", shell: "/bin/sh", files: {} },
] satisfies ShellHost[]).filter((host) => {
  if (existsSync(host.shell)) return true;
  console.warn(`login-shells.test.ts: ${host.name} skipped: ${host.shell} is not installed (scripts/install-test-deps.sh installs it)`);
  return false;
});
const REFUSING = [
  { name: "nologin-host", shell: "/usr/sbin/nologin", says: "This account is currently not available." },
  { name: "false-host", shell: "/bin/false", says: "no output" },
].filter((host) => existsSync(host.shell));

/** A profile pointing TMPDIR at a directory that does not exist. */
const BAD_TMPDIR = { name: "tmpdir-host", shell: "/bin/bash", files: { ".bashrc": "export TMPDIR=/nonexistent/tmp\n" } };

const notes = (hostName: string) => `notes of alice on ${hostName}\n${"x".repeat(3000)}\n`;

let fleet: TestFleet;
let dir: string;
let fleetFile: string;
let env: NodeJS.ProcessEnv;
let pool: ConnectionPool | undefined;

const home = (name: string) => fleet.hosts.find((host) => host.name === name)!.home;
const notesFile = (name: string) => join(home(name), ".fleet-sim/sandboxes/nemoclaw/alice/root/sandbox/.openclaw/workspace/notes.md");

async function cli(args: string[]): Promise<CliRun> {
  return runCli(args, { cwd: dir, env });
}

beforeAll(async () => {
  if (!root) return;
  dir = mkdtempSync(join(tmpdir(), "ncf-shells-it-"));
  chmodSync(dir, 0o755);
  const scenario = (name: string) => ({ gateways: [{ port: 8080, sandboxes: [{ name: "alice", files: { "/sandbox/.openclaw/workspace/notes.md": notes(name) } }] }] });
  fleet = await startFleet({
    dir: join(dir, "fleet"),
    hosts: [...SHELLS, BAD_TMPDIR, ...REFUSING].map((host) => ({ name: host.name, scenario: scenario(host.name), loginShell: host.shell })),
  });
  for (const host of [...SHELLS, BAD_TMPDIR]) {
    const account = fleet.hosts.find((candidate) => candidate.name === host.name)!;
    for (const [path, text] of Object.entries(host.files)) {
      const file = join(account.home, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      for (let at = file; at !== account.home; at = dirname(at)) chownSync(at, account.uid, account.gid);
    }
  }
  fleetFile = writeFleetFile(
    dir,
    "fleet.yaml",
    fleet.inventoryPath,
    ["sandboxes:", sandboxYaml("alice", "hosts: all"), sandboxYaml("bob", "hosts: all"), "backupPolicies:", "  - name: nightly", "    destination: { path: ./backups }", ""].join("\n"),
  );
  env = cliEnv(join(dir, "state"));
  pool = new ConnectionPool(SHELLS.map((host) => fleet.fleetHost(host.name) as DesiredHost), { killGraceMs: 1000 });
}, 300_000);

/** Whether a process exists (zombies count as gone: they have ended). */
function alive(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

afterAll(async () => {
  await pool?.closeAll();
  await fleet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!root)("hosts with other login shells and chatty startup files", () => {
  const shellHosts = SHELLS.map((host) => host.name).join(",");

  it("observes every host whatever its login shell, and names the shell where it runs no command", async () => {
    const run = await cli(["facts", "-i", fleet.inventoryPath, "--json"]);
    expect(run.code, run.stderr).toBe(REFUSING.length > 0 ? 4 : 0);
    const hosts = (JSON.parse(run.stdout) as { hosts: ObservedHost[] }).hosts;
    for (const host of SHELLS) {
      const observed = hosts.find((candidate) => candidate.host === host.name)!;
      expect(observed.unreachable, host.name).toBeNull();
      expect(observed.gateways, host.name).toMatchObject({ state: "known", value: [{ name: "nemoclaw", sandboxes: { state: "known", value: [{ name: "alice" }] } }] });
    }
    for (const host of REFUSING) {
      const observed = hosts.find((candidate) => candidate.host === host.name)!;
      expect(observed.unreachable, host.name).toEqual({
        kind: "unreachable",
        message: `the host ran no command (exit 1${host.says === "no output" ? ", no output" : `: ${host.says}`}): the login user's shell must run commands (sh, bash, dash, zsh, ksh, fish or tcsh; not nologin or false), and no ForceCommand or command= key option may replace them`,
      });
    }
  });

  it.each(SHELLS.map((host) => host.name))("hands the command sh exactly and kills it past its timeout, remote processes included (%s)", async (name) => {
    const connection = await pool!.get(name);
    let printed = "";
    const result = await connection.run(
      { argv: ["sh", "-c", 'printf "%s\\n" "a\\\\b!" \'it\'"\'"\'s\'; sleep 300 & echo "$! $$"; wait'] },
      { timeoutMs: 1500, onStdout: (chunk) => (printed += chunk.toString()) },
    );
    expect(result.timedOut).toBe(true);
    const [first, second, pids] = printed.split("\n");
    expect([first, second]).toEqual(["a\\b!", "it's"]);
    const started = (pids ?? "").split(" ").map(Number);
    expect(started).toHaveLength(2);
    for (let waited = 0; started.some(alive) && waited < 5000; waited += 50) await sleep(50);
    expect(started.filter(alive)).toEqual([]);
  });

  it("applies with a secret on stdin and then finds nothing left to do", async () => {
    const apply = await cli(["apply", fleetFile, "--yes", "--limit", shellHosts]);
    expect(apply.code, `${apply.stdout}\n${apply.stderr}`).toBe(0);
    const plan = await cli(["plan", fleetFile, "--detailed-exitcode", "--limit", shellHosts]);
    expect(plan.code, `${plan.stdout}\n${plan.stderr}`).toBe(0);
    expect(plan.stdout).toContain("No changes");
  });

  it("names the host's TMPDIR when a step cannot make its temporary directory there, and works with the host's environment:", async () => {
    const failed = await cli(["apply", fleetFile, "--yes", "--limit", BAD_TMPDIR.name]);
    expect(failed.code, `${failed.stdout}\n${failed.stderr}`).toBe(4);
    expect(failed.stdout).toContain("cannot make a temporary directory in /nonexistent/tmp (TMPDIR on the host; the host's environment: in the fleet file can set another)");
    const body = readFileSync(fleetFile, "utf8").replace(/^apiVersion.*\n|^kind.*\n|^metadata.*\n|^inventory.*\n/gm, "");
    const withTmp = writeFleetFile(dir, "fleet-tmp.yaml", fleet.inventoryPath, `hosts:\n  - name: ${BAD_TMPDIR.name}\n    environment: { TMPDIR: /tmp }\n${body}`);
    const applied = await cli(["apply", withTmp, "--yes", "--limit", BAD_TMPDIR.name]);
    expect(applied.code, `${applied.stdout}\n${applied.stderr}`).toBe(0);
  });

  it("backs up byte-exact streams past the banners and restores them", async () => {
    const run = await cli(["backup", "run", fleetFile, "--json", "--limit", shellHosts]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as RunReport;
    for (const host of SHELLS) {
      const alice = report.hosts.find((outcome) => outcome.host === host.name)?.sandboxes.find((s) => s.sandbox === "alice");
      expect(alice, host.name).toMatchObject({ status: "backed-up", record: { verified: true } });
      writeFileSync(notesFile(host.name), "overwritten\n");
      const restore = await cli(["backup", "restore", `${host.name}/alice`, fleetFile]);
      expect(restore.code, `${host.name}: ${restore.stdout}\n${restore.stderr}`).toBe(0);
      expect(readFileSync(notesFile(host.name), "utf8"), host.name).toBe(notes(host.name));
    }
  });
});
