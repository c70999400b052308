import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { inspectArchive } from "../../../src/backup/inspect.js";
import { ManifestError, parseManifest } from "../../../src/backup/manifest.js";
import { archiveProblems, entryProblems } from "../../../src/backup/verify.js";
import type { TarEntry } from "../../../src/backup/tar.js";
import { ATTACKS, archive, craftedSnapshot, directory, file, hardlink, rebuildManifest, sha256, symlink, type Attack } from "./crafted-tar.js";
import { manifestFor, TIMESTAMP } from "./helpers.js";

const root = `rebuild-backups/alice/${TIMESTAMP}`;

async function problemsOf(data: Buffer): Promise<string[]> {
  const inspection = await inspectArchive(Readable.from([data]));
  return archiveProblems(manifestFor("spark-01", "alice", { sizeBytes: data.length, sha256: sha256(data) }), inspection);
}

async function problemsOrRefusal(data: Buffer): Promise<string> {
  try {
    return (await problemsOf(data)).join("\n");
  } catch (error) {
    return `unreadable: ${(error as Error).message}`;
  }
}

const snapshot = (...extra: Buffer[]) =>
  archive(directory(root), file(`${root}/rebuild-manifest.json`, rebuildManifest("alice", TIMESTAMP)), directory(`${root}/workspace`), file(`${root}/workspace/notes.md`, "n"), ...extra);

const entries = (...list: Array<Partial<TarEntry> & { name: string }>): TarEntry[] =>
  list.map((entry) => ({ type: "file", size: 0, linkName: "", sha256: null, ...entry }));

describe("verify", () => {
  it("passes a good snapshot with links that stay inside it", async () => {
    expect(await problemsOf(snapshot(symlink(`${root}/workspace/latest`, "notes.md"), symlink(`${root}/workspace/up`, "../openclaw.json"), hardlink(`${root}/workspace/again`, `${root}/workspace/notes.md`)))).toEqual([]);
  });

  const expected: Record<Attack, RegExp> = {
    "pax-size-before-long-name": /symbolic link ".*\/workspace\/hostroot" points outside the snapshot \(\/\)/,
    "absolute-symlink": /symbolic link ".*\/workspace\/hostroot" points outside the snapshot \(\/\)/,
    "hardlink-out": /hard link ".*\/workspace\/passwd" points outside the snapshot \(\/etc\/passwd\)/,
    "nul-in-name": /unreadable: long entry name ".*\/workspace\/a" contains a NUL byte/,
    "manifest-climbs-out": /backedUpDirs\[1\] "\.\.\/\.\.\/\.\.\/\.ssh" is not a path inside the snapshot/,
  };
  it.each(ATTACKS)("refuses the crafted backup %s", async (attack) => {
    expect(await problemsOrRefusal(craftedSnapshot(attack, "alice", TIMESTAMP))).toMatch(expected[attack]);
  });

  it("resolves symbolic links through the archive's other links", () => {
    const chain = entryProblems(root, entries({ name: root, type: "directory" }, { name: `${root}/x`, type: "directory" }, { name: `${root}/x/d`, type: "symlink", linkName: ".." }, { name: `${root}/x/e`, type: "symlink", linkName: "d/../.." }));
    expect(chain).toEqual([`symbolic link "${root}/x/e" points outside the snapshot (d/../..)`]);
    const loop = entryProblems(root, entries({ name: `${root}/a`, type: "symlink", linkName: "b" }, { name: `${root}/b`, type: "symlink", linkName: "a" }));
    expect(loop).toHaveLength(2);
  });

  it("refuses entries beneath links or files, duplicates, devices and non-canonical names", () => {
    expect(entryProblems(root, entries({ name: `${root}/w`, type: "symlink", linkName: "." }, { name: `${root}/w/f` }))).toEqual([
      `entry "${root}/w/f" lies beneath "${root}/w", which is not a directory`,
    ]);
    expect(entryProblems(root, entries({ name: `${root}/f` }, { name: `${root}/f`, type: "symlink", linkName: "g" }))).toEqual([`entry "${root}/f" appears more than once`]);
    expect(entryProblems(root, entries({ name: `${root}/dev`, type: "other" }))).toEqual([`entry "${root}/dev" is not a file, directory or link`]);
    expect(entryProblems(root, entries({ name: `${root}/./f` }, { name: `${root}//g` }, { name: "rebuild-backups/alice/other" }))).toEqual([
      `unsafe entry name "${root}/./f"`,
      `unsafe entry name "${root}//g"`,
      `entry "rebuild-backups/alice/other" lies outside ${root}/`,
    ]);
    expect(entryProblems(root, entries({ name: `${root}/h`, type: "hardlink", linkName: `${root}/later` }, { name: `${root}/later` }))).toEqual([
      `hard link "${root}/h" does not point to an earlier file of the snapshot (${root}/later)`,
    ]);
  });

  it.each([
    ["stateFiles", [{ path: "/etc/shadow", strategy: "copy" }], /stateFiles\[0\]\.path "\/etc\/shadow" is not a path inside the snapshot/],
    ["stateDirs", ["workspace/../../x"], /stateDirs\[0\] ".*" is not a path inside the snapshot/],
    ["dir", "/sandbox/../home/nvidia", /dir ".*" is not a plain absolute path/],
    ["instances", [{ instanceId: "a", agentType: "openclaw", dataDir: "/sandbox/.a", stateDirs: ["x\\..\\.."], backedUpDirs: [] }], /instances\[0\]\.stateDirs\[0\]/],
    ["backupPath", "/home/nvidia/.ssh", /backupPath "\/home\/nvidia\/\.ssh" is not this snapshot's directory/],
  ])("checks %s in NemoClaw's manifest", async (field, value, message) => {
    const data = archive(directory(root), file(`${root}/rebuild-manifest.json`, rebuildManifest("alice", TIMESTAMP, { [field]: value })));
    expect((await problemsOf(data)).join("\n")).toMatch(message);
  });

  it("refuses a backup manifest whose paths are not its host, sandbox and timestamp", () => {
    const good = manifestFor("spark-01", "alice", { sizeBytes: 1, sha256: "0".repeat(64) });
    const read = (changes: object) => () => parseManifest(JSON.stringify({ ...good, ...changes }), "m.json");
    expect(read({})).not.toThrow();
    expect(read({ snapshot: { ...good.snapshot, path: "rebuild-backups/../.." } })).toThrow(ManifestError);
    expect(read({ snapshot: { ...good.snapshot, path: "rebuild-backups/../.." } })).toThrow(/snapshot\/path "rebuild-backups\/\.\.\/\.\." is not rebuild-backups\/alice\//);
    expect(read({ host: "..", id: `../alice/${TIMESTAMP}` })).toThrow(/\/host "\.\." cannot be a path component/);
  });

  it("shows a NemoClaw manifest that is not JSON without the escape sequences V8 quotes from it", async () => {
    const data = archive(directory(root), file(`${root}/rebuild-manifest.json`, "\u001b]0;PWNED\u0007 x"));
    const problems = (await problemsOf(data)).join("\n");
    expect(problems).toMatch(/rebuild-manifest\.json is not JSON/);
    expect(problems).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(() => parseManifest("\u001b]8;;http://evil.example/\u001b\\x", "m.json")).toThrow(/not JSON/);
    try {
      parseManifest("\u001b]8;;http://evil.example/\u001b\\x", "m.json");
    } catch (error) {
      expect((error as Error).message).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    }
  });

  it("refuses a backup manifest with a control character in any text, which `backup list` would show raw", () => {
    const good = manifestFor("spark-01", "alice", { sizeBytes: 1, sha256: "0".repeat(64) });
    const read = (changes: object) => () => parseManifest(JSON.stringify({ ...good, ...changes }), "m.json");
    expect(read({ policy: "nightly\u001b]0;PWNED\u0007" })).toThrow('/policy "nightly\\u001b]0;PWNED\\u0007" contains a control character');
    expect(read({ runId: "r\u009b2J" })).toThrow(/\/runId .* contains a control character/);
    expect(read({ agent: { ...good.agent, type: "openclaw\u001b[8m" } })).toThrow(/\/agent\/type .* contains a control character/);
  });
});
