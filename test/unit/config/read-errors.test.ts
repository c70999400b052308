/**
 * What the user is told when a file cannot be read: grammatical sentences naming the file and the
 * reason, never a raw error code. Permission errors are injected (the tests may run as root, who
 * is never denied).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";

const denied = new Set<string>();
vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  return {
    ...actual,
    open: (file: string, ...rest: unknown[]) =>
      denied.has(path.resolve(file))
        ? Promise.reject(Object.assign(new Error(`EACCES: permission denied, open '${file}'`), { code: "EACCES" }))
        : (actual.open as (...args: unknown[]) => unknown)(file, ...rest),
  };
});

const { inspectFleet } = await import("../../../src/config/load.js");
const { commandRunner } = await import("../../../src/config/inventory/script.js");

const dirs: string[] = [];
afterEach(() => {
  denied.clear();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tree(files: Record<string, string | { text: string; mode: number }>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "nemoclaw-read-"));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, typeof content === "string" ? content : content.text, typeof content === "string" ? {} : { mode: content.mode });
  }
  return dir;
}

async function errorsOf(dir: string, options: { fleetFile?: string; inventories?: string[]; run?: ReturnType<typeof commandRunner> }): Promise<string[]> {
  const { diagnostics } = await inspectFleet({ cwd: dir, vaultIds: [], inventories: [], ...options });
  return diagnostics.filter((d) => d.severity === "error" && !d.message.startsWith("the fleet has no hosts")).map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`);
}

describe("a file that cannot be read", () => {
  it("is said in a sentence: the fleet file, an inventory, a variables file", async () => {
    const dir = tree({
      "fleet.yaml": "apiVersion: nemoclaw.dev/v1\nkind: Fleet\nhosts: [{ name: a }]\n",
      "hosts.ini": "[spark]\ns1\n",
      "inv/hosts": "[spark]\ns1\n",
      "inv/group_vars/spark.yml": "x: 1\n",
    });
    for (const file of ["fleet.yaml", "hosts.ini", "inv/group_vars/spark.yml"]) denied.add(path.join(dir, file));
    expect(await errorsOf(dir, { fleetFile: "fleet.yaml" })).toEqual(["fleet.yaml:1:1: the fleet file cannot be read: permission denied"]);
    expect(await errorsOf(dir, { inventories: ["hosts.ini"] })).toEqual(["hosts.ini:1:1: inventory cannot be read: permission denied"]);
    expect(await errorsOf(dir, { inventories: ["inv"] })).toEqual(["inv/group_vars/spark.yml:1:1: variables file cannot be read: permission denied"]);
  });
});

describe("an inventory script", () => {
  it("that prints more than nemoclaw reads is stopped, and the message says so with the limit", async () => {
    const dir = tree({ "inv.sh": { text: "#!/bin/sh\nhead -c 3000000 /dev/zero\n", mode: 0o755 } });
    const errors = await errorsOf(dir, { inventories: ["inv.sh"], run: commandRunner({ timeoutMs: 30_000, maxOutputBytes: 1024 * 1024 }) });
    expect(errors).toEqual(["inv.sh:1:1: inv.sh --list printed more than 1 MiB, the most nemoclaw reads from it, and was stopped"]);
    expect(errors.join("")).not.toContain("ERR_");
  });
});
