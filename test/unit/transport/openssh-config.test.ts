/**
 * Reading `ssh -G`: what is reported as not honoured, against OpenSSH's defaults and the
 * distribution's; and one `ssh -G` for every host when the configuration gives them all the same settings.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OpenSshConfig } from "../../../src/transport/openssh-config.js";
import type { ConfigReader } from "../../../src/transport/ssh-config-alike.js";

/** The account's files: ~/.ssh/config holds `userConfig`; there is no system file. */
function files(userConfig: string): ConfigReader {
  return {
    home: "/home/ops",
    readText: async (path) => {
      if (path === "/home/ops/.ssh/config") return userConfig;
      throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
    },
    listDir: async () => [],
  };
}

/** A configuration whose settings depend on the host, so every host is asked about on its own. */
const BY_HOST = files("Host spark-*\n  User nvidia\n");

/** A stand-in for `ssh -G` answering from tables: built-in defaults, /etc/ssh/ssh_config, the user's config. */
function fakeSsh(tables: { builtIn: string; system: string | null; host: string }): (args: string[]) => Promise<string> {
  return async (args) => {
    const file = args[args.indexOf("-F") + 1];
    if (args.includes("-F") && file === "/dev/null") return tables.builtIn;
    if (args.includes("-F") && file === "/etc/ssh/ssh_config") {
      if (tables.system === null) throw Object.assign(new Error("ssh: Can't open user config file /etc/ssh/ssh_config"), { code: 255 });
      return tables.system;
    }
    return tables.host;
  };
}

const BUILT_IN = "user ops\nport 22\nsendenv\ngssapiauthentication no\n";
const DEBIAN = "user ops\nport 22\nsendenv LANG\nsendenv LC_*\ngssapiauthentication yes\n";

describe("OpenSshConfig", () => {
  it("does not report what the distribution's ssh_config sets for every host", async () => {
    const config = new OpenSshConfig(fakeSsh({ builtIn: BUILT_IN, system: DEBIAN, host: `${DEBIAN}hostname 10.0.0.5\n` }), BY_HOST);
    expect((await config.lookup({ alias: "spark-01" })).unsupported).toEqual([]);
  });

  it("reports a keyword it cannot honour when the user's config sets it beyond those defaults", async () => {
    const config = new OpenSshConfig(fakeSsh({ builtIn: BUILT_IN, system: DEBIAN, host: "user ops\nport 22\nsendenv LANG\nsendenv LC_*\ngssapiauthentication yes\ncertificatefile /home/ops/.ssh/id_cert.pub\n" }), BY_HOST);
    expect((await config.lookup({ alias: "spark-01" })).unsupported).toEqual(["certificatefile /home/ops/.ssh/id_cert.pub"]);
  });

  it("without a system ssh_config, compares with OpenSSH's own defaults", async () => {
    const config = new OpenSshConfig(fakeSsh({ builtIn: BUILT_IN, system: null, host: DEBIAN }), BY_HOST);
    expect((await config.lookup({ alias: "spark-01" })).unsupported).toEqual(["sendenv LANG,LC_*", "gssapiauthentication yes"]);
  });

  it("takes HashKnownHosts and IdentitiesOnly from OpenSSH's own ssh -G", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nemoclaw-openssh-hash-"));
    try {
      const hashing = join(dir, "hashing");
      const plain = join(dir, "plain");
      writeFileSync(hashing, "Host spark-*\n  HashKnownHosts yes\n  IdentitiesOnly yes\n");
      writeFileSync(plain, "Host spark-*\n  HashKnownHosts no\n");
      const everyHost = join(dir, "every-host");
      writeFileSync(everyHost, "Host *\n  HashKnownHosts yes\n");
      const config = new OpenSshConfig();
      expect(await config.lookup({ alias: "spark-01", configFile: hashing })).toMatchObject({ hashKnownHosts: true, identitiesOnly: true });
      expect(await config.lookup({ alias: "dgx-01", configFile: hashing })).not.toHaveProperty("hashKnownHosts");
      expect(await config.lookup({ alias: "dgx-01", configFile: hashing })).not.toHaveProperty("identitiesOnly");
      expect((await config.lookup({ alias: "spark-01", configFile: plain })).hashKnownHosts).toBeUndefined();
      // Every host alike: one shared `ssh -G` answers for all of them.
      expect((await config.lookup({ alias: "dgx-01", configFile: everyHost })).hashKnownHosts).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes UserKnownHostsFile none as no file and GlobalKnownHostsFile from OpenSSH's own ssh -G", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nemoclaw-openssh-kh-"));
    try {
      const file = join(dir, "config");
      writeFileSync(file, "Host spark-*\n  UserKnownHostsFile none\n  GlobalKnownHostsFile /etc/ssh/fleet_known_hosts\nHost dgx-*\n  GlobalKnownHostsFile none\n");
      const config = new OpenSshConfig();
      const spark = await config.lookup({ alias: "spark-01", configFile: file });
      expect(spark).toMatchObject({ knownHostsFiles: [], globalKnownHostsFiles: ["/etc/ssh/fleet_known_hosts"], unsupported: [] });
      expect(await config.lookup({ alias: "dgx-01", configFile: file })).toMatchObject({ globalKnownHostsFiles: [], unsupported: [] });
      // OpenSSH's defaults (~/.ssh/known_hosts, /etc/ssh/ssh_known_hosts and their "2" files) are not configured values.
      const other = await config.lookup({ alias: "other", configFile: file });
      expect(other).not.toHaveProperty("knownHostsFiles");
      expect(other).not.toHaveProperty("globalKnownHostsFiles");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("asks ssh -G once for every host when the configuration gives them all the same settings", async () => {
    const calls: string[][] = [];
    const anyHost = "host nemoclaw-defaults.invalid\nuser ops\nhostname nemoclaw-defaults.invalid\nport 22\nidentityfile ~/.ssh/fleet\nproxyjump gate.lab\n";
    const ssh = fakeSsh({ builtIn: BUILT_IN, system: DEBIAN, host: anyHost });
    const config = new OpenSshConfig(async (args) => {
      calls.push(args);
      return ssh(args);
    }, files("Host *\n  IdentityFile ~/.ssh/fleet\n  ProxyJump gate.lab\n"));
    const [first, second, third] = await Promise.all([
      config.lookup({ alias: "spark-01" }),
      config.lookup({ alias: "Spark-02", user: "nvidia", port: 2222 }),
      config.lookup({ alias: "10.0.0.7", port: 22 }),
    ]);
    expect(calls.filter((args) => !args.includes("-F"))).toEqual([["-G", "--", "nemoclaw-defaults.invalid"]]);
    expect(first).toEqual({ identityFiles: ["~/.ssh/fleet"], proxyJump: "gate.lab", unsupported: [] });
    // ssh lowercases the host name it dials; -l and -p win over the configuration.
    expect(second).toEqual({ hostName: "spark-02", user: "nvidia", port: 2222, identityFiles: ["~/.ssh/fleet"], proxyJump: "gate.lab", unsupported: [] });
    expect(third).toEqual({ identityFiles: ["~/.ssh/fleet"], proxyJump: "gate.lab", unsupported: [] });
  });

  it("asks the shared ssh -G while the configuration files are still being read", async () => {
    const calls: string[][] = [];
    let release = (): void => undefined;
    const filesRead = new Promise<void>((resolve) => (release = resolve));
    const slowFiles = files("Host *\n  IdentityFile ~/.ssh/fleet\n");
    const ssh = fakeSsh({ builtIn: BUILT_IN, system: DEBIAN, host: "user ops\nport 22\nidentityfile ~/.ssh/fleet\n" });
    const config = new OpenSshConfig(
      async (args) => {
        calls.push(args);
        return ssh(args);
      },
      { ...slowFiles, readText: async (path) => filesRead.then(() => slowFiles.readText(path)) },
    );
    const answer = config.lookup({ alias: "spark-01" });
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toContainEqual(["-G", "--", "nemoclaw-defaults.invalid"]);
    release();
    expect(await answer).toEqual({ identityFiles: ["~/.ssh/fleet"], unsupported: [] });
    expect(calls.filter((args) => !args.includes("-F"))).toEqual([["-G", "--", "nemoclaw-defaults.invalid"]]);
  });

  it("asks host by host when the configuration's settings depend on the host, or when the shared query fails", async () => {
    for (const [reader, failShared] of [
      [BY_HOST, false],
      [files(""), true],
    ] as const) {
      const calls: string[][] = [];
      const ssh = fakeSsh({ builtIn: BUILT_IN, system: DEBIAN, host: "user nvidia\nport 22\nhostname spark-01.lab\n" });
      const config = new OpenSshConfig(async (args) => {
        calls.push(args);
        if (failShared && args.at(-1) === "nemoclaw-defaults.invalid" && !args.includes("-F")) throw new Error("ssh -G: exit 255");
        return ssh(args);
      }, reader);
      expect(await config.lookup({ alias: "spark-01", port: 22 })).toMatchObject({ hostName: "spark-01.lab", user: "nvidia" });
      expect(calls).toContainEqual(["-G", "-p", "22", "--", "spark-01"]);
    }
  });
});
