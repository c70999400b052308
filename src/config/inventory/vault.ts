/**
 * Ansible Vault (format 1.1 and 1.2, AES256): whole encrypted files and inline `!vault` values.
 * Passwords come from `--vault-password-file FILE` and `--vault-id [label@]FILE` (or
 * `ANSIBLE_VAULT_PASSWORD_FILE`), read as Ansible reads them: an executable file is run and its
 * output (without the trailing newline) is the password; any other file's content, without
 * surrounding whitespace, is. The cryptography is the ansible-vault package's.
 */
import { execFile } from "node:child_process";
import { access, constants, stat } from "node:fs/promises";
import { Vault } from "ansible-vault";
import type { DiagnosticBag } from "../diagnostics.js";
import { readTextFile } from "../source.js";
import type { VarMap } from "./model.js";
import { VaultValue } from "./values.js";

export const VAULT_HEADER = "$ANSIBLE_VAULT;";

export interface VaultIdentity {
  /** The vault id label (`--vault-id label@file`); `default` otherwise. */
  label: string;
  /** The password file or script. */
  file: string;
}

export class VaultError extends Error {}

export function isVaultText(text: string): boolean {
  return text.trimStart().startsWith(VAULT_HEADER);
}

/** The label a 1.2 vault names in its header, if any. */
function labelOf(text: string): string | undefined {
  const header = text.trimStart().split(/\r?\n/, 1)[0]!.split(";").map((part) => part.trim());
  return header[1] === "1.2" ? header[3] : undefined;
}

/** `--vault-id` values: `label@file`, or just `file` (label `default`). */
export function parseVaultId(value: string): VaultIdentity {
  const at = value.indexOf("@");
  return at > 0 ? { label: value.slice(0, at), file: value.slice(at + 1) } : { label: "default", file: value };
}

/**
 * Vault passwords named in the environment, as Ansible's configuration takes them:
 * `ANSIBLE_VAULT_IDENTITY_LIST` (comma-separated `[label@]file`) and `ANSIBLE_VAULT_PASSWORD_FILE`.
 */
export function vaultIdentitiesFromEnv(env: NodeJS.ProcessEnv): VaultIdentity[] {
  const listed = (env.ANSIBLE_VAULT_IDENTITY_LIST ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "")
    .map(parseVaultId);
  const file = env.ANSIBLE_VAULT_PASSWORD_FILE?.trim();
  return file === undefined || file === "" || listed.some((identity) => identity.file === file) ? listed : [...listed, { label: "default", file }];
}

/** Decrypts vault text with the passwords it was given; reads each password only when first needed. */
export class VaultKeyring {
  private readonly passwords = new Map<VaultIdentity, Promise<string>>();

  constructor(readonly identities: readonly VaultIdentity[]) {}

  get empty(): boolean {
    return this.identities.length === 0;
  }

  /** The plain text; throws VaultError when no password opens it. */
  async decrypt(text: string): Promise<string> {
    if (this.empty) throw new VaultError("it is vault-encrypted and no vault password was given (--vault-password-file or --vault-id)");
    const normalized = text
      .trim()
      .split(/\r?\n/)
      .map((line) => line.trim())
      .join("\n");
    const label = labelOf(normalized);
    // The identity whose label the vault names goes first; the others are tried after it, as Ansible does.
    const ordered = [...this.identities].sort((a, b) => Number(b.label === label) - Number(a.label === label));
    for (const identity of ordered) {
      const password = await this.password(identity);
      try {
        const plain = await new Vault({ password }).decrypt(normalized, undefined);
        if (plain !== undefined) return plain;
      } catch (error) {
        if ((error as Error).message === "Bad vault header" || (error as Error).message === "Invalid vault") throw new VaultError(`it is not a valid vault (${(error as Error).message.toLowerCase()})`);
      }
    }
    throw new VaultError(`none of the vault passwords given (${this.identities.map((i) => i.file).join(", ")}) decrypts it`);
  }

  private password(identity: VaultIdentity): Promise<string> {
    let password = this.passwords.get(identity);
    if (password === undefined) {
      password = readVaultPassword(identity.file);
      this.passwords.set(identity, password);
    }
    return password;
  }
}

async function readVaultPassword(file: string): Promise<string> {
  // Only a regular file is run as a script; a directory or device is refused by readTextFile.
  const isFile = await stat(file).then(
    (info) => info.isFile(),
    () => false,
  );
  const executable =
    isFile &&
    (await access(file, constants.X_OK).then(
      () => true,
      () => false,
    ));
  let password: string;
  if (executable) {
    password = await new Promise<string>((resolve, reject) => {
      execFile(file, [], { timeout: 60_000, maxBuffer: 1024 * 1024 }, (error, stdout) => {
        if (error) reject(new VaultError(`vault password script ${file} failed: ${error.message.split("\n")[0]}`));
        else resolve(stdout.replace(/[\r\n]+$/, ""));
      });
    });
  } else {
    try {
      password = (await readTextFile(file, 64 * 1024)).trim();
    } catch (error) {
      throw new VaultError(`vault password file ${file} ${(error as Error).message}`);
    }
  }
  if (password === "") throw new VaultError(`vault password file ${file} is empty`);
  return password;
}

/**
 * Decrypts the inline `!vault` values nemoclaw needs (`needs(name)`), in place, marking them
 * secret; the others stay encrypted. Without a password, or when none opens a value, it stays
 * encrypted and the host settings report it where it is used.
 */
export async function decryptInlineVaults(maps: Iterable<VarMap>, keyring: VaultKeyring, needs: (name: string) => boolean, bag: DiagnosticBag): Promise<void> {
  if (keyring.empty) return;
  for (const vars of maps) {
    for (const [name, variable] of vars) {
      if (!(variable.value instanceof VaultValue) || !needs(name)) continue;
      try {
        vars.set(name, { ...variable, value: await keyring.decrypt(variable.value.ciphertext), secret: true });
      } catch (error) {
        if (!(error instanceof VaultError)) throw error;
        bag.error(variable.source, `${name}: cannot decrypt this vault value: ${error.message}`);
      }
    }
  }
}
