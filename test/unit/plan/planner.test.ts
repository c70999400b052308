/**
 * The planner, table-driven: each case starts from one converged host, changes what its scenario
 * is about, and states the expected status, the steps in order (`<id> <risk> <fidelity>`), key
 * command lines and notes.
 */
import { describe, expect, it } from "vitest";
import type { HostPlan, HostPlanStatus, PlanOptions } from "../../../src/plan/types.js";
import {
  asCluster,
  choose,
  clusterGateway,
  converged,
  desiredGateway,
  desiredSandbox,
  gateway,
  GUARD_PATHS,
  guardFile,
  hostPlanOf,
  hostProcessGateway,
  known,
  liveSandbox,
  observedSandbox,
  policy,
  registryEntries,
  registryEntry,
  runs,
  safeGuards,
  type Scenario,
  unknown,
} from "./builders.js";

interface Case {
  name: string;
  setup?: (s: Scenario) => void;
  options?: Partial<PlanOptions>;
  status: HostPlanStatus;
  /** `<id> <risk> <fidelity>` per step, in order. */
  steps: string[];
  /** Substrings that must appear, in this order, across the steps' command lines. */
  commands?: string[];
  /** Substrings no command line may contain. */
  neverCommands?: string[];
  notes?: RegExp[];
  check?: (plan: HostPlan) => void;
}

const PREFLIGHT = "preflight:spark-01 safe exact";
const MIGRATION_6 = "Error: × execution error: migration error: migration 6 was previously applied but is missing in the resolved migrations";

const MISSING = { present: false, owner: null, group: null, mode: null, type: null };

function setGuards(s: Scenario, guards: Parameters<typeof safeGuards>[0]): void {
  liveSandbox(s.observed).guards = known(safeGuards(guards));
}

function onlyRegistry(s: Scenario, ...entries: ReturnType<typeof registryEntry>[]): void {
  s.observed.registry = known({ defaultSandbox: entries[0]?.name ?? null, entries, locked: false });
}

function withoutLiveSandbox(s: Scenario, name = "assistant", gatewayName = "nemoclaw"): void {
  const gw = gateway(s.observed, gatewayName);
  if (gw.sandboxes.state === "known") gw.sandboxes = known(gw.sandboxes.value.filter((sandbox) => sandbox.name !== name));
}

const cases: Case[] = [
  // ── Baseline ────────────────────────────────────────────────────────────────────────────────
  { name: "a converged host needs nothing", status: "no-changes", steps: [], check: (plan) => expect(plan.notes).toEqual([]) },
  {
    name: "an unreachable host gets no steps",
    setup: (s) => {
      s.observed.unreachable = { kind: "timeout", message: "no answer within 30s" };
    },
    status: "unreachable",
    steps: [],
    notes: [/unreachable \(timeout\): no answer within 30s/],
  },
  {
    name: "unknown OpenShell CLI: nothing planned, the note names the fact and excerpt",
    setup: (s) => {
      s.observed.openshell = unknown("openshell --version failed", "bash: openshell: Permission denied");
      withoutLiveSandbox(s);
      onlyRegistry(s);
    },
    status: "unknown",
    steps: [],
    check: (plan) => expect(plan.notes).toContainEqual(expect.objectContaining({ fact: "openshell", excerpt: "bash: openshell: Permission denied" })),
  },

  // ── Schema drift (scenario 1) ─────────────────────────────────────────────────────────────
  {
    name: "host-process drift blocks the host with NemoClaw's block and no steps",
    setup: (s) => {
      gateway(s.observed).runningVersion = known("0.0.71");
    },
    status: "blocked",
    steps: [],
    check: (plan) => {
      expect(plan.block).toMatchObject({ driver: "host-process", installedVersion: "0.0.72", runningVersion: "0.0.71", runningBinary: "/home/op/.local/bin/openshell-gateway" });
      expect(plan.block?.lines).toContain("  Running gateway binary: /home/op/.local/bin/openshell-gateway (0.0.71)");
      expect(plan.block?.lines).toContain("    2. Rerun `nemoclaw apply /srv/fleet/fleet.yaml` after `openshell status` reports a healthy NemoClaw gateway.");
    },
  },
  {
    name: "the block's rerun command quotes a fleet file path a shell would split",
    setup: (s) => {
      gateway(s.observed).runningVersion = known("0.0.71");
      s.fleet.sourceFile = "/srv/my fleet/fleet.yaml";
    },
    status: "blocked",
    steps: [],
    check: (plan) => expect(plan.block?.lines).toContain("    2. Rerun `nemoclaw apply '/srv/my fleet/fleet.yaml'` after `openshell status` reports a healthy NemoClaw gateway."),
  },
  {
    name: "without a fleet file (-i alone) the block says NemoClaw's own 'Rerun the command', never the <inventory> label",
    setup: (s) => {
      gateway(s.observed).runningVersion = known("0.0.71");
      s.fleet.sourceFile = "<inventory>";
    },
    status: "blocked",
    steps: [],
    check: (plan) => {
      expect(plan.block?.lines).toContain("    2. Rerun the command after `openshell status` reports a healthy NemoClaw gateway.");
      expect(plan.block?.lines.join("\n")).not.toContain("<inventory>");
    },
  },
  {
    name: "cluster image drift blocks the host",
    setup: (s) => {
      asCluster(s, "0.0.36");
      gateway(s.observed).runningVersion = known("0.0.35");
      gateway(s.observed).image = "ghcr.io/nvidia/openshell/cluster:0.0.35";
    },
    status: "blocked",
    steps: [],
    check: (plan) => {
      expect(plan.block).toMatchObject({ driver: "cluster-container", runningImage: "ghcr.io/nvidia/openshell/cluster:0.0.35" });
      expect(plan.block?.lines[1]).toBe("  OpenShell gateway schema preflight failed before applying fleet changes.");
    },
  },
  {
    name: "protobuf mismatch output blocks the host (unknown-driver block)",
    setup: (s) => {
      gateway(s.observed).health.protobufMismatch =
        'Error: status: Internal, message: "failed to decode Protobuf message: Sandbox.metadata: SandboxResponse.sandbox: invalid wire type value: 6"';
    },
    status: "blocked",
    steps: [],
    check: (plan) => {
      expect(plan.block?.driver).toBe("unknown");
      expect(plan.block?.lines[1]).toBe("  OpenShell gateway/schema mismatch was detected while applying fleet changes.");
    },
  },
  {
    name: "drift leaves a host byte-identical even when other things differ",
    setup: (s) => {
      gateway(s.observed).runningVersion = known("0.0.71");
      s.host.sandboxes.push(desiredSandbox("coder"));
      setGuards(s, { files: [], locks: [], agentGatewayPids: [] });
    },
    status: "blocked",
    steps: [],
  },
  {
    name: "a running gateway's version unknown: drift cannot be ruled out, nothing planned",
    setup: (s) => {
      gateway(s.observed).runningVersion = unknown("openshell-gateway --version timed out", "timeout after 15s");
      s.host.sandboxes.push(desiredSandbox("coder"));
    },
    status: "unknown",
    steps: [],
    notes: [/gateway:nemoclaw is unknown \(openshell-gateway --version timed out\)/],
  },

  // ── Fatal migrations ──────────────────────────────────────────────────────────────────────
  {
    name: "fatal migration of a dead gateway whose binary's version is unknown: a note, nothing restarted on a guess",
    setup: (s) => {
      runs(s, "0.0.110", "0.0.101");
      const gw = gateway(s.observed);
      gw.runningVersion = known(null);
      gw.binary = "/usr/bin/openshell-gateway";
      gw.pid = null;
      gw.health = { status: "unhealthy", reason: "the gateway log shows a fatal migration error", fatalMigration: MIGRATION_6, protobufMismatch: null };
      gw.sandboxes = unknown("gateway is not running");
    },
    status: "unknown",
    steps: [],
    check: (plan) =>
      expect(plan.notes[0]).toMatchObject({
        fact: "gateway:nemoclaw",
        excerpt: MIGRATION_6,
        message: expect.stringMatching(/the version of the binary that crashed \(\/usr\/bin\/openshell-gateway\) is not known/),
      }),
  },
  {
    name: "fatal migration of a dead gateway whose recorded binary reports an older version: restart with the installed version",
    setup: (s) => {
      runs(s, "0.0.110", "0.0.101");
      const gw = gateway(s.observed);
      gw.runningVersion = known(null);
      gw.binary = "/home/op/.local/share/openshell/0.0.85/openshell-gateway";
      gw.binaryVersion = known("0.0.85");
      gw.pid = null;
      gw.health = { status: "unhealthy", reason: "the gateway log shows a fatal migration error", fatalMigration: MIGRATION_6, protobufMismatch: null };
      gw.sandboxes = unknown("gateway is not running");
    },
    status: "changes",
    steps: [PREFLIGHT, "gateway-recover:nemoclaw disruptive exact"],
    commands: ["NEMOCLAW_GATEWAY_PORT=8080", "nemoclaw onboard --non-interactive"],
    neverCommands: ["kill "],
  },
  {
    name: "fatal migration while an older version still runs: stop the observed pid, restart with the installed version",
    setup: (s) => {
      runs(s, "0.0.110", "0.0.101");
      const gw = gateway(s.observed);
      gw.runningVersion = known("0.0.85");
      gw.health = { status: "unhealthy", reason: "the gateway log shows a fatal migration error", fatalMigration: MIGRATION_6, protobufMismatch: null };
    },
    status: "changes",
    steps: [PREFLIGHT, "gateway-recover:nemoclaw disruptive exact"],
    commands: ["openshell --version", "kill 4242", "NEMOCLAW_GATEWAY_PORT=8080", "nemoclaw onboard --non-interactive --fresh --name assistant"],
    neverCommands: ["openshell-gateway --version"],
    check: (plan) => {
      expect(plan.steps[1]!.params).toMatchObject({ sandbox: "assistant", driver: "host-process", stopPid: 4242 });
      expect(plan.steps[1]!.reason.observed).toEqual({ fact: "gateway:nemoclaw", value: MIGRATION_6 });
      expect(plan.steps[0]!.params).toMatchObject({ gateways: [] });
    },
  },
  {
    name: "fatal migration of the installed binary itself: nothing new enough is installed, blocked",
    setup: (s) => {
      const gw = gateway(s.observed);
      gw.runningVersion = known(null);
      gw.pid = null;
      gw.health = { status: "unhealthy", reason: "exited", fatalMigration: MIGRATION_6, protobufMismatch: null };
    },
    status: "blocked",
    steps: [],
    notes: [/can never be downgraded onto a database a newer one migrated/],
    check: (plan) => expect(plan.block).toMatchObject({ driver: "host-process", runningVersion: "0.0.72", runningBinary: "/home/op/.local/bin/openshell-gateway" }),
  },
  {
    name: "fatal migration when the installed gateway binary lags the CLI: blocked",
    setup: (s) => {
      runs(s, "0.0.110", "0.0.101");
      s.observed.gatewayBinary = known({ installed: true, version: "0.0.85", path: "/home/op/.local/bin/openshell-gateway" });
      const gw = gateway(s.observed);
      gw.runningVersion = known("0.0.85");
      gw.health = { status: "unhealthy", reason: "exited", fatalMigration: MIGRATION_6, protobufMismatch: null };
    },
    status: "blocked",
    steps: [],
  },

  // ── Releases (scenario 3): NemoClaw chooses, OpenShell follows ─────────────────────────────
  {
    name: "an older NemoClaw release than installed is refused: there is no downgrade",
    setup: (s) => choose(s, "0.0.60"),
    status: "blocked",
    steps: [],
    notes: [/nemoclaw.version 0.0.60 is older than the installed v0.0.80: refused — there is no downgrade path/],
  },
  {
    name: "an OpenShell pin on a NemoClaw host changes nothing: OpenShell follows the NemoClaw release",
    setup: (s) => {
      s.host.openshell = { version: "0.0.85" };
    },
    status: "no-changes",
    steps: [],
    notes: [/openshell.version pins 0.0.85, but on a NemoClaw host OpenShell follows the NemoClaw release \(the host runs NemoClaw v0.0.80, which pins OpenShell 0.0.72, with OpenShell 0.0.72\)/],
  },
  {
    name: "the installed release chosen again needs nothing",
    setup: (s) => choose(s, "0.0.80"),
    status: "no-changes",
    steps: [],
    check: (plan) => expect(plan.notes).toEqual([]),
  },
  {
    name: "in-era upgrade: snapshot every live sandbox, NemoClaw's installer at the release, restore only if missing, verify",
    setup: (s) => choose(s, "0.0.90"),
    status: "changes",
    steps: [
      PREFLIGHT,
      "backup:assistant safe exact",
      "nemoclaw-install:spark-01 disruptive exact",
      "restore:assistant disruptive predicted",
      "release-verify:spark-01 safe predicted",
    ],
    commands: [
      "env OPENSHELL_GATEWAY=nemoclaw nemoclaw assistant snapshot create --name fleet-20261122T093000Z",
      // With a sandbox registered the installer recovers it instead of onboarding, in its own
      // environment: no sandbox's onboard selection goes there.
      "env NEMOCLAW_INSTALL_TAG=v0.0.90 NEMOCLAW_NON_INTERACTIVE=1 NEMOCLAW_ACCEPT_THIRD_PARTY_SOFTWARE=1 sh -c 'curl -fsSL https://www.nvidia.com/nemoclaw.sh | bash'",
      "nemoclaw onboard --non-interactive --fresh --name assistant --agent openclaw --recreate-sandbox",
      "nemoclaw assistant snapshot restore fleet-20261122T093000Z --yes",
    ],
    neverCommands: ["NEMOCLAW_ACCEPT_EXPERIMENTAL_OPENSHELL_UPGRADE", "gateway destroy", "kill ", "OPENSHELL_VERSION", "rebuild", "NEMOCLAW_SANDBOX_NAME", "NEMOCLAW_AGENT"],
    check: (plan) => {
      const restore = plan.steps.find((step) => step.kind === "restore")!;
      expect(restore.params).toMatchObject({ when: "sandbox-missing", recreateIfMissing: true, from: "backup:assistant" });
      expect(plan.steps.find((step) => step.kind === "backup")!.params).toMatchObject({ verify: true, purposes: ["release-upgrade"] });
      // The snapshot's label is the plan's: once taken, a saved plan is stale on it.
      expect(plan.steps.find((step) => step.kind === "backup")!.facts).toContain("snapshot:assistant/fleet-20261122T093000Z");
      const install = plan.steps.find((step) => step.kind === "nemoclaw-install")!;
      expect(install.dependsOn).toEqual(["backup:assistant"]);
      // No policy covers it: its backup is NemoClaw's snapshot on the host, which only NemoClaw restores.
      expect(install.hint).toMatch(/The verified backups of this run are kept; `nemoclaw assistant snapshot restore fleet-20261122T093000Z --yes` on the host puts assistant back\.$/);
      expect(install.params).toMatchObject({ nemoclaw: "0.0.90", openshell: { min: "0.0.85", max: "0.0.85" } });
      expect(install.reason.summary).toBe("NemoClaw v0.0.80 → v0.0.90 (OpenShell 0.0.72 → 0.0.85)");
      const verify = plan.steps.find((step) => step.kind === "release-verify")!;
      expect(verify.commands).toEqual([]);
      expect(verify.params).toEqual({ nemoclaw: "0.0.90", openshell: "0.0.85", openshellPin: { min: "0.0.85", max: "0.0.85" }, gateways: ["nemoclaw"], sandboxes: ["assistant"] });
      expect(verify.dependsOn).toEqual(["nemoclaw-install:spark-01", "restore:assistant"]);
    },
  },
  {
    // NC@d50338aa:scripts/install.sh:1776-1789 + src/lib/actions/maintenance.ts:139-148 (#6362, v0.0.76).
    name: "an upgrade to v0.0.76 or later is refused while a registered sandbox sits on a per-port gateway: the installer's strict backup-all would stop it",
    setup: (s) => {
      s.host.gateways.push(desiredGateway(8081));
      s.host.sandboxes.push(desiredSandbox("coder", { gateway: "nemoclaw-8081" }));
      s.observed.gateways = known([hostProcessGateway(), hostProcessGateway("nemoclaw-8081", { sandboxes: known([observedSandbox("coder")]) })]);
      onlyRegistry(s, registryEntry("assistant"), registryEntry("coder", { gatewayName: "nemoclaw-8081", gatewayPort: 8081 }));
      runs(s, "0.0.74", "0.0.72");
      choose(s, "0.0.76");
    },
    status: "no-changes",
    steps: [],
    neverCommands: ["NEMOCLAW_INSTALL_TAG", "snapshot create"],
    notes: [/NemoClaw stays at v0.0.74 .*NemoClaw v0.0.76's installer first runs a strict `backup-all`, which sees only the active gateway \(nemoclaw\) .*coder \(on gateway nemoclaw-8081\)/],
  },
  {
    name: "the same host upgrades to v0.0.75, whose installer's backup-all skips what it does not see",
    setup: (s) => {
      s.host.gateways.push(desiredGateway(8081));
      s.host.sandboxes.push(desiredSandbox("coder", { gateway: "nemoclaw-8081" }));
      s.observed.gateways = known([hostProcessGateway(), hostProcessGateway("nemoclaw-8081", { sandboxes: known([observedSandbox("coder")]) })]);
      onlyRegistry(s, registryEntry("assistant"), registryEntry("coder", { gatewayName: "nemoclaw-8081", gatewayPort: 8081 }));
      runs(s, "0.0.74", "0.0.72");
      choose(s, "0.0.75");
    },
    status: "changes",
    // Restores pinned to each sandbox's gateway, as the snapshots were: before #5225 (≈v0.0.65) NemoClaw looked the sandbox up on the selected gateway.
    commands: [
      "nemoclaw assistant snapshot create",
      "nemoclaw coder snapshot create",
      "NEMOCLAW_INSTALL_TAG=v0.0.75",
      "env OPENSHELL_GATEWAY=nemoclaw nemoclaw assistant snapshot restore",
      "env OPENSHELL_GATEWAY=nemoclaw-8081 nemoclaw coder snapshot restore",
    ],
    steps: [
      PREFLIGHT,
      "backup:assistant safe exact",
      "backup:coder safe exact",
      "nemoclaw-install:spark-01 disruptive exact",
      "gateway-start:nemoclaw-8081 safe predicted",
      "restore:assistant disruptive predicted",
      "restore:coder disruptive predicted",
      "release-verify:spark-01 safe predicted",
    ],
  },
  {
    name: "an upgrade to v0.0.76 or later is refused while a registered sandbox is not running",
    setup: (s) => {
      onlyRegistry(s, registryEntry("assistant"), registryEntry("gone"));
      choose(s, "0.0.124");
    },
    status: "no-changes",
    steps: [],
    neverCommands: ["NEMOCLAW_INSTALL_TAG"],
    notes: [/it would skip gone \(not running\)/],
  },
  {
    // NEMOCLAW_CPU/RAM are read on every rebuild and never recorded (real-cli-2026-12 §4.1): the installer's upgrade-sandboxes --auto drops them.
    name: "an upgrade warns that the installer's rebuilds drop a sandbox's CPU/memory limits",
    setup: (s) => {
      s.host.sandboxes[0]!.resources = { cpu: "4", memory: "16Gi" };
      choose(s, "0.0.90");
    },
    status: "changes",
    steps: [PREFLIGHT, "backup:assistant safe exact", "nemoclaw-install:spark-01 disruptive exact", "restore:assistant disruptive predicted", "release-verify:spark-01 safe predicted"],
    notes: [/NemoClaw's installer rebuilds the sandboxes it finds stale without their CPU\/memory limits .*so assistant may come back without limits/],
  },
  {
    name: "an upgrade to a release before v0.0.72 gives the installer the sandbox its onboard must reuse",
    setup: (s) => {
      runs(s, "0.0.60", "0.0.44");
      choose(s, "0.0.70");
    },
    status: "changes",
    steps: [PREFLIGHT, "backup:assistant safe exact", "nemoclaw-install:spark-01 disruptive exact", "restore:assistant disruptive predicted", "release-verify:spark-01 safe predicted"],
    commands: ["env NEMOCLAW_INSTALL_TAG=v0.0.70 NEMOCLAW_NON_INTERACTIVE=1", "NEMOCLAW_SANDBOX_NAME=assistant NEMOCLAW_AGENT=openclaw sh -c 'curl -fsSL https://www.nvidia.com/nemoclaw.sh | bash'"],
  },
  {
    name: "in-era upgrade backs up to the covering policy's store",
    setup: (s) => {
      choose(s, "0.0.90");
      s.fleet.backupPolicies.push(policy("nightly", { verify: false }));
    },
    status: "changes",
    steps: [
      PREFLIGHT,
      "backup:assistant@nightly safe exact",
      "nemoclaw-install:spark-01 disruptive exact",
      "restore:assistant disruptive predicted",
      "release-verify:spark-01 safe predicted",
    ],
    check: (plan) => {
      const backup = plan.steps[1]!;
      expect(backup.commands).toEqual([]);
      expect(backup.params).toMatchObject({ policy: "nightly", verify: true, destination: { kind: "local", path: "/backups" } });
    },
  },
  {
    name: "a release with shields: locked shields are lowered for the snapshot first",
    setup: (s) => {
      choose(s, "0.0.90");
      s.observed.shields = known([{ sandbox: "assistant", mode: "locked", downUntil: null }]);
    },
    status: "changes",
    steps: [
      PREFLIGHT,
      "shields:assistant@backup safe exact",
      "backup:assistant safe exact",
      "nemoclaw-install:spark-01 disruptive exact",
      "restore:assistant disruptive predicted",
      "release-verify:spark-01 safe predicted",
      "shields:assistant@after-backup safe exact",
    ],
    commands: ["nemoclaw assistant shields down", "nemoclaw assistant snapshot create", "nemoclaw assistant shields up"],
    // Put back up whatever happens to the upgrade: they wait only for the shields down.
    check: (plan) => expect(plan.steps.at(-1)!.dependsOn).toEqual(["shields:assistant@backup"]),
  },
  {
    name: "an upgrade past the last release with shields lowers them for the backup, and there is nothing to put back up after",
    setup: (s) => {
      choose(s, "0.0.124");
      s.observed.shields = known([{ sandbox: "assistant", mode: "locked" }]);
    },
    status: "changes",
    steps: [PREFLIGHT, "shields:assistant@backup safe exact", "backup:assistant safe exact", "nemoclaw-install:spark-01 disruptive exact", "restore:assistant disruptive predicted", "release-verify:spark-01 safe predicted"],
    neverCommands: ["shields up"],
    check: (plan) => expect(plan.steps[2]!.hint).toMatch(/the shields of assistant \(lowered by shields:assistant@backup\) stay down until NemoClaw's shields-down timeout ends/),
  },
  {
    name: "v0.0.38 → v0.0.80 (OpenShell 0.0.36 → 0.0.72): back up, retire the cluster gateway with the old CLI, install with the upgrade accepted, restore every sandbox",
    setup: (s) => {
      asCluster(s, "0.0.36");
      choose(s, "0.0.80");
      s.host.sandboxes.push(desiredSandbox("coder"));
      gateway(s.observed).sandboxes = known([observedSandbox("assistant"), observedSandbox("coder")]);
      onlyRegistry(s, registryEntry("assistant"), registryEntry("coder"));
    },
    status: "changes",
    steps: [
      PREFLIGHT,
      "backup:assistant safe exact",
      "backup:coder safe exact",
      "gateway-retire:nemoclaw destructive exact",
      "nemoclaw-install:spark-01 disruptive exact",
      "restore:assistant disruptive predicted",
      "restore:coder disruptive predicted",
      "release-verify:spark-01 safe predicted",
    ],
    commands: [
      "docker inspect --type container --format '{{.Config.Image}}' openshell-cluster-nemoclaw",
      "openshell gateway destroy --name nemoclaw",
      "env NEMOCLAW_INSTALL_TAG=v0.0.80 NEMOCLAW_NON_INTERACTIVE=1 NEMOCLAW_OPENSHELL_UPGRADE_PREPARED=1",
      "nemoclaw onboard --non-interactive --fresh --name assistant --agent openclaw --recreate-sandbox",
      "nemoclaw assistant snapshot restore fleet-20261122T093000Z --yes",
      "nemoclaw coder snapshot restore",
    ],
    check: (plan) => {
      const retire = plan.steps.find((step) => step.kind === "gateway-retire")!;
      expect(retire.dependsOn).toEqual(["backup:assistant", "backup:coder"]);
      expect(plan.steps.find((step) => step.id === "restore:assistant")!.params).toMatchObject({ when: "always", recreateIfMissing: true });
      expect(plan.steps.find((step) => step.kind === "nemoclaw-install")!.reason.summary).toMatch(/out of the cluster era/);
    },
  },
  {
    name: "v0.0.30 → v0.0.38 stays in the cluster era (OpenShell 0.0.36 both): the cluster gateway and its volume are kept, never retired",
    setup: (s) => {
      asCluster(s, "0.0.36", "0.0.30");
      choose(s, "0.0.38");
    },
    status: "changes",
    steps: [PREFLIGHT, "backup:assistant safe exact", "nemoclaw-install:spark-01 disruptive exact", "restore:assistant disruptive predicted", "release-verify:spark-01 safe predicted"],
    neverCommands: ["gateway destroy", "NEMOCLAW_OPENSHELL_UPGRADE_PREPARED"],
    check: (plan) => expect(plan.steps.find((step) => step.id === "restore:assistant")!.params).toMatchObject({ when: "sandbox-missing" }),
  },
  {
    name: "sandboxes from before NemoClaw recorded image provenance are confirmed to its installer by name, when the fleet file builds them from its image",
    setup: (s) => {
      asCluster(s, "0.0.36");
      choose(s, "0.0.80");
      s.host.sandboxes.push(desiredSandbox("coder"));
      gateway(s.observed).sandboxes = known([observedSandbox("assistant"), observedSandbox("coder")]);
      onlyRegistry(s, registryEntry("assistant", { nemoclawVersion: null }), registryEntry("coder", { nemoclawVersion: null }));
    },
    status: "changes",
    steps: [
      PREFLIGHT,
      "backup:assistant safe exact",
      "backup:coder safe exact",
      "gateway-retire:nemoclaw destructive exact",
      "nemoclaw-install:spark-01 disruptive exact",
      "restore:assistant disruptive predicted",
      "restore:coder disruptive predicted",
      "release-verify:spark-01 safe predicted",
    ],
    commands: [`NEMOCLAW_CONFIRM_LEGACY_MANAGED_RECREATE='["assistant","coder"]'`],
  },
  {
    name: "an upgrade is refused for a sandbox from before image provenance that the fleet file builds from a Dockerfile",
    setup: (s) => {
      asCluster(s, "0.0.36");
      choose(s, "0.0.80");
      s.host.sandboxes[0]!.from = "/srv/agents/assistant/Dockerfile";
      onlyRegistry(s, registryEntry("assistant", { nemoclawVersion: null, fromDockerfile: null }));
    },
    // The Dockerfile is still applied on the installed release (the recreate any settings change gets).
    status: "changes",
    steps: [PREFLIGHT, "backup:assistant safe exact", "sandbox-recreate:assistant disruptive exact", "restore:assistant disruptive predicted"],
    neverCommands: ["nemoclaw.sh"],
    notes: [/NemoClaw stays at v0\.0\.38 .*sandbox assistant predates NemoClaw's image provenance and the fleet file builds it from a Dockerfile/],
  },
  {
    name: "an unusable installed release: nothing that depends on it is planned, and the note says how to move on",
    setup: (s) => {
      s.observed.nemoclaw = known({ installed: true, version: "0.1.0", path: "/home/op/.local/bin/nemoclaw" });
      s.host.sandboxes.push(desiredSandbox("coder"));
    },
    status: "unknown",
    steps: [],
    notes: [/"0.1.0" is not a NemoClaw release number/],
  },
  {
    name: "a release whose OpenShell pin is not known cannot be chosen",
    setup: (s) => choose(s, "0.0.112"),
    status: "no-changes",
    steps: [],
    notes: [/nemoclaw.version 0.0.112: the OpenShell version NemoClaw v0.0.112 pins is not known/],
  },
  {
    name: "a newer NemoClaw than this tool knows is planned for as the newest known release",
    setup: (s) => runs(s, "0.0.140", "0.0.116"),
    status: "no-changes",
    steps: [],
    notes: [/NemoClaw v0.0.140 is newer than the newest release this tool knows \(v0.0.130\)/],
  },
  {
    name: "upgrade refused while a live sandbox is not in the fleet file",
    setup: (s) => {
      choose(s, "0.0.90");
      gateway(s.observed).sandboxes = known([observedSandbox("assistant"), observedSandbox("scratch")]);
      onlyRegistry(s, registryEntry("assistant"), registryEntry("scratch"));
    },
    status: "no-changes",
    steps: [],
    notes: [/NemoClaw stays at v0\.0\.80 \(the fleet file chooses v0\.0\.90\): sandbox scratch is not in the fleet file/, /sandbox scratch .* is not in the fleet file; --prune would delete it/],
  },
  {
    name: "upgrade refused while a sandbox is not Ready (it could not be backed up)",
    setup: (s) => {
      choose(s, "0.0.90");
      liveSandbox(s.observed).phase = "Provisioning";
    },
    status: "no-changes",
    steps: [],
    notes: [/sandbox assistant on nemoclaw is Provisioning and cannot be backed up/],
  },
  {
    name: "upgrade refused while a gateway's sandbox list is unknown",
    setup: (s) => {
      choose(s, "0.0.90");
      gateway(s.observed).sandboxes = unknown("openshell sandbox list failed", "Error: transport error");
    },
    status: "unknown",
    steps: [],
    notes: [/gateway:nemoclaw\/sandboxes is unknown/, /NemoClaw stays at v0\.0\.80/],
  },
  {
    name: "upgrade refused when retiring would destroy a protected sandbox",
    setup: (s) => {
      asCluster(s, "0.0.36");
      choose(s, "0.0.80");
      s.host.sandboxes[0]!.protect = true;
    },
    status: "no-changes",
    steps: [],
    notes: [/sandbox assistant is protected and retiring its gateway would destroy it/],
  },
  {
    name: "upgrade refused when OpenShell 0.0.88+ would refuse a sandbox's name",
    setup: (s) => {
      const long = "research-assistant-01";
      s.host.sandboxes[0]!.name = long;
      liveSandbox(s.observed).name = long;
      onlyRegistry(s, registryEntry(long));
      choose(s, "0.0.110");
    },
    status: "no-changes",
    steps: [],
    notes: [/sandbox research-assistant-01 has a name OpenShell 0\.0\.101 refuses \(at most 19 characters, no "--"\); rename it first/],
  },
  {
    name: "fresh host: NemoClaw's installer at the chosen release onboards the first sandbox; the others are onboarded after",
    setup: (s) => {
      choose(s, "0.0.124");
      s.host.sandboxes.push(desiredSandbox("coder"));
      s.observed.nemoclaw = known({ installed: false, version: null, path: null });
      s.observed.openshell = known({ installed: false, version: null, path: null });
      s.observed.gatewayBinary = known({ installed: false, version: null, path: null });
      s.observed.gateways = known([]);
      s.observed.activeGateway = known(null);
      onlyRegistry(s);
    },
    status: "changes",
    steps: ["nemoclaw-install:spark-01 safe exact", "sandbox-create:coder safe predicted"],
    commands: ["env NEMOCLAW_INSTALL_TAG=v0.0.124", "NEMOCLAW_SANDBOX_NAME=assistant NEMOCLAW_AGENT=openclaw sh -c 'curl -fsSL https://www.nvidia.com/nemoclaw.sh | bash'", "--name coder"],
    neverCommands: ["OPENSHELL_VERSION", "--name assistant"],
    check: (plan) => expect(plan.steps[0]!.params).toMatchObject({ nemoclaw: "0.0.124", openshell: { min: "0.0.116", max: "0.0.116" }, onboarded: "assistant", gateway: "nemoclaw" }),
  },
  {
    name: "a host without NemoClaw keeps an OpenShell pin through OpenShell's installer",
    setup: (s) => {
      s.host.openshell = { version: "0.0.72" };
      s.host.sandboxes = [];
      s.observed.nemoclaw = known({ installed: false, version: null, path: null });
      s.observed.openshell = known({ installed: false, version: null, path: null });
      s.observed.gatewayBinary = known({ installed: false, version: null, path: null });
      s.observed.gateways = known([]);
      onlyRegistry(s);
    },
    status: "changes",
    steps: ["openshell-install:spark-01 safe exact"],
    commands: ["env OPENSHELL_VERSION=v0.0.72 sh -c 'curl -LsSf https://raw.githubusercontent.com/NVIDIA/OpenShell/main/install.sh | sh'"],
  },
  {
    // OS@v0.0.36:.github/workflows/release-tag.yml builds no .deb; OS@2f7fb655:install.sh:885-901 then fails.
    name: "a cluster-era OpenShell pin is not installed with OpenShell's current installer, which has no package for it",
    setup: (s) => {
      s.host.openshell = { version: "0.0.36" };
      s.host.sandboxes = [];
      s.observed.nemoclaw = known({ installed: false, version: null, path: null });
      s.observed.openshell = known({ installed: false, version: null, path: null });
      s.observed.gatewayBinary = known({ installed: false, version: null, path: null });
      s.observed.gateways = known([]);
      onlyRegistry(s);
    },
    status: "no-changes",
    steps: [],
    notes: [/openshell.version 0.0.36 is not installed: OpenShell's current installer installs release packages, and releases up to 0.0.36 have none .*OpenShell\/v0.0.36\/install.sh/],
  },
  {
    name: "a cluster-era OpenShell pin is installed with the installer of that release when openshell.installer names it",
    setup: (s) => {
      s.host.openshell = { version: "0.0.36", installer: "https://raw.githubusercontent.com/NVIDIA/OpenShell/v0.0.36/install.sh" };
      s.host.sandboxes = [];
      s.observed.nemoclaw = known({ installed: false, version: null, path: null });
      s.observed.openshell = known({ installed: false, version: null, path: null });
      s.observed.gatewayBinary = known({ installed: false, version: null, path: null });
      s.observed.gateways = known([]);
      onlyRegistry(s);
    },
    status: "changes",
    steps: ["openshell-install:spark-01 safe exact", "gateway-start:nemoclaw safe predicted"],
    commands: ["env OPENSHELL_VERSION=v0.0.36 sh -c 'curl -LsSf https://raw.githubusercontent.com/NVIDIA/OpenShell/v0.0.36/install.sh | sh'"],
  },
  {
    name: "a host without NemoClaw gets OpenShell's installer from openshell.installer when the file names one",
    setup: (s) => {
      s.host.openshell = { version: "0.0.72", installer: "https://mirror.lab.example/openshell/install.sh?ref=v0.0.72&x='y'" };
      s.host.sandboxes = [];
      s.observed.nemoclaw = known({ installed: false, version: null, path: null });
      s.observed.openshell = known({ installed: false, version: null, path: null });
      s.observed.gatewayBinary = known({ installed: false, version: null, path: null });
      s.observed.gateways = known([]);
      onlyRegistry(s);
    },
    status: "changes",
    steps: ["openshell-install:spark-01 safe exact"],
    neverCommands: ["raw.githubusercontent.com"],
    check: (plan) => expect(plan.steps[0]!.commands[0]!.argv[2]).toBe(`curl -LsSf 'https://mirror.lab.example/openshell/install.sh?ref=v0.0.72&x='"'"'y'"'"'' | sh`),
  },
  {
    name: "OpenShell missing beside NemoClaw and no release chosen: a note, nothing planned",
    setup: (s) => {
      s.observed.openshell = known({ installed: false, version: null, path: null });
      s.observed.gateways = known([]);
      onlyRegistry(s);
    },
    status: "no-changes",
    steps: [],
    notes: [/NemoClaw v0.0.80 is installed but OpenShell is not; set nemoclaw.version for this host/],
  },
  {
    name: "NemoClaw missing and no release chosen: sandboxes cannot be managed",
    setup: (s) => {
      s.observed.nemoclaw = known({ installed: false, version: null, path: null });
      s.host.sandboxes.push(desiredSandbox("coder"));
    },
    status: "no-changes",
    steps: [],
    notes: [/NemoClaw is not installed: sandboxes cannot be managed/],
  },
  {
    // `nemoclaw --version` failing (node not on a non-login PATH) is not "NemoClaw is absent": OpenShell's
    // own installer must never run on a NemoClaw host (real-cli-2026-12 §8.5.1).
    name: "an unreadable NemoClaw is not an absent one: no OpenShell installer for an openshell.version pin",
    setup: (s) => {
      s.observed.nemoclaw = unknown("nemoclaw at /usr/local/bin/nemoclaw: `--version` exited 127");
      s.host.openshell = { version: "0.0.85" };
      s.observed.gateways = known([]);
    },
    status: "unknown",
    steps: [],
    neverCommands: ["OPENSHELL_VERSION", "install.sh"],
    notes: [/nemoclaw is unknown .*exited 127.*nothing is planned for this host/],
  },
  {
    name: "an unreadable NemoClaw is not an absent one: no NemoClaw installer without backups or a downgrade check",
    setup: (s) => {
      s.observed.nemoclaw = unknown("nemoclaw at /usr/local/bin/nemoclaw: `--version` exited 127");
      choose(s, "0.0.85");
    },
    status: "unknown",
    steps: [],
    neverCommands: ["NEMOCLAW_INSTALL_TAG"],
  },
  {
    name: "an unreadable NemoClaw beside a missing OpenShell: nothing is installed either",
    setup: (s) => {
      s.observed.nemoclaw = unknown("nemoclaw at /usr/local/bin/nemoclaw: `--version` exited 127");
      s.observed.openshell = known({ installed: false, version: null, path: null });
      s.host.openshell = { version: "0.0.85" };
      s.observed.gateways = known([]);
    },
    status: "unknown",
    steps: [],
    neverCommands: ["OPENSHELL_VERSION", "NEMOCLAW_INSTALL_TAG"],
  },

  // ── Gateways ──────────────────────────────────────────────────────────────────────────────
  {
    name: "missing host-process gateway: started by onboarding its first sandbox",
    setup: (s) => {
      s.observed.gateways = known([]);
      onlyRegistry(s);
    },
    status: "changes",
    steps: [PREFLIGHT, "gateway-start:nemoclaw safe exact"],
    commands: ["NEMOCLAW_GATEWAY_PORT=8080 NEMOCLAW_POLICY_MODE=skip", "nemoclaw onboard --non-interactive --fresh --name assistant --agent openclaw"],
    neverCommands: ["NEMOCLAW_GATEWAY_BIND_ADDRESS", "NEMOCLAW_SANDBOX_NAME"],
    check: (plan) => expect(plan.steps[1]!.params).toMatchObject({ sandbox: "assistant", driver: "host-process" }),
  },
  {
    name: "stopped cluster gateway resumes from its volume (never --recreate)",
    setup: (s) => {
      asCluster(s);
      const gw = gateway(s.observed);
      gw.health = { status: "stopped", reason: "container openshell-cluster-nemoclaw exited", fatalMigration: null, protobufMismatch: null };
      gw.runningVersion = known(null);
      gw.sandboxes = unknown("gateway stopped");
    },
    status: "changes",
    steps: [PREFLIGHT, "gateway-start:nemoclaw safe exact"],
    commands: ["openshell gateway start --name nemoclaw --port 8080"],
    neverCommands: ["--recreate", "volume rm"],
    notes: [/assistant is checked once gateway nemoclaw runs again/],
  },
  {
    name: "a stopped cluster gateway on an older image is not resumed (it would come back drifted)",
    setup: (s) => {
      asCluster(s, "0.0.36");
      const gw = gateway(s.observed);
      gw.health = { status: "stopped", reason: "container openshell-cluster-nemoclaw is not running", fatalMigration: null, protobufMismatch: null };
      gw.runningVersion = known("0.0.35");
      gw.sandboxes = unknown("gateway stopped");
    },
    status: "no-changes",
    steps: [],
    notes: [/its container is OpenShell 0\.0\.35 while the CLI is 0\.0\.36; starting it would resume the old image/, /sandbox assistant is not planned: its gateway nemoclaw is not usable/],
  },
  {
    name: "unhealthy cluster gateway: stop (keeps state) then start",
    setup: (s) => {
      asCluster(s);
      gateway(s.observed).health = { status: "unhealthy", reason: "HEALTHCHECK_NODE_PRESSURE: DiskPressure", fatalMigration: null, protobufMismatch: null };
    },
    status: "changes",
    steps: [PREFLIGHT, "gateway-recover:nemoclaw disruptive exact"],
    commands: ["openshell gateway stop --name nemoclaw", "openshell gateway start --name nemoclaw --port 8080"],
  },
  {
    name: "missing cluster gateway on a DGX, NemoClaw v0.0.36+: started as its onboard starts it, with --gpu and the pinned cluster image",
    setup: (s) => {
      asCluster(s, "0.0.36", "0.0.36");
      s.observed.gateways = known([]);
    },
    status: "changes",
    steps: [PREFLIGHT, "gateway-start:nemoclaw safe exact"],
    commands: ["env OPENSHELL_CLUSTER_IMAGE=ghcr.io/nvidia/openshell/cluster:0.0.36 IMAGE_TAG=0.0.36 openshell gateway start --name nemoclaw --port 8080 --gpu"],
    check: (plan) => expect(plan.steps[1]!.facts).toContain("gpus"),
  },
  {
    name: "missing cluster gateway, NemoClaw before v0.0.36: its onboard never passed --gpu",
    setup: (s) => {
      asCluster(s, "0.0.36", "0.0.35");
      s.observed.gateways = known([]);
    },
    status: "changes",
    steps: [PREFLIGHT, "gateway-start:nemoclaw safe exact"],
    commands: ["env OPENSHELL_CLUSTER_IMAGE=ghcr.io/nvidia/openshell/cluster:0.0.36 IMAGE_TAG=0.0.36 openshell gateway start --name nemoclaw --port 8080"],
    neverCommands: ["--gpu"],
  },
  {
    name: "missing cluster gateway on a host whose nvidia-smi NemoClaw would not count as an NVIDIA GPU (no memory, not unified): no --gpu",
    setup: (s) => {
      asCluster(s);
      s.observed.gateways = known([]);
      s.observed.gpus = known([{ name: "NVIDIA Tesla T4", memoryMiB: null, driverVersion: null, uuid: null }]);
    },
    status: "changes",
    steps: [PREFLIGHT, "gateway-start:nemoclaw safe exact"],
    neverCommands: ["--gpu"],
  },
  {
    name: "missing cluster gateway on a discrete-GPU host: --gpu",
    setup: (s) => {
      asCluster(s);
      s.observed.gateways = known([]);
      s.observed.gpus = known([{ name: "NVIDIA RTX PRO 6000 Blackwell Workstation Edition", memoryMiB: 97887, driverVersion: "580.95", uuid: null }]);
    },
    status: "changes",
    steps: [PREFLIGHT, "gateway-start:nemoclaw safe exact"],
    commands: ["--port 8080 --gpu"],
  },
  {
    name: "missing cluster gateway while nvidia-smi cannot be read: not started, since a gateway without the GPU cannot take GPU sandboxes",
    setup: (s) => {
      asCluster(s);
      s.observed.gateways = known([]);
      s.observed.gpus = unknown("nvidia-smi exited 9");
    },
    status: "unknown",
    steps: [],
    neverCommands: ["gateway start"],
    notes: [/gpus is unknown \(nvidia-smi exited 9\); gateway nemoclaw is not started: NemoClaw v0\.0\.38 gives a cluster gateway the GPU/],
  },
  {
    name: "unhealthy cluster gateway on a DGX: restarted as NemoClaw starts it (--gpu is ignored when the container is resumed)",
    setup: (s) => {
      asCluster(s);
      gateway(s.observed).health = { status: "unhealthy", reason: "HEALTHCHECK_NODE_PRESSURE: DiskPressure", fatalMigration: null, protobufMismatch: null };
    },
    status: "changes",
    steps: [PREFLIGHT, "gateway-recover:nemoclaw disruptive exact"],
    commands: ["openshell gateway stop --name nemoclaw", "openshell gateway start --name nemoclaw --port 8080 --gpu"],
  },
  {
    name: "a running cluster gateway without GPU passthrough on a DGX, v0.0.36+: a warning with NemoClaw's fix, nothing destroyed",
    setup: (s) => {
      asCluster(s);
      gateway(s.observed).gpuPassthrough = false;
    },
    status: "no-changes",
    steps: [],
    notes: [/gateway nemoclaw was started without GPU passthrough on a host with an NVIDIA GPU: .*NemoClaw v0\.0\.38's onboard refuses to reuse it .*`nemoclaw onboard --gpu`/],
    neverCommands: ["destroy", "--recreate"],
  },
  {
    name: "a cluster gateway without GPU passthrough is as NemoClaw before v0.0.36 makes it: no warning",
    setup: (s) => {
      asCluster(s, "0.0.36", "0.0.35");
      gateway(s.observed).gpuPassthrough = false;
    },
    status: "no-changes",
    steps: [],
    check: (plan) => expect(plan.notes.map((note) => note.message).join("\n")).not.toContain("GPU passthrough"),
  },
  {
    name: "unreachable host-process gateway: stop the observed pid, restart through NemoClaw",
    setup: (s) => {
      gateway(s.observed).health = { status: "unreachable", reason: "Connection refused", fatalMigration: null, protobufMismatch: null };
    },
    status: "changes",
    steps: [PREFLIGHT, "gateway-recover:nemoclaw disruptive exact"],
    commands: ["kill 4242", "nemoclaw onboard --non-interactive"],
    check: (plan) => expect(plan.steps[1]!.params).toMatchObject({ stopPid: 4242 }),
  },
  {
    name: "a healthy gateway on another port than the file says: a warning, no change in place",
    setup: (s) => {
      gateway(s.observed).port = 8090;
    },
    status: "no-changes",
    steps: [],
    notes: [/listens on port 8090, the fleet file says 8080/],
  },
  {
    name: "missing per-port gateway nemoclaw-8081 onboards on its own port",
    setup: (s) => {
      s.host.gateways.push(desiredGateway(8081));
      s.host.sandboxes.push(desiredSandbox("coder", { gateway: "nemoclaw-8081" }));
    },
    status: "changes",
    steps: [PREFLIGHT, "gateway-start:nemoclaw-8081 safe exact"],
    commands: ["NEMOCLAW_GATEWAY_PORT=8081", "--name coder"],
  },
  {
    name: "before v0.0.57 NemoClaw has one gateway for every port: a per-port gateway and its sandbox are not planned",
    setup: (s) => {
      runs(s, "0.0.56", "0.0.44");
      s.host.gateways.push(desiredGateway(8081));
      s.host.sandboxes.push(desiredSandbox("coder", { gateway: "nemoclaw-8081" }));
    },
    status: "no-changes",
    steps: [],
    notes: [/gateway nemoclaw-8081 \(.*\) is not started: port: a gateway on port 8081 \(nemoclaw-8081\) needs NemoClaw v0\.0\.57 or later \(#4645\); NemoClaw v0\.0\.56 runs every port's sandboxes on its one gateway nemoclaw/],
    neverCommands: ["NEMOCLAW_GATEWAY_PORT=8081"],
  },
  {
    name: "in the cluster era too: OpenShell would start a cluster gateway nemoclaw-8081, but NemoClaw's onboard never puts a sandbox on it",
    setup: (s) => {
      asCluster(s, "0.0.36", "0.0.38");
      s.host.gateways.push(desiredGateway(8081));
      s.host.sandboxes.push(desiredSandbox("coder", { gateway: "nemoclaw-8081" }));
    },
    status: "no-changes",
    steps: [],
    notes: [/gateway nemoclaw-8081 \(.*\) is not started: port: .*NemoClaw v0\.0\.38 runs every port's sandboxes on its one gateway nemoclaw/],
    neverCommands: ["gateway start", "NEMOCLAW_GATEWAY_PORT=8081"],
  },
  {
    name: "a driver the file asks for that differs from the running one is never changed in place",
    setup: (s) => {
      s.host.gateways[0]!.driver = "cluster-container";
    },
    status: "no-changes",
    steps: [],
    notes: [/runs the host-process driver, the fleet file asks for cluster-container; the driver follows the OpenShell release: it changes only by moving the host to a NemoClaw release on the other side of OpenShell 0.0.37/],
  },
  {
    name: "a gateway not in the file is left alone",
    setup: (s) => {
      s.observed.gateways = known([hostProcessGateway(), hostProcessGateway("openshell", { port: 17670, sandboxes: known([]) })]);
    },
    status: "no-changes",
    steps: [],
    notes: [/gateway openshell is not in the fleet file; it is left alone/],
  },

  // ── Guards (scenario 2), per release ──────────────────────────────────────────────────────
  {
    name: "guards gone and a stale lock while the agent is down: clear exactly that lock, then recover (which restores guards on v0.0.80)",
    setup: (s) =>
      setGuards(s, {
        files: [guardFile(GUARD_PATHS.proxyEnv, MISSING), guardFile(GUARD_PATHS.safetyNet, MISSING), guardFile(GUARD_PATHS.ciao)],
        locks: [{ path: "/tmp/openclaw-1000/gateway.8f2a.lock", pid: 77, stale: true }],
        agentGatewayPids: [],
      }),
    status: "changes",
    steps: [PREFLIGHT, "lock-clear:assistant safe exact", "sandbox-recover:assistant safe exact"],
    commands: ["label=openshell.ai/sandbox-name=$1", "docker exec --user root", "rm -f -- /tmp/openclaw-1000/gateway.8f2a.lock", "nemoclaw assistant recover"],
    neverCommands: ["chmod", "chown", "mktemp"],
    check: (plan) => {
      expect(plan.steps[2]!.dependsOn).toEqual(["lock-clear:assistant"]);
      expect(plan.steps[2]!.reason.summary).toMatch(/\/tmp\/nemoclaw-proxy-env.sh is missing; \/tmp\/nemoclaw-sandbox-safety-net.js is missing/);
      expect(plan.steps[2]!.hint).toMatch(/rebuild as the last resort/);
    },
  },
  {
    name: "a guard with the wrong mode while the agent runs: NemoClaw's gateway restart re-emits the chain (recover would do nothing)",
    setup: (s) => setGuards(s, { files: [guardFile(GUARD_PATHS.proxyEnv, { mode: "644" }), guardFile(GUARD_PATHS.safetyNet), guardFile(GUARD_PATHS.ciao)] }),
    status: "changes",
    steps: [PREFLIGHT, "sandbox-gateway-restart:assistant disruptive exact"],
    commands: ["nemoclaw assistant gateway restart"],
    neverCommands: ["recover", "chmod"],
    check: (plan) => expect(plan.steps[1]!.reason.summary).toMatch(/^\/tmp\/nemoclaw-proxy-env.sh has mode 644, not 0444/),
  },
  {
    name: "a guard owned by the sandbox user is unsafe",
    setup: (s) => setGuards(s, { files: [guardFile(GUARD_PATHS.proxyEnv), guardFile(GUARD_PATHS.safetyNet, { owner: "sandbox", group: "sandbox" }), guardFile(GUARD_PATHS.ciao)] }),
    status: "changes",
    steps: [PREFLIGHT, "sandbox-gateway-restart:assistant disruptive exact"],
  },
  {
    name: "an empty guard file is unsafe (stat calls it a regular empty file)",
    setup: (s) => setGuards(s, { files: [guardFile(GUARD_PATHS.proxyEnv, { type: "regular empty file" }), guardFile(GUARD_PATHS.safetyNet), guardFile(GUARD_PATHS.ciao)] }),
    status: "changes",
    steps: [PREFLIGHT, "sandbox-gateway-restart:assistant disruptive exact"],
    check: (plan) => expect(plan.steps[1]!.reason.summary).toMatch(/^\/tmp\/nemoclaw-proxy-env.sh is empty/),
  },
  {
    name: "a guard that is a symlink is unsafe",
    setup: (s) => setGuards(s, { files: [guardFile(GUARD_PATHS.proxyEnv, { type: "symbolic link" }), guardFile(GUARD_PATHS.safetyNet), guardFile(GUARD_PATHS.ciao)] }),
    status: "changes",
    steps: [PREFLIGHT, "sandbox-gateway-restart:assistant disruptive exact"],
  },
  {
    name: "v0.0.60 has no gateway restart: a running agent with a bad guard is a note with the rebuild, nothing is sent",
    setup: (s) => {
      runs(s, "0.0.60", "0.0.44");
      setGuards(s, { files: [guardFile(GUARD_PATHS.proxyEnv, { mode: "644" }), guardFile(GUARD_PATHS.safetyNet), guardFile(GUARD_PATHS.ciao)] });
    },
    status: "no-changes",
    steps: [],
    notes: [/NemoClaw v0.0.60 has no gateway restart, so only a rebuild restores them \(`nemoclaw assistant rebuild --yes`\)/],
  },
  {
    name: "v0.0.60's recover relaunches without guards: a stopped agent with a missing guard is rebuilt, backed up first",
    setup: (s) => {
      runs(s, "0.0.60", "0.0.44");
      setGuards(s, { files: [guardFile(GUARD_PATHS.proxyEnv, MISSING), guardFile(GUARD_PATHS.safetyNet), guardFile(GUARD_PATHS.ciao)], agentGatewayPids: [] });
    },
    status: "changes",
    steps: [PREFLIGHT, "backup:assistant safe exact", "sandbox-rebuild:assistant disruptive exact"],
    commands: ["nemoclaw assistant snapshot create", "nemoclaw assistant rebuild --yes"],
    neverCommands: ["recover", "NEMOCLAW_ACCEPT_THIRD_PARTY_SOFTWARE"],
  },
  {
    name: "only a stale lock and no agent: clear it, then relaunch",
    setup: (s) => setGuards(s, { locks: [{ path: "/tmp/openclaw-1000/gateway.1.lock", pid: null, stale: true }, { path: "/tmp/openclaw-1000/gateway.2.lock", pid: 9, stale: false }], agentGatewayPids: [] }),
    status: "changes",
    steps: [PREFLIGHT, "lock-clear:assistant safe exact", "sandbox-recover:assistant safe exact"],
    commands: ["rm -f -- /tmp/openclaw-1000/gateway.1.lock", "nemoclaw assistant recover"],
    neverCommands: ["gateway.2.lock"],
  },
  {
    name: "a guard rebuild of a sandbox with shields up: shields down for its snapshot, back up after the rebuild",
    setup: (s) => {
      runs(s, "0.0.60", "0.0.44");
      setGuards(s, { files: [guardFile(GUARD_PATHS.proxyEnv, MISSING), guardFile(GUARD_PATHS.safetyNet), guardFile(GUARD_PATHS.ciao)], agentGatewayPids: [] });
      s.observed.shields = known([{ sandbox: "assistant", mode: "locked" }]);
    },
    status: "changes",
    steps: [PREFLIGHT, "shields:assistant@backup safe exact", "backup:assistant safe exact", "sandbox-rebuild:assistant disruptive exact", "shields:assistant@after-backup safe exact"],
    commands: ["nemoclaw assistant shields down", "nemoclaw assistant snapshot create", "nemoclaw assistant rebuild --yes", "nemoclaw assistant shields up"],
  },
  {
    name: "cluster era: locks are cleared in the pod's agent container; a missing guard means a rebuild",
    setup: (s) => {
      asCluster(s);
      setGuards(s, {
        files: [guardFile(GUARD_PATHS.proxyEnv, { present: false }), guardFile(GUARD_PATHS.safetyNet), guardFile(GUARD_PATHS.ciao)],
        locks: [{ path: "/tmp/openclaw-1000/gateway.1.lock", pid: null, stale: true }],
        agentGatewayPids: [],
      });
    },
    status: "changes",
    steps: [PREFLIGHT, "lock-clear:assistant safe exact", "backup:assistant safe exact", "sandbox-rebuild:assistant disruptive exact"],
    commands: ["docker exec openshell-cluster-nemoclaw kubectl exec -n openshell -c agent assistant -- rm -f -- /tmp/openclaw-1000/gateway.1.lock", "nemoclaw assistant rebuild --yes"],
    neverCommands: ["nemoclaw assistant recover"],
  },
  {
    name: "guards unknown: nothing planned for them, the note carries the excerpt",
    setup: (s) => {
      liveSandbox(s.observed).guards = unknown("sandbox exec failed", "sandbox 'assistant' is not ready");
    },
    status: "unknown",
    steps: [],
    check: (plan) => expect(plan.notes[0]).toMatchObject({ fact: "sandbox:nemoclaw/assistant", excerpt: "sandbox 'assistant' is not ready" }),
  },
  {
    name: "a stale lock outside /tmp/openclaw-*/ is never removed",
    setup: (s) => setGuards(s, { locks: [{ path: "/sandbox/.openclaw/gateway.lock", pid: null, stale: true }] }),
    status: "no-changes",
    steps: [],
    notes: [/stale lock \/sandbox\/.openclaw\/gateway.lock in assistant is not an OpenClaw gateway lock/],
  },

  // ── Sandbox presence (scenarios 4, 5) ─────────────────────────────────────────────────────
  {
    name: "cluster era on a DGX: the image-reference workaround creates the sandbox with --gpu where NemoClaw v0.0.36+ would, never before",
    setup: (s) => {
      asCluster(s);
      s.host.sandboxes.push(desiredSandbox("coder", { from: "/srv/images/coder/Dockerfile", imageRefWorkaround: true }));
    },
    status: "changes",
    steps: [PREFLIGHT, "sandbox-create:coder safe exact"],
    check: (plan) => {
      expect(plan.steps[1]!.params).toMatchObject({ imageRefTarget: { sandbox: "coder", gpu: true, openshell: "0.0.36" } });
      const older = converged();
      asCluster(older, "0.0.36", "0.0.35");
      older.host.sandboxes.push(desiredSandbox("coder", { from: "/srv/images/coder/Dockerfile", imageRefWorkaround: true }));
      expect(hostPlanOf(older).steps[1]!.params).toMatchObject({ imageRefTarget: { sandbox: "coder", gpu: false } });
    },
  },
  {
    name: "missing sandbox: onboard with the file's settings as v0.0.60 takes them, the key as a secret",
    setup: (s) => {
      runs(s, "0.0.60", "0.0.44");
      s.host.sandboxes.push(
        desiredSandbox("coder", { gpu: "on", gpuDevice: "0", policy: { tier: "restricted", presets: ["pypi", "npm"] }, resources: { cpu: "4", memory: "16Gi" }, from: "/srv/images/coder/Dockerfile", imageRefWorkaround: true }),
      );
    },
    status: "changes",
    steps: [PREFLIGHT, "sandbox-create:coder safe exact"],
    commands: [
      "env NEMOCLAW_PROVIDER=build NEMOCLAW_MODEL=nvidia/nemotron-3-super-120b-a12b NVIDIA_API_KEY=<secret env:NVIDIA_KEY> NEMOCLAW_GATEWAY_PORT=8080 NEMOCLAW_POLICY_TIER=restricted NEMOCLAW_POLICY_MODE=custom NEMOCLAW_POLICY_PRESETS=pypi,npm NEMOCLAW_SANDBOX_GPU=1 NEMOCLAW_SANDBOX_GPU_DEVICE=0 NEMOCLAW_CPU=4 NEMOCLAW_RAM=16Gi NEMOCLAW_ACCEPT_THIRD_PARTY_SOFTWARE=1 nemoclaw onboard --non-interactive --fresh --name coder --agent openclaw --from /srv/images/coder/Dockerfile",
    ],
    check: (plan) => {
      const create = plan.steps[1]!;
      // Before v0.0.65 NemoClaw reads NVIDIA's key only from NVIDIA_API_KEY.
      expect(create.commands[0]!.env?.NVIDIA_API_KEY).toEqual({ secret: { kind: "env", name: "NVIDIA_KEY" } });
      expect(create.commands[0]!.argv).toEqual(["nemoclaw", "onboard", "--non-interactive", "--fresh", "--name", "coder", "--agent", "openclaw", "--from", "/srv/images/coder/Dockerfile"]);
      expect(create.params).toMatchObject({
        hostArch: "aarch64",
        arm64: true,
        fromDockerfile: "/srv/images/coder/Dockerfile",
        imageRefWorkaround: true,
        imageRefTarget: { sandbox: "coder", gateway: "nemoclaw", agent: "openclaw", gpu: true, gpuDevice: "0", cpu: "4", memory: "16Gi", openshell: "0.0.44" },
      });
    },
  },
  {
    name: "a setting the observed release cannot take is never sent: the sandbox is not planned and the note names the field",
    setup: (s) => {
      s.host.sandboxes.push(desiredSandbox("coder", { gpu: "on", gpuDevice: "0" }));
    },
    status: "no-changes",
    steps: [],
    notes: [/sandbox coder \(\/srv\/fleet\/fleet.yaml:10\) is not planned: gpuDevice: OpenShell 0.0.72 \(run by NemoClaw v0.0.80\) has no sandbox create --gpu-device/],
  },
  {
    name: "the oldest releases: no --fresh before v0.0.29, no --name before v0.0.31 (the name goes in NEMOCLAW_SANDBOX_NAME), no GPU, resources or bind settings sent",
    setup: (s) => {
      asCluster(s, "0.0.32", "0.0.27");
      s.host.sandboxes.push(desiredSandbox("coder"));
    },
    status: "changes",
    steps: [PREFLIGHT, "sandbox-create:coder safe exact"],
    commands: ["NEMOCLAW_SANDBOX_NAME=coder", "nemoclaw onboard --non-interactive --agent openclaw"],
    neverCommands: ["--fresh", "--name", "NEMOCLAW_SANDBOX_GPU", "NEMOCLAW_CPU", "NEMOCLAW_GATEWAY_BIND_ADDRESS"],
  },
  {
    name: "from v0.0.31 onboard takes --name, and the name is not also sent in the environment",
    setup: (s) => {
      asCluster(s, "0.0.36", "0.0.31");
      s.host.sandboxes.push(desiredSandbox("coder"));
    },
    status: "changes",
    steps: [PREFLIGHT, "sandbox-create:coder safe exact"],
    commands: ["nemoclaw onboard --non-interactive --fresh --name coder --agent openclaw"],
    neverCommands: ["NEMOCLAW_SANDBOX_NAME"],
  },
  {
    name: "routed: a new sandbox's key travels in the NVIDIA variable the release reads (NVIDIA_API_KEY before v0.0.65)",
    setup: (s) => {
      runs(s, "0.0.60", "0.0.44");
      s.host.sandboxes.push(desiredSandbox("router", { provider: "routed", model: undefined }));
    },
    status: "changes",
    steps: [PREFLIGHT, "sandbox-create:router safe exact"],
    commands: ["NEMOCLAW_PROVIDER=routed NVIDIA_API_KEY=<secret env:NVIDIA_KEY>"],
    notes: [/different inference routes/],
  },
  {
    name: "routed: from v0.0.65 the key travels in NVIDIA_INFERENCE_API_KEY",
    setup: (s) => {
      s.host.sandboxes.push(desiredSandbox("router", { provider: "routed", model: undefined }));
    },
    status: "changes",
    steps: [PREFLIGHT, "sandbox-create:router safe exact"],
    commands: ["NEMOCLAW_PROVIDER=routed NVIDIA_INFERENCE_API_KEY=<secret env:NVIDIA_KEY>"],
    notes: [/different inference routes/],
  },
  {
    name: "routed, converged: NemoClaw records the router as nvidia-router, which is the same provider, so nothing is planned",
    setup: (s) => {
      Object.assign(s.host.sandboxes[0]!, { provider: "routed", model: undefined });
      Object.assign(registryEntries(s.observed)[0]!, { provider: "nvidia-router", model: "nvidia-routed", endpointUrl: "http://host.openshell.internal:4000/v1" });
    },
    status: "no-changes",
    steps: [],
    check: (plan) => expect(plan.notes).toEqual([]),
  },
  {
    name: "routed, converged, with the key variable named: still no backup and recreate",
    setup: (s) => {
      Object.assign(s.host.sandboxes[0]!, { provider: "routed", model: undefined, credentialEnv: "NVIDIA_INFERENCE_API_KEY" });
      Object.assign(registryEntries(s.observed)[0]!, { provider: "nvidia-router", model: "nvidia-routed", endpointUrl: "http://host.openshell.internal:4000/v1" });
    },
    status: "no-changes",
    steps: [],
    neverCommands: ["--recreate-sandbox", "snapshot create"],
    check: (plan) => expect(plan.notes).toEqual([]),
  },
  {
    name: "credentialEnv names the variable the key travels in; an OpenAI sandbox defaults to OPENAI_API_KEY",
    setup: (s) => {
      s.host.sandboxes.push(desiredSandbox("coder", { credentialEnv: "MY_NVIDIA_KEY" }), desiredSandbox("chat", { provider: "openai", model: "gpt-5.4", credential: { kind: "file", path: "/etc/keys/openai" } }));
    },
    status: "changes",
    steps: [PREFLIGHT, "sandbox-create:coder safe exact", "sandbox-create:chat safe exact"],
    commands: ["MY_NVIDIA_KEY=<secret env:NVIDIA_KEY>", "NEMOCLAW_PROVIDER=openai NEMOCLAW_MODEL=gpt-5.4 OPENAI_API_KEY=<secret file:/etc/keys/openai>"],
    notes: [/different inference routes/],
  },
  {
    name: "stale registry entry on the healthy default gateway: recover from the registry metadata",
    setup: (s) => {
      withoutLiveSandbox(s);
      s.observed.shields = known([{ sandbox: "assistant", mode: "locked" }]);
    },
    status: "changes",
    steps: [PREFLIGHT, "sandbox-stale-recover:assistant safe exact"],
    commands: ["nemoclaw assistant rebuild --yes"],
    notes: [/shields were up on assistant before it was lost; re-apply them/],
    check: (plan) =>
      expect(plan.steps[1]!.params).toEqual({
        sandbox: "assistant",
        gateway: "nemoclaw",
        registry: { snapshot: true, restoreExactlyOnFailure: true },
        shields: { clearStaleState: true, reapply: true },
      }),
  },
  {
    name: "stale entry before v0.0.63: that release's rebuild refuses an absent sandbox, so nothing is planned and the note says why",
    setup: (s) => {
      runs(s, "0.0.50", "0.0.44");
      withoutLiveSandbox(s);
    },
    status: "no-changes",
    steps: [],
    neverCommands: ["rebuild"],
    notes: [/stale recovery is not planned: NemoClaw v0\.0\.50's rebuild refuses a sandbox its gateway does not have .*needs v0\.0\.63 or later/],
  },
  {
    name: "stale entry refused while another gateway is active",
    setup: (s) => {
      withoutLiveSandbox(s);
      s.observed.activeGateway = known("openshell");
    },
    status: "no-changes",
    steps: [],
    notes: [/stale recovery refused: another gateway \(openshell\) is active/],
  },
  {
    name: "stale entry refused on a non-default per-port gateway",
    setup: (s) => {
      s.host.gateways.push(desiredGateway(8081));
      s.host.sandboxes = [desiredSandbox("assistant", { gateway: "nemoclaw-8081" })];
      s.observed.gateways = known([hostProcessGateway(), hostProcessGateway("nemoclaw-8081", { sandboxes: known([]) })]);
      gateway(s.observed).sandboxes = known([]);
      onlyRegistry(s, registryEntry("assistant", { gatewayName: "nemoclaw-8081", gatewayPort: 8081 }));
    },
    status: "no-changes",
    steps: [],
    notes: [/stale recovery refused: it belongs to the per-port gateway nemoclaw-8081.*by hand on the host, `openshell gateway select nemoclaw-8081`, then `nemoclaw assistant rebuild --yes`/],
  },
  {
    name: "stale entry on an unhealthy named gateway: recover the gateway first, judge the sandbox after",
    setup: (s) => {
      withoutLiveSandbox(s);
      gateway(s.observed).health = { status: "unhealthy", reason: "Status: Error", fatalMigration: null, protobufMismatch: null };
    },
    status: "changes",
    steps: [PREFLIGHT, "gateway-recover:nemoclaw disruptive exact"],
    neverCommands: ["rebuild"],
    check: (plan) => expect(plan.steps[1]!.params).toMatchObject({ sandbox: "assistant" }),
  },
  {
    name: "a sandbox stuck in Error: a warning and the rebuild hint, no step",
    setup: (s) => {
      liveSandbox(s.observed).phase = "Error";
    },
    status: "no-changes",
    steps: [],
    notes: [/stuck in phase Error; nothing is planned for it \(last resort: `nemoclaw assistant rebuild --yes`\)/],
  },
  {
    name: "live but not registered with NemoClaw: cannot be managed",
    setup: (s) => onlyRegistry(s),
    status: "no-changes",
    steps: [],
    notes: [/live on gateway nemoclaw but not registered with NemoClaw/],
  },
  {
    name: "registry unknown: no sandbox planned",
    setup: (s) => {
      s.observed.registry = unknown("sandboxes.json is not valid JSON", "{\"sandboxes\": ");
      s.host.sandboxes.push(desiredSandbox("coder"));
    },
    status: "unknown",
    steps: [],
    notes: [/registry is unknown/],
  },

  // ── Settings ──────────────────────────────────────────────────────────────────────────────
  {
    name: "policy presets differ: add and remove one by one (safe), with a text diff",
    setup: (s) => {
      s.host.sandboxes[0]!.policy = { presets: ["pypi", "github"] };
      registryEntries(s.observed)[0]!.policies = ["github", "slack"];
    },
    status: "changes",
    steps: [PREFLIGHT, "policy-add:assistant safe exact", "policy-remove:assistant safe exact"],
    commands: ["nemoclaw assistant policy-add pypi --yes", "nemoclaw assistant policy-remove slack --yes"],
    check: (plan) => expect(plan.steps[1]!.diff).toEqual([{ label: "assistant policy presets", before: "github\nslack\n", after: "github\npypi\n" }]),
  },
  {
    name: "model differs: one gateway-wide inference set",
    setup: (s) => {
      s.host.sandboxes[0]!.model = "nvidia/llama-3.3-nemotron-super-49b-v1";
    },
    status: "changes",
    steps: [PREFLIGHT, "inference-set:nemoclaw safe exact"],
    commands: ["nemoclaw inference set --provider nvidia-prod --model nvidia/llama-3.3-nemotron-super-49b-v1 --sandbox assistant"],
    neverCommands: ["--endpoint-url", "--credential-env"],
  },
  {
    name: "before v0.0.39 a model change is a recreate: there is no nemoclaw inference set, and OpenShell's changes neither the agent's config nor the registry",
    setup: (s) => {
      asCluster(s, "0.0.36");
      s.host.sandboxes[0]!.model = "nvidia/llama-3.3-nemotron-super-49b-v1";
    },
    status: "changes",
    // v0.0.38 recreates without keeping state (before v0.0.53): this run's backup goes back.
    steps: [PREFLIGHT, "backup:assistant safe exact", "sandbox-recreate:assistant disruptive exact", "restore:assistant disruptive predicted"],
    commands: ["NEMOCLAW_MODEL=nvidia/llama-3.3-nemotron-super-49b-v1", "--recreate-sandbox"],
    neverCommands: ["inference set"],
  },
  {
    name: "provider differs: the route is baked into the agent config, so a verified backup, then NemoClaw's recreate (which restores its own state)",
    setup: (s) => {
      Object.assign(s.host.sandboxes[0]!, { provider: "openai", model: "gpt-5.4", endpoint: undefined });
    },
    status: "changes",
    steps: [PREFLIGHT, "backup:assistant safe exact", "sandbox-recreate:assistant disruptive exact"],
    commands: [
      "nemoclaw assistant snapshot create",
      "NEMOCLAW_PROVIDER=openai NEMOCLAW_MODEL=gpt-5.4",
      "nemoclaw onboard --non-interactive --fresh --name assistant --agent openclaw --recreate-sandbox",
    ],
    neverCommands: ["inference set", "rebuild", "snapshot restore"],
    check: (plan) => {
      expect(plan.steps[2]!.dependsOn).toContain("backup:assistant");
      expect(plan.steps[1]!.params).toMatchObject({ verify: true });
      expect(plan.steps[2]!.params).toMatchObject({ changes: ["inference"] });
    },
  },
  {
    // #2227 made shields down the default from v0.0.32; before, a sandbox without a state file is UP.
    name: "before v0.0.32 a sandbox without a shields state file has its shields up: shields: down lowers them",
    setup: (s) => {
      asCluster(s, "0.0.36", "0.0.30");
      Object.assign(s.host.sandboxes[0]!, { shields: "down" });
    },
    status: "changes",
    steps: [PREFLIGHT, "shields:assistant safe exact"],
    commands: ["nemoclaw assistant shields down"],
  },
  {
    name: "before v0.0.32 shields: up on a sandbox without a shields state file is already met",
    setup: (s) => {
      asCluster(s, "0.0.36", "0.0.30");
      Object.assign(s.host.sandboxes[0]!, { shields: "up" });
    },
    status: "no-changes",
    steps: [],
  },
  {
    name: "from v0.0.32 a sandbox without a shields state file has its shields down: shields: up raises them",
    setup: (s) => {
      asCluster(s, "0.0.36", "0.0.32");
      Object.assign(s.host.sandboxes[0]!, { shields: "up" });
    },
    status: "changes",
    steps: [PREFLIGHT, "shields:assistant safe exact"],
    commands: ["nemoclaw assistant shields up"],
  },
  {
    name: "shields up (v0.0.80) and a provider change: shields lowered before the backup NemoClaw would refuse, put back up after the recreate",
    setup: (s) => {
      Object.assign(s.host.sandboxes[0]!, { provider: "openai", model: "gpt-5.4", endpoint: undefined, shields: "up" });
      s.fleet.backupPolicies.push(policy("nightly"));
      s.observed.shields = known([{ sandbox: "assistant", mode: "locked" }]);
    },
    status: "changes",
    steps: [PREFLIGHT, "shields:assistant@backup safe exact", "backup:assistant@nightly safe exact", "sandbox-recreate:assistant disruptive exact", "shields:assistant@after-backup safe exact"],
    commands: ["nemoclaw assistant shields down", "--recreate-sandbox", "nemoclaw assistant shields up"],
    check: (plan) => {
      const [, down, backup, recreate, up] = plan.steps;
      expect(backup!.dependsOn).toContain(down!.id);
      expect(recreate!.dependsOn).toContain(backup!.id);
      // Only the shields down: a failed backup or recreate does not keep them down.
      expect(up!.dependsOn).toEqual([down!.id]);
      expect(backup!.hint).toMatch(/shields:assistant@after-backup puts them back up even when this step fails/);
    },
  },
  {
    name: "before v0.0.53 a recreate does not carry the sandbox's state: this run's backup is restored after it",
    setup: (s) => {
      runs(s, "0.0.50", "0.0.44");
      Object.assign(s.host.sandboxes[0]!, { provider: "openai", model: "gpt-5.4", endpoint: undefined });
    },
    status: "changes",
    steps: [PREFLIGHT, "backup:assistant safe exact", "sandbox-recreate:assistant disruptive exact", "restore:assistant disruptive predicted"],
    commands: ["nemoclaw assistant snapshot create", "--recreate-sandbox", "nemoclaw assistant snapshot restore fleet-20261122T093000Z --yes"],
    check: (plan) => expect(plan.steps[3]!.dependsOn).toEqual(expect.arrayContaining(["backup:assistant", "sandbox-recreate:assistant"])),
  },
  {
    name: "endpoint differs within a provider: recreated too (the endpoint is baked into the agent config)",
    setup: (s) => {
      s.host.sandboxes[0]!.endpoint = "https://nim.internal.example.com/v1";
    },
    status: "changes",
    steps: [PREFLIGHT, "backup:assistant safe exact", "sandbox-recreate:assistant disruptive exact"],
    commands: ["NEMOCLAW_ENDPOINT_URL=https://nim.internal.example.com/v1", "--recreate-sandbox"],
  },
  {
    name: "a protected sandbox is never recreated for a new provider",
    setup: (s) => {
      Object.assign(s.host.sandboxes[0]!, { provider: "openai", model: "gpt-5.4", endpoint: undefined, protect: true });
    },
    status: "no-changes",
    steps: [],
    notes: [/sandbox assistant is protected: refusing the recreate its settings need \(inference .* → openai gpt-5\.4\); set protect: false to allow it/],
  },
  {
    name: "two sandboxes on one gateway want different routes: a warning, no inference set",
    setup: (s) => {
      s.host.sandboxes.push(desiredSandbox("coder", { model: "gpt-5.4", provider: "openai" }));
      gateway(s.observed).sandboxes = known([observedSandbox("assistant"), observedSandbox("coder")]);
      onlyRegistry(s, registryEntry("assistant"), registryEntry("coder"));
    },
    status: "no-changes",
    steps: [],
    notes: [/sandboxes on gateway nemoclaw want different inference routes \(assistant: build nvidia\/nemotron-3-super-120b-a12b; coder: openai gpt-5\.4\)/],
  },
  {
    name: "agent differs: backup to the beforeDisruptive policy, then onboard --recreate-sandbox with the new agent (never rebuild with NEMOCLAW_AGENT)",
    setup: (s) => {
      s.host.sandboxes[0]!.agent = "hermes";
      s.fleet.backupPolicies.push(policy("nightly"), policy("weekly", { beforeDisruptive: false }));
    },
    status: "changes",
    steps: [PREFLIGHT, "backup:assistant@nightly safe exact", "sandbox-recreate:assistant disruptive exact"],
    commands: ["nemoclaw onboard --non-interactive --fresh --name assistant --agent hermes --recreate-sandbox"],
    neverCommands: ["NEMOCLAW_AGENT", "rebuild"],
    check: (plan) => {
      expect(plan.steps[2]!.dependsOn).toEqual(["backup:assistant@nightly"]);
      expect(plan.steps[2]!.diff).toEqual([{ label: "assistant settings", before: "agent: openclaw\n", after: "agent: hermes\n" }]);
      expect(plan.steps[1]!.params).toMatchObject({ purposes: ["before-disruptive"] });
    },
  },
  {
    name: "a protected sandbox is never recreated for a new agent",
    setup: (s) => {
      s.host.sandboxes[0]!.agent = "hermes";
      s.host.sandboxes[0]!.protect = true;
    },
    status: "no-changes",
    steps: [],
    notes: [/sandbox assistant is protected: refusing the recreate its settings need \(agent openclaw → hermes\)/],
  },
  {
    name: "GPU mode and image differ: one recreate carries both",
    setup: (s) => {
      s.host.sandboxes[0]!.gpu = "off";
      s.host.sandboxes[0]!.from = "/srv/images/assistant/Dockerfile";
    },
    status: "changes",
    steps: [PREFLIGHT, "backup:assistant safe exact", "sandbox-recreate:assistant disruptive exact"],
    commands: ["NEMOCLAW_SANDBOX_GPU=0 NEMOCLAW_ACCEPT_THIRD_PARTY_SOFTWARE=1 nemoclaw onboard --non-interactive --fresh --name assistant --agent openclaw --from /srv/images/assistant/Dockerfile --recreate-sandbox"],
  },
  {
    name: "gpu auto accepts whatever NemoClaw recorded (auto resolves to 0 on a host without a GPU)",
    setup: (s) => {
      registryEntries(s.observed)[0]!.gpuMode = "0";
    },
    status: "no-changes",
    steps: [],
  },
  {
    name: "shields up wanted, mutable observed: shields up",
    setup: (s) => {
      s.host.sandboxes[0]!.shields = "up";
    },
    status: "changes",
    steps: [PREFLIGHT, "shields:assistant safe exact"],
    commands: ["nemoclaw assistant shields up"],
  },
  {
    name: "stale recovery, then the settings it cannot restore follow as predicted steps",
    setup: (s) => {
      withoutLiveSandbox(s);
      s.host.sandboxes[0]!.shields = "up";
      s.host.sandboxes[0]!.policy = { presets: ["pypi"] };
    },
    status: "changes",
    steps: [PREFLIGHT, "sandbox-stale-recover:assistant safe exact", "policy-add:assistant safe predicted", "shields:assistant safe predicted"],
  },

  // ── Unmanaged ─────────────────────────────────────────────────────────────────────────────
  {
    name: "an unmanaged sandbox is reported, not touched",
    setup: (s) => {
      gateway(s.observed).sandboxes = known([observedSandbox("assistant"), observedSandbox("scratch")]);
      onlyRegistry(s, registryEntry("assistant"), registryEntry("scratch"));
    },
    status: "no-changes",
    steps: [],
    notes: [/sandbox scratch \(gateway nemoclaw\) is not in the fleet file; --prune would delete it/],
  },
  {
    name: "--prune deletes it after a backup to the policy covering it",
    setup: (s) => {
      gateway(s.observed).sandboxes = known([observedSandbox("assistant"), observedSandbox("scratch")]);
      onlyRegistry(s, registryEntry("assistant"), registryEntry("scratch"));
      s.fleet.backupPolicies.push(policy("nightly", { sandboxNames: ["scr*"] }));
    },
    options: { pruneUnmanaged: true },
    status: "changes",
    steps: [PREFLIGHT, "backup:scratch@nightly safe exact", "sandbox-delete:scratch destructive exact"],
    commands: ["nemoclaw scratch destroy --yes"],
  },
  {
    name: "--prune never deletes a name protected anywhere in the file",
    setup: (s) => {
      gateway(s.observed).sandboxes = known([observedSandbox("assistant"), observedSandbox("vault")]);
      onlyRegistry(s, registryEntry("assistant"), registryEntry("vault"));
      s.fleet.hosts.push({ ...s.host, name: "spark-02", sandboxes: [desiredSandbox("vault", { host: "spark-02", protect: true })] });
    },
    options: { pruneUnmanaged: true, hosts: ["spark-01"] },
    status: "no-changes",
    steps: [],
    notes: [/sandbox vault is not in the fleet file but is not deleted: the name is protected in the fleet file/],
  },

  {
    name: "--prune never sends destroy for a registered name NemoClaw would read as one of its own commands",
    setup: (s) => {
      gateway(s.observed).sandboxes = known([observedSandbox("assistant"), observedSandbox("gc")]);
      onlyRegistry(s, registryEntry("assistant"), registryEntry("gc"));
    },
    options: { pruneUnmanaged: true },
    status: "no-changes",
    steps: [],
    notes: [/sandbox gc is not in the fleet file but is not deleted: `nemoclaw gc destroy` cannot address it \("gc" is a NemoClaw command word and cannot name a sandbox\); remove it by hand/],
  },
  {
    name: "without --prune, the note says when --prune would keep it, and why",
    setup: (s) => {
      gateway(s.observed).sandboxes = known([observedSandbox("assistant"), { ...observedSandbox("scratch"), phase: "Provisioning" }]);
      onlyRegistry(s, registryEntry("assistant"), registryEntry("scratch"));
      s.fleet.backupPolicies.push(policy("nightly", { sandboxNames: ["scr*"] }));
    },
    status: "no-changes",
    steps: [],
    notes: [/sandbox scratch \(gateway nemoclaw\) is not in the fleet file; --prune would not delete it: backup nightly covers it but it is not live and Ready/],
  },

  // ── --replace and --target ────────────────────────────────────────────────────────────────
  {
    name: "--replace recreates a sandbox whose settings match, after a verified backup",
    options: { replace: [{ sandbox: "assistant", host: "spark-01" }] },
    status: "changes",
    steps: [PREFLIGHT, "backup:assistant safe exact", "sandbox-recreate:assistant disruptive exact"],
    commands: ["nemoclaw assistant snapshot create", "nemoclaw onboard --non-interactive --fresh --name assistant --agent openclaw --recreate-sandbox"],
    check: (plan) => {
      const recreate = plan.steps[2]!;
      expect(recreate.reason.summary).toBe("replacement requested (--replace assistant@spark-01)");
      expect(recreate.reason.desired?.source).toBe("the command line (--replace)");
      expect(recreate.diff).toBeUndefined();
      expect(plan.steps[1]!.params).toMatchObject({ verify: true, purposes: ["before-disruptive"] });
    },
  },
  {
    name: "--replace of another host's sandbox changes nothing here",
    options: { replace: [{ sandbox: "assistant", host: "spark-02" }] },
    status: "no-changes",
    steps: [],
  },
  {
    name: "--replace never recreates a protected sandbox",
    setup: (s) => {
      s.host.sandboxes[0]!.protect = true;
    },
    options: { replace: [{ sandbox: "assistant", host: "spark-01" }] },
    status: "no-changes",
    steps: [],
    notes: [/sandbox assistant is protected: refusing the recreate its settings need \(replacement requested \(--replace assistant@spark-01\)\)/],
  },
  {
    name: "--target keeps the targeted sandbox's steps and what they depend on, and says what it left out",
    setup: (s) => {
      s.host.sandboxes.push(desiredSandbox("coder"), desiredSandbox("chat"));
      s.host.sandboxes[0]!.policy = { presets: ["pypi"] };
    },
    options: { targets: [{ sandbox: "coder", host: "spark-01" }] },
    status: "changes",
    steps: [PREFLIGHT, "sandbox-create:coder safe exact"],
    notes: [/--target: 2 steps for other sandboxes or the host are left out of this plan; plan without --target to see the whole change/],
  },
  {
    name: "--target of a sandbox on a gateway that must start first keeps the gateway start",
    setup: (s) => {
      s.host.gateways.push(desiredGateway(8081));
      s.host.sandboxes.push(desiredSandbox("first", { gateway: "nemoclaw-8081" }), desiredSandbox("second", { gateway: "nemoclaw-8081" }));
    },
    options: { targets: [{ sandbox: "second", host: "spark-01" }] },
    status: "changes",
    steps: [PREFLIGHT, "gateway-start:nemoclaw-8081 safe exact", "sandbox-create:second safe predicted"],
  },
  {
    name: "--target of a sandbox with nothing to do leaves the host with no changes",
    setup: (s) => s.host.sandboxes.push(desiredSandbox("coder")),
    options: { targets: [{ sandbox: "assistant", host: "spark-01" }] },
    status: "no-changes",
    steps: [],
    notes: [/--target: 1 step for other sandboxes or the host is left out of this plan/],
  },

  // ── Backups due ───────────────────────────────────────────────────────────────────────────
  {
    name: "a scheduled policy with no backup yet is due",
    setup: (s) => s.fleet.backupPolicies.push(policy("nightly", { schedule: "0 2 * * *" })),
    options: { backupCatalogue: {} },
    status: "changes",
    steps: [PREFLIGHT, "backup:assistant@nightly safe exact"],
    check: (plan) => expect(plan.steps[1]!.reason.summary).toBe("backup due by schedule (policy nightly: no backup yet)"),
  },
  {
    name: "a scheduled backup of a sandbox whose shields are up (v0.0.80): lowered for it, put back up after",
    setup: (s) => {
      s.fleet.backupPolicies.push(policy("nightly", { schedule: "0 2 * * *" }));
      s.observed.shields = known([{ sandbox: "assistant", mode: "locked" }]);
    },
    options: { backupCatalogue: {} },
    status: "changes",
    steps: [PREFLIGHT, "shields:assistant@backup safe exact", "backup:assistant@nightly safe exact", "shields:assistant@after-backup safe exact"],
    commands: ["nemoclaw assistant shields down", "nemoclaw assistant shields up"],
    check: (plan) => {
      expect(plan.steps[2]!.dependsOn).toContain("shields:assistant@backup");
      expect(plan.steps[3]!.dependsOn).toEqual(["shields:assistant@backup"]);
    },
  },
  {
    name: "a scheduled backup where the fleet file wants shields down: lowered for the backup, and left down",
    setup: (s) => {
      s.fleet.backupPolicies.push(policy("nightly", { schedule: "0 2 * * *" }));
      s.host.sandboxes[0]!.shields = "down";
      s.observed.shields = known([{ sandbox: "assistant", mode: "locked" }]);
    },
    options: { backupCatalogue: {} },
    status: "changes",
    steps: [PREFLIGHT, "shields:assistant@backup safe exact", "backup:assistant@nightly safe exact"],
    neverCommands: ["shields up"],
  },
  {
    name: "v0.0.124 has no shields: a legacy locked state file lowers nothing for a scheduled backup",
    setup: (s) => {
      runs(s, "0.0.124", "0.0.116");
      s.fleet.backupPolicies.push(policy("nightly", { schedule: "0 2 * * *" }));
      s.observed.shields = known([{ sandbox: "assistant", mode: "locked" }]);
    },
    options: { backupCatalogue: {} },
    status: "changes",
    steps: [PREFLIGHT, "backup:assistant@nightly safe exact"],
    neverCommands: ["shields"],
  },
  {
    name: "a backup newer than the last scheduled time is not due",
    setup: (s) => s.fleet.backupPolicies.push(policy("nightly", { schedule: "0 2 * * *" })),
    options: { backupCatalogue: { nightly: { "spark-01": { assistant: "2026-11-22T02:04:00.000Z" } } } },
    status: "no-changes",
    steps: [],
  },
  {
    name: "a backup older than the last scheduled time is due",
    setup: (s) => s.fleet.backupPolicies.push(policy("nightly", { schedule: "0 2 * * *" })),
    options: { backupCatalogue: { nightly: { "spark-01": { assistant: "2026-11-21T02:04:00.000Z" } } } },
    status: "changes",
    steps: [PREFLIGHT, "backup:assistant@nightly safe exact"],
  },
  {
    name: "a sandbox this plan creates gets the backup its scheduled policy owes, after the create (apply then plan has nothing left)",
    setup: (s) => {
      s.fleet.backupPolicies.push(policy("nightly", { schedule: "0 2 * * *" }));
      s.host.sandboxes.push(desiredSandbox("coder"));
    },
    options: { backupCatalogue: { nightly: { "spark-01": { assistant: "2026-11-22T02:04:00.000Z" } } } },
    status: "changes",
    steps: [PREFLIGHT, "sandbox-create:coder safe exact", "backup:coder@nightly safe predicted"],
    check: (plan) => {
      expect(plan.steps[2]!.dependsOn).toEqual(["sandbox-create:coder"]);
      expect(plan.steps[2]!.reason.summary).toBe("backup due by schedule (policy nightly: no backup yet; taken once sandbox-create:coder has run)");
    },
  },
  {
    name: "on a fresh host the sandbox NemoClaw's installer onboards is backed up after the install",
    setup: (s) => {
      choose(s, "0.0.124");
      s.fleet.backupPolicies.push(policy("nightly", { schedule: "0 2 * * *" }));
      s.observed.nemoclaw = known({ installed: false, version: null, path: null });
      s.observed.openshell = known({ installed: false, version: null, path: null });
      s.observed.gateways = known([]);
      onlyRegistry(s);
    },
    options: { backupCatalogue: {} },
    status: "changes",
    steps: ["nemoclaw-install:spark-01 safe exact", "backup:assistant@nightly safe predicted"],
  },
  {
    name: "without a catalogue no backup is planned as due",
    setup: (s) => s.fleet.backupPolicies.push(policy("nightly", { schedule: "0 2 * * *" })),
    status: "no-changes",
    steps: [],
  },
];

function commandText(plan: HostPlan): string[] {
  return plan.steps.flatMap((step) => step.commands.map((command) => command.display));
}

describe("planFleet, table-driven", () => {
  it.each(cases)("$name", (testCase) => {
    const scenario = converged();
    testCase.setup?.(scenario);
    const plan = hostPlanOf(scenario, testCase.options);
    expect(plan.steps.map((step) => `${step.id} ${step.risk} ${step.fidelity}`)).toEqual(testCase.steps);
    expect(plan.status).toBe(testCase.status);
    const commands = commandText(plan).join("\n");
    let from = 0;
    for (const expected of testCase.commands ?? []) {
      const at = commands.indexOf(expected, from);
      expect(at, `command text containing ${JSON.stringify(expected)} after offset ${from}:\n${commands}`).toBeGreaterThanOrEqual(0);
      from = at + expected.length;
    }
    for (const forbidden of testCase.neverCommands ?? []) expect(commands).not.toContain(forbidden);
    const messages = plan.notes.map((note) => note.message);
    for (const pattern of testCase.notes ?? []) expect(messages.some((message) => pattern.test(message)), `a note matching ${pattern} in ${JSON.stringify(messages)}`).toBe(true);
    if (plan.status === "blocked" || plan.status === "unreachable") expect(plan.steps).toEqual([]);
    for (const step of plan.steps) {
      for (const dependency of step.dependsOn) expect(plan.steps.findIndex((s) => s.id === dependency)).toBeLessThan(plan.steps.indexOf(step));
      for (const fact of step.facts) expect(plan.fingerprints[fact]).toMatch(/^[0-9a-f]{64}$/);
    }
    testCase.check?.(plan);
  });

  it("has at least 40 cases", () => expect(cases.length).toBeGreaterThanOrEqual(40));
});
