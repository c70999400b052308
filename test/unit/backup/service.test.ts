/**
 * The BackupService end to end on this machine: a LocalConnection per "host" (its own HOME), a
 * stand-in `nemoclaw` on PATH whose snapshot create/restore copy a sandbox's state directory the
 * way NemoClaw lays snapshots out, and a local store.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BackupStores } from "../../../src/backup/destinations.js";
import { BackupRefusedError } from "../../../src/backup/errors.js";
import { PreflightRefusedError } from "../../../src/backup/errors.js";
import { createBackupService } from "../../../src/backup/service.js";
import { ownedName } from "../../../src/backup/owner.js";
import { BackupIntegrityError, BackupStore } from "../../../src/backup/store.js";
import { ShieldsLeftDownError } from "../../../src/host/nemoclaw/shields.js";
import type { ObservedHost } from "../../../src/observe/types.js";
import { LocalConnection } from "../../../src/transport/local.js";
import type { BackupDestination } from "../../../src/config/types.js";
import { ATTACKS, craftedSnapshot, sha256 } from "./crafted-tar.js";
import { desiredHost, fleet, gateway, observedHost, policy, sandbox } from "./fixtures.js";
import { manifestFor, TIMESTAMP } from "./helpers.js";

const FAKE_NEMOCLAW = `#!/bin/sh
set -e
name="$1"; shift
echo "$name $*" >> "$HOME/nemoclaw.calls"
case "$1 $2" in
  "shields down")
    echo down > "$HOME/shields-$name"; echo "  Config unlocked for $name (auto-lockdown in: 5m)" ;;
  "shields up")
    if [ -f "$HOME/fail-shields-up" ]; then echo "  Failed to lock $name" >&2; exit 1; fi
    echo up > "$HOME/shields-$name"; echo "  Lockdown active for $name" ;;
  "snapshot create")
    if [ "$(cat "$HOME/shields-$name" 2>/dev/null)" = up ]; then echo "  Cannot create snapshot while shields are up." >&2; exit 1; fi
    echo "OPENSHELL_GATEWAY=\${OPENSHELL_GATEWAY-unset}" >> "$HOME/nemoclaw.env"
    # As NemoClaw does since #5225: select the sandbox's registered gateway first.
    gw=nemoclaw; [ -f "$HOME/sandboxes/$name.gateway" ] && gw=$(cat "$HOME/sandboxes/$name.gateway")
    openshell gateway select "$gw" >/dev/null 2>&1
    if [ -f "$HOME/fail-snapshot" ]; then echo "  Snapshot failed." >&2; exit 1; fi
    ts=$(date -u +%Y-%m-%dT%H-%M-%S-%3NZ)
    d="$HOME/.nemoclaw/rebuild-backups/$name/$ts"
    mkdir -p "$d/workspace"
    cp -a "$HOME/sandboxes/$name/." "$d/workspace/"
    agent=openclaw; [ -f "$HOME/sandboxes/$name.agent" ] && agent=$(cat "$HOME/sandboxes/$name.agent")
    printf '{"version":1,"sandboxName":"%s","timestamp":"%s","agentType":"%s","agentVersion":"2026.6.10","backupPath":"%s","name":"%s","policyPresets":["pypi"],"customPolicies":[]}' "$name" "$ts" "$agent" "$d" "$4" > "$d/rebuild-manifest.json"
    echo "Snapshot created: $ts" ;;
  "snapshot restore")
    echo "restore OPENSHELL_GATEWAY=\${OPENSHELL_GATEWAY-unset}" >> "$HOME/nemoclaw.env"
    if [ -f "$HOME/fail-restore-once" ]; then rm -f "$HOME/fail-restore-once"; echo "Restore failed" >&2; exit 1; fi
    d="$HOME/.nemoclaw/rebuild-backups/$name/$3"
    grep -q "\\"sandboxName\\": \\"$name\\"" "$d/rebuild-manifest.json" || { echo "manifest is for another sandbox" >&2; exit 1; }
    grep -q "\\"backupPath\\": \\"$d\\"" "$d/rebuild-manifest.json" || { echo "manifest path mismatch" >&2; exit 1; }
    rm -rf "$HOME/sandboxes/$name"; mkdir -p "$HOME/sandboxes/$name"
    cp -a "$d/workspace/." "$HOME/sandboxes/$name/"
    echo "Restored $name from $3" ;;
  *) echo "unexpected: $name $*" >&2; exit 64 ;;
esac
`;

/** `openshell gateway select` as OpenShell records it. */
const FAKE_OPENSHELL = `#!/bin/sh
[ "$1 $2" = "gateway select" ] || { echo "unexpected: $*" >&2; exit 64; }
mkdir -p "\${XDG_CONFIG_HOME:-$HOME/.config}/openshell"
printf '%s' "$3" > "\${XDG_CONFIG_HOME:-$HOME/.config}/openshell/active_gateway"
echo "✓ Active gateway set to '$3'" >&2
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
  writeFileSync(join(bin, "openshell"), FAKE_OPENSHELL);
  chmodSync(join(bin, "openshell"), 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function setup(observed: Record<string, ObservedHost>, options: { streamIdleMs?: number } = {}) {
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
  const service = createBackupService({ fleet: desired, pool, stores, observeHost: async (host) => observed[host.name]!, ...options });
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

  it("flushes every file and directory of the restored snapshot to disk before placing it, and its new directory after", async () => {
    const { homes, backup, service, desired, connections } = setup(healthy());
    const record = await backup("alice");
    const home = homes["spark-01"];
    const snapshots = join(home, ".nemoclaw/rebuild-backups/alice");
    // A `sync` that records each path it is given and whether the snapshot was in place yet.
    writeFileSync(
      join(bin, "sync"),
      `#!/bin/sh\nfor a in "$@"; do [ "$a" = -- ] && continue; if [ -e "${snapshots}/${record.timestamp}" ]; then w=after; else w=before; fi; echo "$w $a" >> "$HOME/sync.log"; done\n`,
      { mode: 0o755 },
    );
    await service.restoreSandbox({ record, host: desired.hosts[0]!, connection: connections["spark-01"]!, sandbox: "alice" });
    const log = readFileSync(join(home, "sync.log"), "utf8").trim().split("\n");
    const staged = `/tree/${record.manifest.snapshot.path}`;
    const flushedBefore = log.filter((line) => line.startsWith("before ")).map((line) => line.slice(line.indexOf(staged) + staged.length) || "/");
    const placed = join(snapshots, record.timestamp);
    const entries = (at: string, prefix: string): string[] =>
      readdirSync(at, { withFileTypes: true }).flatMap((entry) => [`${prefix}/${entry.name}`, ...(entry.isDirectory() ? entries(join(at, entry.name), `${prefix}/${entry.name}`) : [])]);
    expect(flushedBefore.sort()).toEqual(["/", ...entries(placed, "")].sort());
    expect(log.filter((line) => line.startsWith("after "))).toEqual([`after ${snapshots}`]);
  });

  it("stops a snapshot stream that sends nothing, instead of waiting for it forever", async () => {
    // A host whose tar starts and then sends nothing (a hung disk, or a compromised host).
    writeFileSync(join(bin, "tar"), `#!/bin/sh\ncase "$1" in -cf) exec sleep 600 ;; esac\nexec ${spawnSync("sh", ["-c", "command -v tar"], { encoding: "utf8" }).stdout.trim()} "$@"\n`, { mode: 0o755 });
    const { homes, backup } = setup(healthy(), { streamIdleMs: 1_000 });
    const started = Date.now();
    await expect(backup("alice")).rejects.toThrow("spark-01: streaming the snapshot: no data moved for 1 s, so it was stopped");
    expect(Date.now() - started).toBeLessThan(20_000);
    // Nothing half-written is left in the store, and the host's snapshot copy is removed.
    expect(existsSync(join(dir, "store")) ? readTree(join(dir, "store")) : {}).toEqual({});
    expect(readdirSync(join(homes["spark-01"], ".nemoclaw/rebuild-backups/alice"))).toEqual([]);
  }, 30_000);

  it("restores onto another host and sandbox, re-targeting NemoClaw's manifest", async () => {
    const { homes, backup, service, desired, connections } = setup(healthy());
    const record = await backup("alice");
    await service.restoreSandbox({ record, host: desired.hosts[1]!, connection: connections["spark-02"]!, sandbox: "carol" });
    expect(readTree(join(homes["spark-02"], "sandboxes/carol"))).toEqual(readTree(join(homes["spark-01"], "sandboxes/alice")));
    const placed = join(homes["spark-02"], ".nemoclaw/rebuild-backups/carol", record.timestamp);
    const manifest = JSON.parse(readFileSync(join(placed, "rebuild-manifest.json"), "utf8")) as Record<string, unknown>;
    expect(manifest).toMatchObject({ sandboxName: "carol", backupPath: placed, timestamp: record.timestamp, agentType: "openclaw" });
  });

  it("pins the sandbox's gateway for NemoClaw's snapshot and leaves the host's active gateway as it was", async () => {
    const { homes, backup } = setup({ ...healthy(), "spark-01": observedHost("spark-01", [gateway("nemoclaw", [sandbox("bob")]), gateway("nemoclaw-8081", [sandbox("alice")])]) });
    const active = join(homes["spark-01"], ".config/openshell/active_gateway");
    mkdirSync(join(homes["spark-01"], ".config/openshell"), { recursive: true });
    writeFileSync(active, "nemoclaw");
    writeFileSync(join(homes["spark-01"], "sandboxes/alice.gateway"), "nemoclaw-8081");
    const record = await backup("alice");
    expect(record.gateway).toBe("nemoclaw-8081");
    expect(readFileSync(join(homes["spark-01"], "nemoclaw.env"), "utf8")).toBe("OPENSHELL_GATEWAY=nemoclaw-8081\n");
    expect(readFileSync(active, "utf8")).toBe("nemoclaw");
  });

  it("puts the host's active gateway back when the snapshot fails after NemoClaw selected the sandbox's", async () => {
    const { homes, backup } = setup({ ...healthy(), "spark-01": observedHost("spark-01", [gateway("nemoclaw", [sandbox("bob")]), gateway("nemoclaw-8081", [sandbox("alice")])]) });
    const active = join(homes["spark-01"], ".config/openshell/active_gateway");
    mkdirSync(join(homes["spark-01"], ".config/openshell"), { recursive: true });
    writeFileSync(active, "nemoclaw");
    writeFileSync(join(homes["spark-01"], "sandboxes/alice.gateway"), "nemoclaw-8081");
    writeFileSync(join(homes["spark-01"], "fail-snapshot"), "");
    await expect(backup("alice")).rejects.toThrow(/snapshot create/);
    expect(readFileSync(active, "utf8")).toBe("nemoclaw");
  });

  describe("shields up on a release that refuses snapshots under them (up to v0.0.116)", () => {
    const withShields = (nemoclawVersion: string) => ({
      ...healthy(),
      "spark-01": { ...observedHost("spark-01", [gateway("nemoclaw", [sandbox("alice")])], { nemoclawVersion }), shields: { state: "known" as const, value: [{ sandbox: "alice", mode: "locked" as const }] } },
    });
    const shieldsOf = (home: string) => readFileSync(join(home, "shields-alice"), "utf8").trim();
    const calls = (home: string) => readFileSync(join(home, "nemoclaw.calls"), "utf8");
    const stored = async (stores: BackupStores, destination: BackupDestination) => (await (await stores.open(destination)).list()).records;

    it("lowers them just for NemoClaw's snapshot and puts them back up", async () => {
      const { homes, backup } = setup(withShields("0.0.80"));
      writeFileSync(join(homes["spark-01"], "shields-alice"), "up\n");
      const record = await backup("alice");
      expect(record).toMatchObject({ sandbox: "alice", verified: true });
      expect(calls(homes["spark-01"])).toBe("alice shields down\nalice snapshot create --name fleet-run-1\nalice shields up\n");
      expect(shieldsOf(homes["spark-01"])).toBe("up");
    });

    it("puts them back up when the snapshot fails", async () => {
      const { homes, backup, stores, desired } = setup(withShields("0.0.80"));
      writeFileSync(join(homes["spark-01"], "shields-alice"), "up\n");
      writeFileSync(join(homes["spark-01"], "fail-snapshot"), "");
      await expect(backup("alice")).rejects.toThrow(/spark-01: nemoclaw alice snapshot create: exit 1: Snapshot failed\./);
      expect(calls(homes["spark-01"])).toBe("alice shields down\nalice snapshot create --name fleet-run-1\nalice shields up\n");
      expect(shieldsOf(homes["spark-01"])).toBe("up");
      expect(await stored(stores, desired.backupPolicies[0]!.destination)).toEqual([]);
    });

    it("when they cannot be put back up, keeps the backup and fails saying the shields are down", async () => {
      const { homes, backup, stores, desired } = setup(withShields("0.0.80"));
      writeFileSync(join(homes["spark-01"], "shields-alice"), "up\n");
      writeFileSync(join(homes["spark-01"], "fail-shields-up"), "");
      const failure = backup("alice");
      await expect(failure).rejects.toThrow(ShieldsLeftDownError);
      await expect(failure).rejects.toThrow(/spark-01: backed up to \S+alice\/\S+, but the shields of alice were lowered for its snapshot and are still DOWN: .*Failed to lock alice.*run `nemoclaw alice shields up` on spark-01/);
      expect(shieldsOf(homes["spark-01"])).toBe("down");
      // The host's snapshot was only the copy's source; the copy is in the store, verified.
      expect(readdirSync(join(homes["spark-01"], ".nemoclaw/rebuild-backups/alice"))).toEqual([]);
      expect(await stored(stores, desired.backupPolicies[0]!.destination)).toHaveLength(1);
    });

    it("when the snapshot fails and the shields cannot be put back up either, says both", async () => {
      const { homes, backup, stores, desired } = setup(withShields("0.0.80"));
      writeFileSync(join(homes["spark-01"], "shields-alice"), "up\n");
      writeFileSync(join(homes["spark-01"], "fail-snapshot"), "");
      writeFileSync(join(homes["spark-01"], "fail-shields-up"), "");
      await expect(backup("alice")).rejects.toThrow(/snapshot create: exit 1: Snapshot failed\.; then spark-01: the shields of alice were lowered for its snapshot and are still DOWN/);
      expect(await stored(stores, desired.backupPolicies[0]!.destination)).toEqual([]);
    });

    it("lowers nothing on v0.0.124, which has no shields", async () => {
      const { homes, backup } = setup(withShields("0.0.124"));
      await backup("alice");
      expect(calls(homes["spark-01"])).toBe("alice snapshot create --name fleet-run-1\n");
    });
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

  it("restores into the sandbox NemoClaw registered, on its gateway, when another gateway has one of the same name", async () => {
    const observed = healthy();
    // carol on nemoclaw was made with openshell alone; NemoClaw's is on nemoclaw-8081.
    observed["spark-02"] = observedHost("spark-02", [gateway("nemoclaw", [sandbox("carol")]), gateway("nemoclaw-8081", [sandbox("carol")])], { agents: { carol: "openclaw" }, registeredOn: { carol: "nemoclaw-8081" } });
    const { homes, backup, service, desired, connections } = setup(observed);
    const record = await backup("alice");
    await service.restoreSandbox({ record, host: desired.hosts[1]!, connection: connections["spark-02"]!, sandbox: "carol" });
    expect(readFileSync(join(homes["spark-02"], "nemoclaw.env"), "utf8")).toBe("restore OPENSHELL_GATEWAY=nemoclaw-8081\n");

    // NemoClaw's sandbox is not live on its gateway: the one of the same name elsewhere is not taken for it.
    observed["spark-02"] = observedHost("spark-02", [gateway("nemoclaw", [sandbox("carol")]), gateway("nemoclaw-8081", [])], { agents: { carol: "openclaw" }, registeredOn: { carol: "nemoclaw-8081" } });
    await expect(service.restoreSandbox({ record, host: desired.hosts[1]!, connection: connections["spark-02"]!, sandbox: "carol" })).rejects.toThrow(
      "spark-02: sandbox carol is registered with NemoClaw on gateway nemoclaw-8081, where it does not exist (the carol on nemoclaw is not NemoClaw's); recreate it there (e.g. with `nemoclaw apply`), then restore into it",
    );
  });

  it("refuses a target name NemoClaw would not take, saying which rule it breaks", async () => {
    const { backup, service, desired, connections } = setup(healthy());
    const record = await backup("alice");
    await expect(service.restoreSandbox({ record, host: desired.hosts[1]!, connection: connections["spark-02"]!, sandbox: "Carol" })).rejects.toThrow(
      'spark-02: "Carol" is not a valid sandbox name: sandbox names are lowercase (try "carol")',
    );
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

/** A crafted archive put in the store as spark-01/alice's backup, with a manifest that matches its bytes. */
async function plantBackup(stores: BackupStores, destination: BackupDestination, data: Buffer, timestamp = TIMESTAMP) {
  const series = join(dir, "store/spark-01/alice", timestamp);
  mkdirSync(series, { recursive: true });
  writeFileSync(join(series, "backup.tar"), data);
  writeFileSync(join(series, "manifest.json"), JSON.stringify(manifestFor("spark-01", "alice", { sizeBytes: data.length, sha256: sha256(data) }, {}, timestamp)));
  const [record] = (await (await stores.open(destination)).list()).records;
  return record!;
}

/** Everything in a home outside the sandbox a restore may change, as one digest. */
function homeDigest(home: string): string {
  const walk = (path: string): string[] =>
    readdirSync(path, { withFileTypes: true }).flatMap((entry) => {
      const full = join(path, entry.name);
      if (entry.isSymbolicLink()) return [`${full} -> ${readlinkSync(full)}`];
      if (entry.isDirectory()) return [`${full}/`, ...walk(full)];
      return [`${full} ${readFileSync(full, "utf8")}`];
    });
  const ignored = (line: string) => line.includes("/sandboxes/carol") || line.includes("/nemoclaw.calls") || /\/\.nemoclaw-fleet\/(restore\/)?$/.test(line);
  return walk(home).filter((line) => !ignored(line)).join("\n");
}

describe("BackupService restores only what verify approved", () => {
  it.each(ATTACKS)("refuses the crafted backup %s and changes nothing outside the sandbox", async (attack) => {
    const { homes, service, desired, connections, stores } = setup(healthy());
    const record = await plantBackup(stores, desired.backupPolicies[0]!.destination, craftedSnapshot(attack, "alice", TIMESTAMP));
    mkdirSync(join(homes["spark-02"], ".ssh"));
    writeFileSync(join(homes["spark-02"], ".ssh/authorized_keys"), "ssh-ed25519 AAAA operator\n");
    const before = { home: homeDigest(homes["spark-02"]), passwd: statSync("/etc/passwd").nlink, carol: readTree(join(homes["spark-02"], "sandboxes/carol")) };
    await expect(service.restoreSandbox({ record, host: desired.hosts[1]!, connection: connections["spark-02"]!, sandbox: "carol" })).rejects.toThrow(BackupIntegrityError);
    expect({ home: homeDigest(homes["spark-02"]), passwd: statSync("/etc/passwd").nlink, carol: readTree(join(homes["spark-02"], "sandboxes/carol")) }).toEqual(before);
    expect(readdirSync(join(homes["spark-02"], ".nemoclaw-fleet/restore"))).toEqual([]);
  });

  it("checks the tree GNU tar unpacked against the verified archive before anything moves", async () => {
    const { homes, backup, service, desired, connections } = setup(healthy());
    const record = await backup("alice");
    // A tar that unpacks more than the archive holds: the staged tree must be refused.
    writeFileSync(join(bin, "tar"), `#!/bin/sh\n/usr/bin/env -u PATH PATH=/usr/bin:/bin tar "$@" || exit $?\nfor a in "$@"; do case $a in --directory=*) d=\${a#--directory=};; esac; done\nln -s / "$d/rebuild-backups/alice/${record.timestamp}/workspace/hostroot"\n`);
    chmodSync(join(bin, "tar"), 0o755);
    const before = readTree(join(homes["spark-02"], "sandboxes/carol"));
    await expect(service.restoreSandbox({ record, host: desired.hosts[1]!, connection: connections["spark-02"]!, sandbox: "carol" })).rejects.toThrow(
      /the archive differs from what was verified: rebuild-backups\/alice\/.*\/workspace\/hostroot \(a symbolic link to "\/"\) is not in the backup/,
    );
    expect(readTree(join(homes["spark-02"], "sandboxes/carol"))).toEqual(before);
    expect(existsSync(join(homes["spark-02"], ".nemoclaw/rebuild-backups/carol"))).toBe(false);
    expect(readdirSync(join(homes["spark-02"], ".nemoclaw-fleet/restore"))).toEqual([]);
  });

  it("refuses a truncated archive cleanly and removes its staging", async () => {
    const { homes, backup, service, desired, connections } = setup(healthy());
    const record = await backup("alice");
    const archive = join(dir, "store/spark-01/alice", record.timestamp, "backup.tar");
    writeFileSync(archive, readFileSync(archive).subarray(0, 1700));
    const restoring = service.restoreSandbox({ record, host: desired.hosts[1]!, connection: connections["spark-02"]!, sandbox: "carol" });
    await expect(restoring).rejects.toThrow(BackupIntegrityError);
    await expect(restoring).rejects.toThrow(/archive unreadable: archive is truncated/);
    expect(readdirSync(join(homes["spark-02"], ".nemoclaw-fleet/restore"))).toEqual([]);
  });

  it.each(["after part of the archive", "before sending anything"])("stops a restore whose store stalls %s, leaving nothing on the host", async (when) => {
    const { homes, backup, service, desired, connections, stores } = setup(healthy(), { streamIdleMs: 1_000 });
    const record = await backup("alice");
    const label = (await stores.storeOf(record)).label;
    const archive = readFileSync(join(dir, "store/spark-01/alice", record.timestamp, "backup.tar"));
    // A store that stops sending (a hung disk or network): the stream neither ends nor fails until stopped.
    const stall = vi.spyOn(BackupStore.prototype, "openArchive").mockImplementation(async (_record, signal) => {
      const cancelled = () => new Error("cancelled");
      if (when === "before sending anything") await new Promise((_resolve, reject) => signal?.addEventListener("abort", () => reject(cancelled()), { once: true }));
      const stream = new PassThrough();
      stream.write(archive.subarray(0, 2048));
      signal?.addEventListener("abort", () => stream.destroy(cancelled()), { once: true });
      return stream;
    });
    try {
      const before = { home: homeDigest(homes["spark-02"]), carol: readTree(join(homes["spark-02"], "sandboxes/carol")) };
      const started = Date.now();
      await expect(service.restoreSandbox({ record, host: desired.hosts[1]!, connection: connections["spark-02"]!, sandbox: "carol" })).rejects.toThrow(
        `spark-02: restoring ${record.id} into sandbox carol: the copy from store ${label} stalled: no data moved for 1 s (a hung store or host), so it was stopped; nothing was placed on spark-02`,
      );
      expect(Date.now() - started).toBeLessThan(20_000);
      expect({ home: homeDigest(homes["spark-02"]), carol: readTree(join(homes["spark-02"], "sandboxes/carol")) }).toEqual(before);
      expect(readdirSync(join(homes["spark-02"], ".nemoclaw-fleet/restore"))).toEqual([]);
      expect(existsSync(join(homes["spark-02"], ".nemoclaw/rebuild-backups/carol"))).toBe(false);
    } finally {
      stall.mockRestore();
    }
  }, 30_000);

  it("completes when re-run after an interruption left the snapshot placed", async () => {
    const { homes, backup, service, desired, connections } = setup(healthy());
    const record = await backup("alice");
    const restore = () => service.restoreSandbox({ record, host: desired.hosts[1]!, connection: connections["spark-02"]!, sandbox: "carol" });
    // NemoClaw's restore fails the first time (as if the run was killed right after the rename).
    writeFileSync(join(homes["spark-02"], "fail-restore-once"), "");
    await expect(restore()).rejects.toThrow(/snapshot restore/);
    const placed = join(homes["spark-02"], ".nemoclaw/rebuild-backups/carol", record.timestamp);
    expect(existsSync(placed)).toBe(true);
    await restore();
    expect(readTree(join(homes["spark-02"], "sandboxes/carol"))).toEqual(readTree(join(homes["spark-01"], "sandboxes/alice")));

    // Anything else at that path is never taken for the backup.
    writeFileSync(join(placed, "workspace", "notes.md"), "someone else's snapshot");
    await expect(restore()).rejects.toThrow(/already exists and is not this backup \(workspace\/notes\.md has other content\)/);
  });

  it("completes a re-run after an earlier build of this tool placed the snapshot with the backup's network policy in its manifest", async () => {
    const { homes, backup, service, desired, connections } = setup(healthy());
    const record = await backup("alice");
    const restore = () => service.restoreSandbox({ record, host: desired.hosts[1]!, connection: connections["spark-02"]!, sandbox: "carol" });
    const placed = join(homes["spark-02"], ".nemoclaw/rebuild-backups/carol", record.timestamp);
    const manifest = join(placed, "rebuild-manifest.json");
    // What builds before the target kept its own network policy placed: the archive's manifest with
    // only sandboxName and backupPath re-targeted, then killed before NemoClaw's restore ran.
    const archive = join(dir, "store/spark-01/alice", record.timestamp, "backup.tar");
    const original = JSON.parse(spawnSync("tar", ["-xOf", archive, `${record.manifest.snapshot.path}/rebuild-manifest.json`], { encoding: "utf8" }).stdout) as Record<string, unknown>;
    expect(original.policyPresets).toEqual(["pypi"]);
    const earlier = `${JSON.stringify({ ...original, sandboxName: "carol", backupPath: placed }, null, 2)}\n`;
    writeFileSync(join(homes["spark-02"], "fail-restore-once"), "");
    await expect(restore()).rejects.toThrow(/snapshot restore/);
    writeFileSync(manifest, earlier);

    await restore();
    expect(readTree(join(homes["spark-02"], "sandboxes/carol"))).toEqual(readTree(join(homes["spark-01"], "sandboxes/alice")));
    // NemoClaw restored from a manifest without the source's policy, so carol keeps its own.
    const now = JSON.parse(readFileSync(manifest, "utf8")) as Record<string, unknown>;
    expect(now).not.toHaveProperty("policyPresets");
    expect(now).not.toHaveProperty("customPolicies");
    expect(statSync(manifest).mode & 0o777).toBe(0o600);

    // Only that manifest is taken for this backup's: one naming another policy is still refused.
    writeFileSync(join(homes["spark-02"], "fail-restore-once"), "");
    writeFileSync(manifest, earlier.replace('"pypi"', '"npm"'));
    await expect(restore()).rejects.toThrow(/already exists and is not this backup \(rebuild-manifest\.json has other content\)/);
  });

  it("keeps the target's state as a NemoClaw snapshot before replacing it, and replaces nothing when that fails", async () => {
    const { homes, backup, service, desired, connections } = setup(healthy());
    const record = await backup("alice");
    const restore = () => service.restoreSandbox({ record, host: desired.hosts[1]!, connection: connections["spark-02"]!, sandbox: "carol", keepPrevious: true });
    const snapshots = join(homes["spark-02"], ".nemoclaw/rebuild-backups/carol");

    writeFileSync(join(homes["spark-02"], "fail-snapshot"), "");
    await expect(restore()).rejects.toThrow(/snapshot create/);
    expect(readTree(join(homes["spark-02"], "sandboxes/carol"))).toEqual({ "old.txt": "carol's old state" });
    expect(existsSync(snapshots) ? readdirSync(snapshots) : []).toEqual([]);
    rmSync(join(homes["spark-02"], "fail-snapshot"));
    // Shields up (releases before #10722): NemoClaw's refusal, and still nothing replaced or placed.
    writeFileSync(join(homes["spark-02"], "shields-carol"), "up");
    await expect(restore()).rejects.toThrow("Cannot create snapshot while shields are up.");
    expect(readTree(join(homes["spark-02"], "sandboxes/carol"))).toEqual({ "old.txt": "carol's old state" });
    expect(existsSync(snapshots) ? readdirSync(snapshots) : []).toEqual([]);
    rmSync(join(homes["spark-02"], "shields-carol"));

    const { previous } = await restore();
    expect(readTree(join(homes["spark-02"], "sandboxes/carol"))).toEqual(readTree(join(homes["spark-01"], "sandboxes/alice")));
    expect(previous).not.toBeNull();
    expect(readTree(join(snapshots, previous!.timestamp, "workspace"))).toEqual({ "old.txt": "carol's old state" });
    expect(JSON.parse(readFileSync(join(snapshots, previous!.timestamp, "rebuild-manifest.json"), "utf8")).name).toMatch(/^fleet-before-restore-\d{4}-\d{2}-\d{2}T[\d-]+Z$/);
    // The host's active gateway is left as it was (NemoClaw's snapshot selects the sandbox's own).
    expect(readFileSync(join(homes["spark-02"], "nemoclaw.calls"), "utf8")).toMatch(/^carol snapshot create --name fleet-before-restore-/m);
  });

  it.each([
    ["the archive's copy", (path: string) => path.endsWith("/backup.tar")],
    ["the re-targeted manifest", (path: string) => path.endsWith("/rebuild-manifest.json")],
  ])("stops on a full disk during %s with nothing placed, the target unchanged and staging removed", async (_what, full) => {
    const { homes, backup, service, desired, connections } = setup(healthy());
    const record = await backup("alice");
    const host = connections["spark-02"]!;
    // The host's disk fills during that write: the file system's ENOSPC, as the transport reports it.
    const upload = host.upload.bind(host);
    vi.spyOn(host, "upload").mockImplementation(async (source, path, options) => {
      if (!full(path)) return upload(source, path, options);
      source.resume();
      throw new Error(`ENOSPC: no space left on device, write '${path}'`);
    });
    await expect(service.restoreSandbox({ record, host: desired.hosts[1]!, connection: host, sandbox: "carol", keepPrevious: true })).rejects.toThrow(/ENOSPC/);
    expect(readTree(join(homes["spark-02"], "sandboxes/carol"))).toEqual({ "old.txt": "carol's old state" });
    expect(existsSync(join(homes["spark-02"], ".nemoclaw/rebuild-backups/carol"))).toBe(false);
    expect(readdirSync(join(homes["spark-02"], ".nemoclaw-fleet/restore"))).toEqual([]);
  });

  it("sweeps staging that killed restores left, and never a live restore's", async () => {
    const owner = { machine: "ctl", pid: 1, pidScope: "boot-1:4026531836" };
    const { homes, backup, desired, connections, stores } = setup(healthy());
    const record = await backup("alice");
    const service = createBackupService({ fleet: desired, pool: { get: async (host) => connections[host]! }, stores, observeHost: async (host) => healthy()[host.name as "spark-01"]!, owner, isAlive: (pid) => pid === 4242 });
    const staging = join(homes["spark-02"], ".nemoclaw-fleet/restore");
    const old = new Date(Date.now() - 2 * 24 * 3_600_000);
    const dead = ownedName({ ...owner, pid: 999 });
    const alive = ownedName({ ...owner, pid: 4242 });
    const leftovers = { [dead]: null, [alive]: null, "77-0a0b@other": null, "78-0a0b@other": old, "5f2c9a1b3d4e": old, "5f2c9a1b3d4f": null };
    for (const [name, time] of Object.entries(leftovers)) {
      mkdirSync(join(staging, name), { recursive: true });
      writeFileSync(join(staging, name, "backup.tar"), "x");
      if (time) {
        utimesSync(join(staging, name, "backup.tar"), time, time);
        utimesSync(join(staging, name), time, time);
      }
    }
    await service.restoreSandbox({ record, host: desired.hosts[1]!, connection: connections["spark-02"]!, sandbox: "carol" });
    expect(readdirSync(staging).sort()).toEqual([alive, "5f2c9a1b3d4f", "77-0a0b@other"].sort());
  });
});
