import { describe, expect, it } from "vitest";
import { BACKUP_PREFLIGHT, preflight } from "../../../src/plan/preflight.js";
import { gateway, observedHost, sandbox } from "../backup/fixtures.js";

describe("backup preflight", () => {
  it("passes when every running gateway matches the CLI", () => {
    expect(preflight(observedHost("h", [gateway("nemoclaw", [sandbox("a")]), gateway("nemoclaw-8081", [])]), BACKUP_PREFLIGHT)).toEqual({
      state: "clean",
      openshellVersion: "0.0.72",
    });
  });

  it("refuses host-process drift with NemoClaw's block naming backups", () => {
    const outcome = preflight(observedHost("h", [gateway("nemoclaw", [sandbox("a")], "0.0.43")]), BACKUP_PREFLIGHT);
    expect(outcome.state).toBe("refused");
    if (outcome.state !== "refused") return;
    expect(outcome.block.lines).toEqual([
      "",
      "  OpenShell gateway schema preflight failed before backing up sandboxes.",
      "  Installed OpenShell: 0.0.72",
      "  Running gateway binary: /home/u/.local/bin/openshell-gateway (0.0.43)",
      "",
      "  Refusing to trust OpenShell sandbox state while the host CLI and gateway schema may be out of sync.",
      "  No sandbox data was changed.",
      "",
      "  Recovery:",
      "    1. Run `nemoclaw onboard --resume` to repair or recreate the NemoClaw gateway with the installed OpenShell version.",
      "    2. Rerun `nemoclaw backup run` after `openshell status` reports a healthy NemoClaw gateway.",
      "",
      "  If gateway recreation is required, preserve sandbox state first; do not delete sandbox volumes or backups until `openshell status` reports a healthy NemoClaw gateway on the installed OpenShell version.",
    ]);
  });

  it("refuses cluster image drift with the cluster variant", () => {
    const cluster = gateway("nemoclaw", [], "0.0.35", { driver: "cluster-container", image: "ghcr.io/nvidia/openshell/cluster:0.0.35", binary: null });
    const outcome = preflight(observedHost("h", [cluster], { cliVersion: "0.0.36" }), BACKUP_PREFLIGHT);
    expect(outcome.state === "refused" && outcome.block.lines.slice(2, 4)).toEqual([
      "  Installed OpenShell: 0.0.36",
      "  Running gateway image: ghcr.io/nvidia/openshell/cluster:0.0.35 (0.0.35)",
    ]);
  });

  it("refuses a gateway that still answers while its log shows a fatal migration, whatever its version (design §2.1)", () => {
    const fatal = "Error:   × execution error: migration error: migration 6 was previously applied but is missing in the resolved migrations";
    const crashed = gateway("nemoclaw", [sandbox("a")], "0.0.72", {
      health: { status: "unhealthy", reason: `the gateway log shows a fatal migration error: ${fatal}`, fatalMigration: fatal, protobufMismatch: null },
    });
    const outcome = preflight(observedHost("h", [crashed]), BACKUP_PREFLIGHT);
    expect(outcome.state).toBe("refused");
    expect(outcome.state === "refused" && outcome.block.lines.slice(1, 4)).toEqual([
      "  OpenShell gateway schema preflight failed before backing up sandboxes.",
      "  Installed OpenShell: 0.0.72",
      "  Running gateway binary: /home/u/.local/bin/openshell-gateway (0.0.72)",
    ]);
    // Apply's re-check leaves out a crashed gateway its plan restarts.
    expect(preflight(observedHost("h", [crashed]), BACKUP_PREFLIGHT, new Set(["nemoclaw"]))).toEqual({ state: "clean", openshellVersion: "0.0.72" });
    // A crashed gateway whose process is gone runs nothing that could be trusted or drift.
    const dead = { ...crashed, runningVersion: { state: "known" as const, value: null } };
    expect(preflight(observedHost("h", [dead]), BACKUP_PREFLIGHT)).toEqual({ state: "clean", openshellVersion: "0.0.72" });
  });

  it("does not trust a host whose OpenShell version is unknown", () => {
    const observed = observedHost("h", []);
    observed.openshell = { state: "known", value: { installed: false, version: null, path: null } };
    expect(preflight(observed, BACKUP_PREFLIGHT)).toEqual({ state: "unknown", reason: "OpenShell is not installed" });
  });
});
