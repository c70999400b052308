import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { asUnprivileged, withUnprivilegedCommands } from "../../support/unprivileged.js";
import { BackupIntegrityError, BackupStore, partialName } from "../../../src/backup/store.js";
import { ownedName } from "../../../src/backup/owner.js";
import { MAX_MANIFEST_BYTES } from "../../../src/backup/manifest.js";
import { LocalStoreBackend } from "../../../src/backup/store-local.js";
import { SshStoreBackend } from "../../../src/backup/store-ssh.js";
import { LocalConnection } from "../../../src/transport/local.js";
import type { Connection } from "../../../src/transport/types.js";
import { diskFull, manifestFor, tarStream, TIMESTAMP, writeSnapshot } from "./helpers.js";
import { recordingFs } from "../../support/recording-fs.js";

let work: string;
let nemoclaw: string;
let root: string;
const owner = { machine: "controller-1", pid: process.pid, pidScope: "boot-1:4026531836" };
const now = () => new Date("2026-07-10T02:00:05.000Z");
/**
 * The clock that stamps files in the store, the real one for both backends: a leftover's age is
 * measured on it (a store on a host reads the host's own `date`), so entries' times are set from it.
 */
let storeNow: Date;

/** The same store logic over both backends: a local directory, and a directory behind a Connection. */
const BACKENDS = {
  "a local directory": () => new LocalStoreBackend(root, () => partialName(owner)),
  "a directory on a host (SSH backend over a local connection)": (unprivileged = false) => {
    const connection = new LocalConnection("store-host");
    return new SshStoreBackend(unprivileged ? withUnprivilegedCommands(connection) : connection, root);
  },
};
let backend: keyof typeof BACKENDS;

/** `unprivileged`: the SSH backend's commands run as a plain user even when the tests run as root. */
function store(unprivileged = false): BackupStore {
  return new BackupStore(BACKENDS[backend](unprivileged), owner);
}

async function writeBackup(target = store(), sandbox = "alice", verify = true) {
  writeSnapshot(nemoclaw, sandbox);
  const { stream, done } = tarStream(nemoclaw, sandbox);
  return target.write({
    host: "spark-01",
    sandbox,
    timestamp: TIMESTAMP,
    source: stream,
    sourceDone: done,
    verify,
    now,
    manifestFor: (archive) => manifestFor("spark-01", sandbox, archive),
  });
}

/** Everything under the store root, dot entries included. */
function tree(dir = root, prefix = ""): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = `${prefix}${entry.name}`;
    return entry.isDirectory() ? [`${path}/`, ...tree(join(dir, entry.name), `${path}/`)] : [path];
  });
}

beforeEach(() => {
  storeNow = new Date();
  work = mkdtempSync(join(tmpdir(), "store-test-"));
  nemoclaw = join(work, "home", ".nemoclaw");
  root = join(work, "backups");
});

afterEach(() => rmSync(work, { recursive: true, force: true }));

describe.each(Object.keys(BACKENDS) as (keyof typeof BACKENDS)[])("BackupStore in %s", (name) => {
  beforeEach(() => {
    backend = name;
  });

  it("commits archive and manifest together under host/sandbox/timestamp", async () => {
    const record = await writeBackup();
    const archive = readFileSync(join(root, "spark-01/alice", TIMESTAMP, "backup.tar"));
    expect(record.sha256).toBe(createHash("sha256").update(archive).digest("hex"));
    expect(record.sizeBytes).toBe(archive.length);
    expect(record.verified).toBe(true);
    expect(record.location).toBe(`${store().label}/spark-01/alice/${TIMESTAMP}`);
    expect(tree()).toEqual(["spark-01/", "spark-01/alice/", `spark-01/alice/${TIMESTAMP}/`, `spark-01/alice/${TIMESTAMP}/backup.tar`, `spark-01/alice/${TIMESTAMP}/manifest.json`]);
    const listing = await store().list();
    expect(listing.records.map((r) => r.id)).toEqual([`spark-01/alice/${TIMESTAMP}`]);
    expect(listing.invalid).toEqual([]);
  });

  it("leaves nothing behind when the source fails mid-stream", async () => {
    const source = new PassThrough();
    const writing = store().write({
      host: "spark-01",
      sandbox: "alice",
      timestamp: TIMESTAMP,
      source,
      verify: false,
      now,
      manifestFor: (archive) => manifestFor("spark-01", "alice", archive),
    });
    source.write(Buffer.alloc(4096, 1));
    source.destroy(new Error("connection reset"));
    await expect(writing).rejects.toThrow();
    expect(tree()).toEqual(["spark-01/", "spark-01/alice/"]);
  });

  it("rejects an archive without NemoClaw's manifest and commits nothing", async () => {
    mkdirSync(join(nemoclaw, "rebuild-backups/alice", TIMESTAMP), { recursive: true });
    writeFileSync(join(nemoclaw, "rebuild-backups/alice", TIMESTAMP, "x"), "x");
    const { stream, done } = tarStream(nemoclaw, "alice");
    const writing = store().write({
      host: "spark-01",
      sandbox: "alice",
      timestamp: TIMESTAMP,
      source: stream,
      sourceDone: done,
      verify: false,
      now,
      manifestFor: (archive) => manifestFor("spark-01", "alice", archive),
    });
    await expect(writing).rejects.toThrow(BackupIntegrityError);
    await expect(writing).rejects.toThrow(/rebuild-manifest.json is missing/);
    expect((await store().list()).records).toEqual([]);
    expect(tree()).toEqual(["spark-01/", "spark-01/alice/"]);
  });

  it("verify finds a corrupted archive and records the result", async () => {
    const record = await writeBackup();
    const good = await store().verify(record, { now });
    expect(good.problems).toEqual([]);
    const path = join(root, "spark-01/alice", TIMESTAMP, "backup.tar");
    const bytes = readFileSync(path);
    const at = bytes.indexOf("notes of alice");
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(path, bytes);
    const bad = await store().verify(record, { now });
    expect(bad.problems.join("\n")).toMatch(/sha256 [0-9a-f]{64} does not match/);
    expect(bad.record.verified).toBe(false);
    const [listed] = (await store().list()).records;
    expect(listed?.verified).toBe(false);
    expect(listed?.manifest.verified?.problem).toMatch(/sha256/);
  });

  it("verify keeps its result when the manifest cannot be written (a full disk)", async () => {
    const record = await writeBackup();
    const path = join(root, "spark-01/alice", TIMESTAMP, "backup.tar");
    const bytes = readFileSync(path);
    const at = bytes.indexOf("notes of alice");
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(path, bytes);
    const outcome = await new BackupStore(diskFull(BACKENDS[backend]()), owner).verify(record, { now });
    expect(outcome.problems.join("\n")).toMatch(/sha256 [0-9a-f]{64} does not match/);
    expect(outcome.notRecorded).toMatch(/^the result could not be recorded in manifest\.json: ENOSPC: no space left on device/);
    // The previous result stays in the store.
    expect((await store().list()).records[0]?.verified).toBe(true);
  });

  it("verify reports a missing or truncated archive", async () => {
    const record = await writeBackup();
    const path = join(root, "spark-01/alice", TIMESTAMP, "backup.tar");
    writeFileSync(path, readFileSync(path).subarray(0, 1024));
    expect((await store().verify(record, { now })).problems.join("\n")).toMatch(/truncated/);
    rmSync(path);
    expect((await store().verify(record, { now })).problems).toEqual([expect.stringMatching(/^backup\.tar (is missing|cannot be read: .*(ENOENT|no such file))/i)]);
  });

  it("lists broken manifests as invalid, never as backups", async () => {
    await writeBackup();
    mkdirSync(join(root, "spark-01/alice/2026-07-09T02-00-00-000Z"));
    mkdirSync(join(root, "spark-01/bob/2026-07-09T02-00-00-000Z"), { recursive: true });
    writeFileSync(join(root, "spark-01/bob/2026-07-09T02-00-00-000Z/manifest.json"), "{ not json");
    const listing = await store().list();
    expect(listing.records).toHaveLength(1);
    expect(listing.invalid.map((i) => i.problem)).toEqual(["manifest.json is missing", expect.stringMatching(/not JSON/)]);
  });

  it("lists a manifest.json that is a directory as invalid and still lists the rest", async () => {
    await writeBackup();
    mkdirSync(join(root, "spark-01/alice/2026-12-01T00-00-09-000Z/manifest.json"), { recursive: true });
    const listing = await store().list();
    expect(listing.records.map((record) => record.timestamp)).toEqual([TIMESTAMP]);
    expect(listing.invalid).toEqual([{ location: expect.stringMatching(/spark-01\/alice\/2026-12-01T00-00-09-000Z$/), problem: expect.stringMatching(/^manifest\.json is (a directory|not a regular file)/) }]);
  });

  it("never opens a FIFO named manifest.json (the listing does not hang), and refuses an oversized manifest unread", async () => {
    await writeBackup();
    const fifoDir = join(root, "spark-01/alice/2026-12-01T00-00-09-000Z");
    mkdirSync(fifoDir, { recursive: true });
    execFileSync("mkfifo", [join(fifoDir, "manifest.json")]);
    const hugeDir = join(root, "spark-01/bob/2026-12-01T00-00-09-000Z");
    mkdirSync(hugeDir, { recursive: true });
    writeFileSync(join(hugeDir, "manifest.json"), "{");
    truncateSync(join(hugeDir, "manifest.json"), MAX_MANIFEST_BYTES + 1);
    const listing = await store().list();
    expect(listing.records.map((record) => record.timestamp)).toEqual([TIMESTAMP]);
    expect(listing.invalid.map((entry) => entry.problem).sort()).toEqual([
      expect.stringMatching(/^manifest\.json is (1048577 bytes|larger than 1048576 bytes)/),
      expect.stringMatching(/^manifest\.json is not a regular file/),
    ]);
  }, 20_000);

  it("lists a host directory it cannot read as invalid and still lists the other hosts", async () => {
    await writeBackup();
    mkdirSync(join(root, "spark-02/alice/2026-12-01T00-00-09-000Z"), { recursive: true });
    chmodSync(join(root, "spark-02"), 0);
    try {
      const listing = await asUnprivileged([work], () => store(true).list());
      expect(listing.records.map((record) => record.host)).toEqual(["spark-01"]);
      expect(listing.invalid).toEqual([{ location: expect.stringMatching(/\/spark-02$/), problem: "cannot be read (permission denied)" }]);
    } finally {
      chmodSync(join(root, "spark-02"), 0o700);
    }
  });

  it("shows an unreadable directory's name without the escape sequences it may hold", async () => {
    await writeBackup();
    const named = join(root, "spark-\u001b]0;PWNED\u0007");
    mkdirSync(named, { recursive: true });
    chmodSync(named, 0);
    try {
      const listing = await asUnprivileged([work], () => store(true).list());
      expect(listing.invalid).toEqual([{ location: expect.stringMatching(/\/spark-$/), problem: "cannot be read (permission denied)" }]);
    } finally {
      chmodSync(named, 0o700);
    }
  });

  it("removes a backup out of sight first", async () => {
    const record = await writeBackup();
    await store().remove(record);
    expect(tree()).toEqual(["spark-01/", "spark-01/alice/"]);
  });

  it("cleans partial entries whose writer is gone, and only those", async () => {
    const series = join(root, "spark-01/alice");
    mkdirSync(series, { recursive: true });
    const here = (pid: number) => `.partial-${ownedName({ ...owner, pid })}`;
    const deadHere = here(999999);
    const aliveHere = here(4242);
    const oldElsewhere = ".partial-7-cccc@laptop";
    const youngElsewhere = ".partial-8-dddd@laptop";
    // Same hostname, another boot or pid namespace (a clone, a container), and an older release's name: asked by age only.
    const youngClone = ".partial-999998-eeee@controller-1~0123456789ab";
    const youngUnscoped = ".partial-999997-ffff@controller-1";
    for (const name of [deadHere, aliveHere, oldElsewhere, youngElsewhere, youngClone, youngUnscoped, ".unrelated"]) mkdirSync(join(series, name));
    const twoDaysAgo = new Date(storeNow.getTime() - 48 * 3_600_000);
    utimesSync(join(series, oldElsewhere), twoDaysAgo, twoDaysAgo);
    utimesSync(join(series, youngElsewhere), storeNow, storeNow);
    const removed = await store().cleanPartials({ now: () => storeNow, isAlive: (pid) => pid === 4242 });
    const label = store().label;
    expect(removed.sort()).toEqual([`${label}/spark-01/alice/${deadHere}`, `${label}/spark-01/alice/${oldElsewhere}`].sort());
    expect(readdirSync(series).sort()).toEqual([aliveHere, youngElsewhere, youngClone, youngUnscoped, ".unrelated"].sort());
  });

  it("never takes an entry another controller is still writing into for a leftover, however old its directory", async () => {
    const series = join(root, "spark-01/alice");
    const busy = join(series, ".partial-7-cccc@laptop");
    mkdirSync(busy, { recursive: true });
    // A long upload: the archive grows while the directory holding it keeps its creation time.
    writeFileSync(join(busy, "backup.tar"), "x".repeat(1000));
    const twoDaysAgo = new Date(storeNow.getTime() - 48 * 3_600_000);
    utimesSync(busy, twoDaysAgo, twoDaysAgo);
    utimesSync(join(busy, "backup.tar"), storeNow, storeNow);
    expect(await store().cleanPartials({ now: () => storeNow, isAlive: () => false })).toEqual([]);
    expect(readdirSync(series)).toEqual([".partial-7-cccc@laptop"]);
  });

  it("tells the leftovers of killed runs with the bytes they take, and removes just those", async () => {
    const record = await writeBackup();
    const series = join(root, "spark-01/alice");
    const dead = `.partial-${ownedName({ ...owner, pid: 999999 })}`;
    const alive = `.partial-${ownedName({ ...owner, pid: 4242 })}`;
    const oldElsewhere = ".partial-7-cccc@laptop";
    for (const name of [dead, alive, oldElsewhere]) mkdirSync(join(series, name));
    writeFileSync(join(series, dead, "backup.tar"), "x".repeat(3000));
    writeFileSync(join(series, alive, "backup.tar"), "x".repeat(5000));
    writeFileSync(join(series, oldElsewhere, "backup.tar"), "x".repeat(700));
    writeFileSync(join(series, oldElsewhere, ".manifest.json.nemoclaw-tmp.abcdefgh"), "x".repeat(11));
    // A manifest rewrite killed halfway leaves its temporary file inside the committed backup.
    const deadInBackup = `${TIMESTAMP}/.partial-${ownedName({ ...owner, pid: 999998 })}`;
    writeFileSync(join(series, deadInBackup), "x".repeat(42));
    const twoDaysAgo = new Date(storeNow.getTime() - 48 * 3_600_000);
    for (const path of [join(oldElsewhere, "backup.tar"), join(oldElsewhere, ".manifest.json.nemoclaw-tmp.abcdefgh"), oldElsewhere]) utimesSync(join(series, path), twoDaysAgo, twoDaysAgo);
    const liveness = { now: () => storeNow, isAlive: (pid: number) => pid === 4242 };
    const target = store();
    const listing = await target.list();
    expect(listing.records.map((entry) => entry.id)).toEqual([record.id]);
    const byPath = (a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path);
    const leftovers = target.leftovers(listing.partials, liveness).sort(byPath);
    const at = (path: string) => `${target.label}/spark-01/alice/${path}`;
    expect(leftovers).toEqual(
      [
        { location: at(dead), path: `spark-01/alice/${dead}`, sizeBytes: 3000 },
        { location: at(oldElsewhere), path: `spark-01/alice/${oldElsewhere}`, sizeBytes: 711 },
        { location: at(deadInBackup), path: `spark-01/alice/${deadInBackup}`, sizeBytes: 42 },
      ].sort(byPath),
    );
    for (const leftover of leftovers) await target.removeLeftover(leftover);
    expect(readdirSync(series).sort()).toEqual([alive, TIMESTAMP].sort());
    expect(readdirSync(join(series, TIMESTAMP)).sort()).toEqual(["backup.tar", "manifest.json"]);
    expect((await target.list()).records.map((entry) => entry.id)).toEqual([record.id]);
  });

  it("sweeps the write check a killed run left at the root and an upload's temporary a day old, never a live one", async () => {
    const record = await writeBackup();
    const backupDir = join(root, "spark-01/alice", TIMESTAMP);
    // checkWritable's probe, left by a run killed between its mkdir and its removal.
    const deadProbe = `.partial-${ownedName({ ...owner, pid: 999999 })}`;
    const liveProbe = `.partial-${ownedName({ ...owner, pid: 4242 })}`;
    for (const name of [deadProbe, liveProbe]) mkdirSync(join(root, name));
    // A `backup verify` killed while it rewrote the manifest over SSH (a host that lost power): mktemp's name.
    const stale = ".manifest.json.nemoclaw-tmp.Ab3dE6gH";
    const fresh = ".manifest.json.nemoclaw-tmp.Zy9xW8vU";
    for (const name of [stale, fresh, ".keep"]) writeFileSync(join(backupDir, name), "x".repeat(11));
    const twoDaysAgo = new Date(storeNow.getTime() - 48 * 3_600_000);
    utimesSync(join(backupDir, stale), twoDaysAgo, twoDaysAgo);
    utimesSync(join(backupDir, fresh), storeNow, storeNow);
    const target = store();
    const liveness = { now: () => storeNow, isAlive: (pid: number) => pid === 4242 };
    const leftovers = target.leftovers((await target.list()).partials, liveness);
    expect(leftovers.map((leftover) => [leftover.path, leftover.sizeBytes]).sort()).toEqual([
      [deadProbe, 0],
      [`spark-01/alice/${TIMESTAMP}/${stale}`, 11],
    ]);
    expect((await target.cleanPartials(liveness)).sort()).toEqual([`${target.label}/${deadProbe}`, `${target.label}/spark-01/alice/${TIMESTAMP}/${stale}`]);
    expect(readdirSync(root).sort()).toEqual([liveProbe, "spark-01"].sort());
    expect(readdirSync(backupDir).sort()).toEqual([".keep", fresh, "backup.tar", "manifest.json"].sort());
    expect((await target.list()).records.map((entry) => entry.id)).toEqual([record.id]);
  });
});

describe("BackupStore in a local directory", () => {
  it("flushes the name of each directory it makes for a backup into its parent, up to the store's root", async () => {
    const { fs, calls } = recordingFs((path) => path.replace(root, "<root>").replace(/\.partial-[^/]+/, ".partial"));
    mkdirSync(root, { recursive: true });
    await writeBackup(new BackupStore(new LocalStoreBackend(root, () => partialName(owner), fs), owner));
    expect(calls.filter((call) => call.startsWith("fsync"))).toEqual(["fsync <root>/spark-01/alice", "fsync <root>/spark-01", "fsync <root>"]);
  });
});

describe("BackupStore on a host", () => {
  it("judges another writer's entry by its age on the store host's own clock, whatever the controller's says", async () => {
    // The store host's clock is the real one here (the SSH backend runs `date` and `find` through a local connection).
    backend = "a directory on a host (SSH backend over a local connection)";
    const series = join(root, "spark-01/alice");
    const young = ".partial-8-dddd@laptop";
    const old = ".partial-7-cccc@laptop";
    for (const name of [young, old]) mkdirSync(join(series, name), { recursive: true });
    const hostNow = storeNow.getTime();
    utimesSync(join(series, young), new Date(hostNow), new Date(hostNow));
    utimesSync(join(series, old), new Date(hostNow - 48 * 3_600_000), new Date(hostNow - 48 * 3_600_000));
    const target = store();
    const partials = (await target.list()).partials;
    const sweptWith = (controllerNow: number) => target.leftovers(partials, { now: () => new Date(controllerNow), isAlive: () => false }).map((leftover) => leftover.path);
    // A host whose clock is three days behind: a live run's entry there is minutes old, not days.
    expect(sweptWith(hostNow + 72 * 3_600_000)).toEqual([`spark-01/alice/${old}`]);
    // A host whose clock is three days ahead: an entry two days old there is still a leftover.
    expect(sweptWith(hostNow - 72 * 3_600_000)).toEqual([`spark-01/alice/${old}`]);
  });

  it("flushes each directory it makes into its parent, each file before it becomes visible, and each directory a backup is renamed into", async () => {
    const local = new LocalConnection("store-host");
    const calls: string[] = [];
    // The same connection, recording what the store asks of it.
    const recording: Connection = {
      host: local.host,
      run: (command, options) => {
        if ("argv" in command && ["mv", "sync"].includes(command.argv[0]!)) calls.push(command.argv.join(" ").replaceAll(root, "<root>"));
        return local.run(command, options);
      },
      spawn: (command, options) => local.spawn(command, options),
      upload: (source, path, options) => {
        calls.push(`upload ${path.replace(root, "<root>").replace(/\.partial-[^/]+/, ".partial")}${options?.durable ? " durable" : ""}`);
        return local.upload(source, path, options);
      },
      download: (path, options) => local.download(path, options),
      close: () => local.close(),
    };
    backend = "a directory on a host (SSH backend over a local connection)";
    const record = await writeBackup(new BackupStore(new SshStoreBackend(recording, root), owner));
    expect(calls.map((call) => call.replace(/\.partial-[^/ ]+/, ".partial"))).toEqual([
      "sync -- <root>/spark-01/alice <root>/spark-01 <root>",
      "upload <root>/spark-01/alice/.partial/backup.tar durable",
      "upload <root>/spark-01/alice/.partial/manifest.json durable",
      `mv -T -n -- <root>/spark-01/alice/.partial <root>/spark-01/alice/${TIMESTAMP}`,
      "sync -- <root>/spark-01/alice",
    ]);
    calls.length = 0;
    await new BackupStore(new SshStoreBackend(recording, root), owner).verify(record, { now });
    expect(calls).toEqual([`upload <root>/spark-01/alice/${TIMESTAMP}/manifest.json durable`]);
  });
});
