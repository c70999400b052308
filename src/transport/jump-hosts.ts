/**
 * Jump host (bastion) connections shared by every host behind them: one SSH connection per jump
 * host per run, each forwarded connection a channel on it. A per-jump-host limit caps how many
 * forwarded connections are being set up (forward + handshake + auth) at once, so fifty hosts
 * behind one bastion do not hit its sshd with fifty simultaneous key exchanges.
 */
import type { Duplex } from "node:stream";
import type { Client } from "ssh2";
import { firstLine } from "./errors.js";
import { Limiter } from "./limiter.js";
import { dial, dialWithRetry, endClient, type RetryPolicy } from "./ssh-client.js";
import { describeEndpoint, type SshEndpoint } from "./ssh-endpoint.js";
import type { IdentityKeys } from "./ssh-auth.js";
import { TransportError } from "./types.js";

interface SharedJump {
  client: Client;
  limiter: Limiter;
}

export interface JumpHostOptions {
  /** Forwarded connections being set up at once through one jump host. */
  concurrency: number;
  retry: RetryPolicy;
  identities: IdentityKeys;
}

export class JumpHosts {
  private readonly jumps = new Map<string, Promise<SharedJump>>();
  private closed = false;

  constructor(private readonly options: JumpHostOptions) {}

  /**
   * Run `connect` with a stream to `target` opened through the jump chain; the last jump host's
   * slot is held until `connect` settles. With no jumps, `connect` gets no stream (dial directly).
   */
  async through<T>(host: string, chain: SshEndpoint[], target: SshEndpoint, connect: (sock: Duplex | undefined) => Promise<T>): Promise<T> {
    if (chain.length === 0) return connect(undefined);
    const last = await this.jump(host, chain).catch((error: unknown) => {
      // The shared jump connection failed for whichever host dialled it first; name this one.
      throw error instanceof TransportError ? new TransportError(error.kind, host, error.cause_, { cause: error.cause }) : error;
    });
    return last.limiter.run(async () => connect(await forward(host, last.client, chain[chain.length - 1] as SshEndpoint, target)));
  }

  private jump(host: string, chain: SshEndpoint[]): Promise<SharedJump> {
    if (this.closed) return Promise.reject(new TransportError("cancelled", host, "the connection pool is closed"));
    const key = chain.map(sharingKey).join(" > ");
    const existing = this.jumps.get(key);
    if (existing) return existing;
    const hop = chain[chain.length - 1] as SshEndpoint;
    const before = chain.slice(0, -1);
    const opened = dialWithRetry(
      () => this.through(host, before, hop, (sock) => dial(hop, { host, asBastion: true, identities: this.options.identities, ...(sock ? { sock } : {}) })),
      this.options.retry,
    ).then((client) => {
      // A dropped jump connection is dialled again by the next host that needs it.
      client.on("close", () => {
        if (this.jumps.get(key) === opened) this.jumps.delete(key);
      });
      return { client, limiter: new Limiter(this.options.concurrency) };
    });
    this.jumps.set(key, opened);
    return opened;
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    const all = [...this.jumps.values()];
    this.jumps.clear();
    await Promise.all(all.map((jump) => jump.then(({ client }) => endClient(client), () => undefined)));
  }
}

/**
 * Hosts share a jump connection only when they would dial the jump host alike: same address,
 * user and port, and the same host key policy, known_hosts files and credentials. Otherwise the
 * first host's verdict (a key its known_hosts lists, or a refusal) would decide for the others.
 */
function sharingKey(endpoint: SshEndpoint): string {
  const { label: _label, connectTimeoutMs: _connect, keepaliveIntervalMs: _keepalive, acceptNewHint: _hint, hostBehind: _behind, ...dialled } = endpoint;
  return JSON.stringify(dialled);
}

function forward(host: string, client: Client, jump: SshEndpoint, target: SshEndpoint): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const failed = (error: Error): void =>
      reject(
        new TransportError(
          "unreachable",
          host,
          `via jump host ${jump.label} (${describeEndpoint(jump)}): cannot reach ${target.address}:${target.port}: ${firstLine(error.message)}`,
          { cause: error },
        ),
      );
    try {
      client.forwardOut("127.0.0.1", 0, target.address, target.port, (error, stream) => {
        if (error) failed(error);
        else resolve(stream);
      });
    } catch (error) {
      failed(error as Error);
    }
  });
}
