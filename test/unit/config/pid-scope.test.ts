import { describe, expect, it } from "vitest";
import { currentPidScope, samePidScope } from "../../../src/config/pid-scope.js";

const BOOT = "2a3da453-a1a0-4074-add4-7cd9d2546095";
const proc = (boot: string, namespace: string) => ({ readText: () => `${boot}\n`, readLink: () => namespace });

describe("pid scope", () => {
  it("is the boot id and the pid namespace", () => {
    expect(currentPidScope(proc(BOOT, "pid:[4026531836]"))).toBe(`${BOOT}:4026531836`);
  });

  it("is unknown where /proc does not say, or says something else", () => {
    expect(currentPidScope({ readText: () => { throw new Error("ENOENT"); }, readLink: () => "pid:[1]" })).toBeNull();
    expect(currentPidScope(proc("", "pid:[4026531836]"))).toBeNull();
    expect(currentPidScope(proc(BOOT, "net:[4026531840]"))).toBeNull();
  });

  it("reads this machine's /proc", () => {
    expect(currentPidScope()).toMatch(/^[0-9a-f-]{36}:\d+$/);
  });

  it("lets a pid be judged only in the very same scope", () => {
    expect(samePidScope(`${BOOT}:1`, `${BOOT}:1`)).toBe(true);
    expect(samePidScope(`${BOOT}:1`, `${BOOT}:2`)).toBe(false);
    expect(samePidScope(undefined, `${BOOT}:1`)).toBe(false);
    expect(samePidScope(`${BOOT}:1`, null)).toBe(false);
    expect(samePidScope(null, null)).toBe(false);
  });
});
