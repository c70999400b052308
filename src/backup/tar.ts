/**
 * A streaming tar reader that sees an archive exactly as GNU tar (1.30+) extracts it: fed chunk by
 * chunk while an archive flows past, it lists the entries with a sha256 of each file's content,
 * checks every header checksum, captures the content of the few small files asked for (NemoClaw's
 * rebuild-manifest.json) and notices a truncated archive. Used to test-read backups without
 * writing anything to disk, and to vet an archive in flight before a host is allowed to unpack it.
 *
 * What GNU tar does, and so this reader (GNU tar's src/list.c read_header, src/xheader.c,
 * src/extract.c prepare_to_extract):
 * - a GNU long-name (`L`) or long-link (`K`) header, and a pax header (`x`), is framed by its own
 *   size field; its name is the C string in its data (up to the first NUL);
 * - pax records (`size`, `path`, `linkpath`) apply to the next real entry only, and win over the
 *   long-name headers and the header's own fields; a later `x` header replaces an earlier one;
 * - sizes may be octal or GNU base-256; the checksum may be the unsigned or the signed sum;
 * - a regular file whose name ends in `/` is a directory; a hard link carries no data; an unknown
 *   typeflag is extracted as a regular file (its data included);
 * - the archive ends at the first zero block (anything after it is ignored).
 *
 * Where GNU tar's reading would depend on something outside the archive, or an archive could only
 * have been crafted, this reader refuses instead of guessing: names and link targets that are
 * empty, not UTF-8, or contain NUL or control characters; global pax headers that set names or
 * sizes; sparse, incremental (dumpdir), multi-volume and volume-label entries; pax sparse records;
 * entries that carry no data but declare a size; a lone zero block followed by more headers.
 */
import { createHash, type Hash } from "node:crypto";

export type TarEntryType = "file" | "hardlink" | "symlink" | "directory" | "other";

export interface TarEntry {
  /** As GNU tar extracts it (trailing slashes removed). */
  name: string;
  type: TarEntryType;
  /** Bytes of content (regular files and unknown types; 0 otherwise). */
  size: number;
  /** Target of a hard or symbolic link ("" otherwise). */
  linkName: string;
  /** sha256 of the content, for regular files (null otherwise). */
  sha256: string | null;
}

export class TarFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TarFormatError";
  }
}

const BLOCK = 512;
/** Captured files and extended headers are small metadata; anything larger is a sign of a wrong archive. */
const MAX_CAPTURE_BYTES = 4 * 1024 * 1024;

const utf8 = new TextDecoder("utf-8", { fatal: true });
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A name or link target as GNU tar would use it, or a refusal when it is not one we can vouch for. */
function checkedText(bytes: Buffer, what: string): string {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new TarFormatError(`${what} is not valid UTF-8 (${JSON.stringify(bytes.toString("latin1"))})`);
  }
  const control = CONTROL.exec(text);
  if (control) throw new TarFormatError(`${what} ${JSON.stringify(text)} contains a control character (U+${control[0].charCodeAt(0).toString(16).padStart(4, "0")})`);
  return text;
}

/** A fixed header field: the bytes up to the first NUL (GNU tar reads them as a C string). */
function field(block: Buffer, start: number, length: number): Buffer {
  const bytes = block.subarray(start, start + length);
  const end = bytes.indexOf(0);
  return end === -1 ? bytes : bytes.subarray(0, end);
}

/** The text of a long-name header: a C string, which must not hide anything after its NUL. */
function longText(data: Buffer, what: string): string {
  const end = data.indexOf(0);
  if (end !== -1 && data.subarray(end).some((byte) => byte !== 0)) {
    throw new TarFormatError(`${what} ${JSON.stringify(data.subarray(0, end).toString("utf8"))} contains a NUL byte`);
  }
  return checkedText(end === -1 ? data : data.subarray(0, end), what);
}

function readNumber(block: Buffer, start: number, length: number, what: string): number {
  const bytes = block.subarray(start, start + length);
  const first = bytes[0]!;
  if (first === 0xff) throw new TarFormatError(`negative ${what} in a header`);
  if (first === 0x80) {
    // GNU base-256, for values that do not fit the octal field.
    let value = 0;
    for (let i = 1; i < length; i += 1) value = value * 256 + bytes[i]!;
    if (!Number.isSafeInteger(value)) throw new TarFormatError(`${what} out of range in a header`);
    return value;
  }
  const text = bytes.toString("latin1").replace(/[\0 ]+$/, "").replace(/^ +/, "");
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`bad ${what} field ${JSON.stringify(bytes.toString("latin1"))} in a header`);
  const value = parseInt(text, 8);
  if (!Number.isSafeInteger(value)) throw new TarFormatError(`${what} out of range in a header`);
  return value;
}

function checksumMatches(block: Buffer): boolean {
  const stored = readNumber(block, 148, 8, "checksum");
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i += 1) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte >= 0x80 ? byte - 0x100 : byte;
  }
  return stored === unsigned || stored === signed;
}

/** Typeflags that frame or name the next entry. */
const META_FLAGS = new Set(["L", "K", "x", "X", "g"]);
/** Typeflags GNU tar gives a meaning this reader does not model; archives we write never hold them. */
const UNSUPPORTED_FLAGS: Record<string, string> = {
  S: "a GNU sparse file",
  D: "a GNU incremental (dumpdir) directory",
  M: "a multi-volume continuation",
  V: "a volume label",
  N: "an old GNU long-name entry",
};

function typeOf(flag: string, trailingSlash: boolean): TarEntryType {
  switch (flag) {
    case "0":
    case "\0":
    case "7":
      return trailingSlash ? "directory" : "file";
    case "1":
      return "hardlink";
    case "2":
      return "symlink";
    case "5":
      return "directory";
    case "3":
    case "4":
    case "6":
      return "other";
    default:
      // GNU tar extracts an unknown type as a regular file, data and all.
      return "other";
  }
}

/** Pax records, strictly as GNU tar's decoder requires them (`<length> <key>=<value>\n`). */
function parsePax(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let offset = 0;
  while (offset < data.length) {
    if (data[offset] === 0 && data.subarray(offset).every((byte) => byte === 0)) break;
    const space = data.indexOf(0x20, offset);
    const digits = space === -1 ? "" : data.subarray(offset, space).toString("latin1");
    const length = /^[0-9]{1,10}$/.test(digits) ? Number(digits) : NaN;
    if (!Number.isInteger(length) || length <= digits.length + 1 || offset + length > data.length || data[offset + length - 1] !== 0x0a) {
      throw new TarFormatError("malformed pax extended header");
    }
    const record = data.subarray(space + 1, offset + length - 1);
    const equals = record.indexOf(0x3d);
    if (equals <= 0) throw new TarFormatError("malformed pax extended header record");
    const key = record.subarray(0, equals).toString("utf8");
    records.set(key, record.subarray(equals + 1).toString("utf8"));
    offset += length;
  }
  return records;
}

/** Keywords that change how an entry is named, framed or laid out on disk. */
const FRAMING_KEYS = ["path", "linkpath", "size"];

function paxProblems(records: Map<string, string>, global: boolean): void {
  for (const key of records.keys()) {
    if (key.startsWith("GNU.sparse.") || key === "GNU.dumpdir") throw new TarFormatError(`unsupported pax record ${JSON.stringify(key)}`);
    if (global && FRAMING_KEYS.includes(key)) throw new TarFormatError(`a global pax header sets ${key} for every entry that follows`);
  }
  const size = records.get("size");
  if (size !== undefined && (!/^[0-9]{1,16}$/.test(size) || !Number.isSafeInteger(Number(size)))) {
    throw new TarFormatError(`bad pax size ${JSON.stringify(size)}`);
  }
  for (const key of ["path", "linkpath"]) {
    const value = records.get(key);
    if (value !== undefined) checkedText(Buffer.from(value, "utf8"), `pax ${key}`);
  }
}

type Meta = "L" | "K" | "x" | "g";

type State =
  | { kind: "header" }
  | { kind: "meta"; meta: Meta; remaining: number; padding: number; chunks: Buffer[] }
  | { kind: "data"; remaining: number; padding: number; entry: TarEntry; hash: Hash | null; chunks: Buffer[] | null }
  | { kind: "end" };

export class TarReader {
  readonly entries: TarEntry[] = [];
  /** Contents of captured files, by entry name. */
  readonly captured = new Map<string, Buffer>();
  private state: State = { kind: "header" };
  private pending: Buffer = Buffer.alloc(0);
  private longName: string | null = null;
  private longLink: string | null = null;
  private pax = new Map<string, string>();
  private zeroBlocks = 0;

  constructor(private readonly shouldCapture: (name: string) => boolean = () => false) {}

  write(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let offset = 0;
    for (;;) {
      const state = this.state;
      if (state.kind === "end") {
        offset = this.pending.length; // trailing record padding after the end marker
        break;
      }
      if (state.kind === "header") {
        if (this.pending.length - offset < BLOCK) break;
        this.header(this.pending.subarray(offset, offset + BLOCK));
        offset += BLOCK;
        continue;
      }
      const available = this.pending.length - offset;
      if (state.remaining > 0) {
        if (available === 0) break;
        const take = Math.min(available, state.remaining);
        const piece = this.pending.subarray(offset, offset + take);
        if (state.kind === "meta") state.chunks.push(piece);
        else {
          state.hash?.update(piece);
          state.chunks?.push(piece);
        }
        state.remaining -= take;
        offset += take;
        continue;
      }
      if (available < state.padding) break;
      offset += state.padding;
      if (state.kind === "meta") this.finishMeta(state.meta, Buffer.concat(state.chunks));
      else this.finishData(state);
      this.state = { kind: "header" };
    }
    this.pending = Buffer.from(this.pending.subarray(offset));
  }

  /** Call when the stream ended; throws when the archive stopped mid-entry or lacks its end marker. */
  end(): void {
    if (this.state.kind === "data" || this.state.kind === "meta") throw new TarFormatError("archive is truncated (ends inside an entry)");
    if (this.state.kind === "header" && (this.pending.length > 0 || this.zeroBlocks === 0)) {
      throw new TarFormatError(this.entries.length === 0 && this.pending.length === 0 ? "archive is empty" : "archive is truncated (no end-of-archive marker)");
    }
    if (this.longName !== null || this.longLink !== null || this.pax.size > 0) throw new TarFormatError("archive ends with an extended header that names no entry");
  }

  private header(block: Buffer): void {
    if (block.every((byte) => byte === 0)) {
      this.zeroBlocks += 1;
      if (this.zeroBlocks === 2) this.state = { kind: "end" };
      return;
    }
    // GNU tar stops at a lone zero block and ignores what follows; refuse rather than hide entries.
    if (this.zeroBlocks > 0) throw new TarFormatError("data after an end-of-archive block");
    if (!checksumMatches(block)) throw new TarFormatError(`header checksum mismatch after ${this.entries.length} entries`);
    const flag = String.fromCharCode(block[156]!);
    if (UNSUPPORTED_FLAGS[flag]) throw new TarFormatError(`unsupported entry type ${JSON.stringify(flag)} (${UNSUPPORTED_FLAGS[flag]})`);
    // Extended headers are framed by their own size field, never by a pending pax size record.
    if (META_FLAGS.has(flag)) {
      const size = readNumber(block, 124, 12, "size");
      if (size > MAX_CAPTURE_BYTES) throw new TarFormatError(`oversized ${flag} header (${size} bytes)`);
      const meta: Meta = flag === "X" ? "x" : (flag as Meta);
      this.state = { kind: "meta", meta, remaining: size, padding: (BLOCK - (size % BLOCK)) % BLOCK, chunks: [] };
      return;
    }
    this.entry(block, flag);
  }

  private entry(block: Buffer, flag: string): void {
    const pax = this.pax;
    const magic = block.subarray(257, 263).toString("latin1");
    // POSIX ustar only: GNU headers use the prefix bytes for other fields.
    const prefix = magic === "ustar\0" ? field(block, 345, 155) : Buffer.alloc(0);
    const rawName = prefix.length > 0 ? Buffer.concat([prefix, Buffer.from("/"), field(block, 0, 100)]) : field(block, 0, 100);
    const fullName = pax.get("path") ?? this.longName ?? checkedText(rawName, "entry name");
    const linkName = pax.get("linkpath") ?? this.longLink ?? checkedText(field(block, 157, 100), "link target");
    this.longName = null;
    this.longLink = null;
    this.pax = new Map();
    const trailingSlash = /\/$/.test(fullName);
    const name = fullName.replace(/\/+$/, "");
    if (name === "") throw new TarFormatError(`entry with an empty name after ${this.entries.length} entries`);
    const type = typeOf(flag, trailingSlash);
    // GNU tar: a hard link's size field is 0 on tape whatever it says; a pax size still counts.
    const declared = pax.has("size") ? Number(pax.get("size")) : flag === "1" ? 0 : readNumber(block, 124, 12, "size");
    const carriesData = type === "file" || (type === "other" && !["3", "4", "6"].includes(flag));
    if (!carriesData && declared !== 0) {
      // GNU tar lists such an entry by skipping its data but extracts it without: two readings.
      throw new TarFormatError(`${JSON.stringify(name)} declares ${declared} bytes of data but is not a regular file`);
    }
    if ((type === "hardlink" || type === "symlink") && linkName === "") throw new TarFormatError(`link ${JSON.stringify(name)} has no target`);
    const size = carriesData ? declared : 0;
    const entry: TarEntry = { name, type, size, linkName: type === "hardlink" || type === "symlink" ? linkName : "", sha256: null };
    this.entries.push(entry);
    const capture = type === "file" && this.shouldCapture(name);
    if (capture && size > MAX_CAPTURE_BYTES) throw new TarFormatError(`${name} is unexpectedly large (${size} bytes)`);
    this.state = {
      kind: "data",
      remaining: size,
      padding: (BLOCK - (size % BLOCK)) % BLOCK,
      entry,
      hash: type === "file" ? createHash("sha256") : null,
      chunks: capture ? [] : null,
    };
  }

  private finishMeta(meta: Meta, data: Buffer): void {
    if (meta === "L") this.longName = longText(data, "long entry name");
    else if (meta === "K") this.longLink = longText(data, "long link target");
    else if (meta === "x") {
      const records = parsePax(data);
      paxProblems(records, false);
      this.pax = records;
    } else paxProblems(parsePax(data), true);
  }

  private finishData(state: Extract<State, { kind: "data" }>): void {
    if (state.hash) state.entry.sha256 = state.hash.digest("hex");
    if (state.chunks) this.captured.set(state.entry.name, Buffer.concat(state.chunks));
  }
}
