import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { sweepStaging } from "../../../src/backup/restore.js";
import { LocalConnection } from "../../../src/transport/local.js";

let root: string;
const owner = { machine: "controller-1", pid: process.pid, pidScope: "boot-1:4026531836" };

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "staging-sweep-"));
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

it("judges another controller's restore staging by its age on the host's own clock, whatever the controller's says", async () => {
  // The host's clock is the real one here (the sweep runs `date` and `find` through a local connection).
  const hostNow = new Date();
  const live = "8-dddd@laptop";
  const killed = "7-cccc@laptop";
  for (const name of [live, killed]) mkdirSync(join(root, name));
  utimesSync(join(root, live), hostNow, hostNow);
  const twoDaysAgo = new Date(hostNow.getTime() - 48 * 3_600_000);
  utimesSync(join(root, killed), twoDaysAgo, twoDaysAgo);
  // The controller's clock three days ahead of the host's: a restore staging there minutes ago is no leftover.
  const controllerNow = new Date(hostNow.getTime() + 72 * 3_600_000);
  const removed = await sweepStaging(new LocalConnection("spark-01"), root, { owner, now: () => controllerNow, isAlive: () => false });
  expect(removed).toEqual([join(root, killed)]);
  expect(readdirSync(root)).toEqual([live]);
});
