/**
 * The schema-preflight block must be NemoClaw's text character for character
 * (nemoclaw-surface §4, `formatOpenShellStateRpcIssue`), for both drivers and the protobuf variant.
 */
import { describe, expect, it } from "vitest";
import { checkSchema, formatPreflightBlock, type SchemaIssue } from "../../../src/plan/preflight.js";
import { clusterGateway, converged, gateway, hostPlanOf, known } from "./builders.js";

const APPLY = { action: "applying fleet changes", command: "nemoclaw apply fleet.yaml" };

const RECOVERY = [
  "",
  "  Refusing to trust OpenShell sandbox state while the host CLI and gateway schema may be out of sync.",
  "  No sandbox data was changed.",
  "",
  "  Recovery:",
  "    1. Run `nemoclaw onboard --resume` to repair or recreate the NemoClaw gateway with the installed OpenShell version.",
  "    2. Rerun `nemoclaw apply fleet.yaml` after `openshell status` reports a healthy NemoClaw gateway.",
  "",
];

describe("formatPreflightBlock", () => {
  it("cluster-container drift", () => {
    const issue: SchemaIssue = {
      kind: "drift",
      drift: {
        driver: "cluster-container",
        gateway: "nemoclaw",
        containerName: "openshell-cluster-nemoclaw",
        currentImage: "ghcr.io/nvidia/openshell/cluster:0.0.35",
        currentVersion: "0.0.35",
        expectedVersion: "0.0.36",
      },
    };
    expect(formatPreflightBlock(issue, APPLY)).toEqual([
      "",
      "  OpenShell gateway schema preflight failed before applying fleet changes.",
      "  Installed OpenShell: 0.0.36",
      "  Running gateway image: ghcr.io/nvidia/openshell/cluster:0.0.35 (0.0.35)",
      ...RECOVERY,
      "  If gateway recreation is required, preserve sandbox state first; do not remove `openshell-cluster-nemoclaw` Docker volumes unless you have a backup and explicitly accept state loss.",
    ]);
  });

  it("host-process drift", () => {
    const issue: SchemaIssue = {
      kind: "drift",
      drift: { driver: "host-process", gateway: "nemoclaw", gatewayBin: "/home/u/.local/bin/openshell-gateway", currentVersion: "0.0.43", expectedVersion: "0.0.44" },
    };
    expect(formatPreflightBlock(issue, APPLY)).toEqual([
      "",
      "  OpenShell gateway schema preflight failed before applying fleet changes.",
      "  Installed OpenShell: 0.0.44",
      "  Running gateway binary: /home/u/.local/bin/openshell-gateway (0.0.43)",
      ...RECOVERY,
      "  If gateway recreation is required, preserve sandbox state first; do not delete sandbox volumes or backups until `openshell status` reports a healthy NemoClaw gateway on the installed OpenShell version.",
    ]);
  });

  it("host-process drift whose binary is not known names the host-process gateway", () => {
    const lines = formatPreflightBlock(
      { kind: "drift", drift: { driver: "host-process", gateway: "nemoclaw", gatewayBin: null, currentVersion: "0.0.43", expectedVersion: "0.0.44" } },
      APPLY,
    );
    expect(lines[3]).toBe("  Running gateway binary: host-process gateway (0.0.43)");
  });

  it("protobuf mismatch without a resolved drift (unknown driver)", () => {
    const output =
      '\u001b[31mError:\u001b[0m status: Internal, message: "failed to decode Protobuf message: Sandbox.metadata: SandboxResponse.sandbox: invalid wire type value: 6"\n\n   details';
    expect(formatPreflightBlock({ kind: "protobuf_mismatch", gateway: "nemoclaw", drift: null, output }, APPLY)).toEqual([
      "",
      "  OpenShell gateway/schema mismatch was detected while applying fleet changes.",
      "  NemoClaw saw protobuf/schema mismatch output from OpenShell.",
      '  OpenShell output: Error: status: Internal, message: "failed to decode Protobuf message: Sandbox.metadata: SandboxResponse.sandbox: invalid wire type value: 6" details',
      ...RECOVERY,
      "  If gateway recreation is required, preserve sandbox state first; do not delete sandbox state, backups, or gateway data until `openshell status` reports a healthy NemoClaw gateway.",
    ]);
  });

  it("protobuf mismatch with a drift shows both, and the output is cut at 260 characters", () => {
    const lines = formatPreflightBlock(
      {
        kind: "protobuf_mismatch",
        gateway: "nemoclaw-8081",
        drift: { driver: "cluster-container", gateway: "nemoclaw-8081", containerName: "openshell-cluster-nemoclaw-8081", currentImage: "nemoclaw-cluster:0.0.35-fuse-overlayfs-aa8b8487", currentVersion: "0.0.35", expectedVersion: "0.0.36" },
        output: "x".repeat(300),
      },
      APPLY,
    );
    expect(lines.slice(1, 5)).toEqual([
      "  OpenShell gateway/schema mismatch was detected while applying fleet changes.",
      "  Installed OpenShell: 0.0.36",
      "  Running gateway image: nemoclaw-cluster:0.0.35-fuse-overlayfs-aa8b8487 (0.0.35)",
      `  OpenShell output: ${"x".repeat(260)}`,
    ]);
    expect(lines.at(-1)).toContain("do not remove `openshell-cluster-nemoclaw-8081` Docker volumes");
  });

  it("takes the action and command of the caller (backup-all wording)", () => {
    const lines = formatPreflightBlock(
      { kind: "drift", drift: { driver: "host-process", gateway: "nemoclaw", gatewayBin: "/x", currentVersion: "0.0.43", expectedVersion: "0.0.44" } },
      { action: "backing up registered sandboxes", command: "nemoclaw backup-all" },
    );
    expect(lines[1]).toBe("  OpenShell gateway schema preflight failed before backing up registered sandboxes.");
    expect(lines).toContain("    2. Rerun `nemoclaw backup-all` after `openshell status` reports a healthy NemoClaw gateway.");
  });

  it("without a command says 'Rerun the command'", () => {
    const lines = formatPreflightBlock({ kind: "protobuf_mismatch", gateway: "nemoclaw", drift: null, output: "" }, { action: "checking status" });
    expect(lines).toContain("    2. Rerun the command after `openshell status` reports a healthy NemoClaw gateway.");
    expect(lines.some((line) => line.startsWith("  OpenShell output:"))).toBe(false);
  });
});

describe("checkSchema", () => {
  it("compares only the x.y.z core: a dev build of the same release is not drift", () => {
    const { observed } = converged();
    gateway(observed).runningVersion = known("0.0.72-dev.3+g2bf9969");
    expect(checkSchema(observed, "0.0.72")).toEqual({ state: "clean" });
  });

  it("reports cluster drift before host-process drift, as NemoClaw does", () => {
    const { observed } = converged();
    observed.gateways = known([
      { ...gateway(observed), name: "nemoclaw-8081", runningVersion: known("0.0.70") },
      clusterGateway("nemoclaw", "0.0.36"),
    ]);
    const check = checkSchema(observed, "0.0.72");
    expect(check).toMatchObject({ state: "issue", issue: { kind: "drift", drift: { driver: "cluster-container", gateway: "nemoclaw" } } });
  });

  it("ignores gateways another rule owns and stopped gateways", () => {
    const { observed } = converged();
    gateway(observed).runningVersion = known("0.0.60");
    expect(checkSchema(observed, "0.0.72", new Set(["nemoclaw"]))).toEqual({ state: "clean" });
    gateway(observed).runningVersion = known(null);
    expect(checkSchema(observed, "0.0.72")).toEqual({ state: "clean" });
  });
});

describe("the planner's block", () => {
  it("is the host-process block with plan/apply's action and command", () => {
    const scenario = converged();
    gateway(scenario.observed).runningVersion = known("0.0.71");
    const lines = hostPlanOf(scenario).block!.lines;
    expect(lines.join("\n")).toBe(
      [
        "",
        "  OpenShell gateway schema preflight failed before applying fleet changes.",
        "  Installed OpenShell: 0.0.72",
        "  Running gateway binary: /home/op/.local/bin/openshell-gateway (0.0.71)",
        "",
        "  Refusing to trust OpenShell sandbox state while the host CLI and gateway schema may be out of sync.",
        "  No sandbox data was changed.",
        "",
        "  Recovery:",
        "    1. Run `nemoclaw onboard --resume` to repair or recreate the NemoClaw gateway with the installed OpenShell version.",
        "    2. Rerun `nemoclaw apply /srv/fleet/fleet.yaml` after `openshell status` reports a healthy NemoClaw gateway.",
        "",
        "  If gateway recreation is required, preserve sandbox state first; do not delete sandbox volumes or backups until `openshell status` reports a healthy NemoClaw gateway on the installed OpenShell version.",
      ].join("\n"),
    );
  });
});
