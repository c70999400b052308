/**
 * A streaming tar reader (ustar, GNU long names, pax headers): fed chunk by chunk while an archive
 * flows past, it lists the entries, checks every header checksum, captures the content of the few
 * small files asked for (NemoClaw's rebuild-manifest.json) and notices a truncated archive. Used to
 * test-extract backups without writing anything to disk, and to vet an archive in flight before a
 * host is allowed to unpack it.
 */

export type TarEntryType = "file" | "hardlink" | "symlink" | "directory" | "other";

export interface TarEntry {
  name: string;
  type: TarEntryType;
  size: number;
  linkName: string;
}

export class TarFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TarFormatError";
  }
}

const BLOCK = 512;
/** Captured files are small metadata; anything larger is a sign of a wrong archive. */
const MAX_CAPTURE_BYTES = 4 * 1024 * 1024;

function readString(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString("utf8");
}

function readNumber(block: Buffer, start: number, length: number): number {
  const field = block.subarray(start, start + length);
  if ((field[0]! & 0x80) !== 0) {
    // GNU base-256 for sizes that do not fit the octal field.
    let value = field[0]! & 0x7f;
    for (let i = 1; i < length; i += 1) value = value * 256 + field[i]!;
    return value;
  }
  const text = readString(block, start, length).trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`bad numeric field ${JSON.stringify(text)}`);
  return parseInt(text, 8);
}

function checksumMatches(block: Buffer): boolean {
  const stored = readNumber(block, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i += 1) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === stored;
}

function typeOf(flag: string): TarEntryType {
  switch (flag) {
    case "0":
    case "\0":
    case "":
    case "7":
      return "file";
    case "1":
      return "hardlink";
    case "2":
      return "symlink";
    case "5":
      return "directory";
    default:
      return "other";
  }
}

function parsePax(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space === -1) break;
    const length = Number(data.subarray(offset, space).toString("ascii"));
    if (!Number.isInteger(length) || length <= 0) throw new TarFormatError("malformed pax header");
    const record = data.subarray(space + 1, offset + length - 1).toString("utf8");
    const equals = record.indexOf("=");
    if (equals > 0) records[record.slice(0, equals)] = record.slice(equals + 1);
    offset += length;
  }
  return records;
}

type State =
  | { kind: "header" }
  | { kind: "data"; remaining: number; padding: number; entry: TarEntry | null; meta: string | null; chunks: Buffer[] | null }
  | { kind: "end" };

export class TarReader {
  readonly entries: TarEntry[] = [];
  /** Contents of captured files, by entry name. */
  readonly captured = new Map<string, Buffer>();
  private state: State = { kind: "header" };
  private pending: Buffer = Buffer.alloc(0);
  private longName: string | null = null;
  private longLink: string | null = null;
  private pax: Record<string, string> = {};
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
        state.chunks?.push(this.pending.subarray(offset, offset + take));
        state.remaining -= take;
        offset += take;
        continue;
      }
      if (available < state.padding) break;
      offset += state.padding;
      this.finishData(state);
    }
    this.pending = Buffer.from(this.pending.subarray(offset));
  }

  /** Call when the stream ended; throws when the archive stopped mid-entry or lacks its end marker. */
  end(): void {
    if (this.state.kind === "data") throw new TarFormatError("archive is truncated (ends inside an entry)");
    if (this.state.kind === "header" && (this.pending.length > 0 || this.zeroBlocks === 0)) {
      throw new TarFormatError(this.entries.length === 0 && this.pending.length === 0 ? "archive is empty" : "archive is truncated (no end-of-archive marker)");
    }
  }

  private header(block: Buffer): void {
    if (block.every((byte) => byte === 0)) {
      this.zeroBlocks += 1;
      if (this.zeroBlocks === 2) this.state = { kind: "end" };
      return;
    }
    if (this.zeroBlocks > 0) throw new TarFormatError("data after an end-of-archive block");
    if (!checksumMatches(block)) throw new TarFormatError(`header checksum mismatch after ${this.entries.length} entries`);
    const flag = String.fromCharCode(block[156]!);
    const size = this.pax.size !== undefined ? Number(this.pax.size) : readNumber(block, 124, 12);
    const padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (flag === "L" || flag === "K" || flag === "x" || flag === "g") {
      if (size > MAX_CAPTURE_BYTES) throw new TarFormatError(`oversized ${flag} header`);
      this.state = { kind: "data", remaining: size, padding, entry: null, meta: flag, chunks: [] };
      return;
    }
    const magic = block.subarray(257, 263).toString("latin1");
    const prefix = magic === "ustar\0" ? readString(block, 345, 155) : "";
    const rawName = readString(block, 0, 100);
    const name = this.pax.path ?? this.longName ?? (prefix ? `${prefix}/${rawName}` : rawName);
    const linkName = this.pax.linkpath ?? this.longLink ?? readString(block, 157, 100);
    const type = typeOf(flag);
    this.longName = null;
    this.longLink = null;
    this.pax = {};
    // Only regular files carry data; a hardlink's size field is ignored by tar.
    const dataSize = type === "file" || type === "other" ? size : 0;
    const entry: TarEntry = { name, type, size: dataSize, linkName };
    this.entries.push(entry);
    const capture = type === "file" && this.shouldCapture(name);
    if (capture && dataSize > MAX_CAPTURE_BYTES) throw new TarFormatError(`${name} is unexpectedly large (${dataSize} bytes)`);
    this.state = {
      kind: "data",
      remaining: dataSize,
      padding: (BLOCK - (dataSize % BLOCK)) % BLOCK,
      entry,
      meta: null,
      chunks: capture ? [] : null,
    };
  }

  private finishData(state: Extract<State, { kind: "data" }>): void {
    const data = state.chunks ? Buffer.concat(state.chunks) : null;
    if (state.meta !== null && data) {
      if (state.meta === "L") this.longName = data.toString("utf8").replace(/\0+$/, "");
      else if (state.meta === "K") this.longLink = data.toString("utf8").replace(/\0+$/, "");
      else if (state.meta === "x") this.pax = parsePax(data);
    } else if (state.entry && data) {
      this.captured.set(state.entry.name, data);
    }
    this.state = { kind: "header" };
  }
}
