import { describe, expect, it } from "vitest";
import { recordOf } from "../../../src/backup/record.js";
import { parseBackupReference, selectBackup } from "../../../src/backup/select.js";
import { manifestFor } from "./helpers.js";

const records = ["2026-07-08T02-00-00-000Z", "2026-07-10T02-00-00-123Z", "2026-07-10T14-00-00-000Z", "2026-07-09T02-00-00-000Z"].map((timestamp) =>
  recordOf(manifestFor("spark-01", "alice", { sizeBytes: 1, sha256: "0".repeat(64) }, {}, timestamp), "/backups"),
);

describe("backup references", () => {
  it("parses host/sandbox[@time]", () => {
    expect(parseBackupReference("spark-01/alice")).toEqual({ host: "spark-01", sandbox: "alice", at: null });
    expect(parseBackupReference("spark-01/alice@2026-07-10")).toEqual({ host: "spark-01", sandbox: "alice", at: "2026-07-10" });
    expect(() => parseBackupReference("alice")).toThrow(/expected <host>\/<sandbox>/);
    expect(() => parseBackupReference("a/b/c")).toThrow();
  });

  it("picks the newest without a time", () => {
    expect(selectBackup(records, parseBackupReference("spark-01/alice")).timestamp).toBe("2026-07-10T14-00-00-000Z");
  });

  it("without a time, passes over newer backups that failed verification", () => {
    const failed = (record: (typeof records)[number]) => ({ ...record, verified: false });
    const [july8, july10a, july10b, july9] = records;
    const mixed = [july8!, july10a!, failed(july10b!), failed(july9!)];
    expect(selectBackup(mixed, parseBackupReference("spark-01/alice")).timestamp).toBe("2026-07-10T02-00-00-123Z");
    // Asked for by time, a failed one is still what is named; with none usable, the newest.
    expect(selectBackup(mixed, parseBackupReference("spark-01/alice@2026-07-10T14")).timestamp).toBe("2026-07-10T14-00-00-000Z");
    expect(selectBackup(mixed.map(failed), parseBackupReference("spark-01/alice")).timestamp).toBe("2026-07-10T14-00-00-000Z");
  });

  it("accepts the listed timestamp, its ISO form, or a unique prefix", () => {
    expect(selectBackup(records, parseBackupReference("spark-01/alice@2026-07-10T02-00-00-123Z")).timestamp).toBe("2026-07-10T02-00-00-123Z");
    expect(selectBackup(records, parseBackupReference("spark-01/alice@2026-07-10T02:00:00.123Z")).timestamp).toBe("2026-07-10T02-00-00-123Z");
    expect(selectBackup(records, parseBackupReference("spark-01/alice@2026-07-09")).timestamp).toBe("2026-07-09T02-00-00-000Z");
  });

  it("reads an ISO time with a zone as the same instant, cut to the precision given", () => {
    const pick = (at: string) => selectBackup(records, parseBackupReference(`spark-01/alice@${at}`)).timestamp;
    expect(pick("2026-07-10T04:00:00.123+02:00")).toBe("2026-07-10T02-00-00-123Z");
    expect(pick("2026-07-10T02:00:00Z")).toBe("2026-07-10T02-00-00-123Z");
    expect(pick("2026-07-09T21:00-0500")).toBe("2026-07-10T02-00-00-123Z");
    // Across midnight: 01:00 on July 8th in +03:00 is 22:00 on July 7th in UTC, no backup then.
    expect(() => pick("2026-07-08T01:00+03:00")).toThrow(/no backup of spark-01\/alice at 2026-07-08T01:00\+03:00/);
    expect(pick("2026-07-08T05:00+03:00")).toBe("2026-07-08T02-00-00-000Z");
  });

  it("explains ambiguous and unknown times", () => {
    expect(() => selectBackup(records, parseBackupReference("spark-01/alice@2026-07-10"))).toThrow(/matches 2 backups/);
    expect(() => selectBackup(records, parseBackupReference("spark-01/alice@2025"))).toThrow(/no backup of spark-01\/alice at 2025; newest first: 2026-07-10T14/);
    expect(() => selectBackup(records, parseBackupReference("spark-02/alice"))).toThrow(/no backups of spark-02\/alice/);
  });
});
