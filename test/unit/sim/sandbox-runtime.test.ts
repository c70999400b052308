// Sandboxes are real directory trees entered through real namespaces; the simulator's
// processes are real and stopSimulator kills exactly them; the installer upgrades binaries
// without restarting a running gateway.

import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readSimState, stopSimulator } from "../../sim/index.mjs";
import { type AsUser, type Scenario, type SimHost, startHost, stripAnsi } from "./harness.js";

let host: SimHost | undefined;
async function use(scenario: Scenario, asUser?: AsUser) {
  host = await startHost(scenario, asUser);
  return host;
}
afterEach(async () => {
  await host?.stop();
  host = undefined;
});

function listTar(bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const tar = spawn("tar", ["tvf", "-"]);
    let out = "";
    tar.stdout.on("data", (chunk) => (out += chunk));
    tar.on("error", reject);
    tar.on("close", () => resolve(out));
    tar.stdin.end(bytes);
  });
}

const alive = (pid: number) => {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0];
    return state !== "Z";
  } catch {
    return false;
  }
};

/** A plain user to run as when the tests run as root (proves the simulator works unprivileged). */
const unprivileged: AsUser | undefined = process.getuid?.() === 0 ? { uid: 4321, gid: 4321 } : undefined;

describe("inside a sandbox", { timeout: 60_000 }, () => {
  it("streams a tar of /sandbox out of a real chroot, files owned by the sandbox's root", async () => {
    const h = await use({ gateways: [{ sandboxes: [{ name: "alpha", files: { "/sandbox/.openclaw/workspace/notes.md": "remember this\n" } }] }] });
    const result = await h.run("openshell", ["sandbox", "exec", "-n", "alpha", "--no-tty", "--", "tar", "cf", "-", "-C", "/sandbox", "."]);
    expect(result.code).toBe(0);
    const listing = await listTar(result.stdoutBytes);
    expect(listing).toMatch(/root\/root +\d+ .* \.\/\.openclaw\/openclaw\.json\n/);
    expect(listing).toContain("./.openclaw/workspace/notes.md");
  });

  it("sees only its own processes, with the OpenClaw gateway's pid in the lock file", async () => {
    const h = await use({ gateways: [{ sandboxes: [{ name: "alpha" }, { name: "beta" }] }] });
    const script = "ps -eo pid=,args= | grep openclaw-gateway | grep -v grep; cat /tmp/openclaw-*/gateway.*.lock";
    const result = await h.run("openshell", ["sandbox", "exec", "-n", "alpha", "--", "sh", "-c", script]);
    const [psLine = "", ...lock] = result.stdout.split("\n");
    const pid = Number(psLine.trim().split(" ")[0]);
    expect(psLine.trim()).toMatch(/^\d+ openclaw-gateway infinity$/);
    expect(JSON.parse(lock.join("\n")).pid).toBe(pid);
  });

  it("round-trips files through upload and download", async () => {
    const h = await use({ gateways: [{ sandboxes: [{ name: "alpha" }] }] });
    const local = join(h.home, "payload");
    mkdirSync(join(local, "sub"), { recursive: true });
    writeFileSync(join(local, "sub", "data.txt"), "payload bytes\n");
    const upload = await h.run("openshell", ["sandbox", "upload", "alpha", local, "/sandbox/restore"]);
    expect(upload.code).toBe(0);
    expect(stripAnsi(upload.stderr)).toBe(`Uploading ${local} -> sandbox:/sandbox/restore\n✓ Upload complete\n`);
    const dest = join(h.home, "out");
    const download = await h.run("openshell", ["sandbox", "download", "alpha", "/sandbox/restore/payload", dest]);
    expect(download.code).toBe(0);
    expect(readFileSync(join(dest, "sub", "data.txt"), "utf8")).toBe("payload bytes\n");
  });

  it("runs docker exec into the sandbox container", async () => {
    const h = await use({ gateways: [{ sandboxes: [{ name: "alpha" }] }] });
    const id = (await h.run("docker", ["ps", "-q", "--no-trunc", "--filter", "label=openshell.ai/sandbox-name=alpha"])).stdout.trim();
    const result = await h.run("docker", ["exec", "--user", "root", "--env", "NODE_OPTIONS=", id, "sh", "-c", "grep -c -- --require /tmp/nemoclaw-proxy-env.sh; exit 3"]);
    expect(result).toMatchObject({ code: 3, stdout: "1\n" });
  });

  it("works unprivileged: files keep the user's ownership, a foreign owner still shows as nobody", async () => {
    const h = await use({ gateways: [{ sandboxes: [{ name: "alpha", guards: { wrongOwner: ["/tmp/nemoclaw-proxy-env.sh"] } }] }] }, unprivileged);
    const owner = unprivileged?.uid ?? process.getuid?.();
    expect(statSync(join(h.home, ".nemoclaw/sandboxes.json")).uid).toBe(owner);
    expect(statSync(join(h.home, ".nemoclaw/sandboxes.json")).mode & 0o777).toBe(0o600);
    const result = await h.run("openshell", ["sandbox", "exec", "-n", "alpha", "--", "sh", "-c", "id -u; stat -c '%U %a' /tmp/nemoclaw-proxy-env.sh /tmp/nemoclaw-sandbox-safety-net.js"]);
    expect(result.stdout).toBe("0\nnobody 444\nroot 444\n");
    expect(readSimState({ home: h.home }).processes.every((p) => p.alive)).toBe(true);
  });

  it("shows a foreign owner even when installed without privileges to chown", async () => {
    const user = unprivileged ?? { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
    const h = await startHost({ gateways: [{ sandboxes: [{ name: "alpha", guards: { wrongOwner: ["/tmp/nemoclaw-proxy-env.sh"] } }] }] }, user, { installUnprivileged: true });
    host = h;
    const result = await h.run("openshell", ["sandbox", "exec", "-n", "alpha", "--", "stat", "-c", "%U %a", "/tmp/nemoclaw-proxy-env.sh"]);
    expect(result.stdout).toBe("nobody 444\n");
    // The agent gateway runs, so recover leaves it alone (≥ v0.0.70); gateway restart re-emits the chain.
    expect((await h.run("nemoclaw", ["alpha", "recover"])).stdout).toBe("  Probe complete: OpenClaw gateway is running in 'alpha'.\n");
    expect((await h.run("openshell", ["sandbox", "exec", "-n", "alpha", "--", "stat", "-c", "%U %a", "/tmp/nemoclaw-proxy-env.sh"])).stdout).toBe("nobody 444\n");
    expect((await h.run("nemoclaw", ["alpha", "gateway", "restart"])).code).toBe(0);
    expect((await h.run("openshell", ["sandbox", "exec", "-n", "alpha", "--", "stat", "-c", "%U %a", "/tmp/nemoclaw-proxy-env.sh"])).stdout).toBe("root 444\n");
  });
});

describe("processes", { timeout: 60_000 }, () => {
  it("stopSimulator kills exactly the recorded processes", async () => {
    const h = await use({ gateways: [{ sandboxes: [{ name: "alpha" }] }] });
    const recorded = readSimState({ home: h.home }).processes;
    expect(recorded.map((p) => p.kind).sort()).toEqual(["openclaw-gateway", "openshell-gateway", "sandbox-init", "sandbox-namespace"]);
    const bystander = spawn("sleep", ["30"], { stdio: "ignore" });
    expect(recorded.every((p) => alive(p.pid))).toBe(true);
    await stopSimulator({ home: h.home });
    expect(recorded.some((p) => alive(p.pid))).toBe(false);
    expect(alive(bystander.pid ?? 0)).toBe(true);
    bystander.kill();
  });
});

describe("OpenShell installer", { timeout: 60_000 }, () => {
  const installer = "curl -fsSL https://raw.githubusercontent.com/NVIDIA/OpenShell/main/install.sh";

  it("refuses to cross 0.0.36 → 0.0.37 without the acknowledgement, then installs the packages and the openshell gateway", async () => {
    const h = await use({ openshell: { version: "0.0.36" }, nemoclaw: null, gateways: [{}] });
    const refused = await h.sh(`${installer} | OPENSHELL_VERSION=v0.0.72 sh`);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`openshell: warning: detected existing OpenShell 0.0.36 at ${h.binDir}/openshell\n`);
    expect(refused.stderr).toContain("\nOpenShell 0.0.37 and later are incompatible with gateway\nstate created by earlier releases. Before installing OpenShell v0.0.72, back up\n");
    expect(refused.stderr.endsWith("openshell: error: manual cleanup is required before upgrading from this OpenShell installation\n")).toBe(true);
    expect((await h.run("openshell", ["--version"])).stdout).toBe("openshell 0.0.36\n");

    const acked = await h.sh(`${installer} | OPENSHELL_VERSION=v0.0.72 OPENSHELL_ACK_BREAKING_UPGRADE=1 sh`);
    expect(acked.code).toBe(0);
    expect(acked.stderr).toContain("openshell: warning: continuing because OPENSHELL_ACK_BREAKING_UPGRADE=1 is set\n");
    expect(acked.stderr.endsWith("openshell: openshell status reports connected\n")).toBe(true);
    expect((await h.run("openshell", ["--version"])).stdout).toBe("openshell 0.0.72\n");
    expect((await h.run("openshell-gateway", ["--version"])).stdout).toBe("openshell-gateway 0.0.72\n");
    // The packaged unit's gateway is registered as `openshell` on :17670 and made active.
    expect(stripAnsi((await h.run("openshell", ["status"])).stdout)).toBe(
      "Server Status\n\n  Gateway: openshell\n  Server: https://127.0.0.1:17670\n  Status: Connected\n  Version: 0.0.72\n",
    );
    const image = await h.run("docker", ["inspect", "--type", "container", "--format", "{{.Config.Image}}", "openshell-cluster-nemoclaw"]);
    expect(image.stdout).toBe("ghcr.io/nvidia/openshell/cluster:0.0.36\n");
  });

  it("needs root or sudo", async () => {
    const h = await use({ nemoclaw: null, sudo: "password" }, unprivileged);
    const refused = await h.sh(`${installer} | OPENSHELL_VERSION=v0.0.85 sh`);
    expect(refused.code).toBe(1);
    expect(refused.stderr.endsWith("sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper\nsudo: a password is required\n")).toBe(true);
  });

  it("on a NemoClaw host: NemoClaw's gateway keeps its binary, ~/.local/bin shadows the packages, and `openshell` becomes the active gateway", async () => {
    const h = await use({ openshell: { version: "0.0.72" }, gateways: [{}] });
    const before = readSimState({ home: h.home }).gateways.nemoclaw?.process?.pid;
    expect((await h.sh(`${installer} | OPENSHELL_VERSION=v0.0.85 sh`)).code).toBe(0);
    expect((await h.run("openshell", ["--version"])).stdout).toBe("openshell 0.0.72\n");
    expect(readSimState({ home: h.home }).gateways.nemoclaw?.process?.pid).toBe(before);
    expect(stripAnsi((await h.run("openshell", ["status"])).stdout)).toContain("  Gateway: openshell\n");
    expect(stripAnsi((await h.run("openshell", ["status", "-g", "nemoclaw"])).stdout)).toContain("Version: 0.0.72\n");
  });

  it("fails like curl for any other URL", async () => {
    const h = await use({});
    expect(await h.run("curl", ["-fsSL", "https://example.com/x.sh"])).toMatchObject({ code: 6, stderr: "curl: (6) Could not resolve host: example.com\n" });
  });
});
