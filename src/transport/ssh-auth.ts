/**
 * Which credentials to offer, in OpenSSH's order: the agent's keys, then identity files.
 * Never prompts: an encrypted key is used through the agent or with the configured passphrase
 * (a secret reference), and every key that had to be skipped is remembered for the error message.
 */
import { readRegularFile } from "../config/source.js";
import type { AnyAuthMethod, ParsedKey } from "ssh2";
import type { SecretRef } from "../config/types.js";
import type { SshEndpoint } from "./ssh-endpoint.js";
import { loadSsh2 } from "./ssh2-module.js";
import { TransportError } from "./types.js";

export type SecretResolver = (ref: SecretRef) => Promise<string>;

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
 * The identity files of one run, each read and decrypted once, and each passphrase resolved once.
 * Decrypting an OpenSSH key runs bcrypt-pbkdf in JavaScript (about 0.3 s of CPU for ssh-keygen's
 * default 16 rounds); done once per host it held up every other host's handshake.
 */
export class IdentityKeys {
  private readonly identities = new Map<string, Promise<Identity>>();
  private readonly passphrases = new Map<string, Promise<string>>();

  constructor(
    private readonly resolveSecret: SecretResolver,
    private readonly readKeyFile: (file: string) => Promise<Buffer> = (file) => readRegularFile(file, MAX_KEY_BYTES),
  ) {}

  identity(file: string, passphrase: SecretRef | undefined): Promise<Identity> {
    return remembered(this.identities, JSON.stringify([file, passphrase ?? null]), () => this.load(file, passphrase));
  }

  private async load(file: string, passphraseRef: SecretRef | undefined): Promise<Identity> {
    let data: Buffer;
    try {
      data = await this.readKeyFile(file);
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
  if (endpoint.agentSocket !== null) methods.push({ type: "agent", username: endpoint.user, agent: endpoint.agentSocket });
  for (const file of endpoint.identityFiles) {
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

/** The ssh2 auth handler that walks the plan once, then gives up (no password, no prompt). */
export function authHandlerFor(plan: AuthPlan): (methodsLeft: unknown, partialSuccess: unknown, next: (method: AnyAuthMethod | false) => void) => void {
  const queue = [...plan.methods];
  return (_methodsLeft, _partial, next) => next(queue.shift() ?? false);
}
