import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, linkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TarFormatError, TarReader } from "../../../src/backup/tar.js";

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

function archive(format: string): Buffer {
  return execFileSync("tar", ["-cf", "-", `--format=${format}`, "-C", dir, "rebuild-backups"], { maxBuffer: 1 << 26 });
}

function feed(data: Buffer, chunkSize: number, reader = new TarReader((name) => name.endsWith("rebuild-manifest.json"))): TarReader {
  for (let offset = 0; offset < data.length; offset += chunkSize) reader.write(data.subarray(offset, offset + chunkSize));
  reader.end();
  return reader;
}

describe("TarReader", () => {
  it.each(["gnu", "posix", "ustar"])("lists %s archives made by tar, in any chunking", (format) => {
    const data = archive(format);
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
    const data = archive("gnu");
    expect(() => feed(data.subarray(0, 1024 + 700), 512)).toThrow(TarFormatError);
    const endMarker = data.length - 10240;
    expect(() => feed(data.subarray(0, Math.max(endMarker, 2048)), 512)).toThrow(/truncated/);
  });

  it("reports a corrupted header", () => {
    const data = Buffer.from(archive("gnu"));
    data[3] = data[3]! ^ 0xff;
    expect(() => feed(data, 4096)).toThrow(/checksum mismatch/);
  });

  it("reports an empty stream", () => {
    expect(() => feed(Buffer.alloc(0), 512)).toThrow(/empty/);
  });
});
