import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  clearStaleShields,
  restoreRegistryEntry,
  restoredRegistryContent,
  snapshotRegistry,
  snapshotForRecovery,
} from "../../../src/host/nemoclaw/registry-edit.js";
import { LocalShell } from "../apply/local-shell.js";

const entry = (name: string, extra: Record<string, unknown> = {}) => ({ name, model: "m", provider: "nvidia-prod", gatewayName: "nemoclaw", gatewayPort: 8080, policies: [], ...extra });
const registryText = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

describe("restoredRegistryContent", () => {
  const before = registryText({ defaultSandbox: "alice", sandboxes: { alice: entry("alice"), bob: entry("bob") } });

  it("writes nothing when the registry is unchanged", () => {
    expect(restoredRegistryContent(before, before, "alice")).toBeNull();
  });
  it("restores the original bytes when only the entry was touched", () => {
    const after = registryText({ defaultSandbox: null, sandboxes: { bob: entry("bob") } });
    expect(restoredRegistryContent(before, after, "alice")).toBe(before);
    const reformatted = JSON.stringify({ sandboxes: { bob: entry("bob"), alice: entry("alice", { model: "half-written" }) }, defaultSandbox: "alice" });
    expect(restoredRegistryContent(before, reformatted, "alice")).toBe(before);
  });
  it("keeps other changes made meanwhile and puts the entry back exactly", () => {
    const after = registryText({ defaultSandbox: null, sandboxes: { bob: entry("bob", { policies: ["npm"] }), carol: entry("carol") } });
    const merged = JSON.parse(restoredRegistryContent(before, after, "alice") as string);
    expect(merged.sandboxes.alice).toEqual(entry("alice"));
    expect(merged.sandboxes.bob.policies).toEqual(["npm"]);
    expect(merged.sandboxes.carol).toBeDefined();
    expect(merged.defaultSandbox).toBe("alice");
  });
  it("recreates a registry file that vanished", () => {
    expect(restoredRegistryContent(before, null, "alice")).toBe(before);
  });
});

describe("registry and shields on a real shell", () => {
  let home: string;
  let shell: LocalShell;
  const registryPath = () => join(home, ".nemoclaw", "sandboxes.json");
  const lockDir = () => `${registryPath()}.lock`;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), "ncf-registry-"));
    mkdirSync(join(home, ".nemoclaw", "state"), { recursive: true });
    shell = new LocalShell("spark-01", home);
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  const original = registryText({ defaultSandbox: "alice", sandboxes: { alice: entry("alice") } });

  it("restores the snapshot byte for byte, mode 0600, and releases NemoClaw's lock", async () => {
    writeFileSync(registryPath(), original, { mode: 0o600 });
    const snapshot = await snapshotRegistry(shell.asConnection());
    expect(snapshot.raw).toBe(original);
    writeFileSync(registryPath(), registryText({ defaultSandbox: null, sandboxes: {} }));
    expect(await restoreRegistryEntry(shell.asConnection(), snapshot, "alice")).toBe("registry entry alice restored exactly as before the step");
    expect(readFileSync(registryPath(), "utf8")).toBe(original);
    expect(statSync(registryPath()).mode & 0o777).toBe(0o600);
    expect(existsSync(lockDir())).toBe(false);
  });

  it("flushes the restored registry before the rename that puts it in place, and its directory after", async () => {
    writeFileSync(registryPath(), original, { mode: 0o600 });
    const snapshot = await snapshotRegistry(shell.asConnection());
    writeFileSync(registryPath(), registryText({ defaultSandbox: null, sandboxes: {} }));
    // sync and mv as the host has them, each call written down first.
    const bin = join(home, "bin");
    const log = join(home, "calls.log");
    mkdirSync(bin);
    for (const tool of ["sync", "mv"]) {
      const real = execFileSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).trim();
      writeFileSync(join(bin, tool), `#!/bin/sh\necho "${tool} $*" >> '${log}'\nexec ${real} "$@"\n`, { mode: 0o755 });
    }
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      await restoreRegistryEntry(shell.asConnection(), snapshot, "alice");
    } finally {
      process.env.PATH = path;
    }
    const registry = registryPath();
    expect(readFileSync(log, "utf8").trim().split("\n").map((line) => line.replace(/\.tmp\.\d+/, ".tmp"))).toEqual([
      `sync -- ${registry}.tmp`,
      `mv -f ${registry}.tmp ${registry}`,
      `sync -- ${join(home, ".nemoclaw")}`,
    ]);
    expect(readFileSync(registry, "utf8")).toBe(original);
  });

  it("breaks a lock whose owner is dead, as NemoClaw does", async () => {
    writeFileSync(registryPath(), original);
    const snapshot = await snapshotRegistry(shell.asConnection());
    writeFileSync(registryPath(), "{}\n");
    mkdirSync(lockDir());
    writeFileSync(join(lockDir(), "owner"), "999999999\n");
    await restoreRegistryEntry(shell.asConnection(), snapshot, "alice");
    expect(readFileSync(registryPath(), "utf8")).toBe(original);
  });

  it("waits for a live owner and writes nothing while it holds the lock", async () => {
    writeFileSync(registryPath(), original);
    const snapshot = await snapshotRegistry(shell.asConnection());
    writeFileSync(registryPath(), "{}\n");
    mkdirSync(lockDir());
    writeFileSync(join(lockDir(), "owner"), `${process.pid}\n`);
    const restoring = restoreRegistryEntry(shell.asConnection(), snapshot, "alice");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(readFileSync(registryPath(), "utf8")).toBe("{}\n");
    rmSync(lockDir(), { recursive: true });
    await restoring;
    expect(readFileSync(registryPath(), "utf8")).toBe(original);
  });

  it("clears shields state left from the old sandbox and says shields must be re-applied", async () => {
    const shields = join(home, ".nemoclaw", "state", "shields-alice.json");
    const timer = join(home, ".nemoclaw", "state", "shields-timer-alice.json");
    writeFileSync(shields, '{"shieldsDown":false,"updatedAt":"2026-11-01T00:00:00Z"}');
    writeFileSync(timer, "{}");
    const before = (await snapshotForRecovery(shell.asConnection(), "alice")).shields;
    const cleared = await clearStaleShields(shell.asConnection(), "alice", before);
    expect(cleared?.mustReapply).toBe(true);
    expect(cleared?.note).toContain("must be re-applied (`nemoclaw alice shields up`)");
    expect(existsSync(shields)).toBe(false);
    expect(existsSync(timer)).toBe(false);
  });

  it("leaves shields state the recreate rewrote", async () => {
    const shields = join(home, ".nemoclaw", "state", "shields-alice.json");
    writeFileSync(shields, '{"shieldsDown":false}');
    const before = (await snapshotForRecovery(shell.asConnection(), "alice")).shields;
    writeFileSync(shields, '{"shieldsDown":true}');
    expect((await clearStaleShields(shell.asConnection(), "alice", before))?.note).toContain("left as is");
    expect(existsSync(shields)).toBe(true);
  });

  it("reads the registry and the shields state in one round trip, byte for byte, absent told from empty", async () => {
    writeFileSync(registryPath(), "{\n  \"sandboxes\": {}\n}\n\n");
    writeFileSync(join(home, ".nemoclaw", "state", "shields-alice.json"), "");
    const read = await snapshotForRecovery(shell.asConnection(), "alice");
    expect(read).toEqual({ registry: { raw: "{\n  \"sandboxes\": {}\n}\n\n" }, shields: { raw: "" } });
    rmSync(registryPath());
    expect(await snapshotForRecovery(shell.asConnection(), "bob")).toEqual({ registry: { raw: null }, shields: { raw: null } });
  });

  it("has nothing to clear without shields state", async () => {
    expect(await clearStaleShields(shell.asConnection(), "alice", (await snapshotForRecovery(shell.asConnection(), "alice")).shields)).toBeNull();
  });
});
