import { describe, expect, it } from "vitest";
import { loadSshConfig, parseProxyJump, resolveSshConfig, type SshConfigContext } from "../../../src/transport/ssh-config.js";

function contextWith(files: Record<string, string>): SshConfigContext {
  return {
    home: "/home/op",
    localUser: "op",
    readText: async (path) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
      return text;
    },
    listDir: async (path) =>
      Object.keys(files)
        .filter((file) => file.startsWith(`${path}/`) && !file.slice(path.length + 1).includes("/"))
        .map((file) => file.slice(path.length + 1)),
  };
}

/** The settings for `alias`; `unsupported` only when something was (checked on its own below). */
async function resolve(files: Record<string, string>, alias: string) {
  const context = contextWith(files);
  const { unsupported, ...settings } = resolveSshConfig(await loadSshConfig("/home/op/.ssh/config", context), alias, context);
  return unsupported.length === 0 ? settings : { ...settings, unsupported };
}

describe("ssh_config", () => {
  it("takes the first value per keyword and accumulates IdentityFile, as ssh does", async () => {
    const config = await resolve(
      {
        "/home/op/.ssh/config": [
          "# lab",
          "Host spark-*",
          "  HostName %h.dgx.lab",
          "  User nvidia",
          "  IdentityFile ~/.ssh/dgx_%r",
          "Host spark-01",
          "  User admin",
          "  Port 2222",
          "Host *",
          "  User fallback",
          "  IdentityFile %d/.ssh/id_ed25519",
          "  ProxyJump bastion.lab",
        ].join("\n"),
      },
      "spark-01",
    );
    expect(config).toEqual({
      hostName: "spark-01.dgx.lab",
      user: "nvidia",
      port: 2222,
      identityFiles: ["/home/op/.ssh/dgx_nvidia", "/home/op/.ssh/id_ed25519"],
      proxyJump: "bastion.lab",
    });
  });

  it("honours negated patterns, `Key=Value`, quotes and ProxyJump none", async () => {
    const files = {
      "/home/op/.ssh/config": [
        'Host "station-*" !station-test',
        "  ProxyJump=none",
        "  IdentityFile \"/keys/with space\"",
        "Host *",
        "  ProxyJump jump.lab",
      ].join("\n"),
    };
    expect(await resolve(files, "station-01")).toEqual({ identityFiles: ["/keys/with space"] });
    expect(await resolve(files, "station-test")).toEqual({ identityFiles: [], proxyJump: "jump.lab" });
  });

  it("reads Include files relative to ~/.ssh, in order, inside the including block", async () => {
    const files = {
      "/home/op/.ssh/config": ["Include conf.d/*.conf", "Host lab-*", "  Include lab-extra", "Host *", "  User everyone"].join("\n"),
      "/home/op/.ssh/conf.d/10-spark.conf": "Host spark-01\n  HostName 10.0.0.11\n",
      "/home/op/.ssh/conf.d/20-all.conf": "Host *\n  Port 2200\n",
      "/home/op/.ssh/conf.d/notes.txt": "Host *\n  Port 9\n",
      "/home/op/.ssh/lab-extra": "User lab\n",
    };
    expect(await resolve(files, "spark-01")).toEqual({ hostName: "10.0.0.11", port: 2200, user: "everyone", identityFiles: [] });
    expect(await resolve(files, "lab-7")).toEqual({ port: 2200, user: "lab", identityFiles: [] });
  });

  it("ignores Match blocks except Match all", async () => {
    const files = {
      "/home/op/.ssh/config": ["Match host spark-* exec true", "  User matched", "Match all", "  Port 2022"].join("\n"),
    };
    expect(await resolve(files, "spark-01")).toEqual({
      port: 2022,
      identityFiles: [],
      unsupported: ["Match host spark-* exec true (/home/op/.ssh/config:1: Match blocks are only evaluated when OpenSSH's ssh is installed)"],
    });
  });

  it("honours the known_hosts, host key, hashing, timeout and agent keywords (IdentitiesOnly too), and names the ones it cannot honour", async () => {
    const files = {
      "/home/op/.ssh/config": [
        "Host *",
        "  UserKnownHostsFile ~/.ssh/kh_lab /etc/kh",
        "  StrictHostKeyChecking accept-new",
        "  HashKnownHosts yes",
        "  IdentitiesOnly yes",
        "  ConnectTimeout 7",
        "  ServerAliveInterval 30",
        "  IdentityAgent none",
        "  ProxyCommand ssh -W %h:%p bastion",
        "  CertificateFile ~/.ssh/id_cert.pub",
        "  ForwardAgent yes",
      ].join("\n"),
    };
    expect(await resolve(files, "spark-01")).toEqual({
      identityFiles: [],
      knownHostsFiles: ["/home/op/.ssh/kh_lab", "/etc/kh"],
      strictHostKeyChecking: "accept-new",
      hashKnownHosts: true,
      connectTimeoutSec: 7,
      serverAliveIntervalSec: 30,
      identityAgent: "none",
      identitiesOnly: true,
      proxyCommand: "ssh -W %h:%p bastion",
      unsupported: ["certificatefile ~/.ssh/id_cert.pub"],
    });
  });

  it("names the file and line of a bad value", async () => {
    await expect(resolve({ "/home/op/.ssh/config": "Host *\n  Port ssh\n" }, "x")).rejects.toThrow("/home/op/.ssh/config:2: bad Port 'ssh'");
  });

  it("treats a missing config as empty", async () => {
    expect(await resolve({}, "x")).toEqual({ identityFiles: [] });
  });

  it("parses ProxyJump chains", () => {
    expect(parseProxyJump("bastion, ops@jump2.lab:2222,ssh://root@[fd00::1]:22")).toEqual([
      { host: "bastion" },
      { user: "ops", host: "jump2.lab", port: 2222 },
      { user: "root", host: "fd00::1", port: 22 },
    ]);
    expect(() => parseProxyJump("@host")).toThrow("bad ProxyJump hop '@host'");
  });
});
