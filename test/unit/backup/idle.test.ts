/** The idle watch on archive streams (src/backup/idle.ts). */
import { PassThrough } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { watchIdle } from "../../../src/backup/idle.js";

describe("watchIdle", () => {
  it("fires when the source sends nothing for the bound, keeping what was sent", async () => {
    const source = new PassThrough();
    let idle = 0;
    const watch = watchIdle(source, 50, () => (idle += 1));
    const read: Buffer[] = [];
    watch.stream.on("data", (chunk: Buffer) => read.push(chunk));
    source.write("abc");
    await sleep(150);
    expect({ idle, fired: watch.fired(), read: Buffer.concat(read).toString() }).toEqual({ idle: 1, fired: true, read: "abc" });
    watch.stop();
  });

  it("does not fire once the source has ended, however long the reader takes after", async () => {
    const source = new PassThrough();
    let idle = 0;
    const watch = watchIdle(source, 50, () => (idle += 1));
    watch.stream.resume();
    source.end("all of it");
    await sleep(150);
    expect({ idle, fired: watch.fired() }).toEqual({ idle: 0, fired: false });
    watch.stop();
  });
});
