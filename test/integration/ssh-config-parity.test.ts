/**
 * ~/.ssh/config resolution against OpenSSH's own `ssh -G` on the same file: the address, user,
 * port, identity files and jump hosts nemoclaw dials must be the ones ssh would use, through
 * `ssh -G` (Include, Match) and through the built-in reader used where ssh is missing.
 * scripts/install-test-deps.sh installs openssh-client; without ssh these tests fail and say so.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SshConnectionSettings } from "../../src/config/types.js";
import { readFile, readdir } from "node:fs/promises";
import { OpenSshConfig, parseSshG, runSsh } from "../../src/transport/openssh-config.js";
import { expandIdentityFiles } from "../../src/transport/ssh-config.js";
import { defaultEndpointContext, RouteResolver } from "../../src/transport/ssh-endpoint.js";

let home: string;
let config: string;
const localUser = os.userInfo().username;

beforeAll(() => {
  try {
    execFileSync("sh", ["-c", "command -v ssh"]);
  } catch {
    throw new Error("ssh is not installed: run scripts/install-test-deps.sh (as root), which installs openssh-client");
  }
  // ssh expands ~ with the account's home, so the test's files live there, under a private name.
  home = os.homedir();
  const dir = mkdtempSync(path.join(home, ".nemoclaw-ssh-parity-"));
  config = path.join(dir, "config");
  mkdirSync(path.join(dir, "conf.d"));
  writeFileSync(path.join(dir, "conf.d", "10-lab"), ["Host lab-*", "  User labuser", "  Port 2201", ""].join("\n"));
  // Included under a Host block: read only for the hosts that block selects, its own Host lines included.
  writeFileSync(path.join(dir, "under-host"), ["User from-include", "Host *", "  Port 2299", ""].join("\n"));
  writeFileSync(
    config,
    [
      `Include ${path.join(dir, "conf.d")}/*`,
      "Host spark-*",
      "  HostName %h.dgx.lab",
      "  User nvidia",
      "  IdentityFile ~/.ssh/dgx_%r",
      "  ProxyJump ops@gate.lab:2200",
      "Host spark-01",
      "  User ignored-second-value",
      "  Port 2222",
      "Host !spark-02 *.example.com",
      "  User example",
      "Host Upper-*",
      "  HostName %h.Lab",
      "Host bare",
      "  HostName 10.9.0.1",
      "  IdentityFile %d/.ssh/bare",
      "  ProxyJump none",
      "Host scoped-*",
      `  Include ${path.join(dir, "under-host")}`,
      "Host *",
      "  IdentityFile ~/.ssh/common",
      "",
    ].join("\n"),
  );
  writeFileSync(
    `${config}-match`,
    ["Match host *.dgx.lab user nvidia", "  Port 2299", "Host spark-*", "  HostName %h.dgx.lab", "  User nvidia", "Match originalhost special", "  User matched", ""].join("\n"),
  );
});

afterAll(() => {
  if (config !== undefined) rmSync(path.dirname(config), { recursive: true, force: true });
});

function settings(address: string): SshConnectionSettings {
  return {
    kind: "ssh",
    address,
    port: 22,
    user: localUser,
    identityFiles: [],
    agent: false,
    proxyJump: [],
    hostKeyChecking: "strict",
    knownHostsFiles: ["~/.ssh/known_hosts"],
    connectTimeoutMs: 10_000,
    keepaliveIntervalMs: 15_000,
    identitiesOnly: false,
    useSshConfig: true,
    explicit: { port: false, user: false },
  };
}

/** What `ssh -G` says ssh would dial for `alias`, identity files expanded as ssh expands them. */
function openssh(file: string, alias: string) {
  const settings = parseSshG(execFileSync("ssh", ["-G", "-F", file, alias], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
  const [hostName, user, port] = ["hostname", "user", "port"].map((k) => settings.get(k)![0]!);
  const defaults = parseSshG(execFileSync("ssh", ["-G", "-F", "/dev/null", alias], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
  const files = settings.get("identityfile")!;
  const configured = files.join() === defaults.get("identityfile")!.join() ? [] : files;
  return {
    address: hostName,
    user,
    port: Number(port),
    identityFiles: expandIdentityFiles(configured, { home, localUser }, hostName!, user!),
    proxyJump: settings.get("proxyjump")?.[0],
  };
}

// Host patterns match with case, against the name as given; the name dialled is in lower case.
const ALIASES = ["spark-01", "spark-02", "lab-7", "www.example.com", "bare", "other", "SPARK-03", "Upper-1", "scoped-1"];

describe.each([
  ["through ssh -G", true],
  ["with the built-in reader", false],
])("nemoclaw resolves ~/.ssh/config %s as ssh -G does", (_, useOpenSsh) => {
  it.each(ALIASES)("%s", async (alias) => {
    const resolver = new RouteResolver(defaultEndpointContext({ home, localUser, env: {}, sshConfigFile: config, ...(useOpenSsh ? {} : { openssh: false }), warn: () => {} }));
    const route = await resolver.resolve(alias, settings(alias));
    const expected = openssh(config, alias);
    expect({ address: route.target.address, user: route.target.user, port: route.target.port }).toEqual({ address: expected.address, user: expected.user, port: expected.port });
    expect(route.target.defaultIdentities ? [] : route.target.identityFiles).toEqual(expected.identityFiles);
    expect(route.jumps.map((j) => `${j.user}@${j.address}:${j.port}`).join(",") || undefined).toBe(
      expected.proxyJump === undefined ? undefined : expected.proxyJump.split(",").map((hop) => (hop.includes("@") ? hop : `${localUser}@${hop}`)).map((hop) => (/:\d+$/.test(hop) ? hop : `${hop}:22`)).join(","),
    );
  });
});

describe.each([
  ["through ssh -G", true],
  ["with the built-in reader", false],
])("each jump host is resolved as its own ssh resolves it (ssh -G <hop>) %s", (_, useOpenSsh) => {
  // ssh runs `ssh [-l U] [-p P] -F FILE -W '[%h]:%p' hop` for a jump host: only the hop's own
  // user and port from the command line, everything else from the configuration.
  it.each([
    ["from ~/.ssh/config", "spark-1", [] as SshConnectionSettings["proxyJump"]],
    ["from an inventory's -J", "10.0.0.9", [{ host: "jump-a", address: "jump-a", port: 22, user: "nvidia", identityFiles: [], explicit: { port: false, user: false } }, { host: "jump-b", address: "jump-b", port: 2022, user: "ops", identityFiles: [], explicit: { port: true, user: true } }]],
  ])("%s", async (_, alias, proxyJump) => {
    const file = `${config}-jumps`;
    writeFileSync(
      file,
      [
        "Host spark-*",
        "  ProxyJump jump-a,ops@jump-b:2022",
        "Host jump-a",
        "  HostName 10.9.9.1",
        "  User jumper",
        "  Port 2200",
        "  IdentityFile ~/.ssh/jump_%r",
        "  UserKnownHostsFile ~/.ssh/jump_known",
        "  StrictHostKeyChecking accept-new",
        "  ConnectTimeout 4",
        "Host jump-b",
        "  ConnectTimeout 6",
        "",
      ].join("\n"),
    );
    const resolver = new RouteResolver(defaultEndpointContext({ home, localUser, env: {}, sshConfigFile: file, ...(useOpenSsh ? {} : { openssh: false }), warn: () => {} }));
    const target: SshConnectionSettings = { ...settings(alias), user: "nvidia", identityFiles: ["/keys/fleet"], hostKeyChecking: "accept-new", knownHostsFiles: ["/fleet/known_hosts"], proxyJump, explicit: { port: false, user: true, knownHostsFiles: true, hostKeyChecking: true, connectTimeout: true } };
    const route = await resolver.resolve(alias, target);
    const hops: [string, string[]][] = [["jump-a", []], ["jump-b", ["-l", "ops", "-p", "2022"]]];
    expect(route.jumps.map((jump) => jump.label)).toEqual(hops.map(([hop]) => hop));
    for (const [index, [hop, args]] of hops.entries()) {
      const bySsh = parseSshG(execFileSync("ssh", ["-G", "-F", file, ...args, hop], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
      const defaults = parseSshG(execFileSync("ssh", ["-G", "-F", "/dev/null", hop], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
      const configured = (key: string) => (bySsh.get(key)!.join() === defaults.get(key)!.join() ? undefined : bySsh.get(key)!);
      const [hostName, user, port] = ["hostname", "user", "port"].map((k) => bySsh.get(k)![0]!);
      const jump = route.jumps[index]!;
      expect({ address: jump.address, user: jump.user, port: jump.port }).toEqual({ address: hostName, user, port: Number(port) });
      const identities = configured("identityfile");
      // Never the target's /keys/fleet or /fleet/known_hosts: the jump's own ssh gets no -i and no -o.
      if (identities === undefined) expect(jump.defaultIdentities).toBe(true);
      else expect(jump.identityFiles).toEqual(expandIdentityFiles(identities, { home, localUser }, hostName!, user!));
      const knownHosts = configured("userknownhostsfile")?.[0]?.split(" ");
      expect(jump.knownHostsFiles).toEqual(knownHosts ?? [path.join(home, ".ssh/known_hosts")]);
      expect(jump.hostKeyChecking).toBe(bySsh.get("stricthostkeychecking")![0] === "accept-new" ? "accept-new" : "strict");
      expect(jump.connectTimeoutMs).toBe(Number(bySsh.get("connecttimeout")![0]) * 1000);
    }
  });

  it("reads a ProxyCommand's -F file for its jump host, as that ssh reads it", async () => {
    const own = `${config}-bastion`;
    writeFileSync(own, ["Host jump-c", "  HostName 10.9.9.3", "  User cuser", "  Port 2300", "  IdentityFile ~/.ssh/jump_c", "  UserKnownHostsFile ~/.ssh/jump_c_known", ""].join("\n"));
    const file = `${config}-proxy-f`;
    writeFileSync(file, ["Host spark-*", `  ProxyCommand ssh -q -F ${own} -W %h:%p jump-c`, "Host jump-c", "  User not-this-one", ""].join("\n"));
    const resolver = new RouteResolver(defaultEndpointContext({ home, localUser, env: {}, sshConfigFile: file, ...(useOpenSsh ? {} : { openssh: false }), warn: () => {} }));
    const [jump] = (await resolver.resolve("spark-1", settings("spark-1"))).jumps;
    const bySsh = parseSshG(execFileSync("ssh", ["-G", "-F", own, "jump-c"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
    const [hostName, user, port] = ["hostname", "user", "port"].map((k) => bySsh.get(k)![0]!);
    expect({ address: jump!.address, user: jump!.user, port: jump!.port, knownHostsFiles: jump!.knownHostsFiles, identityFiles: jump!.identityFiles }).toEqual({
      address: hostName,
      user,
      port: Number(port),
      knownHostsFiles: bySsh.get("userknownhostsfile")![0]!.split(" "),
      identityFiles: expandIdentityFiles(bySsh.get("identityfile")!, { home, localUser }, hostName!, user!),
    });
  });
});

describe("IdentityFile tokens and ${VAR}, expanded as ssh expands them", () => {
  // ssh -G prints IdentityFile as written, but expands UserKnownHostsFile with the same tokens
  // (OpenSSH 9.2 ssh.c, DEFAULT_CLIENT_PERCENT_EXPAND_ARGS): ask it about the same text there.
  const written = "~/.ssh/id_%n_%p_%h_%r_%u_%l_%L_%i_%%_${HOME}";
  it.each([
    ["through ssh -G", true],
    ["with the built-in reader", false],
  ])("%s", async (_, useOpenSsh) => {
    const file = `${config}-tokens`;
    writeFileSync(file, ["Host tok-*", "  HostName %h.dgx.lab", "  User nvidia", "  Port 2222", `  IdentityFile ${written}`, ""].join("\n"));
    const resolver = new RouteResolver(defaultEndpointContext({ home, localUser, env: process.env, sshConfigFile: file, ...(useOpenSsh ? {} : { openssh: false }), warn: () => {} }));
    const route = await resolver.resolve("tok-1", settings("tok-1"));
    const bySsh = parseSshG(execFileSync("ssh", ["-G", "-F", file, "-o", `UserKnownHostsFile ${written}`, "tok-1"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
    expect(route.target.identityFiles).toEqual(bySsh.get("userknownhostsfile"));
  });

  it.each([
    ["through ssh -G", true],
    ["with the built-in reader", false],
  ])("in UserKnownHostsFile, %s", async (_, useOpenSsh) => {
    const file = `${config}-known-hosts-tokens`;
    writeFileSync(file, ["Host tok-*", "  HostName %h.dgx.lab", "  User nvidia", "  Port 2222", `  UserKnownHostsFile ${written} ~/.ssh/kh_%h`, ""].join("\n"));
    const resolver = new RouteResolver(defaultEndpointContext({ home, localUser, env: process.env, sshConfigFile: file, ...(useOpenSsh ? {} : { openssh: false }), warn: () => {} }));
    const route = await resolver.resolve("tok-1", { ...settings("tok-1"), explicit: { port: false, user: false, knownHostsFiles: false } });
    const bySsh = parseSshG(execFileSync("ssh", ["-G", "-F", file, "tok-1"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
    expect(route.target.knownHostsFiles).toEqual(bySsh.get("userknownhostsfile")![0]!.split(" "));
  });
});

describe("Match, which only OpenSSH evaluates", () => {
  it.each(["spark-01", "special", "plain"])("%s", async (alias) => {
    const warnings: string[] = [];
    const resolver = new RouteResolver(defaultEndpointContext({ home, localUser, env: {}, sshConfigFile: `${config}-match`, warn: (m) => warnings.push(m) }));
    const route = await resolver.resolve(alias, settings(alias));
    const expected = openssh(`${config}-match`, alias);
    expect({ address: route.target.address, user: route.target.user, port: route.target.port }).toEqual({ address: expected.address, user: expected.user, port: expected.port });
    expect(warnings).toEqual([]);
  });

  it("names a keyword it cannot honour once, with the host", async () => {
    writeFileSync(`${config}-cert`, "Host *\n  CertificateFile ~/.ssh/id_cert.pub\n  ForwardAgent yes\n");
    const warnings: string[] = [];
    const resolver = new RouteResolver(defaultEndpointContext({ home, localUser, env: {}, sshConfigFile: `${config}-cert`, warn: (m) => warnings.push(m) }));
    await resolver.resolve("a", settings("a"));
    await resolver.resolve("b", settings("b"));
    expect(warnings).toEqual([expect.stringMatching(/^ssh config sets certificatefile .*id_cert\.pub for a; nemoclaw cannot honour certificatefile/)]);
  });
});

describe("one ssh -G for every host, when the configuration gives them all the same settings", () => {
  it("answers each host as ssh -G does for that host", async () => {
    const dir = path.dirname(config);
    mkdirSync(path.join(dir, "alike.d"));
    writeFileSync(path.join(dir, "alike.d", "10-site"), "Port 2202\nServerAliveInterval 7\nCertificateFile ~/.ssh/id_cert.pub\n");
    const file = `${config}-alike`;
    writeFileSync(file, [`Include ${path.join(dir, "alike.d")}/*`, "Host *", "  IdentityFile ~/.ssh/common", "  ProxyJump ops@gate.lab:2200", "  User fleet", ""].join("\n"));
    const calls: string[][] = [];
    const counted = (args: string[]) => {
      calls.push(args);
      return runSsh(args);
    };
    const accountFiles = { home, readText: (p: string) => readFile(p, "utf8"), listDir: (p: string) => readdir(p) };
    const shared = new OpenSshConfig(counted, accountFiles);
    // The same file read with a Host block that selects none of these hosts: each host is asked about on its own.
    const hostByHost = new OpenSshConfig(runSsh, { ...accountFiles, readText: async (p) => `${await readFile(p, "utf8")}${p === file ? "Host none-of-these\n" : ""}` });
    const queries = [
      { alias: "spark-01" },
      { alias: "Spark-02.Lab", user: "nvidia" },
      { alias: "10.1.2.3", port: 2222 },
      { alias: "spark-04", user: "root", port: 22 },
    ];
    for (const query of queries) {
      expect(await shared.lookup({ ...query, configFile: file })).toEqual(await hostByHost.lookup({ ...query, configFile: file }));
    }
    expect(calls.filter((args) => args.includes(file))).toEqual([["-G", "-F", file, "--", "nemoclaw-defaults.invalid"]]);
  });
});
