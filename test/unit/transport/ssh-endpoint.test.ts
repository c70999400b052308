import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SshConnectionSettings } from "../../../src/config/types.js";
import { defaultEndpointContext, RouteResolver } from "../../../src/transport/ssh-endpoint.js";

function settings(change: Partial<SshConnectionSettings> = {}): SshConnectionSettings {
  return {
    kind: "ssh",
    address: "spark-01",
    port: 22,
    user: "op",
    identityFiles: [],
    agent: false,
    proxyJump: [],
    hostKeyChecking: "strict",
    knownHostsFiles: ["~/.ssh/known_hosts"],
    connectTimeoutMs: 10_000,
    keepaliveIntervalMs: 15_000,
    identitiesOnly: false,
    useSshConfig: true,
    ...change,
  };
}

function homeWithConfig(config: string): string {
  const home = mkdtempSync(join(tmpdir(), "endpoint-home-"));
  mkdirSync(join(home, ".ssh"));
  writeFileSync(join(home, ".ssh", "config"), config);
  return home;
}

const CONFIG = [
  "Host spark-*",
  "  HostName %h.dgx.lab",
  "  User nvidia",
  "  Port 2222",
  "  IdentityFile ~/.ssh/dgx",
  "  ProxyJump ops@gate.lab:2200,inner",
  "Host inner",
  "  HostName 10.9.0.1",
  "  IdentityFile ~/.ssh/inner",
  "",
].join("\n");

describe("RouteResolver", () => {
  it("lets ~/.ssh/config fill in what the fleet left at ssh's defaults, jumps included", async () => {
    const home = homeWithConfig(CONFIG);
    const resolver = new RouteResolver(defaultEndpointContext({ home, localUser: "op", env: {} }));
    const route = await resolver.resolve("spark-01", settings({ identityFiles: ["~/.ssh/fleet"], explicit: { port: false, user: false } }));
    expect(route.target).toMatchObject({
      label: "spark-01",
      address: "spark-01.dgx.lab",
      port: 2222,
      user: "nvidia",
      identityFiles: [join(home, ".ssh/fleet"), join(home, ".ssh/dgx")],
      defaultIdentities: false,
      knownHostsFiles: [join(home, ".ssh/known_hosts")],
    });
    expect(route.jumps.map((j) => [j.label, j.address, j.port, j.user, j.identityFiles])).toEqual([
      // ssh -J passes no -i to the jump host: without IdentityFile of its own it gets ssh's defaults.
      ["gate.lab", "gate.lab", 2200, "ops", ["id_ed25519", "id_ecdsa", "id_rsa"].map((name) => join(home, ".ssh", name))],
      ["inner", "10.9.0.1", 22, "op", [join(home, ".ssh/inner")]],
    ]);
  });

  it("keeps explicit fleet settings over the config, and the fleet's jumps over ProxyJump", async () => {
    const home = homeWithConfig(CONFIG);
    const resolver = new RouteResolver(defaultEndpointContext({ home, localUser: "op", env: {} }));
    const bastion = settings({ address: "10.0.0.2", user: "jump", identityFiles: ["/keys/bastion"], hostKeyChecking: "accept-new", useSshConfig: false });
    const fleetResolver = new RouteResolver(defaultEndpointContext({ home, localUser: "op", env: {}, fleetHost: (name) => (name === "bastion" ? bastion : undefined) }));
    const target = settings({
      port: 2022,
      user: "admin",
      proxyJump: [{ host: "bastion", address: "10.0.0.2", port: 22, user: "jump", identityFiles: ["/keys/bastion"], fleetHost: "bastion" }],
    });
    const route = await fleetResolver.resolve("spark-01", target);
    expect(route.target).toMatchObject({ address: "spark-01.dgx.lab", port: 2022, user: "admin", hostKeyChecking: "strict" });
    expect(route.jumps).toHaveLength(1);
    expect(route.jumps[0]).toMatchObject({ label: "bastion", address: "10.0.0.2", user: "jump", identityFiles: ["/keys/bastion"], hostKeyChecking: "accept-new" });
    expect((await resolver.resolve("spark-01", settings({ useSshConfig: false }))).target).toMatchObject({ address: "spark-01", port: 22, user: "op" });
  });

  it("keeps a port 22 and a user the fleet wrote explicitly, even when they equal ssh's defaults", async () => {
    const home = homeWithConfig(CONFIG);
    const resolver = new RouteResolver(defaultEndpointContext({ home, localUser: "op", env: {} }));
    const route = await resolver.resolve("spark-01", settings({ port: 22, user: "op", explicit: { port: true, user: true } }));
    expect(route.target).toMatchObject({ address: "spark-01.dgx.lab", port: 22, user: "op" });
  });

  it("falls back to OpenSSH's default identities and applies forced overrides", async () => {
    const home = homeWithConfig("");
    const socket = join(home, "agent.sock");
    writeFileSync(socket, "");
    const resolver = new RouteResolver(
      defaultEndpointContext({ home, localUser: "op", env: { SSH_AUTH_SOCK: socket }, overrides: { hostKeyChecking: "accept-new", knownHostsFiles: ["/tmp/kh"], agent: true } }),
    );
    const { target } = await resolver.resolve("spark-01", settings());
    expect(target.identityFiles).toEqual(["id_ed25519", "id_ecdsa", "id_rsa"].map((name) => join(home, ".ssh", name)));
    expect(target.defaultIdentities).toBe(true);
    expect(target.agentSocket).toBe(socket);
    expect(target.hostKeyChecking).toBe("accept-new");
    expect(target.knownHostsFiles).toEqual(["/tmp/kh"]);
  });

  it("takes HashKnownHosts and IdentitiesOnly from the config, for its jump hosts too", async () => {
    const config = ["Host spark-* gate", "  HashKnownHosts yes", "  IdentitiesOnly yes", "Host spark-*", "  ProxyJump gate,plain", ""].join("\n");
    const resolver = new RouteResolver(defaultEndpointContext({ home: homeWithConfig(config), localUser: "op", env: {} }));
    const route = await resolver.resolve("spark-01", settings());
    expect(route.target.hashKnownHosts).toBe(true);
    expect(route.target.identitiesOnly).toBe(true);
    // The fleet file or inventory turns it on without any ssh config.
    expect((await resolver.resolve("dgx-01", settings({ address: "dgx-01", useSshConfig: false, identitiesOnly: true }))).target.identitiesOnly).toBe(true);
    expect(route.jumps.map((jump) => [jump.label, jump.hashKnownHosts, jump.identitiesOnly])).toEqual([
      ["gate", true, true],
      ["plain", false, false],
    ]);
    expect((await resolver.resolve("dgx-01", settings({ address: "dgx-01" }))).target.hashKnownHosts).toBe(false);
    expect((await resolver.resolve("spark-01", settings({ useSshConfig: false }))).target.hashKnownHosts).toBe(false);
  });

  it("reaches the first jump host through its own ProxyJump or ProxyCommand, as ssh does", async () => {
    const config = [
      "Host spark-*",
      "  ProxyJump bastion",
      "Host bastion",
      "  HostName 10.1.1.1",
      "  User bop",
      "  ProxyJump gw.corp:2222,inner",
      // Only the first hop of a chain is dialled with its own jumps: inner gets -J gw.corp from ssh.
      "Host inner",
      "  ProxyJump elsewhere",
      "Host gw.corp",
      "  ProxyCommand ssh -W %h:%p -l ops outer",
      "Host loop-*",
      "  ProxyJump a",
      "Host a",
      "  ProxyJump b",
      "Host b",
      "  ProxyJump a",
      "",
    ].join("\n");
    const resolver = new RouteResolver(defaultEndpointContext({ home: homeWithConfig(config), localUser: "op", env: {} }));
    const route = await resolver.resolve("spark-01", settings());
    expect(route.jumps.map((jump) => `${jump.user}@${jump.address}:${jump.port}`)).toEqual(["ops@outer:22", "op@gw.corp:2222", "op@inner:22", "bop@10.1.1.1:22"]);
    // A fleet's own jump host is looked up the same way.
    const fleetJump = await resolver.resolve("dgx-01", settings({ address: "dgx-01", proxyJump: [{ host: "bastion", address: "bastion", port: 22, user: "bop", identityFiles: [] }] }));
    expect(fleetJump.jumps.map((jump) => jump.address)).toEqual(["outer", "gw.corp", "inner", "10.1.1.1"]);
    const loop = (await resolver.resolve("loop-1", settings({ address: "loop-1" })).catch((e: unknown) => e)) as Error;
    expect(loop.message).toBe("loop-1: unreachable: ~/.ssh/config: the jump hosts' ProxyJump loops: loop-1 -> a -> b -> a");
  });

  describe("a jump host that is not a fleet host has its own settings, as the jump's own ssh has", () => {
    // `ssh -v -l nvidia -i key -o UserKnownHostsFile=… -o StrictHostKeyChecking=accept-new -J gate
    // target` runs `ssh -W '[target]:22' gate`: none of the target's options reach the jump host.
    const config = [
      "Host gate",
      "  HostName 10.1.1.1",
      "  User gateop",
      "  Port 2200",
      "  IdentityFile ~/.ssh/gate_key",
      "  IdentitiesOnly yes",
      "  UserKnownHostsFile ~/.ssh/gate_known",
      "  StrictHostKeyChecking accept-new",
      "  ConnectTimeout 3",
      "  ServerAliveInterval 7",
      "  IdentityAgent none",
      "Host spark-*",
      "  ProxyJump gate,plain.lab",
      "",
    ].join("\n");
    // The target's settings, all of them written by the fleet file or inventory.
    const target = (change: Partial<SshConnectionSettings> = {}) =>
      settings({ user: "nvidia", identityFiles: ["/keys/fleet"], agent: true, hostKeyChecking: "accept-new", knownHostsFiles: ["/fleet/known_hosts"], connectTimeoutMs: 30_000, identitiesOnly: true, ...change });

    it("named by ProxyJump in ~/.ssh/config", async () => {
      const home = homeWithConfig(config);
      const socket = join(home, "agent.sock");
      writeFileSync(socket, "");
      const resolver = new RouteResolver(defaultEndpointContext({ home, localUser: "op", env: { SSH_AUTH_SOCK: socket } }));
      const route = await resolver.resolve("spark-01", target());
      expect(route.target).toMatchObject({ user: "nvidia", hostKeyChecking: "accept-new", knownHostsFiles: ["/fleet/known_hosts"], agentSocket: socket });
      expect(route.jumps.map(({ label, address, port, user, identityFiles, identitiesOnly, hostKeyChecking, knownHostsFiles, connectTimeoutMs, keepaliveIntervalMs, agentSocket }) => ({ label, address, port, user, identityFiles, identitiesOnly, hostKeyChecking, knownHostsFiles, connectTimeoutMs, keepaliveIntervalMs, agentSocket }))).toEqual([
        { label: "gate", address: "10.1.1.1", port: 2200, user: "gateop", identityFiles: [join(home, ".ssh/gate_key")], identitiesOnly: true, hostKeyChecking: "accept-new", knownHostsFiles: [join(home, ".ssh/gate_known")], connectTimeoutMs: 3000, keepaliveIntervalMs: 7000, agentSocket: null },
        // Nothing configured: ssh's defaults and strict checking, never the target's accept-new, user or keys.
        { label: "plain.lab", address: "plain.lab", port: 22, user: "op", identityFiles: ["id_ed25519", "id_ecdsa", "id_rsa"].map((name) => join(home, ".ssh", name)), identitiesOnly: false, hostKeyChecking: "strict", knownHostsFiles: [join(home, ".ssh/known_hosts")], connectTimeoutMs: 30_000, keepaliveIntervalMs: 15_000, agentSocket: socket },
      ]);
    });

    it("written in the fleet file or an inventory (-J), looked up in ~/.ssh/config as ssh does", async () => {
      const home = homeWithConfig(config);
      const resolver = new RouteResolver(defaultEndpointContext({ home, localUser: "op", env: {} }));
      const hop = (host: string, user?: string) => ({ host, address: host, port: 22, user: user ?? "nvidia", identityFiles: [], explicit: { port: false, user: user !== undefined } });
      const route = await resolver.resolve("dgx-01", target({ address: "dgx-01", proxyJump: [hop("gate"), hop("plain.lab"), hop("named.lab", "ops")] }));
      const defaults = ["id_ed25519", "id_ecdsa", "id_rsa"].map((name) => join(home, ".ssh", name));
      expect(route.jumps.map((j) => [j.label, `${j.user}@${j.address}:${j.port}`, j.identityFiles, j.hostKeyChecking, j.knownHostsFiles])).toEqual([
        ["gate", "gateop@10.1.1.1:2200", [join(home, ".ssh/gate_key")], "accept-new", [join(home, ".ssh/gate_known")]],
        // Without a Host block of its own: the local user (ssh passes no -l), strict checking, and
        // OpenSSH's default keys and known_hosts file, never the target's (ssh -v -J shows the hop's
        // ssh gets no -i and no -o UserKnownHostsFile).
        ["plain.lab", "op@plain.lab:22", defaults, "strict", [join(home, ".ssh/known_hosts")]],
        ["named.lab", "ops@named.lab:22", defaults, "strict", [join(home, ".ssh/known_hosts")]],
      ]);
    });

    it("uses the agent of its own config, else $SSH_AUTH_SOCK, whatever the target's agent setting", async () => {
      const home = homeWithConfig(config);
      const socket = join(home, "agent.sock");
      const targetAgent = join(home, "target-agent.sock");
      writeFileSync(socket, "");
      writeFileSync(targetAgent, "");
      const resolver = new RouteResolver(defaultEndpointContext({ home, localUser: "op", env: { SSH_AUTH_SOCK: socket } }));
      const hop = (host: string) => ({ host, address: host, port: 22, user: "nvidia", identityFiles: [], explicit: { port: false, user: false } });
      for (const agent of [false, targetAgent]) {
        const route = await resolver.resolve("dgx-01", target({ address: "dgx-01", agent, proxyJump: [hop("gate"), hop("plain.lab")] }));
        // gate's config says IdentityAgent none; plain.lab has no config: the environment's agent, as its own ssh would use.
        expect([route.target.agentSocket, ...route.jumps.map((j) => j.agentSocket)]).toEqual([agent === false ? null : targetAgent, null, socket]);
      }
    });
  });

  it("offers a ProxyCommand's -i key to its jump host, before the jump host's config keys", async () => {
    const home = homeWithConfig(["Host spark-*", "  ProxyCommand ssh -i ~/.ssh/gw_key -W %h:%p ops@gw.lab", "Host gw.lab", "  IdentityFile ~/.ssh/gw_config", ""].join("\n"));
    const resolver = new RouteResolver(defaultEndpointContext({ home, localUser: "op", env: {} }));
    const route = await resolver.resolve("spark-01", settings({ identityFiles: ["/keys/fleet"] }));
    expect(route.jumps.map((j) => [j.label, j.identityFiles])).toEqual([["gw.lab", [join(home, ".ssh/gw_key"), join(home, ".ssh/gw_config")]]]);
    // From an inventory: its own key, never the fleet's.
    const hop = { host: "jump.lab", address: "jump.lab", port: 22, user: "op", identityFiles: ["/keys/jump"], explicit: { port: false, user: false } };
    const fromInventory = await resolver.resolve("dgx-01", settings({ address: "dgx-01", identityFiles: ["/keys/fleet"], proxyJump: [hop] }));
    expect(fromInventory.jumps.map((j) => j.identityFiles)).toEqual([["/keys/jump"]]);
  });

  it("reads a ProxyCommand's -F file and -o options for its jump host, and warns once, naming the host and the options it ignores", async () => {
    const home = homeWithConfig(["Host spark-*", "  ProxyCommand ssh -q -F ~/.ssh/lab_config -o UserKnownHostsFile=~/.ssh/gw_known -o StrictHostKeyChecking=accept-new -o ForwardX11=yes -b 10.0.0.9 -W %h:%p gw.lab", ""].join("\n"));
    writeFileSync(join(home, ".ssh", "lab_config"), ["Host gw.lab", "  User labop", "  IdentityFile ~/.ssh/lab_key", ""].join("\n"));
    const warnings: string[] = [];
    const resolver = new RouteResolver(defaultEndpointContext({ home, localUser: "op", env: {}, warn: (message) => warnings.push(message) }));
    for (const name of ["spark-01", "spark-02"]) {
      const route = await resolver.resolve(name, settings({ address: name }));
      expect(route.jumps.map((j) => [j.label, `${j.user}@${j.address}:${j.port}`, j.identityFiles, j.hostKeyChecking, j.knownHostsFiles])).toEqual([
        ["gw.lab", "labop@gw.lab:22", [join(home, ".ssh/lab_key")], "accept-new", [join(home, ".ssh/gw_known")]],
      ]);
    }
    expect(warnings).toEqual(["~/.ssh/config: spark-01: ProxyCommand: ignoring -o ForwardX11=yes -b 10.0.0.9 for jump host gw.lab (nemoclaw uses its own SSH client)"]);
  });

  it("uses no agent when its socket does not exist", async () => {
    const resolver = new RouteResolver(defaultEndpointContext({ home: homeWithConfig(""), env: { SSH_AUTH_SOCK: "/nonexistent/agent" } }));
    expect((await resolver.resolve("h", settings({ agent: true }))).target.agentSocket).toBeNull();
  });
});
