import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { currentOwner, ownedName } from "../../../src/backup/owner.js";
import { writeFileAtomically } from "../../../src/report/output-file.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "output-file-test-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A pid of this machine whose process has ended (one this test started and waited for). */
function deadPid(): number {
  const child = spawnSync("true");
  expect(child.pid).toBeGreaterThan(0);
  return child.pid;
}

describe("writeFileAtomically", () => {
  it("removes what killed writes of the same file left, and nothing else", () => {
    const path = join(dir, "plan.json");
    const here = currentOwner();
    const twoDaysAgo = new Date(Date.now() - 48 * 3_600_000);
    const temporary = (base: string, writer: string) => `.${base}.${writer}.tmp`;
    const killed = temporary("plan.json", ownedName({ ...here, pid: deadPid() }));
    const running = temporary("plan.json", ownedName({ ...here, pid: process.ppid }));
    const youngElsewhere = temporary("plan.json", "7-abcdef@laptop~0123456789ab");
    const oldElsewhere = temporary("plan.json", "8-abcdef@laptop~0123456789ab");
    const otherOutput = temporary("plan.json.bak", ownedName({ ...here, pid: deadPid() }));
    const olderRelease = ".plan.json.12345.abcdef.tmp";
    for (const name of [killed, running, youngElsewhere, oldElsewhere, otherOutput, olderRelease]) writeFileSync(join(dir, name), "half a pl");
    utimesSync(join(dir, oldElsewhere), twoDaysAgo, twoDaysAgo);

    writeFileAtomically(path, "{}\n");

    expect(readFileSync(path, "utf8")).toBe("{}\n");
    expect(readdirSync(dir).sort()).toEqual(["plan.json", running, youngElsewhere, otherOutput, olderRelease].sort());
  });
});
