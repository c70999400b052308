import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BackupStores } from "../../../src/backup/destinations.js";
import { recordOf } from "../../../src/backup/record.js";
import { type HostLock, runBackups, runExitCode, type RunEvent } from "../../../src/backup/run.js";
import type { BackupRequest, BackupService } from "../../../src/backup/service.js";
import type { DesiredFleet } from "../../../src/config/types.js";
import type { ObservedHost } from "../../../src/observe/types.js";
import { ExitCode } from "../../../src/exit-codes.js";
import { mapHosts } from "../../../src/transport/pool.js";
import { TransportError, type Connection } from "../../../src/transport/types.js";
import { desiredHost, fleet, gateway, observedHost, policy, sandbox } from "./fixtures.js";
import { manifestFor } from "./helpers.js";
import { renderRunEvent, renderRunReport } from "../../../src/report/backup-human.js";
import { createColors } from "../../../src/report/color.js";

const plain = createColors(false);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "run-test-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function harness(desired: DesiredFleet, observed: Record<string, ObservedHost | Error>, before?: (request: BackupRequest) => Promise<void>, lockedBy: Record<string, string> = {}) {
  const calls: BackupRequest[] = [];
  /** Hosts whose lock the run held, in the order it took them. */
  const held: string[] = [];
  const events: RunEvent[] = [];
  const service: BackupService = {
    async backupSandbox(request) {
      calls.push(request);
      await before?.(request);
      return recordOf(manifestFor(request.host.name, request.sandbox, { sizeBytes: 10, sha256: "a".repeat(64) }, { policy: request.policy.name }), "/store");
    },
    async restoreSandbox() {
      throw new Error("not used");
    },
    async checkRestore() {
      throw new Error("not used");
    },
  };
  const pool = {
    async get(host: string): Promise<Connection> {
      const value = observed[host];
      if (value instanceof Error) throw value;
      return { host } as Connection;
    },
  };
  const holding: HostLock = { hold: (work, signal) => work(signal), content: "the lock's text\n", released: () => undefined };
  const deps = {
    fleet: desired,
    pool,
    observeHost: async (host: { name: string }) => observed[host.name] as ObservedHost,
    service,
    stores: new BackupStores(desired, pool),
    mapHosts,
    now: () => new Date("2026-07-10T02:00:00Z"),
    isAlive: () => false,
    onEvent: (event: RunEvent) => events.push(event),
    async lookAtHost(host: { name: string }, _connection: Connection, keep: (observed: ObservedHost) => boolean) {
      const look = observed[host.name] as ObservedHost;
      if (lockedBy[host.name] !== undefined || !keep(look)) return { observed: look, lock: null };
      held.push(host.name);
      return { observed: look, lock: holding };
    },
    async waitForHost(connection: Connection, _signal: AbortSignal): Promise<{ lock: HostLock } | { reason: string }> {
      const holder = lockedBy[connection.host];
      if (holder !== undefined) return { reason: holder };
      held.push(connection.host);
      return { lock: holding };
    },
  };
  const run = (options: Partial<Parameters<typeof runBackups>[0]> = {}) =>
    runBackups({ policies: desired.backupPolicies, hosts: desired.hosts.map((h) => h.name), strict: false, concurrency: 4, runId: "run-1", ...options }, deps);
  return { calls, events, held, run, deps };
}

describe("runBackups", () => {
  it("covers every live sandbox on every gateway, per-port ones included, and reports the rest", async () => {
    const desired = fleet(
      [desiredHost("spark-01", [{ name: "alice" }, { name: "gone" }])],
      [policy("nightly", { destination: { kind: "local", path: dir } })],
    );
    const { calls, run } = harness(desired, {
      "spark-01": observedHost("spark-01", [
        gateway("nemoclaw", [sandbox("alice"), sandbox("bob", "Provisioning")]),
        gateway("nemoclaw-8081", [sandbox("carol")]),
      ]),
    });
    const report = await run();
    expect(calls.map((call) => [call.sandbox, call.gateway, call.policy.name, call.runId])).toEqual([
      ["alice", "nemoclaw", "nightly", "run-1"],
      ["carol", "nemoclaw-8081", "nightly", "run-1"],
    ]);
    const host = report.hosts[0]!;
    expect(host.status).toBe("ok");
    expect(host.sandboxes.map((s) => [s.sandbox, s.status, s.reason ?? null])).toEqual([
      ["alice", "backed-up", null],
      ["bob", "skipped", "not Ready (phase Provisioning)"],
      ["carol", "backed-up", null],
      ["gone", "skipped", "declared in the fleet file but not live on any gateway"],
    ]);
    expect(runExitCode(report)).toBe(ExitCode.Ok);
  });

  it("backs up a sandbox once per covering policy, only what each policy selects", async () => {
    const desired = fleet(
      [desiredHost("spark-01"), desiredHost("station-01", [], { groups: ["station"] })],
      [
        policy("nightly", { destination: { kind: "local", path: dir } }),
        policy("stations", { hosts: { kind: "pattern", pattern: "station" }, sandboxNames: ["b*"], destination: { kind: "local", path: dir } }),
      ],
    );
    const { calls, run } = harness(desired, {
      "spark-01": observedHost("spark-01", [gateway("nemoclaw", [sandbox("alice")])]),
      "station-01": observedHost("station-01", [gateway("nemoclaw", [sandbox("bob"), sandbox("alice")])]),
    });
    await run();
    expect(calls.map((call) => `${call.host.name}/${call.sandbox}:${call.policy.name}`).sort()).toEqual([
      "spark-01/alice:nightly",
      "station-01/alice:nightly",
      "station-01/bob:nightly",
      "station-01/bob:stations",
    ]);
  });

  it("a store that cannot be written is found before any host is touched: its policy is not run (exit 1), the others are", async () => {
    writeFileSync(join(dir, "a-file"), "");
    const broken = join(dir, "a-file", "store");
    const desired = fleet(
      [desiredHost("spark-01")],
      [policy("nightly", { destination: { kind: "local", path: broken } }), policy("weekly", { destination: { kind: "local", path: join(dir, "ok") } })],
    );
    const { calls, run } = harness(desired, { "spark-01": observedHost("spark-01", [gateway("nemoclaw", [sandbox("alice")])]) });
    const report = await run();
    expect(calls.map((call) => call.policy.name)).toEqual(["weekly"]);
    expect(report.storeProblems).toEqual([expect.stringMatching(new RegExp(`^backup store ${broken} of policy "nightly" cannot be written: ENOTDIR`))]);
    expect(runExitCode(report)).toBe(ExitCode.Error);
    // The probe leaves nothing behind in a store it could write.
    expect(readdirSync(join(dir, "ok"))).toEqual([]);
    // With no writable store, no host is contacted at all.
    const only = harness(fleet([desiredHost("spark-01")], [policy("nightly", { destination: { kind: "local", path: broken } })]), { "spark-01": new Error("must not be contacted") });
    const refused = await only.run();
    expect(refused.hosts).toEqual([]);
    expect(only.calls).toEqual([]);
    expect(runExitCode(refused)).toBe(ExitCode.Error);
  });

  it("a store on a host that cannot be reached is not run and exits 4, as backup list and verify do; the others are run", async () => {
    const desired = fleet(
      [desiredHost("spark-01")],
      [policy("offsite", { destination: { kind: "ssh", host: "store-01", path: "/srv/backups" } }), policy("nightly", { destination: { kind: "local", path: dir } })],
    );
    const { calls, run } = harness(desired, {
      "spark-01": observedHost("spark-01", [gateway("nemoclaw", [sandbox("alice")])]),
      "store-01": new TransportError("unreachable", "store-01", "nobody@192.0.2.1:22: connection refused"),
    });
    const report = await run();
    expect(calls.map((call) => call.policy.name)).toEqual(["nightly"]);
    expect(report.unreachableStores).toEqual(['backup store store-01:/srv/backups of policy "offsite" could not be reached: store-01: unreachable: nobody@192.0.2.1:22: connection refused']);
    expect(report.storeProblems).toEqual([]);
    expect(runExitCode(report)).toBe(ExitCode.Unreachable);
    expect(renderRunReport(report, plain)).toContain("! backup store store-01:/srv/backups of policy \"offsite\" could not be reached");
  });

  it("backs up a host holding its lock; a host another run holds is locked (exit 7) with nothing backed up, the others go on", async () => {
    const desired = fleet([desiredHost("spark-01"), desiredHost("spark-02"), desiredHost("spark-03")], [policy("nightly", { destination: { kind: "local", path: dir } })]);
    const holder = "locked by run 20261122T081500Z-9b0e11 by alice@ctl-02 (pid 5120) (its lease runs until 08:40)";
    const { calls, held, run } = harness(
      desired,
      {
        "spark-01": observedHost("spark-01", [gateway("nemoclaw", [sandbox("alice")])]),
        "spark-02": observedHost("spark-02", [gateway("nemoclaw", [sandbox("bob")])]),
        // Nothing Ready to snapshot: nothing to hold the lock for.
        "spark-03": observedHost("spark-03", [gateway("nemoclaw", [sandbox("carol", "Provisioning")])]),
      },
      undefined,
      { "spark-02": holder, "spark-03": holder },
    );
    const report = await run();
    expect(calls.map((call) => `${call.host.name}/${call.sandbox}`)).toEqual(["spark-01/alice"]);
    expect(held).toEqual(["spark-01"]);
    expect(report.hosts.map((host) => [host.host, host.status, host.problems])).toEqual([
      ["spark-01", "ok", []],
      ["spark-02", "locked", [holder]],
      ["spark-03", "ok", []],
    ]);
    expect(runExitCode(report)).toBe(ExitCode.LockHeld);
    expect(renderRunEvent({ type: "host-done", outcome: report.hosts[1]! }, plain)).toBe(`✗ spark-02: locked, nothing backed up: ${holder}\n`);
  });

  it("gives the host lock back with the last snapshot's removal on the host: only the last Ready sandbox's backup carries it", async () => {
    const desired = fleet([desiredHost("spark-01")], [policy("nightly", { destination: { kind: "local", path: dir } })]);
    const { calls, run } = harness(desired, { "spark-01": observedHost("spark-01", [gateway("nemoclaw", [sandbox("alice"), sandbox("bob"), sandbox("carol", "Provisioning")])]) });
    const report = await run();
    expect(report.hosts.map((host) => host.status)).toEqual(["ok"]);
    expect(calls.map((call) => [call.sandbox, call.releaseLock?.content ?? null])).toEqual([
      ["alice", null],
      ["bob", "the lock's text\n"],
    ]);
  });

  it("backs up what the host has once its lock is held, not what it had before another run let go of it", async () => {
    const desired = fleet([desiredHost("spark-01")], [policy("nightly", { destination: { kind: "local", path: dir } })]);
    const observed: Record<string, ObservedHost> = { "spark-01": observedHost("spark-01", [gateway("nemoclaw", [sandbox("alice")])]) };
    const afterApply = observedHost("spark-01", [gateway("nemoclaw", [sandbox("dave")])]);
    const { calls, deps, run } = harness(desired, observed, undefined, { "spark-01": "an apply's" });
    // The lock was another run's (an apply that replaced alice with dave); it is ours once that run is done.
    deps.waitForHost = async () => {
      observed["spark-01"] = afterApply;
      return { lock: { hold: (work, signal) => work(signal), content: "the lock's text\n", released: () => undefined } };
    };
    const report = await run();
    expect(calls.map((call) => `${call.host.name}/${call.sandbox}`)).toEqual(["spark-01/dave"]);
    expect(calls[0]!.observed).toBe(afterApply);
    expect(report.hosts[0]!.sandboxes.map((s) => [s.sandbox, s.status])).toEqual([["dave", "backed-up"]]);
  });

  it("a host whose lock it was still waiting for when interrupted is not started, not locked", async () => {
    const desired = fleet([desiredHost("spark-01")], [policy("nightly", { destination: { kind: "local", path: dir } })]);
    const interrupt = new AbortController();
    const { calls, deps, run } = harness(desired, { "spark-01": observedHost("spark-01", [gateway("nemoclaw", [sandbox("alice")])]) }, undefined, { "spark-01": "another run's" });
    deps.waitForHost = async () => {
      interrupt.abort();
      return { reason: "run 20261122T081500Z-9b0e11 by alice@ctl-02 (pid 5120) (its lease is live until 08:40)" };
    };
    const report = await run({ signal: interrupt.signal });
    expect(calls).toEqual([]);
    expect(report.hosts.map((host) => [host.host, host.status, host.problems])).toEqual([["spark-01", "not-started", ["interrupted"]]]);
  });

  it("backs up only the sandboxes named by --sandbox", async () => {
    const desired = fleet([desiredHost("spark-01")], [policy("nightly", { destination: { kind: "local", path: dir } })]);
    const { calls, run } = harness(desired, {
      "spark-01": observedHost("spark-01", [gateway("nemoclaw", [sandbox("alice"), sandbox("bob")]), gateway("nemoclaw-8081", [sandbox("alina")])]),
    });
    const report = await run({ sandboxes: ["al*"] });
    expect(calls.map((call) => call.sandbox)).toEqual(["alice", "alina"]);
    expect(report.hosts[0]!.sandboxes.map((s) => s.sandbox)).toEqual(["alice", "alina"]);
  });

  it("a --sandbox that matches no sandbox the policies cover is an error (exit 3) naming what there is, not a silent success", async () => {
    const desired = fleet([desiredHost("spark-01"), desiredHost("spark-02")], [policy("nightly", { destination: { kind: "local", path: dir } })]);
    const { calls, run } = harness(desired, {
      "spark-01": observedHost("spark-01", [gateway("nemoclaw", [sandbox("alice"), sandbox("bob")])]),
      "spark-02": observedHost("spark-02", [gateway("nemoclaw", [sandbox("carol")])]),
    });
    const typo = await run({ sandboxes: ["alcie", "bob"] });
    expect(calls.map((call) => call.sandbox)).toEqual(["bob"]);
    expect(typo.unmatchedSandboxes).toEqual({ globs: ["alcie"], available: ["alice", "bob", "carol"] });
    expect(runExitCode(typo)).toBe(ExitCode.ValidationError);
    expect(renderRunReport(typo, plain)).toContain("✗ --sandbox 'alcie' matches no sandbox the policies cover on the selected hosts (the policies cover alice, bob, carol); nothing was backed up for it");
    // A glob that matches on one host only is fine; so is one whose hosts could not be listed at all.
    const matched = await run({ sandboxes: ["car*"] });
    expect(matched.unmatchedSandboxes.globs).toEqual([]);
    expect(runExitCode(matched)).toBe(ExitCode.Ok);
    const unlisted = await harness(desired, { "spark-01": new Error("connect ECONNREFUSED"), "spark-02": new Error("connect ECONNREFUSED") }).run({ sandboxes: ["alcie"] });
    expect(unlisted.unmatchedSandboxes.globs).toEqual([]);
    expect(runExitCode(unlisted)).toBe(ExitCode.Unreachable);
  });

  it("a backup Ctrl-C cancels in flight is skipped as interrupted, keeping what it was doing, not failed", async () => {
    const desired = fleet([desiredHost("spark-01")], [policy("nightly", { destination: { kind: "local", path: dir } })]);
    const interrupt = new AbortController();
    const { run } = harness(desired, { "spark-01": observedHost("spark-01", [gateway("nemoclaw", [sandbox("alice"), sandbox("bob")])]) }, async () => {
      interrupt.abort();
      throw new Error("spark-01: cancelled: command cancelled");
    });
    const report = await run({ signal: interrupt.signal });
    expect(report.hosts[0]!.sandboxes.map((s) => [s.sandbox, s.status, s.reason])).toEqual([
      ["alice", "skipped", "interrupted: spark-01: cancelled: command cancelled"],
      ["bob", "skipped", "interrupted"],
    ]);
  });

  it("refuses a drifted host with the block and writes nothing for it, while others go on", async () => {
    const desired = fleet([desiredHost("spark-01"), desiredHost("spark-02")], [policy("nightly", { destination: { kind: "local", path: dir } })]);
    const { calls, run } = harness(desired, {
      "spark-01": observedHost("spark-01", [gateway("nemoclaw", [sandbox("alice")], "0.0.43")]),
      "spark-02": observedHost("spark-02", [gateway("nemoclaw", [sandbox("alice")])]),
    });
    const report = await run();
    expect(calls.map((call) => call.host.name)).toEqual(["spark-02"]);
    const refused = report.hosts.find((host) => host.host === "spark-01")!;
    expect(refused.status).toBe("refused");
    expect(refused.block?.lines[1]).toBe("  OpenShell gateway schema preflight failed before backing up sandboxes.");
    expect(report.hosts.find((host) => host.host === "spark-02")?.status).toBe("ok");
    expect(runExitCode(report)).toBe(ExitCode.PreflightRefused);
  });

  it("never fails a host without OpenShell: nothing selected is nothing to do, declared sandboxes are skipped", async () => {
    const nightly = policy("nightly", { destination: { kind: "local", path: dir } });
    const desired = fleet([desiredHost("spark-01"), desiredHost("spark-02"), desiredHost("spark-03", [{ name: "alice" }])], [nightly]);
    const withoutOpenShell = (name: string): ObservedHost => ({
      ...observedHost(name, []),
      openshell: { state: "known", value: { installed: false, version: null, path: null } },
      gateways: { state: "unknown", reason: "the OpenShell CLI is not installed", excerpt: "" },
    });
    const { calls, run } = harness(desired, {
      "spark-01": observedHost("spark-01", [gateway("nemoclaw", [sandbox("alice")], "0.0.43")]),
      "spark-02": withoutOpenShell("spark-02"),
      "spark-03": withoutOpenShell("spark-03"),
    });
    const report = await run();
    expect(calls).toEqual([]);
    expect(report.hosts.map((host) => [host.host, host.status, host.problems])).toEqual([
      ["spark-01", "refused", []],
      ["spark-02", "ok", []],
      ["spark-03", "ok", []],
    ]);
    expect(report.hosts[2]!.sandboxes.map((s) => [s.sandbox, s.status, s.reason])).toEqual([["alice", "skipped", "declared in the fleet file, but OpenShell is not installed on this host"]]);
    expect(runExitCode(report)).toBe(ExitCode.PreflightRefused);
    expect(runExitCode(await harness(fleet([desiredHost("spark-02")], [nightly]), { "spark-02": withoutOpenShell("spark-02") }).run())).toBe(ExitCode.Ok);
  });

  it("--strict fails non-Ready sandboxes and stops starting hosts after a refusal", async () => {
    const desired = fleet([desiredHost("spark-01"), desiredHost("spark-02")], [policy("nightly", { destination: { kind: "local", path: dir } })]);
    const drifted = harness(desired, {
      "spark-01": observedHost("spark-01", [gateway("nemoclaw", [sandbox("alice")], "0.0.43")]),
      "spark-02": observedHost("spark-02", [gateway("nemoclaw", [sandbox("alice")])]),
    });
    const report = await drifted.run({ strict: true, concurrency: 1 });
    expect(report.hosts.map((host) => host.status)).toEqual(["refused", "not-started"]);
    expect(drifted.calls).toEqual([]);
    expect(runExitCode(report)).toBe(ExitCode.PreflightRefused);

    const notReady = harness(desired, {
      "spark-01": observedHost("spark-01", [gateway("nemoclaw", [sandbox("alice", "Error")])]),
      "spark-02": observedHost("spark-02", [gateway("nemoclaw", [sandbox("alice")])]),
    });
    const strictReport = await notReady.run({ strict: true });
    expect(strictReport.hosts[0]?.sandboxes[0]).toMatchObject({ status: "failed", reason: "not Ready (phase Error)" });
    expect(runExitCode(strictReport)).toBe(ExitCode.Failed);
  });

  it("reports unreachable hosts and gateways whose sandboxes cannot be listed", async () => {
    const desired = fleet([desiredHost("spark-01"), desiredHost("spark-02"), desiredHost("spark-03"), desiredHost("spark-04")], [policy("nightly", { destination: { kind: "local", path: dir } })]);
    const { run } = harness(desired, {
      "spark-01": new TransportError("unreachable", "spark-01", "nvidia@10.0.0.11:22: connection refused"),
      "spark-02": observedHost("spark-02", [gateway("nemoclaw", [sandbox("alice")]), gateway("nemoclaw-8081", null)]),
      "spark-03": { ...observedHost("spark-03", []), unreachable: { kind: "unreachable", message: "the host ran no command (exit 1, no output)" } },
      "spark-04": { ...observedHost("spark-04", []), unreachable: { kind: "probe-failed", message: "the probe exited 2 before it finished" } },
    });
    const report = await run();
    expect(report.hosts[0]).toMatchObject({ status: "unreachable", problems: ["unreachable: nvidia@10.0.0.11:22: connection refused"] });
    expect(report.hosts[1]).toMatchObject({ status: "failed", problems: ["gateway nemoclaw-8081: sandboxes could not be listed (sandbox list timed out)"] });
    expect(report.hosts[1]?.sandboxes.map((s) => s.status)).toEqual(["backed-up"]);
    expect(runExitCode(report)).toBe(ExitCode.Failed);
    // Each says "unreachable" once, with its kind as facts and plan name it.
    expect([0, 2, 3].map((index) => renderRunEvent({ type: "host-done", outcome: report.hosts[index]! }, plain))).toEqual([
      "✗ spark-01: unreachable: nvidia@10.0.0.11:22: connection refused\n",
      "✗ spark-03: unreachable: the host ran no command (exit 1, no output)\n",
      "✗ spark-04: unreachable (probe-failed): the probe exited 2 before it finished\n",
    ]);
  });
});
