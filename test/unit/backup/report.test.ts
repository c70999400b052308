import { describe, expect, it } from "vitest";
import { recordOf } from "../../../src/backup/record.js";
import type { RunReport } from "../../../src/backup/run.js";
import { formatAge, formatBytes, renderDue, renderListing, renderPrune, renderRunEvent, renderRunReport } from "../../../src/report/backup-human.js";
import { pruneJson } from "../../../src/report/backup-json.js";
import { createColors } from "../../../src/report/color.js";
import { manifestFor } from "./helpers.js";

const plain = createColors(false);
const record = (timestamp: string, sizeBytes = 2048) => recordOf(manifestFor("spark-01", "alice", { sizeBytes, sha256: "b".repeat(64) }, { verified: { at: "2026-07-10T03:00:00.000Z", ok: true } }, timestamp), "/store");

describe("backup human output", () => {
  it("formats sizes and ages", () => {
    expect([formatBytes(512), formatBytes(2048), formatBytes(5 * 1024 ** 3), formatBytes(150 * 1024 ** 2)]).toEqual(["512 B", "2.0 KiB", "5.0 GiB", "150 MiB"]);
    const now = new Date("2026-07-10T12:00:00Z");
    expect(["2026-07-10T11:59:30Z", "2026-07-10T11:00:00Z", "2026-07-09T12:00:00Z", "2026-07-01T12:00:00Z"].map((t) => formatAge(t, now))).toEqual(["30s", "60m", "24h", "9d"]);
  });

  it("prints the preflight block verbatim in the recap", () => {
    const report: RunReport = {
      runId: "run-1",
      startedAt: "2026-07-10T02:00:00.000Z",
      finishedAt: "2026-07-10T02:00:03.000Z",
      policies: ["nightly"],
      cleaned: [],
      storeProblems: [],
      unreachableStores: [],
      unmatchedSandboxes: { globs: [], available: [] },
      hosts: [
        { host: "spark-09", status: "refused", problems: [], sandboxes: [], block: { driver: "host-process", installedVersion: "0.0.72", runningVersion: "0.0.43", gateway: "nemoclaw", lines: ["", "  OpenShell gateway schema preflight failed before backing up sandboxes.", "  No sandbox data was changed."] } },
        { host: "spark-01", status: "ok", problems: [], sandboxes: [{ host: "spark-01", sandbox: "alice", gateway: "nemoclaw", policy: "nightly", status: "backed-up", record: record("2026-07-10T02-00-00-123Z") }] },
      ],
    };
    expect(renderRunReport(report, plain)).toBe(
      [
        "spark-09:",
        "",
        "  OpenShell gateway schema preflight failed before backing up sandboxes.",
        "  No sandbox data was changed.",
        "",
        "Backup run run-1 (nightly):",
        "  spark-09: refused",
        "  spark-01: ok, 1 backed up, 0 skipped, 0 failed",
        "1 backed up (2.0 KiB), 0 skipped, 0 failed on 2 host(s) in 3.0s",
        "",
      ].join("\n"),
    );
    expect(renderRunEvent({ type: "sandbox-done", outcome: report.hosts[1]!.sandboxes[0]! }, plain)).toBe(
      "✓ spark-01: alice @nemoclaw (nightly): 2.0 KiB, verified → /store/spark-01/alice/2026-07-10T02-00-00-123Z\n",
    );
  });

  it("shows the prune plan and the same ids in JSON for preview and result", () => {
    const keep = record("2026-07-10T02-00-00-123Z");
    const gone = record("2026-07-09T02-00-00-123Z");
    const plan = { series: [{ store: "/store", policy: "nightly", host: "spark-01", sandbox: "alice", decisions: [{ record: keep, keep: true, reasons: ["last"] }, { record: gone, keep: false, reasons: [] }] }], remove: [gone], skipped: [], leftovers: [] };
    expect(renderPrune(plan, null, plain)).toContain("  would delete 2026-07-09T02-00-00-123Z\nWould delete 1 backup(s) (dry run; nothing was changed).");
    const preview = JSON.parse(pruneJson(plan, null)) as { remove: string[]; removed: null };
    const done = JSON.parse(pruneJson(plan, { removed: [gone], failed: [], leftoversRemoved: [], leftoversFailed: [] })) as { remove: string[]; removed: string[] };
    expect(preview.remove).toEqual([gone.id]);
    expect(preview.removed).toBeNull();
    expect(done.removed).toEqual(preview.remove);
  });

  it("shows the leftovers of killed runs a prune removes, and the bytes it freed", () => {
    const leftover = { location: "/store/spark-01/alice/.partial-7-cccc@laptop", path: "spark-01/alice/.partial-7-cccc@laptop", sizeBytes: 3 * 1024 * 1024 };
    const plan = { series: [], remove: [], skipped: [], leftovers: [{ store: "/store", leftover }] };
    expect(renderPrune(plan, null, plain)).toBe(
      [
        "Leftovers of interrupted runs (partial entries whose writer is gone):",
        "  would remove /store/spark-01/alice/.partial-7-cccc@laptop  3.0 MiB",
        "Would delete 0 backup(s) and remove 1 leftover(s) of interrupted runs (3.0 MiB) (dry run; nothing was changed).",
        "",
      ].join("\n"),
    );
    const result = { removed: [], failed: [], leftoversRemoved: [leftover], leftoversFailed: [] };
    expect(renderPrune(plan, result, plain)).toContain("Deleted 0 of 0 backup(s).\nRemoved 1 of 1 leftover(s) of interrupted runs, freeing 3.0 MiB.\n");
    const done = JSON.parse(pruneJson(plan, result)) as { leftovers: unknown[]; leftoversRemoved: string[]; freedBytes: number };
    expect(done.leftovers).toEqual([{ store: "/store", location: leftover.location, sizeBytes: leftover.sizeBytes }]);
    expect(done.leftoversRemoved).toEqual([leftover.location]);
    expect(done.freedBytes).toBe(leftover.sizeBytes);
    const listing = renderListing([{ store: "/store", policies: ["nightly"], records: [], invalid: [], leftovers: [leftover, { ...leftover, sizeBytes: null }] }], new Date(), plain);
    expect(listing).toContain("  leftovers: 2 partial entries of interrupted runs (3.0 MiB, and 1 of unknown size); `nemoclaw backup prune` removes them\n");
  });

  it("lists what is due", () => {
    const text = renderDue(
      [{ policy: "nightly", schedule: "0 2 * * *", firedAt: "2026-07-10T02:00:00.000Z", due: true, reason: "1 of 2 sandbox(es) have no backup since 2026-07-10T02:00:00.000Z", series: [{ host: "spark-01", sandbox: "bob", latest: null, due: true }, { host: "spark-01", sandbox: "alice", latest: "2026-07-10T02:00:01.000Z", due: false }] }],
      plain,
    );
    expect(text).toBe("due     nightly (0 2 * * *): 1 of 2 sandbox(es) have no backup since 2026-07-10T02:00:00.000Z\n  spark-01/bob: last backup never\n");
  });
});
