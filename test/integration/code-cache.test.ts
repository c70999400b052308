/**
 * The code cache as users get it: the compiled CLI run twice and more, with the cache in a
 * directory of the test's own (src/cli/code-cache.ts).
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import Module from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLI = join(ROOT, "dist/cli/main.js");
const COUNT_SSH2 = join(ROOT, "test/support/count-ssh2.cjs");
const run = promisify(execFile);
// Node 22.8 and later keep the cache themselves, in a layout of their own.
const nodeCachesItself = typeof (Module as { enableCompileCache?: unknown }).enableCompileCache === "function";

let dir: string;
let cacheHome: string;
let cacheDir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ncf-code-cache-"));
  cacheHome = join(dir, "cache");
  cacheDir = join(cacheHome, "nemoclaw-fleet", "code-cache");
  writeFileSync(join(dir, "fleet.yaml"), "apiVersion: nemoclaw.dev/v1\nkind: Fleet\nmetadata: { name: local-one }\nhosts:\n  - name: spark-local\n    connection: local\n");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI's output and exit code (a plan with unreachable hosts exits 4). */
async function cli(args: string[], env: NodeJS.ProcessEnv = {}, node: string[] = []): Promise<{ stdout: string; stderr: string; code: number }> {
  const base = { PATH: process.env.PATH, HOME: dir, XDG_CACHE_HOME: cacheHome, XDG_STATE_HOME: join(dir, "state"), NO_COLOR: "1" };
  try {
    return { ...(await run(process.execPath, [...node, CLI, ...args], { cwd: ROOT, env: { ...base, ...env } })), code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

const plan = (env: NodeJS.ProcessEnv = {}) => cli(["plan", join(dir, "fleet.yaml")], env);

/** Each entry's content, and its inode: an entry written again is a new file renamed over the old. */
function entries(): Map<string, { content: Buffer; inode: number }> {
  return new Map(readdirSync(cacheDir).map((name) => [name, { content: readFileSync(join(cacheDir, name)), inode: statSync(join(cacheDir, name)).ino }]));
}

/** An entry as the cache writes it: the SHA-256 of V8's data, then the data. */
function intact(content: Buffer): boolean {
  return content.length > 32 && createHash("sha256").update(content.subarray(32)).digest().equals(content.subarray(0, 32));
}

/** Files anywhere under the cache directory, in our layout or in Node's own. */
function filesUnder(path: string): string[] {
  return readdirSync(path, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe("the code cache", () => {
  it.skipIf(nodeCachesItself)("saves the compiled CLI in the user's cache, serves the next runs from it, and replaces damaged entries", async () => {
    const first = await plan();
    expect(first.stdout).toContain("No changes: 1 host matches the fleet file.");
    const saved = entries();
    expect(saved.size).toBeGreaterThan(5);
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    for (const name of saved.keys()) expect(statSync(join(cacheDir, name)).mode & 0o777, name).toBe(0o600);

    // Entries V8 refused, or that failed their digest, would be written again: unchanged, they were used.
    expect(await plan()).toEqual(first);
    expect(entries()).toEqual(saved);

    // Damage the compiled code itself, keeping each entry's length and digest, as a torn write
    // would: V8 would run it (and crash); the digest keeps it out, and the run writes it again.
    for (const [name, { content }] of saved) {
      const damaged = Buffer.from(content);
      damaged.fill(0, Math.floor(damaged.length / 2));
      writeFileSync(join(cacheDir, name), damaged);
    }
    expect(await plan()).toEqual(first);
    const rewritten = entries();
    expect([...rewritten.keys()].sort()).toEqual([...saved.keys()].sort());
    for (const [name, { content }] of rewritten) expect(intact(content), name).toBe(true);

    for (const name of saved.keys()) writeFileSync(join(cacheDir, name), "not code V8 wrote");
    expect(await plan()).toEqual(first);
    for (const [name, { content }] of entries()) expect(intact(content), name).toBe(true);
  });

  it.skipIf(nodeCachesItself)("serves ssh2 from the cache too", async () => {
    await plan();
    const local = entries().size;
    // A host that cannot be reached still loads the SSH transport and ssh2.
    const sshPlan = ["plan", join(ROOT, "playbooks/dgx-lab.yaml"), "--limit", "spark-01", "--json"];
    expect((await cli(sshPlan)).code).toBe(4);
    const withSsh = entries();
    const counted = await cli(sshPlan, { NODE_DISABLE_COMPILE_CACHE: "1" }, ["-r", COUNT_SSH2]);
    const ssh2Modules = Number(/ssh2 modules loaded: (\d+)/.exec(counted.stderr)?.[1]);
    expect(ssh2Modules).toBeGreaterThan(0);
    expect(withSsh.size - local).toBeGreaterThanOrEqual(ssh2Modules);
    await cli(sshPlan);
    expect(entries()).toEqual(withSsh);
  });

  it.skipIf(nodeCachesItself)("removes entries older than 30 days when it writes", async () => {
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const days = (n: number) => new Date(Date.now() - n * 24 * 60 * 60 * 1000);
    writeFileSync(join(cacheDir, "from-an-old-release"), "old");
    utimesSync(join(cacheDir, "from-an-old-release"), days(40), days(40));
    writeFileSync(join(cacheDir, "from-last-week"), "recent");
    utimesSync(join(cacheDir, "from-last-week"), days(7), days(7));
    await plan();
    const names = readdirSync(cacheDir);
    expect(names).not.toContain("from-an-old-release");
    expect(names).toContain("from-last-week");
    expect(names.length).toBeGreaterThan(5);
  });

  it("runs the same with the cache turned off, or where it cannot be written, and says nothing of it", async () => {
    const cached = await plan();
    expect(cached.stdout).toContain("No changes: 1 host matches the fleet file.");

    rmSync(cacheHome, { recursive: true, force: true });
    expect(await plan({ NODE_DISABLE_COMPILE_CACHE: "1" })).toEqual(cached);
    expect(readdirSync(dir)).not.toContain("cache");

    writeFileSync(cacheHome, "a file where the cache directory would be");
    expect(await plan()).toEqual(cached);
    rmSync(cacheHome);

    // Entries that cannot be replaced (a directory in each one's place, which no rename replaces,
    // even as root): read as missing, not saved, and no temporary file left behind.
    await plan();
    const names = readdirSync(cacheDir);
    for (const name of names) {
      rmSync(join(cacheDir, name));
      mkdirSync(join(cacheDir, name));
    }
    expect(await plan()).toEqual(cached);
    expect(readdirSync(cacheDir).sort()).toEqual(names.sort());
    expect(filesUnder(cacheDir)).toEqual([]);
  });

  it("leaves a cache that others may write to alone", async () => {
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    chmodSync(cacheDir, 0o770);
    expect((await plan()).stdout).toContain("No changes: 1 host matches the fleet file.");
    expect(filesUnder(cacheDir)).toEqual([]);

    chmodSync(cacheDir, 0o700);
    chmodSync(cacheHome, 0o777);
    await plan();
    expect(filesUnder(cacheDir)).toEqual([]);

    chmodSync(cacheHome, 0o755);
    await plan();
    expect(filesUnder(cacheDir).length).toBeGreaterThan(5);
  });
});
