import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, linkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TarFormatError, TarReader } from "../../../src/backup/tar.js";
import { archive, craftedSnapshot, entry, file, gnuLong, hardlink, header, pax, sha256, symlink } from "./crafted-tar.js";
import { TIMESTAMP } from "./helpers.js";

let dir: string;
const longDir = `rebuild-backups/alice/2026-07-10T02-00-00-000Z/workspace/${"deep-directory-name/".repeat(4)}`;
const manifestName = "rebuild-backups/alice/2026-07-10T02-00-00-000Z/rebuild-manifest.json";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tar-test-"));
  mkdirSync(join(dir, longDir), { recursive: true });
  writeFileSync(join(dir, manifestName), '{"version":1,"sandboxName":"alice"}');
  writeFileSync(join(dir, longDir, "notes.md"), "x".repeat(1500));
  writeFileSync(join(dir, "rebuild-backups/alice/2026-07-10T02-00-00-000Z/empty"), "");
  symlinkSync("notes.md", join(dir, longDir, "link-to-notes"));
  writeFileSync(join(dir, "rebuild-backups/alice/2026-07-10T02-00-00-000Z/state.txt"), "state");
  linkSync(join(dir, "rebuild-backups/alice/2026-07-10T02-00-00-000Z/state.txt"), join(dir, "rebuild-backups/alice/2026-07-10T02-00-00-000Z/hard-state"));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tarOf(format: string): Buffer {
  return execFileSync("tar", ["-cf", "-", `--format=${format}`, "-C", dir, "rebuild-backups"], { maxBuffer: 1 << 26 });
}

function feed(data: Buffer, chunkSize: number, reader = new TarReader((name) => name.endsWith("rebuild-manifest.json"))): TarReader {
  for (let offset = 0; offset < data.length; offset += chunkSize) reader.write(data.subarray(offset, offset + chunkSize));
  reader.end();
  return reader;
}

describe("TarReader", () => {
  it.each(["gnu", "posix", "ustar"])("lists %s archives made by tar, in any chunking", (format) => {
    const data = tarOf(format);
    for (const chunkSize of [1, 7, 512, 513, 4096, data.length]) {
      const reader = feed(data, chunkSize);
      const names = reader.entries.map((e) => e.name.replace(/\/$/, ""));
      expect(names).toContain(manifestName);
      expect(names).toContain(`${longDir}notes.md`);
      const link = reader.entries.find((e) => e.name.endsWith("link-to-notes"));
      expect(link).toMatchObject({ type: "symlink", linkName: "notes.md" });
      expect(reader.entries.filter((e) => /(hard-state|state\.txt)$/.test(e.name)).map((e) => e.type).sort()).toEqual(["file", "hardlink"]);
      expect(reader.entries.find((e) => e.name.endsWith("notes.md"))).toMatchObject({ type: "file", size: 1500 });
      expect(reader.captured.get(manifestName)?.toString()).toBe('{"version":1,"sandboxName":"alice"}');
    }
  });

  it("reports a truncated archive", () => {
    const data = tarOf("gnu");
    expect(() => feed(data.subarray(0, 1024 + 700), 512)).toThrow(TarFormatError);
    const endMarker = data.length - 10240;
    expect(() => feed(data.subarray(0, Math.max(endMarker, 2048)), 512)).toThrow(/truncated/);
  });

  it("reports a corrupted header", () => {
    const data = Buffer.from(tarOf("gnu"));
    data[3] = data[3]! ^ 0xff;
    expect(() => feed(data, 4096)).toThrow(/checksum mismatch/);
  });

  it("reports an empty stream", () => {
    expect(() => feed(Buffer.alloc(0), 512)).toThrow(/empty/);
  });
});

/** What GNU tar itself lists for an archive (-P: names as stored): names without trailing slashes, type letters, link targets. */
function gnuListing(data: Buffer): { name: string; type: string; link: string }[] {
  const path = join(dir, "listed.tar");
  writeFileSync(path, data);
  const text = execFileSync("tar", ["-tvPf", path, "--quoting-style=escape"], { encoding: "utf8", env: { ...process.env, LC_ALL: "C", TZ: "UTC" } });
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const match = /^(\S)\S+\s+\S+\s+\d+\s+\S+\s+\S+\s(.*?)(?: (?:->|link to) (.*))?$/.exec(line)!;
      return { type: match[1]!, name: match[2]!.replace(/\/$/, ""), link: match[3] ?? "" };
    });
}

const LETTER: Record<string, string> = { file: "-", directory: "d", symlink: "l", hardlink: "h", other: "?" };
const ourListing = (data: Buffer) => feed(data, 512).entries.map((entry) => ({ type: LETTER[entry.type]!, name: entry.name, link: entry.linkName }));

describe("TarReader on crafted archives", () => {
  const root = `rebuild-backups/alice/${TIMESTAMP}`;

  it.each(["pax-size-before-long-name", "absolute-symlink", "hardlink-out", "manifest-climbs-out"] as const)("lists %s exactly as GNU tar does", (attack) => {
    const data = craftedSnapshot(attack, "alice", TIMESTAMP);
    expect(ourListing(data)).toEqual(gnuListing(data));
  });

  it("applies a pax size record to the next real entry, not to a GNU long-name header after it", () => {
    const reader = feed(craftedSnapshot("pax-size-before-long-name", "alice", TIMESTAMP), 100);
    expect(reader.entries.map((entry) => [entry.name, entry.type, entry.size, entry.linkName]).slice(4)).toEqual([
      [`${root}/workspace/kept.md`, "file", 1536, ""],
      [`${root}/workspace/hostroot`, "symlink", 0, "/"],
      [`${root}/workspace/later.md`, "file", 0, ""],
    ]);
  });

  it("refuses NUL bytes in names, whichever header carries them", () => {
    expect(() => feed(craftedSnapshot("nul-in-name", "alice", TIMESTAMP), 512)).toThrow(/contains a NUL byte/);
    expect(() => feed(archive(pax({ path: `${root}/a\u0000b` }), header({ name: `${root}/a` })), 512)).toThrow(/control character/);
    expect(() => feed(archive(gnuLong(Buffer.from(`${root}/x\0`)), gnuLong("/etc/passwd\0target", "K"), hardlink(`${root}/x`, "y")), 512)).toThrow(/NUL byte/);
  });

  it("refuses control characters and invalid UTF-8 in names and link targets", () => {
    expect(() => feed(archive(file(`${root}/new\nline`, "")), 512)).toThrow(/control character \(U\+000a\)/);
    expect(() => feed(archive(symlink(`${root}/l`, "a\u001b[31m")), 512)).toThrow(/link target .* control character/);
    expect(() => feed(archive(entry({ name: Buffer.from([0x72, 0xff, 0x2f, 0x78]) })), 512)).toThrow(/not valid UTF-8/);
  });

  it("reads base-256 sizes and refuses negative ones", () => {
    const big = header({ name: `${root}/f`, size: 0 });
    big.fill(0, 124, 136);
    big[124] = 0x80;
    big.writeUInt32BE(5, 132);
    rechecksum(big);
    const reader = feed(archive(big, padded512("hello")), 512);
    expect(reader.entries[0]).toMatchObject({ name: `${root}/f`, size: 5 });
    const negative = Buffer.from(big);
    negative[124] = 0xff;
    rechecksum(negative);
    expect(() => feed(archive(negative, padded512("hello")), 512)).toThrow(/negative size/);
  });

  it("extracts unknown typeflags as files (as GNU tar does) and refuses types it does not model", () => {
    const reader = feed(archive(entry({ name: `${root}/z`, type: "Z" }, "zzz"), file(`${root}/after`, "a")), 512);
    expect(reader.entries.map((entry) => [entry.name, entry.type, entry.size])).toEqual([
      [`${root}/z`, "other", 3],
      [`${root}/after`, "file", 1],
    ]);
    for (const flag of ["S", "D", "M", "V"]) expect(() => feed(archive(entry({ name: `${root}/s`, type: flag })), 512)).toThrow(/unsupported entry type/);
    expect(() => feed(archive(pax({ "GNU.sparse.major": "1" }), file(`${root}/s`, "")), 512)).toThrow(/unsupported pax record/);
    // The keyword comes from the archive: shown escaped, never raw on the terminal.
    expect(() => feed(archive(pax({ "GNU.sparse.\u001b]0;PWNED\u0007": "1" }), file(`${root}/s`, "")), 512)).toThrow('unsupported pax record "GNU.sparse.\\u001b]0;PWNED\\u0007"');
  });

  it("refuses entries without data that declare a size, and global headers that rename or resize", () => {
    expect(() => feed(archive(entry({ name: `${root}/l`, type: "2", linkName: "x", size: 512 }), Buffer.alloc(512)), 512)).toThrow(/declares 512 bytes/);
    expect(() => feed(archive(pax({ size: "512" }), hardlink(`${root}/h`, `${root}/f`), Buffer.alloc(512)), 512)).toThrow(/declares 512 bytes/);
    expect(() => feed(archive(pax({ path: `${root}/evil` }, "g"), file(`${root}/f`, "")), 512)).toThrow(/global pax header sets path/);
  });

  it("reads a regular file named with a trailing slash as a directory, as GNU tar extracts it", () => {
    const data = archive(entry({ name: `${root}/d/`, type: "0" }), file(`${root}/d/f`, "x"));
    expect(ourListing(data)).toEqual([
      { type: "d", name: `${root}/d`, link: "" },
      { type: "-", name: `${root}/d/f`, link: "" },
    ]);
  });

  it("hashes each file's content", () => {
    const reader = feed(archive(file(`${root}/a`, "abc"), file(`${root}/empty`, "")), 7);
    expect(reader.entries.map((entry) => entry.sha256)).toEqual([sha256(Buffer.from("abc")), sha256(Buffer.alloc(0))]);
  });
});

function padded512(text: string): Buffer {
  const data = Buffer.alloc(512);
  data.write(text);
  return data;
}

function rechecksum(block: Buffer): void {
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
}
