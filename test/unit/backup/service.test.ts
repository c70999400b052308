/**
 * The BackupService end to end on this machine: a LocalConnection per "host" (its own HOME), a
 * stand-in `nemoclaw` on PATH whose snapshot create/restore copy a sandbox's state directory the
 * way NemoClaw lays snapshots out, and a local store.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BackupStores } from "../../../src/backup/destinations.js";
import { BackupRefusedError } from "../../../src/backup/errors.js";
import { PreflightRefusedError } from "../../../src/backup/errors.js";
import { createBackupService } from "../../../src/backup/service.js";
import { BackupIntegrityError } from "../../../src/backup/store.js";
import type { ObservedHost } from "../../../src/observe/types.js";
import { LocalConnection } from "../../../src/transport/local.js";
import { desiredHost, fleet, gateway, observedHost, policy, sandbox } from "./fixtures.js";

const FAKE_NEMOCLAW = `#!/bin/sh
set -e
name="$1"; shift
echo "$name $*" >> "$HOME/nemoclaw.calls"
case "$1 $2" in
  "snapshot create")
    ts=$(date -u +%Y-%m-%dT%H-%M-%S-%3NZ)
    d="$HOME/.nemoclaw/rebuild-backups/$name/$ts"
    mkdir -p "$d/workspace"
    cp -a "$HOME/sandboxes/$name/." "$d/workspace/"
    agent=openclaw; [ -f "$HOME/sandboxes/$name.agent" ] && agent=$(cat "$HOME/sandboxes/$name.agent")
    printf '{"version":1,"sandboxName":"%s","timestamp":"%s","agentType":"%s","agentVersion":"2026.6.10","backupPath":"%s","name":"%s"}' "$name" "$ts" "$agent" "$d" "$4" > "$d/rebuild-manifest.json"
    echo "Snapshot created: $ts" ;;
  "snapshot restore")
    d="$HOME/.nemoclaw/rebuild-backups/$name/$3"
    grep -q "\\"sandboxName\\": \\"$name\\"" "$d/rebuild-manifest.json" || { echo "manifest is for another sandbox" >&2; exit 1; }
    grep -q "\\"backupPath\\": \\"$d\\"" "$d/rebuild-manifest.json" || { echo "manifest path mismatch" >&2; exit 1; }
    rm -rf "$HOME/sandboxes/$name"; mkdir -p "$HOME/sandboxes/$name"
    cp -a "$d/workspace/." "$HOME/sandboxes/$name/"
    echo "Restored $name from $3" ;;
  *) echo "unexpected: $name $*" >&2; exit 64 ;;
esac
`;

let dir: string;
let bin: string;

function makeHome(name: string, sandboxes: Record<string, Record<string, string>>): string {
  const home = join(dir, name);
  for (const [sandboxName, files] of Object.entries(sandboxes)) {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(home, "sandboxes", sandboxName, path, ".."), { recursive: true });
      writeFileSync(join(home, "sandboxes", sandboxName, path), content);
    }
  }
  return home;
}

function readTree(root: string, prefix = ""): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory()) Object.assign(files, readTree(join(root, entry.name), `${path}/`));
    else files[path] = readFileSync(join(root, entry.name), "utf8");
  }
  return files;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "service-test-"));
  bin = join(dir, "bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "nemoclaw"), FAKE_NEMOCLAW);
  chmodSync(join(bin, "nemoclaw"), 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function setup(observed: Record<string, ObservedHost>) {
  const homes = {
    "spark-01": makeHome("spark-01", { alice: { "notes.md": "alice's notes\n", "deep/dir/state.json": '{"k":1}' }, bob: { "b.txt": "bob" } }),
    "spark-02": makeHome("spark-02", { carol: { "old.txt": "carol's old state" } }),
  };
  const connections = Object.fromEntries(
    Object.entries(homes).map(([host, home]) => [host, new LocalConnection(host, { environment: { HOME: home, PATH: `${bin}:${process.env.PATH}` } })]),
  );
  const nightly = policy("nightly", { destination: { kind: "local", path: join(dir, "store") } });
  const desired = fleet([desiredHost("spark-01"), desiredHost("spark-02")], [nightly]);
  const pool = { get: async (host: string) => connections[host]! };
  const stores = new BackupStores(desired, pool);
  const service = createBackupService({ fleet: desired, pool, stores, observeHost: async (host) => observed[host.name]! });
  const backup = (sandboxName: string) =>
    service.backupSandbox({ host: desired.hosts[0]!, connection: connections["spark-01"]!, sandbox: sandboxName, gateway: "nemoclaw", policy: nightly, runId: "run-1" });
  return { homes, connections, desired, service, stores, backup };
}

const healthy = () => ({
  "spark-01": observedHost("spark-01", [gateway("nemoclaw", [sandbox("alice"), sandbox("bob")])]),
  "spark-02": observedHost("spark-02", [gateway("nemoclaw-8081", [sandbox("carol")])], { agents: { carol: "openclaw" } }),
});

describe("BackupService", () => {
  it("backs up through NemoClaw's snapshot and restores byte-exact", async () => {
    const { homes, backup, service, desired, connections } = setup(healthy());
    const record = await backup("alice");
    expect(record).toMatchObject({ host: "spark-01", sandbox: "alice", gateway: "nemoclaw", policy: "nightly", verified: true });
    expect(record.manifest.agent).toEqual({ type: "openclaw", version: "2026.6.10" });
    expect(record.manifest.snapshot.label).toBe("fleet-run-1");
    expect(readFileSync(join(homes["spark-01"], "nemoclaw.calls"), "utf8")).toBe("alice snapshot create --name fleet-run-1\n");
    // The host's copy is gone once the store holds it.
    expect(readdirSync(join(homes["spark-01"], ".nemoclaw/rebuild-backups/alice"))).toEqual([]);

    const before = readTree(join(homes["spark-01"], "sandboxes/alice"));
    writeFileSync(join(homes["spark-01"], "sandboxes/alice/notes.md"), "overwritten");
    writeFileSync(join(homes["spark-01"], "sandboxes/alice/new.txt"), "new");
    await service.restoreSandbox({ record, host: desired.hosts[0]!, connection: connections["spark-01"]!, sandbox: "alice" });
    expect(readTree(join(homes["spark-01"], "sandboxes/alice"))).toEqual(before);
    expect(existsSync(join(homes["spark-01"], ".nemoclaw-fleet/restore")) && readdirSync(join(homes["spark-01"], ".nemoclaw-fleet/restore"))).toEqual([]);
  });

  it("restores onto another host and sandbox, re-targeting NemoClaw's manifest", async () => {
    const { homes, backup, service, desired, connections } = setup(healthy());
    const record = await backup("alice");
    await service.restoreSandbox({ record, host: desired.hosts[1]!, connection: connections["spark-02"]!, sandbox: "carol" });
    expect(readTree(join(homes["spark-02"], "sandboxes/carol"))).toEqual(readTree(join(homes["spark-01"], "sandboxes/alice")));
    const placed = join(homes["spark-02"], ".nemoclaw/rebuild-backups/carol", record.timestamp);
    const manifest = JSON.parse(readFileSync(join(placed, "rebuild-manifest.json"), "utf8")) as Record<string, unknown>;
    expect(manifest).toMatchObject({ sandboxName: "carol", backupPath: placed, timestamp: record.timestamp, agentType: "openclaw" });
  });

  it("refuses a drifted host before NemoClaw is run, and stores nothing", async () => {
    const { homes, backup, stores, desired } = setup({ ...healthy(), "spark-01": observedHost("spark-01", [gateway("nemoclaw", [sandbox("alice")], "0.0.43")]) });
    await expect(backup("alice")).rejects.toThrow(PreflightRefusedError);
    expect(existsSync(join(homes["spark-01"], "nemoclaw.calls"))).toBe(false);
    expect((await (await stores.open(desired.backupPolicies[0]!.destination)).list()).records).toEqual([]);
  });

  it("refuses restores into a missing sandbox or one with another agent type", async () => {
    const observed = healthy();
    const { backup, service, desired, connections } = setup(observed);
    const record = await backup("alice");
    const restore = (sandboxName: string) =>
      service.restoreSandbox({ record, host: desired.hosts[1]!, connection: connections["spark-02"]!, sandbox: sandboxName });
    await expect(restore("dave")).rejects.toThrow(/sandbox dave does not exist on spark-02/);
    observed["spark-02"] = observedHost("spark-02", [gateway("nemoclaw", [sandbox("carol")])], { agents: { carol: "hermes" } });
    await expect(restore("carol")).rejects.toThrow(BackupRefusedError);
    await expect(restore("carol")).rejects.toThrow(/holds a openclaw agent, but carol runs hermes/);
  });

  it("refuses a restore onto a host whose NemoClaw release it cannot tell, before anything is placed there", async () => {
    const observed = healthy();
    const { backup, service, desired, connections, homes } = setup(observed);
    const record = await backup("alice");
    observed["spark-02"] = observedHost("spark-02", [gateway("nemoclaw-8081", [sandbox("carol")])], { nemoclawVersion: "0.1.0", agents: { carol: "openclaw" } });
    await expect(service.restoreSandbox({ record, host: desired.hosts[1]!, connection: connections["spark-02"]!, sandbox: "carol" })).rejects.toThrow(
      /spark-02: cannot tell which NemoClaw release runs there/,
    );
    expect(existsSync(join(homes["spark-02"], ".nemoclaw/rebuild-backups/carol"))).toBe(false);
  });

  it("refuses to restore a corrupted backup and leaves the sandbox as it was", async () => {
    const { homes, backup, service, desired, connections } = setup(healthy());
    const record = await backup("alice");
    const archive = join(dir, "store/spark-01/alice", record.timestamp, "backup.tar");
    const bytes = readFileSync(archive);
    const at = bytes.indexOf("alice's notes");
    bytes[at] = bytes[at]! ^ 0x20;
    writeFileSync(archive, bytes);
    const before = readTree(join(homes["spark-02"], "sandboxes/carol"));
    await expect(service.restoreSandbox({ record, host: desired.hosts[1]!, connection: connections["spark-02"]!, sandbox: "carol" })).rejects.toThrow(
      BackupIntegrityError,
    );
    expect(readTree(join(homes["spark-02"], "sandboxes/carol"))).toEqual(before);
    expect(existsSync(join(homes["spark-02"], ".nemoclaw/rebuild-backups/carol"))).toBe(false);
  });
});
