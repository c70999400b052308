import { describe, expect, it } from "vitest";
import { exceedsFailThreshold, formatWaves, parseWaves, splitIntoWaves } from "../../../src/apply/waves.js";

const hosts = (n: number) => Array.from({ length: n }, (_, index) => `h${index + 1}`);

describe("parseWaves", () => {
  it("reads counts and percentages", () => {
    expect(parseWaves("1,25%,100%")).toEqual([
      { size: 1, unit: "hosts" },
      { size: 25, unit: "percent" },
      { size: 100, unit: "percent" },
    ]);
    expect(formatWaves(parseWaves("1, 25%,100%"))).toBe("1,25%,100%");
  });
  it.each(["", "0", "1,,2", "150%", "-1", "abc", "10%x"])("rejects %j", (text) => {
    expect(() => parseWaves(text)).toThrow(/--waves/);
  });
});

describe("splitIntoWaves (Ansible serial semantics)", () => {
  it("puts every host in one wave without specs", () => {
    expect(splitIntoWaves(hosts(3), [])).toEqual([["h1", "h2", "h3"]]);
  });
  it("canary, then a percentage of ALL hosts, then the rest", () => {
    expect(splitIntoWaves(hosts(10), parseWaves("1,25%,100%")).map((wave) => wave.length)).toEqual([1, 2, 7]);
  });
  it("repeats the last size until every host is placed", () => {
    expect(splitIntoWaves(hosts(7), parseWaves("2")).map((wave) => wave.length)).toEqual([2, 2, 2, 1]);
    expect(splitIntoWaves(hosts(10), parseWaves("1,30%")).map((wave) => wave.length)).toEqual([1, 3, 3, 3]);
  });
  it("floors percentages but never below one host", () => {
    expect(splitIntoWaves(hosts(3), parseWaves("10%")).map((wave) => wave.length)).toEqual([1, 1, 1]);
  });
  it("keeps fleet order", () => {
    expect(splitIntoWaves(hosts(4), parseWaves("1,100%"))).toEqual([["h1"], ["h2", "h3", "h4"]]);
  });
  it("has no waves for no hosts", () => {
    expect(splitIntoWaves([], parseWaves("1"))).toEqual([]);
  });
});

describe("exceedsFailThreshold", () => {
  it("must be exceeded, not equalled", () => {
    expect(exceedsFailThreshold(1, 4, 25)).toBe(false);
    expect(exceedsFailThreshold(2, 4, 25)).toBe(true);
    expect(exceedsFailThreshold(1, 1, 0)).toBe(true);
    expect(exceedsFailThreshold(0, 1, 0)).toBe(false);
    expect(exceedsFailThreshold(5, 5, 100)).toBe(false);
  });
});
