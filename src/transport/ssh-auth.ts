/**
 * Which credentials to offer, in OpenSSH's order: the agent's keys (those of the identity files
 * first), then identity files. Never prompts: an encrypted key is used through the agent or with
 * the configured passphrase (a secret reference), and every key that had to be skipped is
 * remembered for the error message.
 */
import { readRegularFile } from "../config/source.js";
import type { AnyAuthMethod, BaseAgent, IdentityCallback, ParsedKey, PublicKeyEntry } from "ssh2";
import type { SecretRef } from "../config/types.js";
import type { SshEndpoint } from "./ssh-endpoint.js";
import { loadSsh2 } from "./ssh2-module.js";
import { TransportError } from "./types.js";

export type SecretResolver = (ref: SecretRef) => Promise<string>;

/** How long listing an agent's keys may take; a local agent answers in milliseconds. */
const AGENT_ANSWER_MS = 5_000;

/** A private key is a few kilobytes; anything this large is not one (nor a FIFO, a device or a directory). */
const MAX_KEY_BYTES = 1024 * 1024;

export interface AuthPlan {
  methods: AnyAuthMethod[];
  /** Why identity files were skipped, for the auth-failed message. */
  notes: string[];
}

/** What one identity file gives, the same for every host that names it with the same passphrase. */
export type Identity =
  | { kind: "key"; key: ParsedKey }
  /** Could not be read: reported only for files the fleet or ~/.ssh/config named. */
  | { kind: "unreadable"; note: string }
  | { kind: "skipped"; note: string }
  | { kind: "passphrase-failed"; error: unknown };

/**
 * The identity files of one run: each read once, its public key and its decrypted key worked out
 * once, each passphrase resolved once and each agent's key list asked once, for every host and
 * jump host. Decrypting an OpenSSH key runs bcrypt-pbkdf in JavaScript (about 0.3 s of CPU for
 * ssh-keygen's default 16 rounds); done once per host it held up every other host's handshake.
 */
export class IdentityKeys {
  private readonly identities = new Map<string, Promise<Identity>>();
  private readonly passphrases = new Map<string, Promise<string>>();
  private readonly publicKeys = new Map<string, Promise<Buffer | null>>();
  private readonly files = new Map<string, Promise<Buffer>>();
  private readonly agentKeys = new Map<string, Promise<Buffer[]>>();

  constructor(
    private readonly resolveSecret: SecretResolver,
    private readonly readKeyFile: (file: string) => Promise<Buffer> = (file) => readRegularFile(file, MAX_KEY_BYTES),
    private readonly agentAnswerMs = AGENT_ANSWER_MS,
  ) {}

  identity(file: string, passphrase: SecretRef | undefined): Promise<Identity> {
    return remembered(this.identities, JSON.stringify([file, passphrase ?? null]), () => this.load(file, passphrase));
  }

  /**
   * The file's public key (SSH wire format) without decrypting it: from the key itself when it is
   * not encrypted, else from `FILE.pub` beside it; null when neither is readable.
   */
  publicKey(file: string): Promise<Buffer | null> {
    return remembered(this.publicKeys, file, async () => {
      const { utils } = await loadSsh2();
      for (const candidate of [file, `${file}.pub`]) {
        const data = await this.bytes(candidate).catch(() => null);
        const parsed = data === null ? null : utils.parseKey(data);
        const key = Array.isArray(parsed) ? parsed[0] : parsed;
        if (key && !(key instanceof Error)) return key.getPublicSSH();
      }
      return null;
    });
  }

  /**
   * The public keys an agent holds, asked once per run; none when it cannot be asked or does not
   * answer in time (then its keys' files are offered as well).
   */
  heldBy(socket: string): Promise<Buffer[]> {
    return remembered(this.agentKeys, socket, async () => {
      const { OpenSSHAgent } = await loadSsh2();
      return new Promise<Buffer[]>((resolve) => {
        const timer = setTimeout(() => resolve([]), this.agentAnswerMs);
        new OpenSSHAgent(socket).getIdentities((error, keys) => {
          clearTimeout(timer);
          resolve(error || !keys ? [] : keys.map(publicBlobOf).filter((blob): blob is Buffer => blob !== null));
        });
      });
    });
  }

  private async load(file: string, passphraseRef: SecretRef | undefined): Promise<Identity> {
    let data: Buffer;
    try {
      data = await this.bytes(file);
    } catch (error) {
      return { kind: "unreadable", note: `${file}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "not found" : (error as Error).message}` };
    }
    const { utils } = await loadSsh2();
    let parsed = utils.parseKey(data);
    if (parsed instanceof Error && /no passphrase given/i.test(parsed.message)) {
      if (passphraseRef === undefined) return { kind: "skipped", note: `${file}: encrypted and no passphrase configured (load it into the agent or set passphrase)` };
      let passphrase: string;
      try {
        passphrase = await this.passphrase(passphraseRef);
      } catch (error) {
        return { kind: "passphrase-failed", error };
      }
      parsed = utils.parseKey(data, passphrase);
      if (parsed instanceof Error) return { kind: "skipped", note: `${file}: the configured passphrase does not decrypt it` };
    }
    if (parsed instanceof Error) return { kind: "skipped", note: `${file}: not a private key ssh2 can read (${parsed.message})` };
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    return key === undefined ? { kind: "skipped", note: `${file}: holds no key` } : { kind: "key", key };
  }

  /** A key file's bytes, read once however many identities and public keys come from it. */
  private bytes(file: string): Promise<Buffer> {
    return remembered(this.files, file, () => this.readKeyFile(file));
  }

  private passphrase(ref: SecretRef): Promise<string> {
    return remembered(this.passphrases, JSON.stringify(ref), () => this.resolveSecret(ref));
  }
}

/** The value kept under `key`, made and kept on first use. */
function remembered<T>(kept: Map<string, T>, key: string, make: () => T): T {
  let value = kept.get(key);
  if (value === undefined) {
    value = make();
    kept.set(key, value);
  }
  return value;
}

export async function planAuth(host: string, endpoint: SshEndpoint, identities: IdentityKeys): Promise<AuthPlan> {
  const methods: AnyAuthMethod[] = [];
  const notes: string[] = [];
  let held: Buffer[] = [];
  const publicKeys = new Map<string, Buffer | null>();
  if (endpoint.agentSocket !== null) {
    for (const file of endpoint.identityFiles) publicKeys.set(file, await identities.publicKey(file));
    const own = [...publicKeys.values()].filter((key): key is Buffer => key !== null);
    methods.push({ type: "agent", username: endpoint.user, agent: await identityFirstAgent(endpoint.agentSocket, own, endpoint.identitiesOnly) });
    held = await identities.heldBy(endpoint.agentSocket);
  }
  for (const file of endpoint.identityFiles) {
    // A key the agent holds is offered through the agent only, as ssh does: never decrypted here.
    const publicKey = publicKeys.get(file);
    if (publicKey && held.some((blob) => blob.equals(publicKey))) continue;
    const identity = await identities.identity(file, endpoint.passphrase);
    switch (identity.kind) {
      case "key":
        methods.push({ type: "publickey", username: endpoint.user, key: identity.key });
        break;
      case "unreadable":
        if (!endpoint.defaultIdentities) notes.push(identity.note);
        break;
      case "skipped":
        notes.push(identity.note);
        break;
      case "passphrase-failed":
        throw new TransportError("auth-failed", host, `passphrase for ${file}: ${(identity.error as Error).message}`, { cause: identity.error });
    }
  }
  return { methods, notes };
}

/**
 * The agent's keys in the order OpenSSH offers them (sshconnect2.c, pubkey_prepare): those of the
 * identity files first, in the agent's order, then the others, which IdentitiesOnly leaves out.
 * Each key offered counts against sshd's MaxAuthTries (6 by default), so an agent holding many
 * keys must not offer the others before the host's own.
 */
export function agentKeyOrder<K>(keys: readonly K[], blobOf: (key: K) => Buffer | null, own: readonly Buffer[], identitiesOnly: boolean): K[] {
  const isOwn = (key: K): boolean => {
    const blob = blobOf(key);
    return blob !== null && own.some((ownBlob) => ownBlob.equals(blob));
  };
  const first = keys.filter(isOwn);
  return identitiesOnly ? first : [...first, ...keys.filter((key) => !isOwn(key))];
}

/** An agent key's public blob (ssh2's OpenSSH agent client lists parsed keys). */
function publicBlobOf(entry: ParsedKey | PublicKeyEntry): Buffer | null {
  return "getPublicSSH" in entry ? entry.getPublicSSH() : null;
}

type IdentityFirstAgent = new (socket: string, own: readonly Buffer[], identitiesOnly: boolean) => BaseAgent;
let identityFirstAgentClass: IdentityFirstAgent | undefined;

/** ssh2's OpenSSH agent client, its keys listed in agentKeyOrder's order. */
async function identityFirstAgent(socket: string, own: readonly Buffer[], identitiesOnly: boolean): Promise<BaseAgent> {
  const { OpenSSHAgent } = await loadSsh2();
  identityFirstAgentClass ??= class extends OpenSSHAgent {
    constructor(
      socket: string,
      private readonly own: readonly Buffer[],
      private readonly identitiesOnly: boolean,
    ) {
      super(socket);
    }

    override getIdentities(callback: IdentityCallback<ParsedKey>): void {
      super.getIdentities((error, keys) => (error || !keys ? callback(error, keys) : callback(null, agentKeyOrder(keys, publicBlobOf, this.own, this.identitiesOnly))));
    }
  };
  return new identityFirstAgentClass(socket, own, identitiesOnly);
}

/** The ssh2 auth handler that walks the plan once, then gives up (no password, no prompt). */
export function authHandlerFor(plan: AuthPlan): (methodsLeft: unknown, partialSuccess: unknown, next: (method: AnyAuthMethod | false) => void) => void {
  const queue = [...plan.methods];
  return (_methodsLeft, _partial, next) => next(queue.shift() ?? false);
}
