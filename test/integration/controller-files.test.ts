/**
 * The files nemoclaw writes on the controller when the disk fills up. A full disk is stood in for by
 * RLIMIT_FSIZE (`ulimit -f`, no root or mount needed): like ENOSPC, write(2) first stops short
 * without an error, then fails (EFBIG; Node ignores SIGXFSZ). Every command must fail naming the
 * file, exit 1 (docs/exit-codes.md: an I/O error on the controller), keep the previous file as it
 * was and leave no temporary behind.
 */
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const OLD = "the previous good version\n";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ncf-controller-files-"));
  // Nine hosts nothing answers for (port 1, no credentials): every command below still has its output
  // to write, and each output is well over the 1 KiB limit.
  const hosts = Array.from({ length: 9 }, (_, i) => `spark-0${i + 1} ansible_host=127.0.0.1 ansible_port=1`);
  writeFileSync(join(dir, "hosts.ini"), `[spark]\n${hosts.join("\n")}\n`);
  writeFileSync(
    join(dir, "fleet.yaml"),
    'apiVersion: nemoclaw.dev/v1\nkind: Fleet\nmetadata: { name: lab }\ninventory: [hosts.ini]\ndefaults:\n  nemoclaw: { version: "0.0.124" }\ngateways:\n  - port: 8080\nsandboxes:\n  - name: assistant\n    hosts: spark\n    provider: build\n    model: nvidia/nemotron-3-super-120b-a12b\n    credential: env:NVIDIA_API_KEY\nbackupPolicies:\n  - name: nightly\n    schedule: "0 2 * * *"\n    retention: { keepDaily: 7 }\n    destination: { path: ./backups }\n',
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI, with files limited to 1 KiB on a "full disk" (dash counts `ulimit -f` in 512-byte blocks). */
function nemoclaw(args: string[], { fullDisk = true, stdoutFile = "" } = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", HOME: dir, XDG_STATE_HOME: join(dir, "state"), XDG_CONFIG_HOME: join(dir, "config"), NODE_DISABLE_COMPILE_CACHE: "1" };
  delete env.SSH_AUTH_SOCK;
  return new Promise((done) => {
    execFile("/bin/sh", ["-c", `${fullDisk ? "ulimit -f 2 && " : ""}exec node "$0" "$@"${stdoutFile ? ` > ${stdoutFile}` : ""}`, join(root, "dist/cli/main.js"), ...args], { cwd: dir, env }, (error, stdout, stderr) => {
      done({ stdout, stderr, code: error ? (typeof error.code === "number" ? error.code : -1) : 0 });
    });
  });
}

function expectKeptWhole(result: { stderr: string; code: number }, file: string, { before = OLD, shown = file } = {}): void {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toContain(`${shown}: cannot be written (EFBIG: file too large, write); the previous file, if any, is unchanged\n`);
  expect(readFileSync(join(dir, file), "utf8")).toBe(before);
  expect(readdirSync(join(dir, file, "..")).filter((name) => name.endsWith(".tmp"))).toEqual([]);
}

describe("a full disk on the controller never leaves half a file in place of a good one", () => {
  it("plan -o", async () => {
    writeFileSync(join(dir, "plan.json"), OLD);
    const result = await nemoclaw(["plan", "fleet.yaml", "-o", "plan.json"]);
    expectKeptWhole(result, "plan.json");
    expect(result.stderr).toContain("nemoclaw plan: -o plan.json: cannot be written");
    expect(result.stderr).not.toContain("Saved the plan");
  });

  it("report --html and facts --metrics-file", async () => {
    writeFileSync(join(dir, "fleet.html"), OLD);
    const report = await nemoclaw(["report", "fleet.yaml", "--html", "fleet.html"]);
    expectKeptWhole(report, "fleet.html");
    expect(report.stderr).not.toContain("Wrote the fleet report");
    writeFileSync(join(dir, "fleet.prom"), OLD);
    const facts = await nemoclaw(["facts", "fleet.yaml", "--metrics-file", "fleet.prom"]);
    expectKeptWhole(facts, "fleet.prom");
  });

  it("inventory --output", async () => {
    writeFileSync(join(dir, "inventory.json"), OLD);
    const result = await nemoclaw(["inventory", "-i", "hosts.ini", "--list", "--output", "inventory.json"]);
    expectKeptWhole(result, "inventory.json");
    expect(result.stderr).toContain("nemoclaw inventory: --output inventory.json: cannot be written");
  });

  it("init -o --force", async () => {
    writeFileSync(join(dir, "new-fleet.yaml"), OLD);
    const result = await nemoclaw(["init", "-i", "hosts.ini", "-o", "new-fleet.yaml", "--force", "--openshell", "0.0.116"]);
    expectKeptWhole(result, "new-fleet.yaml");
  });

  it("schedule install over installed units", async () => {
    const install = ["schedule", "install", "fleet.yaml", "--unit-dir", "units", "--no-enable"];
    const installed = await nemoclaw(install, { fullDisk: false });
    expect(installed.code, installed.stderr).toBe(0);
    const unit = join("units", "nemoclaw-lab-apply.service");
    const before = readFileSync(join(dir, unit), "utf8");
    const result = await nemoclaw([...install, "--every", "10m"]);
    expectKeptWhole(result, unit, { before, shown: join(dir, unit) });
    expect(result.stderr).toContain("nemoclaw schedule install: ");
  });
});

describe("nemoclaw's own stdout", () => {
  it("into a file on a full disk: the command says its output is incomplete and exits 1, with no stack trace", async () => {
    // One write of the whole inventory, which a file takes only in part on a full disk.
    const result = await nemoclaw(["inventory", "-i", "hosts.ini", "--list"], { stdoutFile: "inventory.json" });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("nemoclaw: stdout could not be written (EFBIG: file too large, write); what it shows is incomplete\n");
  });

  it("into a pipe whose reader went away: nothing more is said and the command's own exit code stands", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", HOME: dir, XDG_STATE_HOME: join(dir, "state"), NODE_DISABLE_COMPILE_CACHE: "1" };
    const child = spawn(process.execPath, [join(root, "dist/cli/main.js"), "inventory", "-i", "hosts.ini", "--list"], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy(); // `| head` that has read all it wanted before nemoclaw writes
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.on("close", done));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});
