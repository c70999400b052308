import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { keyTypeOfBlob, parseKnownHosts, verifyHostKey, type HostKey } from "../../../src/transport/known-hosts.js";
import { IdentityKeys } from "../../../src/transport/ssh-auth.js";
import { dial, hostKeyAlgorithmsFor, judgeHostKey } from "../../../src/transport/ssh-client.js";
import { defaultEndpointContext, RouteResolver, type SshEndpoint } from "../../../src/transport/ssh-endpoint.js";
import { TransportError } from "../../../src/transport/types.js";

const OLD = "AAAAC3NzaC1lZDI1NTE5AAAAIALcYe4SwyhtMsy8e5a7S5wKKJMgVHZV/J1+IaFzfVqJ";
const OLD_FINGERPRINT = "SHA256:mag0NMnmGlO/yxdJnE1TP/r5S+kEWhpPG4ErdEU4R0o";
const NEW = "AAAAC3NzaC1lZDI1NTE5AAAAIGVY1amh1WEKtWPkJV6B5Hy0LYuTEbqhm5Noy2npVpR1";

const key = (base64: string): HostKey => {
  const blob = Buffer.from(base64, "base64");
  return { type: keyTypeOfBlob(blob), blob };
};

function endpoint(change: Partial<SshEndpoint> = {}): SshEndpoint {
  return {
    label: "spark-01",
    address: "10.0.0.11",
    port: 2222,
    user: "nvidia",
    identityFiles: [],
    defaultIdentities: true,
    agentSocket: null,
    identitiesOnly: false,
    hostKeyChecking: "strict",
    knownHostsFiles: ["/home/op/.ssh/known_hosts"],
    globalKnownHostsFiles: [],
    hashKnownHosts: false,
    connectTimeoutMs: 10_000,
    keepaliveIntervalMs: 15_000,
    ...change,
  };
}

describe("judgeHostKey", () => {
  const known = parseKnownHosts(`[10.0.0.11]:2222 ssh-ed25519 ${OLD}`, "/home/op/.ssh/known_hosts");

  it("accepts the listed key", async () => {
    expect(await judgeHostKey("spark-01", endpoint(), known, key(OLD), "nvidia@10.0.0.11:2222")).toBeNull();
  });

  it("refuses a changed key in one line naming the host, both fingerprints and the file", async () => {
    for (const hostKeyChecking of ["strict", "accept-new"] as const) {
      const error = await judgeHostKey("spark-01", endpoint({ hostKeyChecking }), known, key(NEW), "nvidia@10.0.0.11:2222");
      expect(error?.kind).toBe("host-key-changed");
      expect(error?.message).toMatch(/^spark-01: host-key-changed: nvidia@10\.0\.0\.11:2222: HOST KEY CHANGED for spark-01 \(\[10\.0\.0\.11\]:2222\)/);
      expect(error?.message).toContain(`known_hosts has ${OLD_FINGERPRINT} (ssh-ed25519, /home/op/.ssh/known_hosts:1)`);
      expect(error?.message).toContain("the host presented SHA256:");
      expect(error?.message).not.toContain("\n");
    }
  });

  it("refuses an unknown key under strict checking and records it under accept-new", async () => {
    const strict = await judgeHostKey("spark-02", endpoint({ label: "spark-02", address: "10.0.0.12" }), known, key(NEW), "x");
    expect(strict?.kind).toBe("host-key-unknown");
    expect(strict?.message).toContain("hostKeyChecking: accept-new");

    const file = join(mkdtempSync(join(tmpdir(), "judge-")), "known_hosts");
    const accepted = await judgeHostKey("spark-02", endpoint({ address: "10.0.0.12", port: 22, hostKeyChecking: "accept-new", knownHostsFiles: [file] }), [], key(NEW), "x");
    expect(accepted).toBeNull();
    expect(readFileSync(file, "utf8")).toBe(`10.0.0.12 ssh-ed25519 ${NEW}\n`);
  });
});

describe("a jump host written in the fleet file, whose key only the hosts behind it know", () => {
  it("is refused naming the host's known_hosts file that lists its key, and how to give the jump host that file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "judge-behind-"));
    mkdirSync(join(dir, ".ssh"));
    const fleetKnownHosts = join(dir, "fleet_known_hosts");
    writeFileSync(fleetKnownHosts, `bastion.lab ssh-ed25519 ${OLD}\n`);
    const resolver = new RouteResolver(defaultEndpointContext({ home: dir, localUser: "op", env: {} }));
    const route = await resolver.resolve("spark-01", {
      kind: "ssh",
      address: "10.0.0.11",
      port: 22,
      user: "nvidia",
      identityFiles: [],
      agent: false,
      proxyJump: [{ host: "ops@bastion.lab", address: "bastion.lab", port: 22, user: "ops", identityFiles: [] }],
      hostKeyChecking: "strict",
      knownHostsFiles: [fleetKnownHosts],
      connectTimeoutMs: 10_000,
      keepaliveIntervalMs: 15_000,
      identitiesOnly: false,
      useSshConfig: true,
    });
    const jump = route.jumps[0]!;
    expect(jump.knownHostsFiles).toEqual([join(dir, ".ssh/known_hosts")]);
    const judged = (presented: string) => judgeHostKey("spark-01", jump, [], key(presented), "via jump host ops@bastion.lab");
    const listed = await judged(OLD);
    expect(listed?.kind).toBe("host-key-unknown");
    expect(listed?.message).toContain(`${fleetKnownHosts} lists it, but that is the known_hosts file of the host behind it`);
    expect(listed?.message).toContain(`declare the jump host as a fleet host with knownHostsFile ${fleetKnownHosts}`);
    // A key the hosts' file does not list either: the refusal as for any host.
    expect((await judged(NEW))?.message).not.toContain("lists it");
  });
});

describe("accept-new under HashKnownHosts", () => {
  it("records the key under a hashed name that ssh-keygen finds and nemoclaw matches", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "judge-")), "known_hosts");
    const hashing = endpoint({ address: "10.0.0.12", port: 2222, hostKeyChecking: "accept-new", knownHostsFiles: [file], hashKnownHosts: true });
    expect(await judgeHostKey("spark-02", hashing, [], key(NEW), "x")).toBeNull();
    const recorded = readFileSync(file, "utf8");
    expect(recorded).toMatch(/^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}= ssh-ed25519 \S+\n$/);
    expect(recorded).not.toContain("10.0.0.12");
    // OpenSSH's own lookup finds it under the name ssh would look up.
    expect(execFileSync("ssh-keygen", ["-F", "[10.0.0.12]:2222", "-f", file], { encoding: "utf8" })).toContain(NEW);
    expect(verifyHostKey(parseKnownHosts(recorded, file), "[10.0.0.12]:2222", key(NEW)).status).toBe("match");
    // Seen again (a second run racing the first): not recorded twice, though every hash has its own salt.
    expect(await judgeHostKey("spark-02", hashing, [], key(NEW), "x")).toBeNull();
    expect(readFileSync(file, "utf8")).toBe(recorded);
  });
});

describe("hostKeyAlgorithmsFor", () => {
  it("prefers the algorithms of keys already known for the host", () => {
    expect(hostKeyAlgorithmsFor(["ssh-rsa"]).slice(0, 4)).toEqual(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa", "ssh-ed25519"]);
    expect(hostKeyAlgorithmsFor(["ecdsa-sha2-nistp256"])[0]).toBe("ecdsa-sha2-nistp256");
    expect(hostKeyAlgorithmsFor([])).toHaveLength(7);
  });
});

describe("accept-new racing another writer", () => {
  it("refuses a key when, since known_hosts was read, another key of its type was recorded for the host", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "judge-")), "known_hosts");
    const accepting = endpoint({ address: "10.0.0.12", port: 22, hostKeyChecking: "accept-new", knownHostsFiles: [file] });
    // Both connections read known_hosts before either recorded a key (entries: []).
    expect(await judgeHostKey("spark-02", accepting, [], key(OLD), "x")).toBeNull();
    const second = await judgeHostKey("spark-02", accepting, [], key(NEW), "x");
    expect(second?.kind).toBe("host-key-changed");
    expect(second?.message).toContain(`known_hosts has ${OLD_FINGERPRINT} (ssh-ed25519, ${file}:1)`);
    expect(readFileSync(file, "utf8")).toBe(`10.0.0.12 ssh-ed25519 ${OLD}\n`);
    // The key recorded first is accepted again.
    expect(await judgeHostKey("spark-02", accepting, [], key(OLD), "x")).toBeNull();
  });
});

describe("dial", () => {
  /** A loopback port nothing listens on: bound, then closed. */
  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  it("reports a closed port as unreachable even with no key to offer, as ssh does (it connects before it authenticates)", async () => {
    const port = await closedPort();
    const home = mkdtempSync(join(tmpdir(), "dial-"));
    const noKeys = endpoint({ address: "127.0.0.1", port, identityFiles: [join(home, "id_ed25519")], knownHostsFiles: [join(home, "known_hosts")] });
    const error = await dial(noKeys, { host: "spark-01", identities: new IdentityKeys(async () => "") }).then(
      () => undefined,
      (e: unknown) => e as TransportError,
    );
    expect(error).toBeInstanceOf(TransportError);
    expect([error!.kind, error!.message]).toEqual(["unreachable", `spark-01: unreachable: nvidia@127.0.0.1:${port}: connection refused`]);
  });
});
