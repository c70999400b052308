/**
 * The generated probe run by a real /bin/sh (dash here) and bash against a fake host: a temp HOME
 * with the files the real tools keep, and tiny shell stubs for the external commands. Checks the
 * sectioning, bounded commands, missing binaries, odd output, then the full parse.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assembleHost } from "../../../src/observe/host.js";
import { buildProbeScript, buildSandboxCheckScript, newProbeNonce } from "../../../src/observe/probe.js";
import { checkTargetFor, withSandboxChecked } from "../../../src/observe/sandbox-check.js";
import { parseProbeOutput } from "../../../src/host/probe/sections.js";
import type { ObservedGateway, ObservedHost } from "../../../src/observe/types.js";

const me = userInfo().username;

function write(path: string, text: string, mode = 0o644): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, mode);
}

function stub(path: string, body: string): void {
  write(path, `#!/bin/sh\n${body}\n`, 0o755);
}

/** Runs a probe script the way the transport does: on stdin of `<shell> -s`. */
function runProbe(shell: string, script: string, env: Record<string, string>): { stdout: string; stderr: string; status: number | null } {
  const result = spawnSync(shell, ["-s"], { input: script, env, encoding: "utf8", timeout: 60_000 });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

function observe(stdout: string, nonce: string): ObservedHost {
  return assembleHost("dgx-01", parseProbeOutput(stdout, nonce), { observedAt: "2026-07-08T00:00:00.000Z", durationMs: 1, unreachable: null });
}

function gateway(host: ObservedHost, name: string): ObservedGateway {
  if (host.gateways.state !== "known") throw new Error(`gateways unknown: ${host.gateways.reason}`);
  const found = host.gateways.value.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no gateway ${name}`);
  return found;
}

describe("probe on a fake host", () => {
  let dir: string;
  let home: string;
  let env: Record<string, string>;
  let agentGateway: ChildProcess;
  let hostGateway: ChildProcess;
  let oldGatewayBin: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ncf-probe-"));
    home = join(dir, "home");
    const bin = join(dir, "bin");
    const sandboxRoot = join(dir, "sandbox-root");

    // A live OpenClaw gateway in the sandbox and a live host-process gateway started from an
    // older binary than the one installed now (argv0 names it, like a real exec does).
    agentGateway = spawn("bash", ["-c", "exec -a openclaw-gateway sleep 300"], { stdio: "ignore" });
    oldGatewayBin = join(dir, "old", "openshell-gateway");
    stub(oldGatewayBin, 'echo "openshell-gateway 0.0.69"');
    hostGateway = spawn("bash", ["-c", `exec -a "${oldGatewayBin}" sleep 300`], { stdio: "ignore" });
    await new Promise((resolve) => setTimeout(resolve, 300));

    // Host tools first on PATH; OpenShell and NemoClaw where their installers put them.
    stub(join(bin, "uname"), 'case "$1" in -n) echo dgx-01 ;; -m) echo aarch64 ;; -r) echo 6.8.0-1014-nvidia ;; esac');
    stub(
      join(bin, "docker"),
      [
        'case "$1" in',
        "  info) echo 27.3.1 ;;",
        // A sandbox named cluster-agent (OpenShell 0.0.37–0.0.87 names its container openshell-<sandbox>-<id>) is not a gateway.
        "  ps) case \"$6\" in *Label*) printf 'openshell-cluster-legacy/\\nopenshell-cluster-agent-5b0e8c1d-2f4a-4c6e-9d1b-7a3e2f1c0d9b/openshell\\n' ;; *) printf 'openshell-cluster-legacy\\nopenshell-cluster-agent-5b0e8c1d-2f4a-4c6e-9d1b-7a3e2f1c0d9b\\n' ;; esac ;;",
        '  inspect) case "$4" in *Health*) echo healthy ;; *) printf \'ghcr.io/nvidia/openshell/cluster:0.0.36\\ntrue\\n{"30051/tcp":[{"HostIp":"0.0.0.0","HostPort":"8090"}]}\\nnull\\n\' ;; esac ;;',
        "esac",
      ].join("\n"),
    );
    const openshell = join(home, ".local/bin/openshell");
    stub(
      openshell,
      [
        `ROOT='${sandboxRoot}'`,
        'case "$*" in',
        '  --version) echo "openshell 0.0.72" ;;',
        "  'gateway list -o json') printf '[{\"active\":true,\"auth\":\"plaintext\",\"endpoint\":\"http://127.0.0.1:8080\",\"name\":\"nemoclaw\",\"source\":\"user\",\"type\":\"local\"}]\\n' ;;",
        // OpenShell writes the Gateway:/Status: lines to stderr.
        "  'status -g nemoclaw') echo 'Server Status'; echo; printf '  Gateway: nemoclaw\\n  Server: http://127.0.0.1:8080\\n  Status: Connected\\n' >&2 ;;",
        "  'status -g legacy') printf 'Server Status\\n\\n  Gateway: legacy\\n  Server: https://127.0.0.1:8090\\n  Status: Connected\\n' ;;",
        "  'status -g nemoclaw-8081') printf 'Error:   × transport error\\n  ╰─▶ tcp connect error: Connection refused (os error 111)\\n' >&2; exit 1 ;;",
        "  'status -g nemoclaw-9000') printf 'Error:   × No gateway metadata found\\n' >&2; exit 1 ;;",
        "  'gateway info --name '*) printf 'Gateway Info\\n\\n  Gateway: %s\\n  Gateway endpoint: http://127.0.0.1:8080\\n' \"$4\" ;;",
        "  'sandbox list -g nemoclaw -o json') printf '[\\n  {\\n    \"created_at\": \"2026-07-01 10:00:00\",\\n    \"labels\": {\\n      \"name\": \"decoy\"\\n    },\\n    \"name\": \"alpha\",\\n    \"phase\": \"Ready\"\\n  },\\n  {\\n    \"created_at\": \"2026-07-01 11:00:00\",\\n    \"labels\": {},\\n    \"name\": \"beta\",\\n    \"phase\": \"Provisioning\"\\n  }\\n]\\n' ;;",
        "  'sandbox list -g legacy -o json') printf 'No sandboxes found.' ;;",
        "  'sandbox list -g nemoclaw-8081 -o json') echo 'Error:   × tcp connect error: Connection refused' >&2; exit 1 ;;",
        "  'sandbox list -g nemoclaw-9000 -o json') sleep 30 ;;",
        // In-sandbox commands run for real, against the sandbox's /tmp under ROOT.
        '  "sandbox exec -g nemoclaw -n alpha -- sh -c "*) shift 9; script=$(printf \'%s\' "$1" | sed "s#/tmp/#$ROOT/tmp/#g"); sh -c "$script" | sed "s#$ROOT/tmp/#/tmp/#g" ;;',
        "  'sandbox exec -g nemoclaw -n beta -- sh -c '*) echo \"Error:   × sandbox 'beta' is not ready (phase: Provisioning); wait for it to reach Ready state\" >&2; exit 1 ;;",
        "  *) echo \"unexpected: $*\" >&2; exit 64 ;;",
        "esac",
      ].join("\n"),
    );
    stub(join(home, ".local/bin/openshell-gateway"), 'echo "openshell-gateway 0.0.72"');
    // Output that tries to forge section frames (with a guessed nonce) must stay body text.
    stub(
      join(home, ".local/bin/nemoclaw"),
      "printf 'nemoclaw/0.1.0 linux-arm64 node-v22.19.0\\n@@NCF 00000000000000000000000000000000 END nemoclaw-version rc=0\\n@@NCF 00000000000000000000000000000000 BEGIN fleet-lock\\n{}\\n'",
    );

    // OpenShell CLI registrations, NemoClaw's state, and two host-process gateway state dirs.
    write(join(home, ".config/openshell/active_gateway"), "nemoclaw\n");
    write(join(home, ".config/openshell/gateways/nemoclaw/metadata.json"), '{"name":"nemoclaw","gateway_endpoint":"http://127.0.0.1:8080","is_remote":false,"gateway_port":8080}');
    write(join(home, ".nemoclaw/sandboxes.json"), '{"defaultSandbox":"alpha","sandboxes":{"alpha":{"name":"alpha","gatewayName":"nemoclaw","gatewayPort":8080,"policies":["pypi"]},"ghost":{"name":"ghost","gatewayPort":8081}}}');
    mkdirSync(join(home, ".nemoclaw/sandboxes.json.lock"), { recursive: true });
    // Held by a live NemoClaw command (a live owner, taken just now).
    write(join(home, ".nemoclaw/sandboxes.json.lock/owner"), `${process.pid}\n`);
    write(join(home, ".nemoclaw/state/shields-alpha.json"), '{"shieldsDown":true}');
    write(join(home, ".nemoclaw/state/shields-timer-alpha.json"), '{"pid":1}');
    write(
      join(home, ".nemoclaw/rebuild-backups/alpha/2026-07-01T10-00-00-000Z/rebuild-manifest.json"),
      '{"version":1,"sandboxName":"alpha","timestamp":"2026-07-01T10:00:00.000Z","agentType":"openclaw","agentVersion":"2026.6.10"}',
    );
    mkdirSync(join(home, ".nemoclaw/rebuild-backups/alpha/2026-07-02T10-00-00-000Z"), { recursive: true });
    const state = join(home, ".local/state/nemoclaw");
    write(
      join(state, "openshell-docker-gateway/runtime.json"),
      JSON.stringify({ version: 1, pid: hostGateway.pid, driver: "docker", endpoint: "http://127.0.0.1:8080", gatewayBin: oldGatewayBin, openshellVersion: "0.0.72" }),
    );
    write(join(state, "openshell-docker-gateway/openshell-gateway.pid"), `${hostGateway.pid}\n`);
    write(join(state, "openshell-docker-gateway/openshell-gateway.log"), "INFO openshell_server: Starting OpenShell server\n");
    write(
      join(state, "openshell-docker-gateway-8081/runtime.json"),
      JSON.stringify({ version: 1, pid: 2147483646, driver: "docker", endpoint: "http://127.0.0.1:8081", gatewayBin: oldGatewayBin }, null, 2),
    );
    write(
      join(state, "openshell-docker-gateway-8081/openshell-gateway.log"),
      "Error:   × execution error: migration error: migration 6 was previously applied but is missing in the resolved migrations\n",
    );

    // Inside sandbox alpha: one guard missing, one with the wrong mode, a symlinked one, a live
    // lock owned by the running agent gateway and a stale lock of a process that is gone.
    write(join(sandboxRoot, "tmp/nemoclaw-proxy-env.sh"), "export HTTP_PROXY=http://10.200.0.1:3128\n", 0o444);
    write(join(sandboxRoot, "tmp/real-safety-net.js"), "", 0o644);
    symlinkSync(join(sandboxRoot, "tmp/real-safety-net.js"), join(sandboxRoot, "tmp/nemoclaw-sandbox-safety-net.js"));
    write(join(sandboxRoot, "tmp/openclaw-1000/gateway.live0001.lock"), JSON.stringify({ pid: agentGateway.pid, createdAt: "2026-07-01T10:00:00Z", configPath: "/sandbox/.openclaw/openclaw.json" }));
    write(join(sandboxRoot, "tmp/openclaw-1000/gateway.dead0002.lock"), JSON.stringify({ pid: 2147483645, createdAt: "2026-06-01T10:00:00Z" }));

    env = { HOME: home, PATH: `${bin}:/usr/bin:/bin` };
  });

  afterAll(() => {
    agentGateway.kill();
    hostGateway.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(["/bin/sh", "bash"])("observes everything in one run with %s", { timeout: 60_000 }, (shell) => {
    const nonce = newProbeNonce();
    const script = buildProbeScript({ nonce, gatewayNames: ["nemoclaw", "nemoclaw-9000"], commandTimeoutSec: 2 });
    const result = runProbe(shell, script, env);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const probe = parseProbeOutput(result.stdout, nonce);
    expect(probe.finished).toBe(true);

    // The forged frames stayed inside the nemoclaw-version body.
    expect(probe.all("nemoclaw-version")[0]?.body).toContain("@@NCF 00000000000000000000000000000000 BEGIN fleet-lock");
    expect(probe.all("fleet-lock")).toHaveLength(1);
    // The hung command was bounded, and the probe went on.
    expect(probe.get("sandbox-list", "nemoclaw-9000")?.exitCode).toBe(124);

    const host = observe(result.stdout, nonce);
    expect(host.system).toEqual({
      state: "known",
      value: { hostname: "dgx-01", os: expect.objectContaining({ id: expect.any(String) }), arch: "aarch64", kernel: "6.8.0-1014-nvidia", dgxModel: null },
    });
    expect(host.gpus).toEqual({ state: "known", value: [] });
    expect(host.docker).toEqual({ state: "known", value: { reachable: true, serverVersion: "27.3.1", error: null } });
    expect(host.openshell).toEqual({ state: "known", value: { installed: true, version: "0.0.72", path: join(home, ".local/bin/openshell") } });
    expect(host.gatewayBinary).toEqual({ state: "known", value: { installed: true, version: "0.0.72", path: join(home, ".local/bin/openshell-gateway") } });
    expect(host.nemoclaw).toMatchObject({ state: "known", value: { version: "0.1.0" } });
    expect(host.activeGateway).toEqual({ state: "known", value: "nemoclaw" });
    expect(host.registry).toMatchObject({
      state: "known",
      value: { defaultSandbox: "alpha", locked: true, entries: [{ name: "alpha", policies: ["pypi"] }, { name: "ghost", gatewayName: "nemoclaw-8081" }] },
    });
    expect(host.shields).toEqual({
      state: "known",
      value: [
        { sandbox: "alpha", mode: "temporarily_unlocked" },
        { sandbox: "ghost", mode: "mutable_default" },
      ],
    });
    expect(host.hostBackups).toEqual({
      state: "known",
      value: [
        {
          sandbox: "alpha",
          timestamp: "2026-07-01T10:00:00.000Z",
          name: null,
          path: `${home}/.nemoclaw/rebuild-backups/alpha/2026-07-01T10-00-00-000Z`,
          agentType: "openclaw",
          agentVersion: "2026.6.10",
        },
      ],
    });
    expect(host.fleetLock).toEqual({ state: "known", value: null });

    if (host.gateways.state !== "known") throw new Error(host.gateways.reason);
    // nemoclaw-9000 is expected by the fleet file but nothing on the host knows it.
    expect(host.gateways.value.map((found) => found.name)).toEqual(["legacy", "nemoclaw", "nemoclaw-8081"]);

    const legacy = gateway(host, "legacy");
    expect(legacy).toMatchObject({
      driver: "cluster-container",
      port: 8090,
      registered: false,
      image: "ghcr.io/nvidia/openshell/cluster:0.0.36",
      runningVersion: { state: "known", value: "0.0.36" },
      health: { status: "healthy" },
      sandboxes: { state: "known", value: [] },
    });

    const nemoclaw = gateway(host, "nemoclaw");
    expect(nemoclaw).toMatchObject({
      driver: "host-process",
      port: 8080,
      endpoint: "http://127.0.0.1:8080",
      registered: true,
      // The binary actually running, not the marker's openshellVersion nor the installed one.
      runningVersion: { state: "known", value: "0.0.69" },
      binaryVersion: { state: "known", value: "0.0.69" },
      pid: hostGateway.pid,
      binary: expect.stringMatching(/old\/openshell-gateway$/),
      health: { status: "healthy", fatalMigration: null, protobufMismatch: null },
    });
    if (nemoclaw.sandboxes.state !== "known") throw new Error(nemoclaw.sandboxes.reason);
    const [alpha, beta] = nemoclaw.sandboxes.value;
    expect(alpha).toMatchObject({ name: "alpha", phase: "Ready", createdAt: "2026-07-01 10:00:00" });
    expect(alpha?.guards).toEqual({
      state: "known",
      value: {
        files: [
          { path: "/tmp/nemoclaw-proxy-env.sh", present: true, owner: me, group: expect.any(String), mode: "444", type: expect.stringMatching(/regular/) },
          { path: "/tmp/nemoclaw-sandbox-safety-net.js", present: true, owner: me, group: expect.any(String), mode: "777", type: "symbolic link" },
          { path: "/tmp/nemoclaw-ciao-network-guard.js", present: false, owner: null, group: null, mode: null, type: null },
        ],
        locks: [
          { path: "/tmp/openclaw-1000/gateway.dead0002.lock", pid: 2147483645, stale: true },
          { path: "/tmp/openclaw-1000/gateway.live0001.lock", pid: agentGateway.pid, stale: false },
        ],
        // The host's whole /proc is visible here: other OpenClaw gateways may run beside ours.
        agentGatewayPids: expect.arrayContaining([agentGateway.pid]),
        unreadableLockDirs: [],
      },
    });
    expect(beta).toMatchObject({ name: "beta", phase: "Provisioning", guards: { state: "unknown", reason: expect.stringMatching(/not ready/) } });

    // Crashed on a migration: process gone, log says why.
    expect(gateway(host, "nemoclaw-8081")).toMatchObject({
      driver: "host-process",
      port: 8081,
      registered: false,
      pid: null,
      runningVersion: { state: "known", value: null },
      // Nothing runs; the binary NemoClaw started it from is what crashed.
      binary: oldGatewayBin,
      binaryVersion: { state: "known", value: "0.0.69" },
      health: { status: "unhealthy", fatalMigration: expect.stringMatching(/migration 6 was previously applied but is missing/) },
      sandboxes: { state: "unknown", reason: expect.stringMatching(/refused/) },
    });
  });

  it("without sandbox guards, enters no sandbox but still lists them with their versions", { timeout: 60_000 }, () => {
    const nonce = newProbeNonce();
    const script = buildProbeScript({ nonce, gatewayNames: ["nemoclaw"], commandTimeoutSec: 2, sandboxGuards: false });
    const result = runProbe("/bin/sh", script, env);
    expect(result.status).toBe(0);
    const probe = parseProbeOutput(result.stdout, nonce);
    expect(probe.finished).toBe(true);
    expect(probe.all("sandbox-guards")).toHaveLength(0);
    const host = observe(result.stdout, nonce);
    expect(host.openshell).toMatchObject({ state: "known", value: { version: "0.0.72" } });
    const nemoclaw = gateway(host, "nemoclaw");
    expect(nemoclaw.runningVersion).toEqual({ state: "known", value: "0.0.69" });
    if (nemoclaw.sandboxes.state !== "known") throw new Error(nemoclaw.sandboxes.reason);
    expect(nemoclaw.sandboxes.value[0]).toMatchObject({ name: "alpha", phase: "Ready", guards: { state: "unknown", reason: expect.stringMatching(/did not enter/) } });
  });

  it("a targeted check reads one sandbox again: the gateway's list and that sandbox's inside, nothing else", { timeout: 60_000 }, () => {
    const nonce = newProbeNonce();
    const previous = observe(runProbe("/bin/sh", buildProbeScript({ nonce, gatewayNames: ["nemoclaw"], commandTimeoutSec: 2 }), env).stdout, nonce);
    const target = checkTargetFor(previous, "nemoclaw", "alpha");
    expect(target).toEqual({ gateway: "nemoclaw", sandbox: "alpha", openshellVersion: "0.0.72" });

    // Meanwhile the stale lock was cleared and the missing guard came back.
    const guard = join(dir, "sandbox-root/tmp/nemoclaw-ciao-network-guard.js");
    const stale = join(dir, "sandbox-root/tmp/openclaw-1000/gateway.dead0002.lock");
    write(guard, "", 0o444);
    rmSync(stale);
    try {
      const checkNonce = newProbeNonce();
      const result = runProbe("/bin/sh", buildSandboxCheckScript({ nonce: checkNonce, gatewayNames: ["nemoclaw"], commandTimeoutSec: 2 }, target!), env);
      expect(result.stderr).toBe("");
      const probe = parseProbeOutput(result.stdout, checkNonce);
      expect(probe.finished).toBe(true);
      // Only the list and the one sandbox: no versions, no other gateway, no other sandbox.
      expect(probe.sections.map((section) => `${section.name} ${section.key}`.trim())).toEqual(["meta", "sandbox-list nemoclaw", "sandbox-guards nemoclaw alpha", "done"]);

      const checked = withSandboxChecked(previous, probe, target!, { observedAt: "2026-07-08T00:01:00.000Z", durationMs: 1, unreachable: null });
      const sandboxes = gateway(checked, "nemoclaw").sandboxes;
      if (sandboxes.state !== "known" || sandboxes.value[0]?.guards.state !== "known") throw new Error("alpha's guards unknown");
      expect(sandboxes.value[0].guards.value.files.find((file) => file.path === "/tmp/nemoclaw-ciao-network-guard.js")?.present).toBe(true);
      expect(sandboxes.value[0].guards.value.locks.map((lock) => lock.path)).toEqual(["/tmp/openclaw-1000/gateway.live0001.lock"]);
      // Everything else is the last full observation's.
      const before = gateway(previous, "nemoclaw").sandboxes;
      expect(sandboxes.value[1]).toEqual(before.state === "known" ? before.value[1] : "unknown before");
      expect({ ...checked, gateways: null, observedAt: null }).toEqual({ ...previous, gateways: null, observedAt: null });
      expect(gateway(checked, "legacy")).toEqual(gateway(previous, "legacy"));
    } finally {
      write(stale, JSON.stringify({ pid: 2147483645, createdAt: "2026-06-01T10:00:00Z" }));
      rmSync(guard);
    }
  });

  it("one exec: the script needs nothing but its own stdin", () => {
    const nonce = newProbeNonce();
    const script = buildProbeScript({ nonce, gatewayNames: [], commandTimeoutSec: 2 });
    // Every command's stdin is /dev/null: were any to read stdin, it would eat the rest of the
    // script and `done` would never be reached.
    const result = runProbe("/bin/sh", script, env);
    expect(parseProbeOutput(result.stdout, nonce).finished).toBe(true);
  });
});

describe("probe on a bare host", () => {
  it("reports missing binaries and files as normal, and a hung --version as unknown", () => {
    const dir = mkdtempSync(join(tmpdir(), "ncf-bare-"));
    try {
      const bin = join(dir, "bin");
      stub(join(bin, "uname"), 'case "$1" in -n) printf bare ;; -m) echo x86_64 ;; -r) echo 6.1.0 ;; esac');
      stub(join(bin, "docker"), "echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2; exit 1");
      stub(join(bin, "openshell"), "sleep 30");
      const nonce = newProbeNonce();
      const script = buildProbeScript({ nonce, gatewayNames: ["nemoclaw"], commandTimeoutSec: 1 });
      const result = runProbe("/bin/sh", script, { HOME: join(dir, "home"), PATH: `${bin}:/usr/bin:/bin` });
      const probe = parseProbeOutput(result.stdout, nonce);
      expect(probe.finished).toBe(true);
      // Output without a trailing newline comes back exactly.
      expect(probe.get("hostname")?.body).toBe("bare");
      expect(probe.get("nvidia-smi")).toMatchObject({ absent: true, exitCode: null });

      const host = observe(result.stdout, nonce);
      expect(host.docker).toEqual({
        state: "known",
        value: { reachable: false, serverVersion: null, error: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" },
      });
      expect(host.openshell).toMatchObject({ state: "unknown", reason: expect.stringMatching(/--version` timed out/) });
      expect(host.gatewayBinary).toEqual({ state: "known", value: { installed: false, version: null, path: null } });
      expect(host.nemoclaw).toEqual({ state: "known", value: { installed: false, version: null, path: null } });
      expect(host.registry).toEqual({ state: "known", value: { defaultSandbox: null, entries: [], locked: false } });
      expect(host.activeGateway).toEqual({ state: "known", value: null });
      expect(host.hostBackups).toEqual({ state: "known", value: [] });
      // The gateway the file wants answered nothing and left no trace: no gateway.
      expect(host.gateways).toEqual({ state: "known", value: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("probe of NemoClaw's registry lock", () => {
  // Every NemoClaw release with the lock breaks sandboxes.json.lock at once when its owner pid is
  // not running, or when it has no owner and is older than 10 s (#1033): such a lock holds nothing.
  // A live owner's lock is held (only releases from #4922 also break it by age).
  it.each([
    ["a live owner, taken just now: held", `${process.pid}\n`, 0, true],
    ["an owner that is no longer running: not held", "2147483645\n", 0, false],
    ["a live owner, taken a minute ago: held", `${process.pid}\n`, 60, true],
    ["no owner yet, taken just now: held", null, 0, true],
    ["no owner, taken a minute ago: not held", null, 60, false],
  ])("%s", (_name, owner, ageSeconds, held) => {
    const dir = mkdtempSync(join(tmpdir(), "ncf-reglock-"));
    try {
      const lock = join(dir, "home", ".nemoclaw", "sandboxes.json.lock");
      mkdirSync(lock, { recursive: true });
      if (owner !== null) write(join(lock, "owner"), owner);
      const when = new Date(Date.now() - ageSeconds * 1000);
      utimesSync(lock, when, when);
      const nonce = newProbeNonce();
      const result = runProbe("/bin/sh", buildProbeScript({ nonce, gatewayNames: [], commandTimeoutSec: 1 }), { HOME: join(dir, "home"), PATH: "/usr/bin:/bin" });
      expect(observe(result.stdout, nonce).registry).toEqual({ state: "known", value: { defaultSandbox: null, entries: [], locked: held } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("probe script", () => {
  it("refuses names that could break out of the script", () => {
    expect(() => buildProbeScript({ nonce: newProbeNonce(), gatewayNames: ["a;rm -rf /"] })).toThrow(/invalid gateway name/);
    expect(() => buildProbeScript({ nonce: "short", gatewayNames: [] })).toThrow(/nonce/);
  });

  it("never puts the nonce where a command could see it", () => {
    const nonce = newProbeNonce();
    const script = buildProbeScript({ nonce, gatewayNames: [] });
    expect(script.split(nonce)).toHaveLength(2);
    expect(script).toContain(`NCF_NONCE=${nonce}`);
    expect(script).not.toMatch(/export\s+NCF_NONCE/);
  });
});
