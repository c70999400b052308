/**
 * Authentication and host keys against real OpenSSH hosts: agent and key files (ed25519, ECDSA,
 * RSA, encrypted with a passphrase), known_hosts policies (strict, accept-new, hashed entries,
 * @revoked, a changed key), and ~/.ssh/config including a ProxyJump chain.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFleet } from "../../src/config/load.js";
import type { DesiredHost, SecretRef, SshConnectionSettings } from "../../src/config/types.js";
import { openConnection, type ConnectOptions } from "../../src/transport/connect.js";
import { ConnectionPool } from "../../src/transport/pool.js";
import { TransportError } from "../../src/transport/types.js";
import { startFleet, type TestFleet } from "../fleet/index.mjs";

let fleet: TestFleet;
let work: string;
/** A home with no ~/.ssh, so no default identity or user config can help by accident. */
let emptyHome: string;
const keys: Record<string, string> = {};
const PASSPHRASE = "correct horse battery staple";

function keygen(name: string, type: string, passphrase = ""): void {
  const file = join(work, name);
  const bits = type === "rsa" ? ["-b", "3072"] : type === "ecdsa" ? ["-b", "256"] : [];
  execFileSync("ssh-keygen", ["-q", "-t", type, ...bits, "-N", passphrase, "-C", name, "-f", file]);
  keys[name] = file;
}

function fingerprintOf(publicKeyFile: string): string {
  const blob = Buffer.from(readFileSync(publicKeyFile, "utf8").trim().split(/\s+/)[1] ?? "", "base64");
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

function hostWith(name: string, change: Partial<SshConnectionSettings>): DesiredHost {
  const base = fleet.fleetHost(name) as DesiredHost;
  if (base.connection.kind !== "ssh") throw new Error("expected ssh");
  return { ...base, connection: { ...base.connection, ...change } };
}

async function whoami(host: DesiredHost, options: ConnectOptions = {}): Promise<string> {
  const connection = await openConnection(host, { home: emptyHome, retries: 0, ...options });
  try {
    return (await connection.run({ argv: ["id", "-un"] })).stdout.toString().trim();
  } finally {
    await connection.close();
  }
}

function userOf(name: string): string {
  return fleet.hosts.find((h) => h.name === name)!.user;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "nemoclaw-auth-"));
  emptyHome = join(work, "home");
  mkdirSync(emptyHome);
  keygen("id_ecdsa", "ecdsa");
  keygen("id_rsa", "rsa");
  keygen("id_encrypted", "ed25519", PASSPHRASE);
  keygen("id_stranger", "ed25519");
  fleet = await startFleet({
    hosts: [{ name: "keys-1" }, { name: "hk-1" }, { name: "hk-2" }, { name: "far-1", behindBastion: true }],
    bastion: true,
    agent: true,
    authorizedKeys: ["id_ecdsa", "id_rsa", "id_encrypted"].map((name) => readFileSync(`${keys[name]}.pub`, "utf8").trim()),
  });
});

afterAll(async () => {
  await fleet?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("authentication", () => {
  it("authenticates with a key held by a real ssh-agent", async () => {
    const host = hostWith("keys-1", { identityFiles: [], agent: fleet.agentSocket! });
    expect(await whoami(host)).toBe(userOf("keys-1"));
  });

  it("refuses to connect without any credential and says why", async () => {
    const host = hostWith("keys-1", { identityFiles: [], agent: false });
    await expect(whoami(host)).rejects.toMatchObject({ kind: "auth-failed", host: "keys-1", cause_: expect.stringMatching(/: no credentials to offer: no agent and no identity file$/) });
  });

  it.each(["id_ecdsa", "id_rsa"])("authenticates with an identity file (%s)", async (name) => {
    expect(await whoami(hostWith("keys-1", { identityFiles: [keys[name]!] }))).toBe(userOf("keys-1"));
  });

  it("authenticates with an ed25519 identity file", async () => {
    expect(await whoami(hostWith("keys-1", {}))).toBe(userOf("keys-1"));
  });

  it("decrypts an encrypted key with the passphrase from its secret reference", async () => {
    const asked: SecretRef[] = [];
    const resolveSecret = async (ref: SecretRef) => {
      asked.push(ref);
      return PASSPHRASE;
    };
    const host = hostWith("keys-1", { identityFiles: [keys.id_encrypted!], passphrase: { kind: "env", name: "DGX_KEY_PASSPHRASE" } });
    expect(await whoami(host, { resolveSecret })).toBe(userOf("keys-1"));
    expect(asked).toEqual([{ kind: "env", name: "DGX_KEY_PASSPHRASE" }]);
  });

  it("decrypts an encrypted key once per run for every host that uses it", async () => {
    let asked = 0;
    const resolveSecret = async () => {
      asked += 1;
      return PASSPHRASE;
    };
    const names = ["keys-1", "hk-1", "hk-2"];
    const hosts = names.map((name) => hostWith(name, { identityFiles: [keys.id_encrypted!], passphrase: { kind: "env", name: "DGX_KEY_PASSPHRASE" }, agent: false }));
    const pool = new ConnectionPool(hosts, { home: emptyHome, retries: 0, resolveSecret });
    try {
      const users = await Promise.all(names.map(async (name) => (await (await pool.get(name)).run({ argv: ["id", "-un"] })).stdout.toString().trim()));
      expect(users).toEqual(names.map(userOf));
      expect(asked).toBe(1);
    } finally {
      await pool.closeAll();
    }
  });

  it("uses an encrypted key through an agent that holds it, never decrypting the file", async () => {
    const socket = join(work, "encrypted-agent.sock");
    const agent = spawn("ssh-agent", ["-D", "-a", socket], { stdio: "ignore" });
    try {
      for (let i = 0; i < 100 && !existsSync(socket); i++) await sleep(20);
      const askpass = join(work, "askpass.sh");
      writeFileSync(askpass, `#!/bin/sh\necho '${PASSPHRASE}'\n`, { mode: 0o700 });
      execFileSync("ssh-add", ["-q", keys.id_encrypted!], { env: { ...process.env, SSH_AUTH_SOCK: socket, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: "force", DISPLAY: ":0" }, stdio: "ignore" });
      const host = hostWith("keys-1", { identityFiles: [keys.id_encrypted!], agent: socket });
      expect(await whoami(host)).toBe(userOf("keys-1"));
      // With a passphrase configured as well, the agent's copy is used and the file is never decrypted.
      let asked = 0;
      const resolveSecret = async () => {
        asked += 1;
        return PASSPHRASE;
      };
      const withPassphrase = hostWith("keys-1", { identityFiles: [keys.id_encrypted!], agent: socket, passphrase: { kind: "env", name: "DGX_KEY_PASSPHRASE" } });
      expect(await whoami(withPassphrase, { resolveSecret })).toBe(userOf("keys-1"));
      expect(asked).toBe(0);
    } finally {
      agent.kill();
    }
  });

  it("never prompts for an encrypted key: it reports the key it could not use", async () => {
    const host = hostWith("keys-1", { identityFiles: [keys.id_encrypted!] });
    const error = (await whoami(host).catch((e: unknown) => e)) as TransportError;
    expect(error.kind).toBe("auth-failed");
    expect(error.message).toContain(`${keys.id_encrypted}: encrypted and no passphrase configured`);
  });

  it("reports a wrong passphrase", async () => {
    const host = hostWith("keys-1", { identityFiles: [keys.id_encrypted!], passphrase: { kind: "env", name: "X" } });
    const error = (await whoami(host, { resolveSecret: async () => "wrong" }).catch((e: unknown) => e)) as TransportError;
    expect(error.kind).toBe("auth-failed");
    expect(error.message).toContain("the configured passphrase does not decrypt it");
  });

  it("reports a key the host does not accept as an authentication failure", async () => {
    const error = (await whoami(hostWith("keys-1", { identityFiles: [keys.id_stranger!] })).catch((e: unknown) => e)) as TransportError;
    expect(error).toBeInstanceOf(TransportError);
    expect(error.kind).toBe("auth-failed");
    expect(error.message).toMatch(/^keys-1: auth-failed: /);
  });
});

describe("an agent holding many keys (sshd allows 6 tries)", () => {
  let socket: string;
  let agent: ChildProcess;
  const addToAgent = (file: string) => execFileSync("ssh-add", ["-q", file], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: "ignore" });

  beforeAll(async () => {
    socket = join(work, "crowded-agent.sock");
    agent = spawn("ssh-agent", ["-D", "-a", socket], { stdio: "ignore" });
    for (let i = 0; i < 100 && !existsSync(socket); i++) await sleep(20);
    for (let i = 0; i < 7; i++) {
      keygen(`id_crowd_${i}`, "ed25519");
      addToAgent(keys[`id_crowd_${i}`]!);
    }
  });
  afterAll(() => agent?.kill());

  it("offers the agent's copy of the host's identity file before its other keys, as ssh does", async () => {
    addToAgent(keys.id_ecdsa!);
    try {
      expect(await whoami(hostWith("keys-1", { identityFiles: [keys.id_ecdsa!], agent: socket }))).toBe(userOf("keys-1"));
    } finally {
      execFileSync("ssh-add", ["-q", "-d", keys.id_ecdsa!], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: "ignore" });
    }
  });

  it("offers none of the agent's other keys under IdentitiesOnly (~/.ssh/config or the fleet file)", async () => {
    const home = join(work, "identities-only-home");
    mkdirSync(join(home, ".ssh"), { recursive: true });
    writeFileSync(join(home, ".ssh", "config"), "Host *\n  IdentitiesOnly yes\n");
    const host = hostWith("keys-1", { identityFiles: [keys.id_rsa!], agent: socket, useSshConfig: true, explicit: { port: true, user: true } });
    expect(await whoami(host, { home })).toBe(userOf("keys-1"));
    // The fleet file's identitiesOnly does the same without any ssh config.
    expect(await whoami(hostWith("keys-1", { identityFiles: [keys.id_rsa!], agent: socket, identitiesOnly: true }))).toBe(userOf("keys-1"));
    // Without it, the agent's seven keys come first and sshd gives up before the identity file.
    const error = (await whoami(host, { home: emptyHome }).catch((e: unknown) => e)) as TransportError;
    expect(error.kind).toBe("auth-failed");
    expect(error.message).toContain("Too many authentication failures (every key offered counts against sshd's MaxAuthTries");
  });
});

describe("host keys", () => {
  it("refuses an unknown host key by default, naming its fingerprint", async () => {
    const empty = join(work, "known_hosts_empty");
    writeFileSync(empty, "");
    const error = (await whoami(hostWith("hk-1", { knownHostsFiles: [empty] })).catch((e: unknown) => e)) as TransportError;
    expect(error.kind).toBe("host-key-unknown");
    expect(error.message).toContain(fingerprintOf(fleet.hosts.find((h) => h.name === "hk-1")!.hostKeyFile));
  });

  it("accepts and records a new key with accept-new, then knows it strictly", async () => {
    const file = join(work, "known_hosts_new");
    const first = hostWith("hk-1", { knownHostsFiles: [file], hostKeyChecking: "accept-new" });
    expect(await whoami(first)).toBe(userOf("hk-1"));
    const hk1 = fleet.hosts.find((h) => h.name === "hk-1")!;
    const recorded = readFileSync(file, "utf8");
    expect(recorded).toBe(`[127.0.0.1]:${hk1.port} ${readFileSync(hk1.hostKeyFile, "utf8").split(" ").slice(0, 2).join(" ")}\n`);
    expect(await whoami(hostWith("hk-1", { knownHostsFiles: [file] }))).toBe(userOf("hk-1"));
  });

  it("records a new key under a hashed name where ~/.ssh/config sets HashKnownHosts", async () => {
    const home = join(work, "hashing-home");
    mkdirSync(join(home, ".ssh"), { recursive: true });
    writeFileSync(join(home, ".ssh", "config"), "Host *\n  HashKnownHosts yes\n");
    const file = join(work, "known_hosts_hashing");
    const hk1 = fleet.hosts.find((h) => h.name === "hk-1")!;
    const asConfigured = { knownHostsFiles: [file], useSshConfig: true, explicit: { port: true, user: true } };
    expect(await whoami(hostWith("hk-1", { ...asConfigured, hostKeyChecking: "accept-new" }), { home })).toBe(userOf("hk-1"));
    const recorded = readFileSync(file, "utf8");
    expect(recorded).toMatch(/^\|1\|\S+ ssh-ed25519 \S+\n$/);
    expect(recorded).not.toContain("127.0.0.1");
    // OpenSSH finds it, and nemoclaw knows the host strictly from it.
    expect(execFileSync("ssh-keygen", ["-F", `[127.0.0.1]:${hk1.port}`, "-f", file], { encoding: "utf8" })).toContain(readFileSync(hk1.hostKeyFile, "utf8").split(" ")[1]);
    expect(await whoami(hostWith("hk-1", asConfigured), { home })).toBe(userOf("hk-1"));
    expect(readFileSync(file, "utf8")).toBe(recorded);
  });

  it("knows a host listed only in a GlobalKnownHostsFile, as ssh does, and never writes there", async () => {
    const home = join(work, "global-home");
    mkdirSync(join(home, ".ssh"), { recursive: true });
    const global = join(work, "ssh_known_hosts_global");
    copyFileSync(fleet.knownHostsFile, global);
    writeFileSync(join(home, ".ssh", "config"), `Host *\n  GlobalKnownHostsFile ${join(work, "unreadable-dir")}/x ${global}\n`);
    mkdirSync(join(work, "unreadable-dir", "x"), { recursive: true });
    const empty = join(work, "known_hosts_user_empty");
    writeFileSync(empty, "");
    const asConfigured = { knownHostsFiles: [empty], useSshConfig: true, explicit: { port: true, user: true } };
    expect(await whoami(hostWith("hk-1", asConfigured), { home })).toBe(userOf("hk-1"));
    expect(readFileSync(empty, "utf8")).toBe("");
  });

  it("takes UserKnownHostsFile none as no file: accept-new records nothing, in no file named none", async () => {
    const home = join(work, "none-home");
    mkdirSync(join(home, ".ssh"), { recursive: true });
    writeFileSync(join(home, ".ssh", "config"), "Host *\n  UserKnownHostsFile none\n  StrictHostKeyChecking accept-new\n  GlobalKnownHostsFile none\n");
    const cwd = process.cwd();
    const dir = mkdtempSync(join(work, "cwd-"));
    process.chdir(dir);
    try {
      const host = hostWith("hk-1", { useSshConfig: true, explicit: { port: true, user: true, knownHostsFiles: false, hostKeyChecking: false } });
      const error = (await whoami(host, { home }).catch((e: unknown) => e)) as TransportError;
      expect(error.kind).toBe("host-key-unknown");
      expect(error.message).toContain("accept-new needs a known_hosts file");
      expect(existsSync(join(dir, "none"))).toBe(false);
    } finally {
      process.chdir(cwd);
    }
  });

  it("matches hashed known_hosts entries", async () => {
    const hashed = join(work, "known_hosts_hashed");
    copyFileSync(fleet.knownHostsFile, hashed);
    execFileSync("ssh-keygen", ["-q", "-H", "-f", hashed]);
    expect(readFileSync(hashed, "utf8")).toMatch(/^\|1\|/);
    expect(await whoami(hostWith("hk-1", { knownHostsFiles: [hashed] }))).toBe(userOf("hk-1"));
  });

  it("refuses a key marked @revoked even with accept-new", async () => {
    const hk1 = fleet.hosts.find((h) => h.name === "hk-1")!;
    const revoked = join(work, "known_hosts_revoked");
    writeFileSync(revoked, `@revoked * ${readFileSync(hk1.hostKeyFile, "utf8")}`);
    const error = (await whoami(hostWith("hk-1", { knownHostsFiles: [revoked], hostKeyChecking: "accept-new" })).catch((e: unknown) => e)) as TransportError;
    expect(error.kind).toBe("host-key-changed");
    expect(error.message).toContain("@revoked");
  });

  it("always refuses a changed host key, naming the host and both fingerprints", async () => {
    const hk2 = fleet.hosts.find((h) => h.name === "hk-2")!;
    const before = fingerprintOf(hk2.hostKeyFile);
    await fleet.rotateHostKey("hk-2");
    const after = fingerprintOf(hk2.hostKeyFile);
    expect(after).not.toBe(before);
    for (const hostKeyChecking of ["strict", "accept-new"] as const) {
      const error = (await whoami(hostWith("hk-2", { hostKeyChecking })).catch((e: unknown) => e)) as TransportError;
      expect(error.kind).toBe("host-key-changed");
      expect(error.host).toBe("hk-2");
      expect(error.message).toContain(before);
      expect(error.message).toContain(after);
      expect(error.message.split("\n")).toHaveLength(1);
    }
    expect(readFileSync(fleet.knownHostsFile, "utf8")).not.toContain(readFileSync(hk2.hostKeyFile, "utf8").split(" ")[1]);
  });
});

describe("jump host connections shared by the hosts behind them", () => {
  it("are shared only by hosts that verify and authenticate the jump host alike", async () => {
    const far = fleet.fleetHost("far-1") as DesiredHost;
    if (far.connection.kind !== "ssh") throw new Error("expected ssh");
    // The same bastion, written as a plain hop: host B's known_hosts does not list it, host A's does.
    const empty = join(work, "shared-jump-empty");
    writeFileSync(empty, "");
    const a: DesiredHost = { ...far, name: "far-a" };
    const b: DesiredHost = { ...far, name: "far-b", connection: { ...far.connection, knownHostsFiles: [empty] } };
    const pool = new ConnectionPool([a, b], { home: emptyHome, retries: 0 });
    try {
      await expect(pool.get("far-b")).rejects.toMatchObject({ kind: "host-key-unknown", host: "far-b" });
      const connection = await pool.get("far-a");
      expect((await connection.run({ argv: ["id", "-un"] })).stdout.toString().trim()).toBe(userOf("far-1"));
    } finally {
      await pool.closeAll();
    }
  });
});

describe("~/.ssh/config", () => {
  it("fills in HostName, Port, User, IdentityFile and a ProxyJump chain", async () => {
    const home = join(work, "config-home");
    mkdirSync(join(home, ".ssh", "conf.d"), { recursive: true });
    copyFileSync(keys.id_ecdsa!, join(home, ".ssh", "lab_key"));
    const far = fleet.hosts.find((h) => h.name === "far-1")!;
    const bastion = fleet.bastion!;
    writeFileSync(join(home, ".ssh", "config"), ["Include conf.d/*.conf", "Host *", "  IdentityFile ~/.ssh/lab_key", ""].join("\n"));
    writeFileSync(
      join(home, ".ssh", "conf.d", "lab.conf"),
      [
        "Host lab-far",
        `  HostName ${far.address}`,
        `  Port ${far.port}`,
        `  User ${far.user}`,
        "  ProxyJump lab-bastion",
        "Host lab-bastion",
        `  HostName ${bastion.address}`,
        `  Port=${bastion.port}`,
        `  User ${bastion.user}`,
        // The jump host's own known_hosts file: the target's knownHostsFiles are not the jump's (ssh -J).
        `  UserKnownHostsFile ${fleet.knownHostsFile}`,
        "",
      ].join("\n"),
    );
    // Nothing wrote this host's port or user, so the config's Port and User apply.
    const host = hostWith("far-1", {
      address: "lab-far",
      port: 22,
      user: userInfo().username,
      identityFiles: [],
      proxyJump: [],
      useSshConfig: true,
      explicit: { port: false, user: false },
    });
    const forwardsBefore = await fleet.forwardCount();
    expect(await whoami(host, { home })).toBe(far.user);
    expect(await fleet.forwardCount()).toBe(forwardsBefore + 1);
  });

  describe("a jump host named in ~/.ssh/config is verified and authenticated with its own settings, as ssh -J does", () => {
    /** known_hosts lines of the test fleet for one host. */
    const knownLinesOf = (name: string): string => {
      const test = name === "bastion" ? fleet.bastion! : fleet.hosts.find((h) => h.name === name)!;
      const blob = readFileSync(test.hostKeyFile, "utf8").split(/\s+/)[1]!;
      return `${readFileSync(fleet.knownHostsFile, "utf8").split("\n").filter((line) => line.includes(blob)).join("\n")}\n`;
    };
    const jumpHome = (name: string, bastionLines: string[]): string => {
      const home = join(work, name);
      mkdirSync(join(home, ".ssh"), { recursive: true });
      copyFileSync(keys.id_ecdsa!, join(home, ".ssh", "lab_key"));
      const far = fleet.hosts.find((h) => h.name === "far-1")!;
      const bastion = fleet.bastion!;
      writeFileSync(
        join(home, ".ssh", "config"),
        ["Host lab-far", `  HostName ${far.address}`, `  Port ${far.port}`, `  User ${far.user}`, "  ProxyJump lab-bastion", "Host lab-bastion", `  HostName ${bastion.address}`, `  Port ${bastion.port}`, `  User ${bastion.user}`, "  IdentityFile ~/.ssh/lab_key", "  GlobalKnownHostsFile none", ...bastionLines, ""].join("\n"),
      );
      return home;
    };
    const farThroughConfig = (change: Partial<SshConnectionSettings>) =>
      hostWith("far-1", { address: "lab-far", proxyJump: [], useSshConfig: true, explicit: { port: false, user: false }, ...change });

    it("its UserKnownHostsFile and IdentityFile, not the target's", async () => {
      const home = jumpHome("own-known-hosts", ["  IdentitiesOnly yes", "  UserKnownHostsFile ~/.ssh/bastion_known"]);
      writeFileSync(join(home, ".ssh", "bastion_known"), knownLinesOf("bastion"));
      // The target's known_hosts lists only the target; its identity file is the fleet's.
      const farOnly = join(home, "far_known");
      writeFileSync(farOnly, knownLinesOf("far-1"));
      expect(await whoami(farThroughConfig({ knownHostsFiles: [farOnly], agent: false }), { home })).toBe(userOf("far-1"));
    });

    it("never the target's accept-new: an unknown jump host is refused, named, and not recorded", async () => {
      const home = jumpHome("no-accept-new", ["  UserKnownHostsFile ~/.ssh/bastion_known"]);
      writeFileSync(join(home, ".ssh", "bastion_known"), "");
      const targetKnown = join(home, "target_known");
      writeFileSync(targetKnown, "");
      const error = (await whoami(farThroughConfig({ hostKeyChecking: "accept-new", knownHostsFiles: [targetKnown], agent: false }), { home }).catch((e: unknown) => e)) as TransportError;
      expect(error).toBeInstanceOf(TransportError);
      expect(error.kind).toBe("host-key-unknown");
      expect(error.host).toBe("far-1");
      expect(error.message).toMatch(/^far-1: host-key-unknown: via jump host lab-bastion \(.*\): host key for lab-bastion \(.*\) is not in .*bastion_known: .* or use StrictHostKeyChecking accept-new for lab-bastion in ~\/\.ssh\/config$/);
      expect(readFileSync(targetKnown, "utf8")).toBe("");
      expect(readFileSync(join(home, ".ssh", "bastion_known"), "utf8")).toBe("");
      // Its own StrictHostKeyChecking accept-new records it, in its own file.
      const accepting = jumpHome("own-accept-new", ["  UserKnownHostsFile ~/.ssh/bastion_known", "  StrictHostKeyChecking accept-new"]);
      writeFileSync(join(accepting, ".ssh", "bastion_known"), "");
      const farKnown = join(accepting, "far_known");
      writeFileSync(farKnown, knownLinesOf("far-1"));
      expect(await whoami(farThroughConfig({ knownHostsFiles: [farKnown], agent: false }), { home: accepting })).toBe(userOf("far-1"));
      expect(readFileSync(join(accepting, ".ssh", "bastion_known"), "utf8")).toContain(readFileSync(fleet.bastion!.hostKeyFile, "utf8").split(/\s+/)[1]);
      expect(readFileSync(farKnown, "utf8")).toBe(knownLinesOf("far-1"));
    });
  });
});

describe("an inventory's jump host, dialled as Ansible's ssh dials it", () => {
  /** The real `ansible` (scripts/install-test-deps.sh installs it) running `id -un` on far-1; the raw module needs no Python on the host. */
  const ansibleOnFar = (inventory: string): Promise<{ code: number; output: string }> =>
    new Promise((resolve) => {
      // No ControlMaster: a persistent master would outlive the test and carry the next run past its jump host.
      const env = { ...process.env, ANSIBLE_HOME: join(work, "ansible"), ANSIBLE_SSH_ARGS: "-C -o ControlMaster=no", ANSIBLE_LOCAL_TEMP: join(work, "ansible", "tmp"), ANSIBLE_NOCOLOR: "1" };
      execFile("ansible", ["-i", inventory, "far-1", "-m", "raw", "-a", "id -un"], { cwd: work, env }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, output: stdout + stderr });
      });
    });
  const farFromInventory = async (inventory: string): Promise<DesiredHost> => {
    const { fleet: loaded } = await loadFleet({ inventories: [inventory], cwd: work });
    return loaded.hosts.find((h) => h.name === "far-1")!;
  };

  it("reaches the host through a ProxyCommand that gives the bastion its own key and known_hosts file, as ansible does", async () => {
    expect(await whoami(await farFromInventory(fleet.inventoryPath))).toBe(userOf("far-1"));
    const ansible = await ansibleOnFar(fleet.inventoryPath);
    expect([ansible.code, ansible.output]).toEqual([0, expect.stringContaining(userOf("far-1"))]);
  });

  it("gives a -J jump host none of the target's key and known_hosts file: both refuse the unknown bastion", async () => {
    const far = fleet.hosts.find((h) => h.name === "far-1")!;
    const bastion = fleet.bastion!;
    const inventory = join(work, "jump-without-own-settings.ini");
    writeFileSync(
      inventory,
      `far-1 ansible_host=${far.address} ansible_port=${far.port} ansible_user=${far.user} ansible_ssh_private_key_file=${fleet.identityFile} ansible_ssh_common_args='-o UserKnownHostsFile=${fleet.knownHostsFile} -o StrictHostKeyChecking=yes -J ${bastion.user}@${bastion.address}:${bastion.port}'\n`,
    );
    const error = (await whoami(await farFromInventory(inventory)).catch((e: unknown) => e)) as TransportError;
    expect(error).toBeInstanceOf(TransportError);
    expect(error.message).toMatch(new RegExp(`^far-1: host-key-unknown: via jump host ${bastion.address} \\(.*\\): host key for ${bastion.address} .* is not in ${join(emptyHome, ".ssh", "known_hosts")}: `));
    // The target's known_hosts file lists the bastion's key: the refusal says so, and what to do.
    expect(error.message).toContain(`${fleet.knownHostsFile} lists it, but that is the known_hosts file of the host behind it`);
    const ansible = await ansibleOnFar(inventory);
    expect([ansible.code, ansible.output]).toEqual([4, expect.stringContaining("Host key verification failed")]);
  });

  it("refuses a -J jump host that only the target's key would let in, naming that key file and what to do", async () => {
    const far = fleet.hosts.find((h) => h.name === "far-1")!;
    const bastion = fleet.bastion!;
    // The bastion's host key is known to its own ssh (its ~/.ssh/config), its login key is not.
    const home = join(work, "home-bastion-known");
    mkdirSync(join(home, ".ssh"), { recursive: true });
    writeFileSync(join(home, ".ssh", "config"), `Host ${bastion.address}\n  UserKnownHostsFile ${fleet.knownHostsFile}\n  IdentityAgent none\n`);
    const inventory = join(work, "jump-without-own-key.ini");
    writeFileSync(
      inventory,
      `far-1 ansible_host=${far.address} ansible_port=${far.port} ansible_user=${far.user} ansible_ssh_private_key_file=${fleet.identityFile} ansible_ssh_common_args='-o UserKnownHostsFile=${fleet.knownHostsFile} -J ${bastion.user}@${bastion.address}:${bastion.port}'\n`,
    );
    const error = (await whoami(await farFromInventory(inventory), { home }).catch((e: unknown) => e)) as TransportError;
    expect(error).toBeInstanceOf(TransportError);
    expect(error.kind).toBe("auth-failed");
    expect(error.message).toMatch(new RegExp(`^far-1: auth-failed: via jump host ${bastion.address} `));
    expect(error.message).toContain(`The key files of the host behind it (${fleet.identityFile}) are not offered to a jump host`);
  });
});

