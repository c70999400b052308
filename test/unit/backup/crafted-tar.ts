/**
 * Hand-made tar archives for attack tests: headers, GNU long names, pax records and NemoClaw
 * snapshot layouts put together block by block, so a test can build exactly the archive an
 * attacker would (a pax size record ahead of a GNU long-name header, links out of the snapshot,
 * names with NUL bytes, a manifest naming `../`) and compare how GNU tar and our reader see it.
 */
import { createHash } from "node:crypto";

const BLOCK = 512;

export interface HeaderSpec {
  name: string | Buffer;
  /** The typeflag character (default "0", a regular file). */
  type?: string;
  /** The header's size field. */
  size?: number;
  linkName?: string;
  mode?: number;
  /** GNU magic ("ustar  \0") unless "ustar" (POSIX, with a prefix field). */
  format?: "gnu" | "ustar";
  prefix?: string;
}

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, "0")}\0`;
}

export function header(spec: HeaderSpec): Buffer {
  const block = Buffer.alloc(BLOCK);
  const name = typeof spec.name === "string" ? Buffer.from(spec.name, "utf8") : spec.name;
  name.copy(block, 0, 0, Math.min(name.length, 100));
  block.write(octal(spec.mode ?? (spec.type === "5" ? 0o755 : 0o644), 8), 100, "latin1");
  block.write(octal(0, 8), 108, "latin1");
  block.write(octal(0, 8), 116, "latin1");
  block.write(octal(spec.size ?? 0, 12), 124, "latin1");
  block.write(octal(1_780_000_000, 12), 136, "latin1");
  block.write(spec.type ?? "0", 156, "latin1");
  if (spec.linkName) block.write(spec.linkName, 157, "utf8");
  if (spec.format === "ustar") {
    block.write("ustar\x0000", 257, "latin1");
    if (spec.prefix) block.write(spec.prefix, 345, "utf8");
  } else {
    block.write("ustar  \0", 257, "latin1");
  }
  block.write("root", 265, "latin1");
  block.write("root", 297, "latin1");
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return block;
}

function padded(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)]);
}

/** A header and its data, padded to whole blocks; the size field is the data's length unless given. */
export function entry(spec: HeaderSpec, data: Buffer | string = Buffer.alloc(0)): Buffer {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  return Buffer.concat([header({ size: bytes.length, ...spec }), padded(bytes)]);
}

export const file = (name: string, content: string | Buffer): Buffer => entry({ name }, content);
export const directory = (name: string): Buffer => entry({ name: name.endsWith("/") ? name : `${name}/`, type: "5" });
export const symlink = (name: string, target: string): Buffer => entry({ name, type: "2", linkName: target });
export const hardlink = (name: string, target: string): Buffer => entry({ name, type: "1", linkName: target });

/** A GNU long-name (`L`) or long-link (`K`) header with its NUL-terminated text. */
export function gnuLong(text: string | Buffer, flag: "L" | "K" = "L"): Buffer {
  const bytes = Buffer.concat([typeof text === "string" ? Buffer.from(text, "utf8") : text, Buffer.from([0])]);
  return entry({ name: "././@LongLink", type: flag }, bytes);
}

/** One pax record: `<length> <key>=<value>\n`, the length counting itself. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  while (`${length}${body}`.length !== length) length += 1;
  return `${length}${body}`;
}

/** A pax extended header (`x`, or `g` for a global one). */
export function pax(records: Record<string, string>, flag: "x" | "g" = "x"): Buffer {
  const data = Object.entries(records).map(([key, value]) => paxRecord(key, value)).join("");
  return entry({ name: "PaxHeaders/entry", type: flag }, data);
}

/** Parts, the two zero blocks, and padding to a 10 KiB record, as tar writes archives. */
export function archive(...parts: Buffer[]): Buffer {
  const body = Buffer.concat([...parts, Buffer.alloc(2 * BLOCK)]);
  const record = 20 * BLOCK;
  return Buffer.concat([body, Buffer.alloc((record - (body.length % record)) % record)]);
}

export function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** NemoClaw's rebuild-manifest.json for a snapshot (src/lib/state/sandbox.ts RebuildManifest). */
export function rebuildManifest(sandbox: string, timestamp: string, overrides: Record<string, unknown> = {}): string {
  return `${JSON.stringify(
    {
      version: 1,
      sandboxName: sandbox,
      timestamp,
      agentType: "openclaw",
      agentVersion: "2026.6.10",
      expectedVersion: "2026.6.10",
      stateDirs: ["workspace"],
      backedUpDirs: ["workspace"],
      stateFiles: [{ path: "openclaw.json", strategy: "copy" }],
      dir: "/sandbox/.openclaw",
      backupPath: `/home/nvidia/.nemoclaw/rebuild-backups/${sandbox}/${timestamp}`,
      blueprintDigest: null,
      policyPresets: [],
      customPolicies: [],
      name: "fleet-test",
      ...overrides,
    },
    null,
    2,
  )}\n`;
}

/** The attacks a crafted backup can carry, each built on an otherwise good snapshot. */
export type Attack = "pax-size-before-long-name" | "absolute-symlink" | "hardlink-out" | "nul-in-name" | "manifest-climbs-out";

export const ATTACKS: Attack[] = ["pax-size-before-long-name", "absolute-symlink", "hardlink-out", "nul-in-name", "manifest-climbs-out"];

/**
 * A snapshot archive in NemoClaw's layout (`rebuild-backups/<sandbox>/<timestamp>/…`) carrying
 * one attack. `hostroot` is what GNU tar would create for the link attacks.
 */
export function craftedSnapshot(attack: Attack, sandbox: string, timestamp: string): Buffer {
  const root = `rebuild-backups/${sandbox}/${timestamp}`;
  const manifest = file(`${root}/rebuild-manifest.json`, rebuildManifest(sandbox, timestamp));
  const base = [directory(root), manifest, directory(`${root}/workspace`), file(`${root}/workspace/notes.md`, "notes\n")];
  switch (attack) {
    case "pax-size-before-long-name": {
      // GNU tar applies the pax size to the next real entry (the file after the long name): it
      // sees `kept.md` (1536 bytes), then `hostroot -> /` and `later.md`. A reader that gives the
      // size to the long-name header instead swallows the next three blocks as the name, and then
      // sees one file whose 1536 bytes hide both GNU-only headers.
      const decoy = header({ name: `${root}/workspace/decoy.md`, size: 0 });
      const evil = header({ name: `${root}/workspace/hostroot`, type: "2", linkName: "/" });
      const later = header({ name: `${root}/workspace/later.md`, size: 0 });
      return archive(
        ...base,
        pax({ size: "1536" }),
        gnuLong(`${root}/workspace/kept.md`),
        header({ name: `${root}/workspace/kept.md`, size: 0 }),
        Buffer.alloc(BLOCK),
        decoy,
        Buffer.alloc(BLOCK),
        evil,
        later,
      );
    }
    case "absolute-symlink":
      return archive(...base, symlink(`${root}/workspace/hostroot`, "/"));
    case "hardlink-out":
      return archive(...base, hardlink(`${root}/workspace/passwd`, "/etc/passwd"));
    case "nul-in-name":
      return archive(...base, gnuLong(Buffer.from(`${root}/workspace/a\0b`, "utf8")), header({ name: `${root}/workspace/a`, size: 0 }));
    case "manifest-climbs-out":
      return archive(
        directory(root),
        file(`${root}/rebuild-manifest.json`, rebuildManifest(sandbox, timestamp, { backedUpDirs: ["workspace", "../../../.ssh"], stateDirs: ["workspace", "../../../.ssh"] })),
        directory(`${root}/workspace`),
        file(`${root}/workspace/notes.md`, "notes\n"),
      );
  }
}
