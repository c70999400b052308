import { describe, expect, it } from "vitest";
import { partialRestores } from "../../../src/host/nemoclaw/restore-warnings.js";

const BACKUP = "/home/op/.nemoclaw/rebuild-backups/alice/2026-05-30T10-00-01-318Z";

describe("NemoClaw's partial-restore warnings", () => {
  it("reads a rebuild's warning as releases up to ≈v0.0.59 print it (NC@f9cb3447:src/lib/actions/sandbox/rebuild.ts:907-910)", () => {
    // stderr (rebuild.ts:788-793) and stdout, merged, with the YW/R colour codes.
    const output = [
      "  Restoring workspace state...",
      "  Partial restore: none",
      "  Failed: workspace",
      `  Manual restore available from: ${BACKUP}`,
      "",
      "  \x1b[1;33m\u26a0\x1b[0m Sandbox 'alice' rebuilt but state restore was incomplete",
      `    Backup available at: ${BACKUP}`,
      "",
    ].join("\n");
    expect(partialRestores(output)).toEqual([{ backup: BACKUP, sandbox: "alice", timestamp: "2026-05-30T10-00-01-318Z" }]);
  });

  it("reads a rebuild's warning from v0.0.60 on and a recreate's, with CRLF line ends and a home holding a space", () => {
    const spaced = "/home/o p/.nemoclaw/rebuild-backups/bob/2026-07-01T00-00-00-000Z";
    const output = `  \u26a0 Sandbox 'alice' rebuilt but some post-restore steps were incomplete\r\n    State restore was incomplete \u2014 backup available at: ${BACKUP}\r\n  Warning: partial restore. Manual recovery: ${spaced}  \r\n`;
    expect(partialRestores(output)).toEqual([
      { backup: spaced, sandbox: "bob", timestamp: "2026-07-01T00-00-00-000Z" },
      { backup: BACKUP, sandbox: "alice", timestamp: "2026-05-30T10-00-01-318Z" },
    ]);
  });

  it("finds nothing in a rebuild that restored everything", () => {
    expect(partialRestores("  \u2713 State restored (3 directories, 2 files)\n\n  \u2713 Sandbox 'alice' rebuilt successfully\n")).toEqual([]);
  });
});
