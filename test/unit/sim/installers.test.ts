// NemoClaw's installer (`curl -fsSL https://www.nvidia.com/nemoclaw.sh | bash`): a release and its
// pinned OpenShell, strict backups first, the cluster gateway retired only with the
// acknowledgement, sandboxes brought up on the new release — and the field failures whose exit
// code lies, so a caller has to judge by what it observes.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readSimState } from "../../sim/index.mjs";
import { hostsPerTest, stripAnsi } from "./harness.js";

const use = hostsPerTest();

const INSTALL = "curl -fsSL https://www.nvidia.com/nemoclaw.sh | bash";
const HEADLESS = { NEMOCLAW_NON_INTERACTIVE: "1", NEMOCLAW_ACCEPT_THIRD_PARTY_SOFTWARE: "1" };
const notes = { "/sandbox/.openclaw/workspace/notes.md": "keep me\n" };

describe("NemoClaw installer", { timeout: 180_000 }, () => {
  it("crosses the cluster era only with the acknowledgement: backup, retire, pinned OpenShell, sandboxes restored", async () => {
    const h = await use({ arch: "x86_64", openshell: { version: "0.0.36" }, gateways: [{ sandboxes: [{ name: "alpha", files: notes }] }] });
    const refused = await h.sh(INSTALL, { env: { ...HEADLESS, NEMOCLAW_INSTALL_TAG: "v0.0.76" } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      "[ERROR] OpenShell gateway upgrade requires explicit opt-in. Set NEMOCLAW_ACCEPT_EXPERIMENTAL_OPENSHELL_UPGRADE=1 to continue automatically, or run the manual commands above.\n",
    );
    expect((await h.run("nemoclaw", ["--version"])).stdout).toBe("nemoclaw v0.0.38\n");

    const upgraded = await h.sh(INSTALL, { env: { ...HEADLESS, NEMOCLAW_INSTALL_TAG: "v0.0.76", NEMOCLAW_ACCEPT_EXPERIMENTAL_OPENSHELL_UPGRADE: "1" } });
    expect(upgraded.code).toBe(0);
    expect(upgraded.stdout).toContain("[INFO]  Retiring OpenShell 0.0.36 gateway before installing current OpenShell…\n");
    expect(upgraded.stdout).toContain("[INFO]  Existing sandboxes recovered; skipping generic onboarding.\n");
    expect((await h.run("nemoclaw", ["--version"])).stdout).toBe("nemoclaw v0.0.76\n");
    expect((await h.run("openshell", ["--version"])).stdout).toBe("openshell 0.0.72\n");
    expect(stripAnsi((await h.run("openshell", ["status"])).stdout)).toContain("  Version: 0.0.72\n");
    expect((await h.run("openshell", ["sandbox", "exec", "-n", "alpha", "--", "cat", "/sandbox/.openclaw/workspace/notes.md"])).stdout).toBe("keep me\n");
    const calls = readSimState({ home: h.home }).calls.map((call) => `${call.tool} ${call.argv.join(" ")}`);
    expect(calls).toContain("nemoclaw backup-all");
    expect(calls).toContain("openshell gateway destroy -g nemoclaw");
    expect(calls).toContain("nemoclaw upgrade-sandboxes --auto");
    expect(calls.indexOf("nemoclaw backup-all")).toBeLessThan(calls.indexOf("openshell gateway destroy -g nemoclaw"));
  });

  it("moves a host-process host to the next pin: the gateway restarts on the new binary and migrates forward", async () => {
    const h = await use({ arch: "x86_64", nemoclaw: { version: "0.0.76" }, gateways: [{ sandboxes: [{ name: "alpha", files: notes }] }] });
    const result = await h.sh(INSTALL, { env: { ...HEADLESS, NEMOCLAW_INSTALL_TAG: "v0.0.105" } });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const state = readSimState({ home: h.home });
    expect(state.gateways.nemoclaw).toMatchObject({ version: "0.0.85", dbMigration: 5 });
    // The bundled OpenClaw did not change, so the sandbox is not stale and keeps running.
    expect(result.stdout).toContain("  All sandboxes are up to date.\n");
    expect(JSON.parse(readFileSync(join(h.home, ".nemoclaw/sandboxes.json"), "utf8")).sandboxes.alpha).toMatchObject({ nemoclawVersion: "0.0.76" });
    expect((await h.run("openshell", ["sandbox", "exec", "-n", "alpha", "--", "cat", "/sandbox/.openclaw/workspace/notes.md"])).stdout).toBe("keep me\n");
  });

  it("before v0.0.72 onboards the sandbox its environment names, then upgrades the stale ones; from v0.0.72 it only recovers them", async () => {
    const older = await use({ arch: "x86_64", nemoclaw: { version: "0.0.60" }, gateways: [{ sandboxes: [{ name: "alpha", files: notes }] }] });
    const before = await older.sh(INSTALL, { env: { ...HEADLESS, NEMOCLAW_INSTALL_TAG: "v0.0.70", NEMOCLAW_SANDBOX_NAME: "alpha", NVIDIA_INFERENCE_API_KEY: "nvapi-test" } });
    expect(before.code, before.stdout + before.stderr).toBe(0);
    const olderCalls = readSimState({ home: older.home }).calls.map((call) => `${call.tool} ${call.argv.join(" ")}`);
    const onboardAt = olderCalls.findIndex((call) => call.startsWith("nemoclaw onboard --non-interactive"));
    expect(onboardAt).toBeGreaterThanOrEqual(0);
    expect(olderCalls.indexOf("nemoclaw upgrade-sandboxes --auto")).toBeGreaterThan(onboardAt);
    expect(Object.keys(JSON.parse(readFileSync(join(older.home, ".nemoclaw/sandboxes.json"), "utf8")).sandboxes)).toEqual(["alpha"]);
    await older.stop();

    const newer = await use({ arch: "x86_64", nemoclaw: { version: "0.0.76" }, gateways: [{ sandboxes: [{ name: "alpha", files: notes }] }] });
    const after = await newer.sh(INSTALL, { env: { ...HEADLESS, NEMOCLAW_INSTALL_TAG: "v0.0.105" } });
    expect(after.code, after.stdout + after.stderr).toBe(0);
    const newerCalls = readSimState({ home: newer.home }).calls.map((call) => `${call.tool} ${call.argv.join(" ")}`);
    expect(newerCalls.filter((call) => call.startsWith("nemoclaw onboard"))).toEqual([]);
    expect(newerCalls).toContain("nemoclaw upgrade-sandboxes --auto");
  });

  it("field failures: a fatal error that exits 0, and exit 1 after a successful upgrade", async () => {
    const failing = await use({ nemoclaw: { version: "0.0.76" }, gateways: [{ sandboxes: [{ name: "alpha" }] }], faults: { backupFails: ["alpha"], installer: { fatalExitsZero: true } } });
    const fatal = await failing.sh(INSTALL, { env: { ...HEADLESS, NEMOCLAW_INSTALL_TAG: "v0.0.105" } });
    expect(fatal.code).toBe(0);
    expect(fatal.stderr).toContain("[ERROR] Pre-upgrade backup failed. Resolve every reported sandbox backup failure and rerun the installer.\n");
    expect((await failing.run("nemoclaw", ["--version"])).stdout).toBe("nemoclaw v0.0.105\n");
    expect((await failing.run("openshell", ["--version"])).stdout).toBe("openshell 0.0.72\n");
    await failing.stop();

    const lying = await use({ nemoclaw: { version: "0.0.76" }, gateways: [{ sandboxes: [{ name: "alpha" }] }], faults: { installer: { failsAfterSuccess: true } } });
    const done = await lying.sh(INSTALL, { env: { ...HEADLESS, NEMOCLAW_INSTALL_TAG: "v0.0.105" } });
    expect(done.code).toBe(1);
    expect(done.stdout).toContain("[INFO]  === Installation complete ===\n");
    expect((await lying.run("openshell", ["--version"])).stdout).toBe("openshell 0.0.85\n");
  });

  it("a restore that fails leaves the sandbox up on the new release without its state", async () => {
    const h = await use({ openshell: { version: "0.0.36" }, gateways: [{ sandboxes: [{ name: "alpha", files: notes }] }], faults: { restoreFails: ["alpha"] } });
    const result = await h.sh(INSTALL, { env: { ...HEADLESS, NEMOCLAW_INSTALL_TAG: "v0.0.76", NEMOCLAW_ACCEPT_EXPERIMENTAL_OPENSHELL_UPGRADE: "1" } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("  ⚠ Sandbox 'alpha' rebuilt but some post-restore steps were incomplete\n");
    expect((await h.run("openshell", ["sandbox", "exec", "-n", "alpha", "--", "cat", "/sandbox/.openclaw/workspace/notes.md"])).code).not.toBe(0);
  });

  it("refuses an unknown ref and options it does not know", async () => {
    const h = await use({});
    expect(await h.sh(INSTALL, { env: { ...HEADLESS, NEMOCLAW_INSTALL_TAG: "v9.9.9" } })).toMatchObject({
      code: 1,
      stderr: "[ERROR] Requested install ref 'v9.9.9' is not available from https://github.com/NVIDIA/NemoClaw.git.\n        Check NEMOCLAW_INSTALL_TAG/NEMOCLAW_INSTALL_REF and try again.\n",
    });
    expect((await h.sh(`${INSTALL} -s -- --bogus`, { env: HEADLESS })).stderr).toBe("[ERROR] Unknown option: --bogus\n");
  });
});
