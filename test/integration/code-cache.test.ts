/**
 * The code cache as users get it: the compiled CLI run twice and more, with the cache in a
 * directory of the test's own (src/cli/code-cache.ts).
 */
import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import Module from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const run = promisify(execFile);
// Node 22.1 and later keep the cache themselves, in a layout of their own.
const nodeCachesItself = typeof (Module as { enableCompileCache?: unknown }).enableCompileCache === "function";

let dir: string;
let cacheDir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ncf-code-cache-"));
  cacheDir = join(dir, "cache", "nemoclaw-fleet", "code-cache");
  writeFileSync(join(dir, "fleet.yaml"), "apiVersion: nemoclaw.dev/v1\nkind: Fleet\nmetadata: { name: local-one }\nhosts:\n  - name: spark-local\n    connection: local\n");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function plan(env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string }> {
  const base = { PATH: process.env.PATH, HOME: dir, XDG_CACHE_HOME: join(dir, "cache"), XDG_STATE_HOME: join(dir, "state"), NO_COLOR: "1" };
  return run(process.execPath, [CLI, "plan", join(dir, "fleet.yaml")], { env: { ...base, ...env } });
}

/** Each entry's content, and its inode: an entry written again is a new file renamed over the old. */
function entries(): Map<string, { content: Buffer; inode: number }> {
  return new Map(readdirSync(cacheDir).map((name) => [name, { content: readFileSync(join(cacheDir, name)), inode: statSync(join(cacheDir, name)).ino }]));
}

describe("the code cache", () => {
  it.skipIf(nodeCachesItself)("saves the compiled CLI in the user's cache, serves the next runs from it, and replaces entries V8 refuses", async () => {
    const first = await plan();
    expect(first.stdout).toContain("No changes: 1 host matches the fleet file.");
    const saved = entries();
    expect(saved.size).toBeGreaterThan(5);
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    for (const name of saved.keys()) expect(statSync(join(cacheDir, name)).mode & 0o777, name).toBe(0o600);

    // Entries V8 refused would be written again: unchanged, they were used.
    expect(await plan()).toEqual(first);
    expect(entries()).toEqual(saved);

    for (const name of saved.keys()) writeFileSync(join(cacheDir, name), "not code V8 wrote");
    expect(await plan()).toEqual(first);
    const replaced = entries();
    expect([...replaced.keys()].sort()).toEqual([...saved.keys()].sort());
    for (const [name, { content }] of replaced) expect(content.toString("latin1"), name).not.toBe("not code V8 wrote");
  });

  it.skipIf(nodeCachesItself)("removes entries older than 30 days when it writes", async () => {
    mkdirSync(cacheDir, { recursive: true });
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

    rmSync(join(dir, "cache"), { recursive: true, force: true });
    expect(await plan({ NODE_DISABLE_COMPILE_CACHE: "1" })).toEqual(cached);
    expect(readdirSync(dir)).not.toContain("cache");

    writeFileSync(join(dir, "cache"), "a file where the cache directory would be");
    expect(await plan()).toEqual(cached);
  });

  it("leaves a cache directory that others may write to alone", async () => {
    mkdirSync(cacheDir, { recursive: true });
    chmodSync(cacheDir, 0o777);
    expect((await plan()).stdout).toContain("No changes: 1 host matches the fleet file.");
    expect(readdirSync(cacheDir)).toEqual([]);
    chmodSync(cacheDir, 0o700);
    await plan();
    expect(readdirSync(cacheDir).length).toBeGreaterThan(5);
  });
});
