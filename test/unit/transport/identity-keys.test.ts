/**
 * A run reads and decrypts each identity file once and resolves each passphrase once, however many
 * hosts name them; what it reports stays per host (errors name the host that asked).
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SecretRef } from "../../../src/config/types.js";
import { agentKeyOrder, IdentityKeys, planAuth } from "../../../src/transport/ssh-auth.js";
import type { SshEndpoint } from "../../../src/transport/ssh-endpoint.js";
import { TransportError } from "../../../src/transport/types.js";

const PASSPHRASE = "correct horse battery staple";
let dir: string;
let encrypted: string;
let plain: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "nemoclaw-identity-keys-"));
  encrypted = join(dir, "id_encrypted");
  plain = join(dir, "id_plain");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", PASSPHRASE, "-C", "encrypted", "-f", encrypted]);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "plain", "-f", plain]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function endpoint(identityFiles: string[], passphrase?: SecretRef, defaultIdentities = false): SshEndpoint {
  return {
    user: "ops",
    agentSocket: null,
    identityFiles,
    defaultIdentities,
    ...(passphrase ? { passphrase } : {}),
  } as unknown as SshEndpoint;
}

/** IdentityKeys over the real files, counting reads per file and passphrase resolutions per reference. */
function counting(answer: (ref: SecretRef) => Promise<string>) {
  const reads = new Map<string, number>();
  const asked: SecretRef[] = [];
  const identities = new IdentityKeys(
    (ref) => {
      asked.push(ref);
      return answer(ref);
    },
    async (file) => {
      reads.set(file, (reads.get(file) ?? 0) + 1);
      return readFileSync(file);
    },
  );
  return { identities, reads, asked };
}

const ENV_PASSPHRASE: SecretRef = { kind: "env", name: "DGX_KEY_PASSPHRASE" };

describe("identity files in one run", () => {
  it("reads and decrypts an encrypted key once for every host that names it", async () => {
    const { identities, reads, asked } = counting(async () => PASSPHRASE);
    const hosts = ["spark-01", "spark-02", "spark-03"];
    const plans = await Promise.all(hosts.map((host) => planAuth(host, endpoint([encrypted, plain], ENV_PASSPHRASE), identities)));
    expect(reads).toEqual(
      new Map([
        [encrypted, 1],
        [plain, 1],
      ]),
    );
    expect(asked).toEqual([ENV_PASSPHRASE]);
    for (const plan of plans) {
      expect(plan.notes).toEqual([]);
      expect(plan.methods.map((method) => method.type)).toEqual(["publickey", "publickey"]);
    }
    const first = plans[0]!.methods[0] as { key: { getPublicSSH(): Buffer } };
    expect(first.key.getPublicSSH().toString("base64")).toBe(readFileSync(`${encrypted}.pub`, "utf8").split(" ")[1]);
  });

  it("keeps a different passphrase reference apart: a wrong one fails only where it is named", async () => {
    const wrong: SecretRef = { kind: "env", name: "OLD_PASSPHRASE" };
    const { identities, asked } = counting(async (ref) => (ref === wrong ? "not it" : PASSPHRASE));
    const good = await planAuth("spark-01", endpoint([encrypted], ENV_PASSPHRASE), identities);
    const bad = await planAuth("spark-02", endpoint([encrypted], wrong), identities);
    expect(good.methods).toHaveLength(1);
    expect(bad.methods).toEqual([]);
    expect(bad.notes).toEqual([`${encrypted}: the configured passphrase does not decrypt it`]);
    expect(asked).toEqual([ENV_PASSPHRASE, wrong]);
  });

  it("asks for a passphrase that cannot be resolved once, and names each host in its error", async () => {
    const { identities, asked } = counting(() => Promise.reject(new Error("secret env:DGX_KEY_PASSPHRASE: environment variable DGX_KEY_PASSPHRASE is not set")));
    const errors = await Promise.all(
      ["spark-01", "spark-02"].map((host) =>
        planAuth(host, endpoint([encrypted], ENV_PASSPHRASE), identities).then(
          () => Promise.reject(new Error(`${host} was not refused`)),
          (error: unknown) => error as TransportError,
        ),
      ),
    );
    expect(asked).toHaveLength(1);
    expect(errors.map((error) => [error.kind, error.host])).toEqual([
      ["auth-failed", "spark-01"],
      ["auth-failed", "spark-02"],
    ]);
    expect(errors[1]!.message).toBe(`spark-02: auth-failed: passphrase for ${encrypted}: secret env:DGX_KEY_PASSPHRASE: environment variable DGX_KEY_PASSPHRASE is not set`);
  });

  it("reports a missing file once read, but only for hosts that named it", async () => {
    const { identities, reads } = counting(async () => PASSPHRASE);
    const missing = join(dir, "id_missing");
    const byDefault = await planAuth("spark-01", endpoint([missing, plain], undefined, true), identities);
    const named = await planAuth("spark-02", endpoint([missing, plain]), identities);
    expect(byDefault.notes).toEqual([]);
    expect(named.notes).toEqual([`${missing}: not found`]);
    expect(reads.get(missing)).toBe(1);
  });

  it("never asks for a passphrase when no key is encrypted", async () => {
    const { identities, asked } = counting(async () => PASSPHRASE);
    await planAuth("spark-01", endpoint([plain], ENV_PASSPHRASE), identities);
    expect(asked).toEqual([]);
  });
});

describe("the agent's keys", () => {
  const blob = (n: number): Buffer => Buffer.from([n]);
  const keys = [1, 2, 3, 4].map((n) => ({ n, blob: blob(n) }));
  const blobOf = (key: { blob: Buffer | null }): Buffer | null => key.blob;

  it("offers the identity files' keys first, in the agent's order, then the others", () => {
    expect(agentKeyOrder(keys, blobOf, [blob(4), blob(2)], false).map((key) => key.n)).toEqual([2, 4, 1, 3]);
  });

  it("offers only the identity files' keys under IdentitiesOnly, and none when it holds none of them", () => {
    expect(agentKeyOrder(keys, blobOf, [blob(3)], true).map((key) => key.n)).toEqual([3]);
    expect(agentKeyOrder(keys, blobOf, [blob(9)], true)).toEqual([]);
    expect(agentKeyOrder([...keys, { n: 5, blob: null }], blobOf, [], false).map((key) => key.n)).toEqual([1, 2, 3, 4, 5]);
  });

  it("knows an identity file's public key without its passphrase: from the key, else from FILE.pub", async () => {
    const { identities, asked, reads } = counting(async () => PASSPHRASE);
    const publicOf = (file: string): string => Buffer.from(readFileSync(`${file}.pub`, "utf8").split(" ")[1]!, "base64").toString("hex");
    expect((await identities.publicKey(plain))?.toString("hex")).toBe(publicOf(plain));
    expect((await identities.publicKey(encrypted))?.toString("hex")).toBe(publicOf(encrypted));
    const lonely = join(dir, "id_encrypted_without_pub");
    copyFileSync(encrypted, lonely);
    expect(await identities.publicKey(lonely)).toBeNull();
    expect(await identities.publicKey(join(dir, "id_missing"))).toBeNull();
    expect(asked).toEqual([]);
    // The key itself is read once, for its public key and for authentication alike.
    await planAuth("spark-01", endpoint([plain]), identities);
    expect(reads.get(plain)).toBe(1);
  });
});

describe("asking the agent", () => {
  it("counts an agent that cannot be reached, or does not answer, as holding no keys", async () => {
    const silent = join(dir, "silent-agent.sock");
    const accepted: Socket[] = [];
    const server = createServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => server.listen(silent, resolve));
    try {
      const identities = new IdentityKeys(async () => PASSPHRASE, (file) => Promise.resolve(readFileSync(file)), 50);
      expect(await identities.heldBy(silent)).toEqual([]);
      expect(accepted).toHaveLength(1);
      expect(await identities.heldBy(join(dir, "no-agent.sock"))).toEqual([]);
    } finally {
      for (const socket of accepted) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
