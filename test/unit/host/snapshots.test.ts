/** Finding and checking the snapshot NemoClaw made under a label, on a real shell with a scratch HOME. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkLabelledSnapshot, removeSnapshot } from "../../../src/host/nemoclaw/snapshots.js";
import { LocalConnection } from "../../../src/transport/local.js";

let home: string;
let connection: LocalConnection;

function snapshot(sandbox: string, timestamp: string, manifest: Record<string, unknown> | null, files: string[] = ["workspace/notes.md"]): void {
  const dir = join(home, ".nemoclaw", "rebuild-backups", sandbox, timestamp);
  mkdirSync(dir, { recursive: true });
  for (const file of files) {
    mkdirSync(join(dir, file, ".."), { recursive: true });
    writeFileSync(join(dir, file), "state\n");
  }
  if (manifest) writeFileSync(join(dir, "rebuild-manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "nemoclaw-snapshots-"));
  connection = new LocalConnection("spark-01", { environment: { HOME: home } });
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe("checkLabelledSnapshot", () => {
  it("finds the snapshot whose manifest names the sandbox and the label, and counts its files", async () => {
    snapshot("alice", "2026-11-22T09-00-00-000Z", { version: 1, sandboxName: "alice", name: "nightly" });
    snapshot("alice", "2026-11-22T10-00-00-000Z", { version: 1, sandboxName: "alice", name: "fleet-1" }, ["workspace/a.md", "workspace/b.md"]);
    expect(await checkLabelledSnapshot(connection, "alice", "fleet-1")).toEqual({ timestamp: "2026-11-22T10-00-00-000Z", files: 3 });
  });

  it("refuses a snapshot NemoClaw has not finished: no manifest yet", async () => {
    snapshot("alice", "2026-11-22T10-00-00-000Z", null);
    await expect(checkLabelledSnapshot(connection, "alice", "fleet-1")).rejects.toThrow("spark-01: checking snapshot fleet-1: no snapshot of alice with a manifest naming fleet-1 was found");
  });

  it("refuses a snapshot with nothing but its manifest, or one that names another sandbox", async () => {
    snapshot("alice", "2026-11-22T10-00-00-000Z", { version: 1, sandboxName: "alice", name: "fleet-1" }, []);
    await expect(checkLabelledSnapshot(connection, "alice", "fleet-1")).rejects.toThrow("2026-11-22T10-00-00-000Z holds no files besides its manifest");
    snapshot("bob", "2026-11-22T10-00-00-000Z", { version: 1, sandboxName: "carol", name: "fleet-1" });
    await expect(checkLabelledSnapshot(connection, "bob", "fleet-1")).rejects.toThrow("its manifest names sandbox carol, not bob");
  });

  it("says so when the sandbox has no snapshots at all", async () => {
    await expect(checkLabelledSnapshot(connection, "nobody", "fleet-1")).rejects.toThrow("no snapshot of nobody with a manifest naming fleet-1 was found");
  });
});

describe("removeSnapshot", () => {
  const lock = () => join(home, ".nemoclaw-fleet", "lock.json");
  const ours = '{"runId":"run-1"}\n';
  const timestamp = "2026-11-22T10-00-00-000Z";
  const copy = () => ({ home, sandbox: "alice", timestamp });
  beforeEach(() => {
    snapshot("alice", timestamp, null);
    mkdirSync(join(home, ".nemoclaw-fleet"), { recursive: true });
  });

  it("gives the host lock back in the same session, while it still reads what this run wrote", async () => {
    writeFileSync(lock(), ours);
    expect(await removeSnapshot(connection, copy(), ours)).toBe("swapped");
    expect(existsSync(join(home, ".nemoclaw", "rebuild-backups", "alice", timestamp))).toBe(false);
    expect(existsSync(lock())).toBe(false);
  });

  it("leaves a lock another run took over, and removes the copy all the same", async () => {
    writeFileSync(lock(), '{"runId":"run-2"}\n');
    expect(await removeSnapshot(connection, copy(), ours)).toBe("changed");
    expect(existsSync(join(home, ".nemoclaw", "rebuild-backups", "alice", timestamp))).toBe(false);
    expect(readFileSync(lock(), "utf8")).toBe('{"runId":"run-2"}\n');
  });

  it("without a lock to give back, only removes the copy", async () => {
    writeFileSync(lock(), ours);
    expect(await removeSnapshot(connection, copy())).toBeNull();
    expect(existsSync(join(home, ".nemoclaw", "rebuild-backups", "alice", timestamp))).toBe(false);
    expect(readFileSync(lock(), "utf8")).toBe(ours);
  });
});
