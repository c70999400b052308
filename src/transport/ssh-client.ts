/**
 * Dialing one SSH endpoint with ssh2: host key checked against known_hosts before anything else
 * is sent, credentials from the auth plan, connect timeout and keepalive, and every failure
 * classified. Retries live in `dialWithRetry`: only failures where no session could have started.
 */
import type { Duplex } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { Client, ServerHostKeyAlgorithm } from "ssh2";
import { classifyConnectError, isRetryableConnectError } from "./errors.js";
import {
  appendKnownHost,
  fingerprint,
  keyTypeOfBlob,
  knownHostsName,
  knownKeyTypes,
  readKnownHostsFiles,
  verifyHostKey,
  type HostKey,
  type KnownHostEntry,
} from "./known-hosts.js";
import { authHandlerFor, planAuth, type AuthPlan, type IdentityKeys } from "./ssh-auth.js";
import { describeEndpoint, type SshEndpoint } from "./ssh-endpoint.js";
import { loadSsh2 } from "./ssh2-module.js";
import { TransportError } from "./types.js";

export interface DialOptions {
  /** The fleet host this connection serves; every error names it. */
  host: string;
  /** An already open stream to the endpoint (a channel forwarded by a jump host). */
  sock?: Duplex;
  /** Set when the endpoint is a jump host, so messages say which hop failed. */
  asBastion?: boolean;
  /** The run's identity files, each read and decrypted once. */
  identities: IdentityKeys;
}

/** ssh2's host key algorithms, in its default order. */
const HOST_KEY_ALGORITHMS: ServerHostKeyAlgorithm[] = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
  "ssh-rsa",
];

/**
 * Prefer algorithms whose key known_hosts already lists (as OpenSSH does); otherwise a host
 * known by its RSA key would present its ed25519 key and look unknown.
 */
export function hostKeyAlgorithmsFor(knownTypes: string[]): ServerHostKeyAlgorithm[] {
  const preferred = knownTypes.flatMap((type): ServerHostKeyAlgorithm[] =>
    type === "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : HOST_KEY_ALGORITHMS.filter((algorithm) => algorithm === type),
  );
  return [...new Set([...preferred, ...HOST_KEY_ALGORITHMS])];
}

function where(endpoint: SshEndpoint, asBastion: boolean | undefined): string {
  return asBastion ? `via jump host ${endpoint.label} (${describeEndpoint(endpoint)})` : describeEndpoint(endpoint);
}

/** The verdict on a presented key, as a TransportError when the connection must be refused. */
export async function judgeHostKey(
  host: string,
  endpoint: SshEndpoint,
  entries: KnownHostEntry[],
  key: HostKey,
  context: string,
): Promise<TransportError | null> {
  const name = knownHostsName(endpoint.address, endpoint.port);
  let verdict = verifyHostKey(entries, name, key);
  const presented = `${fingerprint(key.blob)} (${key.type})`;
  if (verdict.status === "unknown" && endpoint.hostKeyChecking === "accept-new" && endpoint.knownHostsFiles[0] !== undefined) {
    // Recorded, unless the file has meanwhile gained another key for the name: judged as that.
    const raced = await appendKnownHost(endpoint.knownHostsFiles[0], name, key, { hashName: endpoint.hashKnownHosts });
    if (raced === null) return null;
    verdict = raced;
  }
  switch (verdict.status) {
    case "match":
      return null;
    case "revoked":
      return new TransportError(
        "host-key-changed",
        host,
        `${context}: host key ${presented} is marked @revoked in ${verdict.entry.file}:${verdict.entry.line}; refusing to connect`,
      );
    case "changed": {
      const known = verdict.known;
      return new TransportError(
        "host-key-changed",
        host,
        `${context}: HOST KEY CHANGED for ${endpoint.label} (${name}): known_hosts has ${fingerprint(known.key.blob)} (${known.key.type}, ${known.file}:${known.line}) but the host presented ${presented}; refusing to connect. If the host was reinstalled, verify the new key and remove the old one: ssh-keygen -R '${name}'`,
      );
    }
    case "unknown": {
      if (endpoint.hostKeyChecking === "accept-new") {
        // With a file to record it in, the key was recorded (or judged again) above.
        return new TransportError("host-key-unknown", host, `${context}: accept-new needs a known_hosts file to record ${presented} in`);
      }
      const others = verdict.otherTypes.length > 0 ? `; known_hosts lists only ${[...new Set(verdict.otherTypes.map((entry) => entry.key.type))].join(", ")} keys for it` : "";
      return new TransportError(
        "host-key-unknown",
        host,
        `${context}: host key for ${endpoint.label} (${name}) is not in ${endpoint.knownHostsFiles.join(", ") || "any known_hosts file"}: presented ${presented}${others}. Verify it and add it (ssh-keyscan), or use ${endpoint.acceptNewHint ?? "hostKeyChecking: accept-new"}${await listedBehind(endpoint, name, key)}`,
      );
    }
  }
}

/**
 * For a jump host whose key is unknown: where the known_hosts file of the host behind it lists the
 * key, which is said, with what to do (docs/ssh.md#bastions-proxyjump); "" otherwise. A file that
 * cannot be read adds nothing: the refusal stands as it is.
 */
async function listedBehind(endpoint: SshEndpoint, name: string, key: HostKey): Promise<string> {
  if (endpoint.hostBehind === undefined || endpoint.hostBehind.knownHostsFiles.length === 0) return "";
  const verdict = verifyHostKey(await readKnownHostsFiles(endpoint.hostBehind.knownHostsFiles).catch(() => []), name, key);
  if (verdict.status !== "match") return "";
  const file = verdict.entry.file;
  return `. ${file} lists it, but that is the known_hosts file of the host behind it, and a jump host is checked against its own known_hosts files only, as ssh -J checks it: declare the jump host as a fleet host with knownHostsFile ${file} (and proxyJump: <its name> on the hosts behind it), or give it UserKnownHostsFile ${file} in a Host block of ~/.ssh/config`;
}

export async function dial(endpoint: SshEndpoint, options: DialOptions): Promise<Client> {
  const context = where(endpoint, options.asBastion);
  const plan = await planAuth(options.host, endpoint, options.identities);
  // As ssh: the user's files, then the system-wide ones (GlobalKnownHostsFile); a key listed in any of them is known.
  const entries = await readKnownHostsFiles(endpoint.knownHostsFiles, endpoint.globalKnownHostsFiles);
  const algorithms = hostKeyAlgorithmsFor(knownKeyTypes(entries, knownHostsName(endpoint.address, endpoint.port)));

  const { Client } = await loadSsh2();
  const client = new Client();
  let refusal: TransportError | null = null;
  return new Promise<Client>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      client.end();
      const classified = refusal ?? classifyConnectError(options.host, context, error);
      reject(classified.kind === "auth-failed" ? authFailure(classified, plan, context, endpoint) : classified);
    };
    client.on("ready", () => {
      settled = true;
      resolve(client);
    });
    client.on("error", (error: Error & { level?: string }) => {
      // Agent and per-key signing problems are not fatal: ssh2 moves on to the next method.
      if (error.level === "agent" || /^Error (while )?signing/.test(error.message)) {
        plan.notes.push(`agent: ${error.message}`);
        return;
      }
      fail(error);
    });
    client.on("close", () => fail(new Error("connection closed during the SSH handshake")));
    // ssh2 writes every SSH packet on its own; with Nagle's algorithm on, a packet written before
    // the last one was acknowledged waits for the peer's delayed ACK (40 ms on Linux), several
    // times per handshake and per command (docs/performance.md). A jump host's channel has no
    // TCP socket of its own, and ssh2 then does nothing.
    client.on("connect", () => client.setNoDelay(true));
    client.connect({
      host: endpoint.address,
      port: endpoint.port,
      ...(options.sock ? { sock: options.sock } : {}),
      username: endpoint.user,
      readyTimeout: endpoint.connectTimeoutMs,
      keepaliveInterval: endpoint.keepaliveIntervalMs,
      keepaliveCountMax: 3,
      authHandler: authHandlerFor(plan) as never,
      algorithms: { serverHostKey: algorithms },
      hostVerifier: (blob: Buffer, verify: (valid: boolean) => void) => {
        let key: HostKey;
        try {
          key = { type: keyTypeOfBlob(blob), blob };
        } catch {
          refusal = new TransportError("host-key-unknown", options.host, `${context}: the host presented a malformed host key`);
          verify(false);
          return;
        }
        judgeHostKey(options.host, endpoint, entries, key, context).then(
          (verdict) => {
            refusal = verdict;
            verify(verdict === null);
          },
          (error: unknown) => {
            refusal = new TransportError("host-key-unknown", options.host, `${context}: recording the host key failed: ${(error as Error).message}`);
            verify(false);
          },
        );
      },
    });
  });
}

/**
 * An authentication failure, with why keys were skipped. With nothing to offer, the connection
 * was still made first, as ssh makes it, so a closed port or a wrong host key is reported as
 * such, not as missing credentials.
 */
function authFailure(error: TransportError, plan: AuthPlan, context: string, endpoint: SshEndpoint): TransportError {
  const behind = keysBehind(endpoint);
  if (plan.methods.length === 0) {
    const detail = plan.notes.length > 0 ? plan.notes.join("; ") : "no agent and no identity file";
    return new TransportError("auth-failed", error.host, `${context}: no credentials to offer: ${detail}${behind}`, { cause: error.cause });
  }
  if (plan.notes.length === 0 && behind === "") return error;
  const notes = plan.notes.length === 0 ? "" : ` (${plan.notes.join("; ")})`;
  return new TransportError(error.kind, error.host, `${error.cause_}${notes}${behind}`, { cause: error.cause });
}

/** For a jump host the hosts behind it have keys for: that they are not offered to it, and what to do (docs/ssh.md#bastions-proxyjump). */
function keysBehind(endpoint: SshEndpoint): string {
  const files = endpoint.hostBehind?.identityFiles ?? [];
  if (files.length === 0) return "";
  return `. The key files of the host behind it (${files.join(", ")}) are not offered to a jump host, as ssh -J offers them none: declare the jump host as a fleet host with its identityFile (and proxyJump: <its name> on the hosts behind it), or give it IdentityFile in a Host block of ~/.ssh/config`;
}

export interface RetryPolicy {
  /** Further attempts after the first, for unreachable-class failures only. */
  retries: number;
  /** Delay before the first retry; doubles each time. */
  backoffMs: number;
}

/**
 * Dial again after connection failures (refused, reset, timed out, no route): nothing can have
 * run yet. Host key and authentication failures are final.
 */
export async function dialWithRetry<T>(attempt: () => Promise<T>, policy: RetryPolicy, signal?: AbortSignal): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      const retryable = error instanceof TransportError && isRetryableConnectError(error);
      if (!retryable || tries >= policy.retries || signal?.aborted) throw error;
      await sleep(policy.backoffMs * 2 ** tries, undefined, signal ? { signal } : {}).catch(() => undefined);
      if (signal?.aborted) throw error;
    }
  }
}

/** End a connection politely, without waiting more than two seconds for the server. */
export function endClient(client: Client): Promise<void> {
  return new Promise((resolve) => {
    client.once("close", () => resolve());
    client.end();
    setTimeout(resolve, 2000).unref();
  });
}
