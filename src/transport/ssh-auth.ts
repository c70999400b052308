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

export async function planAuth(host: string, endpoint: SshEndpoint, resolveSecret: SecretResolver): Promise<AuthPlan> {
  const methods: AnyAuthMethod[] = [];
  const notes: string[] = [];
  if (endpoint.agentSocket !== null) methods.push({ type: "agent", username: endpoint.user, agent: endpoint.agentSocket });
  let passphrase: Promise<string> | undefined;
  for (const file of endpoint.identityFiles) {
    let data: Buffer;
    try {
      data = await readRegularFile(file, MAX_KEY_BYTES);
    } catch (error) {
      if (!endpoint.defaultIdentities) notes.push(`${file}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "not found" : (error as Error).message}`);
      continue;
    }
    const { utils } = await loadSsh2();
    let parsed = utils.parseKey(data);
    if (parsed instanceof Error && /no passphrase given/i.test(parsed.message)) {
      if (endpoint.passphrase === undefined) {
        notes.push(`${file}: encrypted and no passphrase configured (load it into the agent or set passphrase)`);
        continue;
      }
      const ref = endpoint.passphrase;
      passphrase ??= resolveSecret(ref).catch((error: unknown) => {
        throw new TransportError("auth-failed", host, `passphrase for ${file}: ${(error as Error).message}`, { cause: error });
      });
      parsed = utils.parseKey(data, await passphrase);
      if (parsed instanceof Error) {
        notes.push(`${file}: the configured passphrase does not decrypt it`);
        continue;
      }
    }
    if (parsed instanceof Error) {
      notes.push(`${file}: not a private key ssh2 can read (${parsed.message})`);
      continue;
    }
    const key: ParsedKey | undefined = Array.isArray(parsed) ? parsed[0] : parsed;
    if (key) methods.push({ type: "publickey", username: endpoint.user, key });
  }
  return { methods, notes };
}

/** The ssh2 auth handler that walks the plan once, then gives up (no password, no prompt). */
export function authHandlerFor(plan: AuthPlan): (methodsLeft: unknown, partialSuccess: unknown, next: (method: AnyAuthMethod | false) => void) => void {
  const queue = [...plan.methods];
  return (_methodsLeft, _partial, next) => next(queue.shift() ?? false);
}
