/**
 * known_hosts, read the way OpenSSH reads it: plain and `[host]:port` names, wildcard and negated
 * patterns, hashed `|1|salt|hash` entries, `@revoked` markers. `@cert-authority` lines are skipped
 * because host certificates are not supported (the host's own key must be listed).
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import { mkdir, open } from "node:fs/promises";
import { MAX_SOURCE_BYTES, readTextFile } from "../config/source.js";
import { dirname } from "node:path";

export interface HostKey {
  /** Key type as named inside the key blob, e.g. `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`. */
  type: string;
  blob: Buffer;
}

export interface KnownHostEntry {
  marker: "revoked" | null;
  /** Comma-separated patterns, or one hashed name `|1|salt|hash`. */
  names: string;
  key: HostKey;
  file: string;
  line: number;
}

export type HostKeyVerdict =
  | { status: "match"; entry: KnownHostEntry }
  | { status: "unknown"; otherTypes: KnownHostEntry[] }
  | { status: "changed"; known: KnownHostEntry }
  | { status: "revoked"; entry: KnownHostEntry };

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

/** `SHA256:<base64 without padding>`, as `ssh-keygen -l` prints it. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** The type name at the start of an SSH public key blob (uint32 length + string). */
export function keyTypeOfBlob(blob: Buffer): string {
  if (blob.length < 4) throw new Error("malformed SSH public key blob");
  const length = blob.readUInt32BE(0);
  if (length > blob.length - 4) throw new Error("malformed SSH public key blob");
  return blob.subarray(4, 4 + length).toString("latin1");
}

export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry["marker"] = null;
    if (fields[0]?.startsWith("@")) {
      const word = fields.shift();
      if (word !== "@revoked") return; // @cert-authority: host certificates are not supported
      marker = "revoked";
    }
    const [names, type, base64] = fields;
    if (names === undefined || type === undefined || base64 === undefined) return;
    const blob = Buffer.from(base64, "base64");
    // A line whose blob does not carry the type it claims is corrupt; OpenSSH skips those too.
    if (blob.length === 0 || safeKeyType(blob) !== type) return;
    entries.push({ marker, names, key: { type, blob }, file, line: index + 1 });
  });
  return entries;
}

function safeKeyType(blob: Buffer): string | null {
  try {
    return keyTypeOfBlob(blob);
  } catch {
    return null;
  }
}

/** Whether an entry's name field covers `name` (already in `knownHostsName` form). */
export function entryMatchesName(names: string, name: string): boolean {
  if (names.startsWith("|1|")) return hashedNameMatches(names, name);
  let matched = false;
  for (const pattern of names.split(",")) {
    if (pattern.startsWith("!")) {
      if (globMatches(pattern.slice(1), name)) return false;
    } else if (globMatches(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/** A hashed name `|1|salt|hash`, decoded once: the salt is the HMAC-SHA1 key, the hash its digest of the name. */
interface HashedName {
  salt: Buffer;
  hash: string;
}

function decodeHashedName(hashed: string): HashedName | null {
  const [, , salt, hash] = hashed.split("|");
  return salt === undefined || hash === undefined ? null : { salt: Buffer.from(salt, "base64"), hash };
}

function hashedNameMatches(hashed: string, name: string): boolean {
  const decoded = decodeHashedName(hashed);
  return decoded !== null && hashedNameCovers(decoded, name);
}

function hashedNameCovers(hashed: HashedName, name: string): boolean {
  return createHmac("sha1", hashed.salt).update(name).digest("base64") === hashed.hash;
}

/** OpenSSH's pattern language: `*` and `?`, case-insensitive host names. */
export function globMatches(pattern: string, text: string): boolean {
  const source = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replaceAll("*", ".*")
    .replaceAll("?", ".");
  return new RegExp(`^${source}$`).test(text.toLowerCase());
}

/**
 * Where to look for a name: entries listing only literal names are indexed by them, the rest
 * (wildcards, negations, hashed names) are always tried. Every dial of a run looks up one name in
 * the same entries, so without the index a fleet of N hosts in a known_hosts of N lines costs N²
 * pattern matches (seconds at 1,000 hosts). A hashed name cannot be indexed (each has its own
 * salt), so every lookup computes one HMAC per hashed line, as OpenSSH does: the salts are
 * decoded once, and each name's entries are kept, because a dial looks its name up twice (the key
 * types to offer, then the verdict).
 */
interface EntryIndex {
  literal: Map<string, number[]>;
  /** Positions of the entries always tried, each hashed name decoded. */
  patterns: { position: number; hashed: HashedName | null }[];
  revoked: KnownHostEntry[];
  byName: Map<string, readonly KnownHostEntry[]>;
}

const indexes = new WeakMap<readonly KnownHostEntry[], EntryIndex>();

function indexOf(entries: readonly KnownHostEntry[]): EntryIndex {
  let index = indexes.get(entries);
  if (index) return index;
  index = { literal: new Map(), patterns: [], revoked: [], byName: new Map() };
  entries.forEach((entry, position) => {
    if (entry.marker === "revoked") {
      index.revoked.push(entry);
      return;
    }
    if (entry.names.startsWith("|1|")) {
      index.patterns.push({ position, hashed: decodeHashedName(entry.names) });
      return;
    }
    if (/[*?!]/.test(entry.names)) {
      index.patterns.push({ position, hashed: null });
      return;
    }
    for (const name of new Set(entry.names.toLowerCase().split(","))) {
      const positions = index.literal.get(name);
      if (positions) positions.push(position);
      else index.literal.set(name, [position]);
    }
  });
  indexes.set(entries, index);
  return index;
}

/** The (unrevoked) entries whose names cover `name`, in file order. */
function entriesForName(entries: readonly KnownHostEntry[], name: string): readonly KnownHostEntry[] {
  const index = indexOf(entries);
  const known = index.byName.get(name);
  if (known) return known;
  const literal = (index.literal.get(name.toLowerCase()) ?? []).filter((position) => entryMatchesName((entries[position] as KnownHostEntry).names, name));
  const patterns = index.patterns
    .filter(({ position, hashed }) => (hashed ? hashedNameCovers(hashed, name) : entryMatchesName((entries[position] as KnownHostEntry).names, name)))
    .map(({ position }) => position);
  const found = [...literal, ...patterns].sort((a, b) => a - b).map((position) => entries[position] as KnownHostEntry);
  index.byName.set(name, found);
  return found;
}

/**
 * Judge a presented key: revoked anywhere wins; a listed key of the same type that differs is a
 * changed key; no key of that type for the name is unknown (keys of other types are reported so
 * the message can say so).
 */
export function verifyHostKey(entries: KnownHostEntry[], name: string, presented: HostKey): HostKeyVerdict {
  const revoked = indexOf(entries).revoked.find((entry) => entry.key.blob.equals(presented.blob));
  if (revoked) return { status: "revoked", entry: revoked };
  const forName = entriesForName(entries, name);
  const match = forName.find((entry) => entry.key.blob.equals(presented.blob));
  if (match) return { status: "match", entry: match };
  const sameType = forName.find((entry) => entry.key.type === presented.type);
  if (sameType) return { status: "changed", known: sameType };
  return { status: "unknown", otherTypes: [...forName] };
}

/** Key types listed for a name, so the handshake can prefer an algorithm whose key is known. */
export function knownKeyTypes(entries: KnownHostEntry[], name: string): string[] {
  return [...new Set(entriesForName(entries, name).map((entry) => entry.key.type))];
}

/** The last text read from each file and its entries: re-parsed only when the text changed. */
const parsedFiles = new Map<string, { text: string; entries: KnownHostEntry[] }>();
/** The last combined list per file list, reused while every file is unchanged (so is its index). */
const combinedLists = new Map<string, { parts: KnownHostEntry[][]; all: KnownHostEntry[] }>();

/**
 * Every entry of the files, then of the system-wide files, in order. Files are read on every call;
 * unchanged ones are not parsed again. A system-wide file that cannot be read is passed over, as
 * ssh passes over a GlobalKnownHostsFile it cannot open (it is not the user's to fix).
 */
export async function readKnownHostsFiles(files: readonly string[], systemFiles: readonly string[] = []): Promise<KnownHostEntry[]> {
  const parts: KnownHostEntry[][] = [];
  const paths = [...files, ...systemFiles];
  for (const [position, file] of paths.entries()) {
    let text: string;
    try {
      text = await readTextFile(file, MAX_SOURCE_BYTES);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT" || position >= files.length) continue;
      throw new Error(`known_hosts file ${file}: ${(error as Error).message}`, { cause: error });
    }
    let parsed = parsedFiles.get(file);
    if (parsed?.text !== text) {
      parsed = { text, entries: parseKnownHosts(text, file) };
      parsedFiles.set(file, parsed);
    }
    parts.push(parsed.entries);
  }
  const key = paths.join("\n");
  const previous = combinedLists.get(key);
  if (previous && previous.parts.length === parts.length && previous.parts.every((part, i) => part === parts[i])) return previous.all;
  const all = parts.flat();
  combinedLists.set(key, { parts, all });
  return all;
}

export function formatKnownHostsLine(name: string, key: HostKey): string {
  return `${name} ${key.type} ${key.blob.toString("base64")}`;
}

/** The name as HashKnownHosts writes it: `|1|salt|HMAC-SHA1(salt, name)`, a fresh 20-byte salt each time. */
export function hashKnownHostsName(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update(name).digest("base64")}`;
}

const appendQueues = new Map<string, Promise<HostKeyVerdict | null>>();

/**
 * Record a key for `accept-new`. The line goes out in one O_APPEND write so concurrent writers
 * (other processes) never interleave partial lines; writers in this process queue per file, and
 * a line already present (under its name or hashed) is not written twice. With `hashName`, the
 * name is written hashed, as ssh does under HashKnownHosts.
 *
 * The file is judged again right before writing: when, since the caller read it, another
 * connection or process recorded a different key of the same type for the name (or revoked this
 * one), nothing is written and that verdict is returned, so two keys are never both trusted.
 */
export function appendKnownHost(file: string, name: string, key: HostKey, options: { hashName?: boolean } = {}): Promise<HostKeyVerdict | null> {
  const previous = appendQueues.get(file) ?? Promise.resolve(null);
  const next = previous.catch(() => undefined).then(() => appendOnce(file, name, key, options.hashName === true));
  appendQueues.set(file, next);
  return next;
}

async function appendOnce(file: string, name: string, key: HostKey, hashName: boolean): Promise<HostKeyVerdict | null> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const handle = await open(file, "a+", 0o600);
  try {
    const current = await handle.readFile("utf8");
    const existing = parseKnownHosts(current, file);
    const verdict = verifyHostKey(existing, name, key);
    if (verdict.status === "match") return null;
    if (verdict.status !== "unknown") return verdict;
    const separator = current === "" || current.endsWith("\n") ? "" : "\n";
    await handle.write(`${separator}${formatKnownHostsLine(hashName ? hashKnownHostsName(name) : name, key)}\n`);
    await handle.sync();
    return null;
  } finally {
    await handle.close();
  }
}
