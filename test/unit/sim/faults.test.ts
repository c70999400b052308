// Every fault knob of the scenario format produces the outputs the real tools give for it.

import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hostStateDigest, readSimState } from "../../sim/index.mjs";
import { hostsPerTest, stripAnsi } from "./harness.js";

const REFUSED = "Error:   × transport error\n  ├─▶ tcp connect error\n  ╰─▶ Connection refused (os error 111)\n\n";
const HTTP_REFUSED = "Error:   × client error (Connect)\n  ├─▶ tcp connect error\n  ╰─▶ Connection refused (os error 111)\n\n";
const DAEMON_DOWN = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n";

const use = hostsPerTest();

const recovery = (command: string) => [
  "",
  "  Refusing to trust OpenShell sandbox state while the host CLI and gateway schema may be out of sync.",
  "  No sandbox data was changed.",
  "",
  "  Recovery:",
  "    1. Run `nemoclaw onboard --resume` to repair or recreate the NemoClaw gateway with the installed OpenShell version.",
  `    2. Rerun \`${command}\` after \`openshell status\` reports a healthy NemoClaw gateway.`,
  "",
];

describe("schema drift", { timeout: 60_000 }, () => {
  it("host-process: an old gateway binary still running refuses backup-all with the exact block", async () => {
    const h = await use({ openshell: { version: "0.0.72" }, gateways: [{ version: "0.0.43", sandboxes: [{ name: "alpha" }] }] });
    const binary = `${h.home}/.fleet-sim/opt/openshell-0.0.43/openshell-gateway`;
    expect((await h.run(binary, ["--version"])).stdout).toBe("openshell-gateway 0.0.43\n");
    expect((await h.run("openshell-gateway", ["--version"])).stdout).toBe("openshell-gateway 0.0.72\n");
    expect(stripAnsi((await h.run("openshell", ["status"])).stdout)).toContain("Version: 0.0.43\n");
    const before = await hostStateDigest({ home: h.home });
    const result = await h.run("nemoclaw", ["backup-all"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      [
        "",
        "  OpenShell gateway schema preflight failed before backing up registered sandboxes.",
        "  Installed OpenShell: 0.0.72",
        `  Running gateway binary: ${binary} (0.0.43)`,
        ...recovery("nemoclaw backup-all"),
        "  If gateway recreation is required, preserve sandbox state first; do not delete sandbox volumes or backups until `openshell status` reports a healthy NemoClaw gateway on the installed OpenShell version.",
        "",
      ].join("\n"),
    );
    expect(existsSync(join(h.home, ".nemoclaw/rebuild-backups"))).toBe(false);
    expect(await hostStateDigest({ home: h.home })).toBe(before);
  });

  it("cluster-container: an old cluster image refuses backup-all with the image variant", async () => {
    const h = await use({ openshell: { version: "0.0.36" }, gateways: [{ version: "0.0.30", sandboxes: [{ name: "alpha" }] }] });
    const result = await h.run("nemoclaw", ["backup-all"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      [
        "",
        "  OpenShell gateway schema preflight failed before backing up registered sandboxes.",
        "  Installed OpenShell: 0.0.36",
        "  Running gateway image: ghcr.io/nvidia/openshell/cluster:0.0.30 (0.0.30)",
        ...recovery("nemoclaw backup-all"),
        "  If gateway recreation is required, preserve sandbox state first; do not remove `openshell-cluster-nemoclaw` Docker volumes unless you have a backup and explicitly accept state loss.",
        "",
      ].join("\n"),
    );
  });

  it("onboard repairs a drifted host-process gateway; --resume after a completed onboarding finds no session", async () => {
    const h = await use({ openshell: { version: "0.0.72" }, gateways: [{ version: "0.0.44", sandboxes: [{ name: "alpha" }] }] });
    const env = { NEMOCLAW_PROVIDER: "ollama" };
    const resume = await h.run("nemoclaw", ["onboard", "--non-interactive", "--resume", "--yes-i-accept-third-party-software", "--name", "alpha"], { env });
    expect(resume.code).toBe(1);
    expect(resume.stderr).toBe(
      "  No resumable onboarding session was found.\n  --resume only continues an interrupted onboarding run.\n  To change configuration on an existing sandbox, rebuild it:\n    nemoclaw onboard\n",
    );
    const result = await h.run("nemoclaw", ["onboard", "--non-interactive", "--yes-i-accept-third-party-software", "--name", "alpha"], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("  Stopping OpenShell gateway 'nemoclaw' (openshell-gateway 0.0.44) to restart it on 0.0.72...\n");
    expect(stripAnsi((await h.run("openshell", ["status"])).stdout)).toContain("Version: 0.0.72\n");
    expect((await h.run("nemoclaw", ["backup-all"])).code).toBe(0);
  });
});

describe("gateway faults", { timeout: 60_000 }, () => {
  it("a gateway that crashed on a newer database logs the migration error but stays registered", async () => {
    const h = await use({ openshell: { version: "0.0.85" }, gateways: [{ fatalMigration: 6, sandboxes: [{ name: "alpha" }] }] });
    const stateDir = join(h.home, ".local/state/nemoclaw/openshell-docker-gateway");
    const log = readFileSync(join(stateDir, "openshell-gateway.log"), "utf8");
    expect(log).toContain("Error:   × execution error: migration error: migration 6 was previously applied but is missing in the resolved migrations\n");
    const pid = Number(readFileSync(join(stateDir, "openshell-gateway.pid"), "utf8"));
    expect(JSON.parse(readFileSync(join(stateDir, "runtime.json"), "utf8")).pid).toBe(pid);
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(stripAnsi((await h.run("openshell", ["gateway", "list"])).stdout)).toContain("* nemoclaw  http://127.0.0.1:8080");
    const status = await h.run("openshell", ["status"]);
    expect(status.code).toBe(1);
    expect(status.stderr.endsWith(HTTP_REFUSED)).toBe(true);
  });

  it("a fatal migration in the log while a process still answers (a naive status check passes)", async () => {
    const h = await use({ openshell: { version: "0.0.85" }, statusOutput: "stdout", gateways: [{ state: "running", fatalMigration: 6, dbMigration: 5 }] });
    const status = await h.run("openshell", ["status"]);
    expect(status.code).toBe(0);
    expect(stripAnsi(status.stdout)).toContain("  Status: Connected\n");
    const log = readFileSync(join(h.home, ".local/state/nemoclaw/openshell-docker-gateway/openshell-gateway.log"), "utf8");
    expect(log.trimEnd().split("\n").pop()).toBe("Error:   × execution error: migration error: migration 6 was previously applied but is missing in the resolved migrations");
  });

  it("a registered gateway that does not answer gives the transport errors", async () => {
    const h = await use({ gateways: [{ unreachable: true, sandboxes: [{ name: "alpha" }] }] });
    expect(await h.run("openshell", ["sandbox", "list"])).toMatchObject({ code: 1, stdout: "", stderr: REFUSED });
    const create = await h.run("openshell", ["sandbox", "create", "--name", "beta"]);
    expect(create.stderr).toBe(
      "Error:   × failed to connect to gateway 'nemoclaw' at http://127.0.0.1:8080. Start\n  │ the gateway service with the installed package manager, or register a\n  │ different endpoint with `openshell gateway add <endpoint>`.\n  ├─▶ transport error\n  ├─▶ tcp connect error\n  ╰─▶ Connection refused (os error 111)\n\n",
    );
  });

  it("an unreachable gateway answers again once its hung process is replaced", async () => {
    const h = await use({ gateways: [{ unreachable: true, sandboxes: [{ name: "alpha" }] }] });
    const pid = readFileSync(join(h.home, ".local/state/nemoclaw/openshell-docker-gateway/openshell-gateway.pid"), "utf8").trim();
    await h.run("kill", [pid]);
    await h.sh(`while kill -0 ${pid} 2>/dev/null; do sleep 0.05; done`);
    const onboard = await h.run("nemoclaw", ["onboard", "--non-interactive"], { env: { NEMOCLAW_SANDBOX_NAME: "alpha", NVIDIA_INFERENCE_API_KEY: "nvapi-k", NEMOCLAW_ACCEPT_THIRD_PARTY_SOFTWARE: "1" } });
    expect(onboard.code, onboard.stdout + onboard.stderr).toBe(0);
    expect((await h.run("openshell", ["sandbox", "list"])).code).toBe(0);
  });

  it("a killed host-process gateway is stopped", async () => {
    const h = await use({ gateways: [{ sandboxes: [{ name: "alpha" }] }] });
    const pid = readFileSync(join(h.home, ".local/state/nemoclaw/openshell-docker-gateway/openshell-gateway.pid"), "utf8").trim();
    expect(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0]).toBe(`${h.home}/.local/bin/openshell-gateway`);
    await h.run("kill", [pid]);
    await h.sh(`while kill -0 ${pid} 2>/dev/null; do sleep 0.05; done`);
    expect((await h.run("openshell", ["sandbox", "list"])).stderr).toBe(REFUSED);
  });

  it("protobuf mismatch output from state-reading commands, and the mismatch block", async () => {
    const h = await use({ gateways: [{ protobufMismatch: true, sandboxes: [{ name: "alpha" }] }] });
    const list = await h.run("openshell", ["sandbox", "list"]);
    expect(list.code).toBe(1);
    expect(list.stderr).toBe(
      `Error:   × code: 'Internal error', message: "failed to decode Protobuf message:\n  │ Sandbox.metadata: SandboxResponse.sandbox: invalid wire type value: 6"\n\n`,
    );
    const backup = await h.run("nemoclaw", ["backup-all"]);
    expect(backup.code).toBe(1);
    const lines = backup.stderr.split("\n");
    expect(lines.slice(0, 4)).toEqual([
      "",
      "  OpenShell gateway/schema mismatch was detected while backing up registered sandboxes.",
      "  Installed OpenShell: 0.0.72",
      "  NemoClaw saw protobuf/schema mismatch output from OpenShell.",
    ]);
    expect(lines[4]).toBe(`  OpenShell output: Error: × code: 'Internal error', message: "failed to decode Protobuf message: │ Sandbox.metadata: SandboxResponse.sandbox: invalid wire type value: 6"`);
  });

  it("Docker daemon down", async () => {
    const h = await use({ docker: { daemon: "down" } });
    expect(await h.run("docker", ["ps"])).toMatchObject({ code: 1, stderr: DAEMON_DOWN });
    const info = await h.run("docker", ["info", "--format", "{{.ServerVersion}}"]);
    expect(info).toMatchObject({ code: 1, stdout: "", stderr: DAEMON_DOWN });
  });

  it("tools that are not installed are simply absent", async () => {
    const h = await use({ openshell: null, nemoclaw: null, nvidiaSmi: "absent" });
    for (const tool of ["openshell", "openshell-gateway", "nemoclaw", "nvidia-smi"]) {
      const lookup = await h.sh(`command -v ${tool}`);
      expect(lookup.code).not.toBe(0);
      expect(lookup.stdout).toBe("");
    }
    expect((await h.sh("openshell --version")).code).toBe(127);
    expect((await h.sh("command -v docker")).stdout).toBe(`${h.binDir}/docker\n`);
  });

  it("a slow command is delayed and the delay recorded", async () => {
    const h = await use({ gateways: [{}], faults: { slow: [{ match: "^openshell sandbox list", delayMs: 30 }] } });
    await h.run("openshell", ["--version"]);
    await h.run("openshell", ["sandbox", "list"]);
    const calls = readSimState({ home: h.home }).calls;
    expect(calls.map((c) => [c.argv.join(" "), c.delayMs])).toEqual([
      ["--version", undefined],
      ["sandbox list", 30],
    ]);
  });

  it("another gateway active and per-port gateways: backup-all only sees the selected one", async () => {
    const h = await use({
      gateways: [
        { port: 8080, sandboxes: [{ name: "alpha" }] },
        { port: 8081, sandboxes: [{ name: "beta" }] },
      ],
      activeGateway: "nemoclaw",
    });
    expect(stripAnsi((await h.run("openshell", ["gateway", "list"])).stdout)).toContain("  nemoclaw-8081  http://127.0.0.1:8081");
    const result = await h.run("nemoclaw", ["backup-all"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("  Skipping 'beta' (not running)\n");
    expect(result.stdout).toContain("  Pre-upgrade backup: 1 backed up, 0 failed, 1 skipped\n");
    const other = await h.run("openshell", ["sandbox", "list", "-g", "nemoclaw-8081"]);
    expect(stripAnsi(other.stdout)).toContain("beta ");
  });

  it("before v0.0.65 snapshots find a per-port gateway's sandbox only when OPENSHELL_GATEWAY names that gateway; from v0.0.65 on its own", async () => {
    const gateways = [
      { port: 8080, sandboxes: [{ name: "alpha" }] },
      { port: 8081, sandboxes: [{ name: "beta" }] },
    ];
    const old = await use({ nemoclaw: { version: "0.0.64" }, gateways, activeGateway: "nemoclaw" });
    expect(await old.run("nemoclaw", ["beta", "snapshot", "create", "--name", "one"])).toMatchObject({
      code: 1,
      stdout: "  Creating snapshot of 'beta' (--name one)...\n",
      stderr: "  Sandbox 'beta' is not running. Cannot create snapshot.\n",
    });
    const pinned = { env: { OPENSHELL_GATEWAY: "nemoclaw-8081" } };
    expect((await old.run("nemoclaw", ["beta", "snapshot", "create", "--name", "one"], pinned)).code).toBe(0);
    expect(await old.run("nemoclaw", ["beta", "snapshot", "restore", "one", "--yes"])).toMatchObject({ code: 1, stderr: "  Sandbox 'beta' is not running. Cannot restore snapshot.\n" });
    expect((await old.run("nemoclaw", ["beta", "snapshot", "restore", "one", "--yes"], pinned)).code).toBe(0);
    await old.stop();
    const current = await use({ nemoclaw: { version: "0.0.65" }, gateways, activeGateway: "nemoclaw" });
    expect((await current.run("nemoclaw", ["beta", "snapshot", "create", "--name", "one"])).code).toBe(0);
  });
});

describe("sandbox faults", { timeout: 60_000 }, () => {
  const statGuards = "stat -c '%U %G %a %n' /tmp/nemoclaw-proxy-env.sh /tmp/nemoclaw-sandbox-safety-net.js /tmp/nemoclaw-ciao-network-guard.js 2>&1; cat /tmp/openclaw-*/gateway.*.lock; ps -eo args= | grep -c '^openclaw-gateway' || true";

  it("missing, wrong-mode and foreign-owned guards and a stale gateway lock, then recover relaunches with the whole guard chain (≥ v0.0.70)", async () => {
    const h = await use({
      gateways: [
        {
          sandboxes: [
            {
              name: "alpha",
              staleLock: true,
              guards: {
                missing: ["/tmp/nemoclaw-proxy-env.sh"],
                wrongMode: ["/tmp/nemoclaw-sandbox-safety-net.js"],
                wrongOwner: ["/tmp/nemoclaw-ciao-network-guard.js"],
              },
            },
          ],
        },
      ],
    });
    const before = await h.run("openshell", ["sandbox", "exec", "-n", "alpha", "--", "sh", "-c", statGuards]);
    expect(before.stdout).toContain("stat: cannot statx '/tmp/nemoclaw-proxy-env.sh': No such file or directory\n");
    expect(before.stdout).toContain("root root 644 /tmp/nemoclaw-sandbox-safety-net.js\n");
    expect(before.stdout).toMatch(/nobody nogroup 444 \/tmp\/nemoclaw-ciao-network-guard.js\n/);
    expect(before.stdout).toContain('"pid": 4242');
    expect(before.stdout.trim().endsWith("0")).toBe(true);

    const recover = await h.run("nemoclaw", ["alpha", "recover"]);
    expect(recover).toMatchObject({ code: 0, stdout: "  Probe complete: recovered OpenClaw gateway in 'alpha'.\n", stderr: "" });
    const log = await h.run("openshell", ["sandbox", "exec", "-n", "alpha", "--", "cat", "/tmp/gateway.log"]);
    expect(log.stdout).toContain("[gateway-recovery] WARNING: /tmp guard chain missing or unsafe - restoring library guards from packaged preloads (#2478/#2701)\n");
    const after = await h.run("openshell", ["sandbox", "exec", "-n", "alpha", "--", "sh", "-c", `${statGuards}; kill -0 "$(sed -n 's/.*"pid": \\([0-9]*\\).*/\\1/p' /tmp/openclaw-*/gateway.*.lock)" && echo lock-owner-alive`]);
    expect(after.stdout).toContain("root root 444 /tmp/nemoclaw-proxy-env.sh\nroot root 444 /tmp/nemoclaw-sandbox-safety-net.js\nroot root 444 /tmp/nemoclaw-ciao-network-guard.js\n");
    expect(after.stdout).not.toContain('"pid": 4242');
    expect(after.stdout).toContain("1\nlock-owner-alive\n");
    expect((await h.run("nemoclaw", ["alpha", "recover"])).stdout).toBe("  Probe complete: OpenClaw gateway is running in 'alpha'.\n");
  });

  it("refuses an unguarded relaunch when the packaged preloads are gone", async () => {
    const h = await use({ gateways: [{ sandboxes: [{ name: "alpha", agentGateway: "stopped", guards: { missing: "all" }, preloadsMissing: ["sandbox-safety-net.js"] }] }] });
    const result = await h.run("nemoclaw", ["alpha", "recover"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "  Probe failed: OpenClaw gateway is not running in 'alpha' and automatic recovery failed.\n  Check /tmp/gateway.log inside the sandbox for details.\n  Retry the managed restart from the host:\n    nemoclaw alpha gateway restart\n  If the sandbox image is incompatible or restart still fails, rebuild it:\n    nemoclaw alpha rebuild --yes\n",
    );
    expect(readSimState({ home: h.home }).processes.some((p) => p.kind === "openclaw-gateway")).toBe(false);
  });

  it("a sandbox registered but absent from its gateway, recovered by rebuild", async () => {
    const h = await use({ gateways: [{ sandboxes: [{ name: "alpha" }, { name: "ghost", live: false }] }] });
    const status = await h.run("nemoclaw", ["ghost", "status"]);
    expect(status.code).toBe(1);
    const recover = await h.run("nemoclaw", ["ghost", "recover"]);
    expect(recover.code).toBe(1);
    expect(recover.stderr).toContain("  Sandbox 'ghost' is registered locally, but is not present in the live OpenShell gateway.\n  Your local registry entry has been preserved — nothing was removed.\n");
    expect(status.stdout).toContain("  Sandbox 'ghost' is registered locally, but is not present in the live OpenShell gateway.\n");
    const json = JSON.parse((await h.run("nemoclaw", ["ghost", "status", "--json"])).stdout);
    expect(json).toMatchObject({ found: true, gatewayState: "missing", phase: null });
    const rebuild = await h.run("nemoclaw", ["ghost", "rebuild", "--yes"]);
    expect(rebuild.code).toBe(0);
    expect(rebuild.stdout).toContain("⚠ Sandbox 'ghost' is registered locally but absent from the live OpenShell gateway.\n  No live workspace state to back up — recreating from the preserved registry metadata.\n");
    expect(rebuild.stdout).toContain("Recovered from a stale registry entry");
    expect(stripAnsi((await h.run("openshell", ["sandbox", "list"])).stdout)).toMatch(/\nghost +\S+ \S+ +Ready\n/);
  });

  it("before v0.0.63 rebuild refuses a sandbox absent from its gateway and changes nothing", async () => {
    const h = await use({ nemoclaw: { version: "0.0.50" }, gateways: [{ sandboxes: [{ name: "alpha" }, { name: "ghost", live: false }] }] });
    const before = await hostStateDigest({ home: h.home });
    const rebuild = await h.run("nemoclaw", ["ghost", "rebuild", "--yes"]);
    expect(rebuild.code).toBe(1);
    expect(rebuild.stderr).toBe("  Sandbox 'ghost' is not running. Cannot back up state.\n  Start it first or recreate with `nemoclaw onboard --recreate-sandbox`.\n");
    expect(await hostStateDigest({ home: h.home })).toBe(before);
  });

  it("the arm64 image-tar upload 404, the hints of a cluster-era NemoClaw, and the local-registry workaround", async () => {
    const h = await use({ arch: "aarch64", openshell: { version: "0.0.36" }, gateways: [{}], faults: { arm64UploadFailure: true } });
    writeFileSync(join(h.home, "Dockerfile"), "FROM ghcr.io/nvidia/openshell-community/sandboxes/base:latest\nRUN true\n");
    const create = await h.run("openshell", ["sandbox", "create", "--no-bootstrap", "--from", "Dockerfile", "--name", "alpha"]);
    expect(create.code).toBe(1);
    expect(create.stderr).toMatch(/^Building image \x1b\[36mopenshell\/sandbox-from:(\d+)\x1b\[39m from /);
    expect(create.stderr.endsWith(
      "  [progress] Exporting image " + /openshell\/sandbox-from:\d+/.exec(create.stderr)?.[0] +
        "\nError:   × failed to upload image tar into container\n  ╰─▶ Docker responded with status code 404: No such container: openshell-cluster-nemoclaw\n\n",
    )).toBe(true);
    const tag = /openshell\/sandbox-from:\d+/.exec(create.stderr)?.[0] ?? "";

    const onboard = await h.run("nemoclaw", ["onboard", "--non-interactive", "--yes-i-accept-third-party-software", "--name", "beta"], { env: { NEMOCLAW_PROVIDER: "ollama" } });
    expect(onboard.code).toBe(1);
    expect(onboard.stdout).toContain("  Error:   × failed to upload image tar into container\n");
    // The workaround hints came with #4934 (first in the v0.0.61 release notes), long after the cluster
    // era: a cluster-era release leaves the failure unclassified (NC@e2db5ed7^:src/lib/build-context.ts:46-87).
    expect(onboard.stderr).toContain("  Recovery: nemoclaw onboard --resume\n  Or:      nemoclaw onboard\n");
    expect(onboard.stderr).not.toContain("docker run -d -p 5000:5000");
    expect(onboard.stderr).not.toContain("Hint:");

    expect((await h.run("docker", ["run", "-d", "-p", "5000:5000", "--restart=always", "--name", "registry", "registry:2"])).stdout).toMatch(/^[0-9a-f]{64}\n$/);
    expect((await h.run("docker", ["tag", tag, `localhost:5000/${tag}`])).code).toBe(0);
    const push = await h.run("docker", ["push", `localhost:5000/${tag}`]);
    expect(push.stdout).toContain(`The push refers to repository [localhost:5000/openshell/sandbox-from]\n`);
    const retry = await h.run("openshell", ["sandbox", "create", "--no-bootstrap", "--from", `localhost:5000/${tag}`, "--name", "alpha", "--", "env", "nemoclaw-start"]);
    expect(retry.code).toBe(0);
    expect(stripAnsi(retry.stdout)).toContain("Created sandbox: alpha\n");
  });
});

describe("registry lock", { timeout: 60_000 }, () => {
  it("a held lock is visible; an old one is stale and NemoClaw breaks it", async () => {
    const h = await use({ gateways: [{ sandboxes: [{ name: "alpha" }] }], registryLock: { owner: "alive", ageSeconds: 30 } });
    const lockDir = join(h.home, ".nemoclaw/sandboxes.json.lock");
    const owner = Number(readFileSync(join(lockDir, "owner"), "utf8"));
    expect(readSimState({ home: h.home }).processes).toContainEqual(expect.objectContaining({ pid: owner, kind: "registry-lock-owner", alive: true }));
    const result = await h.run("nemoclaw", ["alpha", "destroy", "--yes"]);
    expect(result).toMatchObject({ code: 0, stdout: "  ✓ Sandbox 'alpha' destroyed\n" });
    expect(existsSync(lockDir)).toBe(false);
    expect(JSON.parse(readFileSync(join(h.home, ".nemoclaw/sandboxes.json"), "utf8")).sandboxes).toEqual({});
    expect(readdirSync(join(h.home, ".nemoclaw"))).not.toContain("sandboxes.json.lock");
  });
});

describe("inference route", { timeout: 60_000 }, () => {
  it("from v0.0.78 status proves the in-sandbox route and exits 1 when it fails; the fault breaks it once NemoClaw changes the sandbox", async () => {
    const h = await use({ nemoclaw: { version: "0.0.124" }, gateways: [{ sandboxes: [{ name: "alpha" }, { name: "beta" }] }], faults: { inferenceBreaksOnChange: ["alpha"] } });
    const before = await h.run("nemoclaw", ["alpha", "status", "--json"]);
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toMatchObject({ phase: "Ready", gatewayState: "present", inferenceHealth: { ok: true, endpoint: "https://inference.local/v1/models" } });
    expect((await h.run("nemoclaw", ["alpha", "policy-add", "npm", "--yes"])).code).toBe(0);
    const after = await h.run("nemoclaw", ["alpha", "status", "--json"]);
    expect(after.code).toBe(1);
    expect(JSON.parse(after.stdout)).toMatchObject({
      phase: "Ready",
      inferenceHealth: {
        ok: false,
        failureLabel: "unreachable",
        detail: "Inference gateway unreachable on https://inference.local/v1/models from inside the sandbox. DNS may have failed or the openclaw gateway / auth proxy is not running.",
      },
    });
    expect((await h.run("nemoclaw", ["alpha", "status"])).code).toBe(1);
    // Only the faulted sandbox, and only once changed.
    expect((await h.run("nemoclaw", ["beta", "status", "--json"])).code).toBe(0);
  });

  it("before v0.0.78 the host-side probe cannot see a broken in-sandbox route: status exits 0", async () => {
    const h = await use({ nemoclaw: { version: "0.0.76" }, gateways: [{ sandboxes: [{ name: "alpha" }] }], faults: { inferenceBreaksOnChange: ["alpha"] } });
    expect((await h.run("nemoclaw", ["alpha", "policy-add", "npm", "--yes"])).code).toBe(0);
    const status = await h.run("nemoclaw", ["alpha", "status", "--json"]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).inferenceHealth).toBeNull();
  });
});
