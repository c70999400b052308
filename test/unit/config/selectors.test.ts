import { describe, expect, it } from "vitest";
import { FleetValidationError } from "../../../src/config/diagnostics.js";
import { globToRegExp, hostMatches, parseHostPattern, PatternError, policyCovers, selectHosts, selectWith, termsMatchingNothing } from "../../../src/config/selectors.js";
import type { DesiredBackupPolicy, DesiredFleet, DesiredHost } from "../../../src/config/types.js";

function host(name: string, groups: string[], labels: Record<string, string> = {}): DesiredHost {
  return {
    name,
    connection: { kind: "local" },
    groups,
    labels,
    vars: {},
    environment: {},
    gateways: [],
    sandboxes: [],
    source: { file: "fleet.yaml", line: 1, column: 1, path: "" },
  };
}

const hosts = [
  host("spark-01", ["spark", "rack_a"], { site: "sjc" }),
  host("spark-02", ["spark", "rack_a"], { site: "sjc" }),
  host("spark-03", ["spark", "rack_b"], { site: "ams" }),
  host("station-01", ["station", "rack_a"], { site: "sjc", role: "edge" }),
];

const fleet: DesiredFleet = {
  apiVersion: "nemoclaw.dev/v1",
  name: "t",
  sourceFile: "fleet.yaml",
  sourceDigest: "",
  hosts,
  backupPolicies: [],
  apply: { concurrency: 1, waves: [], maxFailPercentage: 0, stepTimeoutMs: 1, pruneUnmanaged: false, lockTtlMs: 1, healthGate: null },
    notify: null,
};

const select = (pattern: string) => selectWith(hosts, { kind: "pattern", pattern });

describe("host patterns", () => {
  it.each([
    ["all", ["spark-01", "spark-02", "spark-03", "station-01"]],
    ["*", ["spark-01", "spark-02", "spark-03", "station-01"]],
    ["spark", ["spark-01", "spark-02", "spark-03"]],
    ["spark-0[!3]", ["spark-01", "spark-02"]],
    ["spark-0[!1]", ["spark-02", "spark-03"]],
    ["spark-0?", ["spark-01", "spark-02", "spark-03"]],
    ["station,spark-03", ["spark-03", "station-01"]],
    ["station:spark-03", ["spark-03", "station-01"]],
    ["spark:&rack_a", ["spark-01", "spark-02"]],
    ["rack_a:!station", ["spark-01", "spark-02"]],
    ["!spark-02", ["spark-01", "spark-03", "station-01"]],
    ["&rack_a", ["spark-01", "spark-02", "station-01"]],
    ["site=sjc", ["spark-01", "spark-02", "station-01"]],
    ["site=sjc:!role=edge", ["spark-01", "spark-02"]],
    ["site=a*", ["spark-03"]],
    ["~^spark-0[23]$", ["spark-02", "spark-03"]],
    // Ansible matches a regex from the start of the name only.
    ["~park", []],
    ["~spark-0[23]", ["spark-02", "spark-03"]],
    ["~(?i)SPARK-01", ["spark-01"]],
    // Subscripts pick by position in the group's host list, [x:y] inclusive.
    ["spark[0]", ["spark-01"]],
    ["spark[-1]", ["spark-03"]],
    ["spark[1:2]", ["spark-02", "spark-03"]],
    ["spark[1:]", ["spark-02", "spark-03"]],
    ["rack_a[0:1],spark[2]", ["spark-01", "spark-02", "spark-03"]],
    // Empty parts are dropped, as Ansible drops them.
    ["spark-01,,station", ["spark-01", "station-01"]],
    // Ansible evaluates unions first, then intersections, then exclusions, wherever they are written.
    ["!spark-01,&rack_a,spark", ["spark-02"]],
    // As in Ansible, a trailing [n:m] is always a subscript: of "spark-0", which matches nothing.
    ["spark-0[1:2]", []],
    ["spark-0[12]", []],
  ])("%s selects %j", (pattern, expected) => {
    expect(select(pattern)).toEqual(expected);
  });

  it("keeps brackets together when splitting on ':', and splits only on ',' when there is one (as Ansible does)", () => {
    expect(parseHostPattern("spark-[01:02]:station").map((t) => t.text)).toEqual(["spark-[01:02]", "station"]);
    expect(parseHostPattern("a:b,c").map((t) => t.text)).toEqual(["a:b", "c"]);
  });

  it.each([
    ["", /empty/],
    [",", /empty/],
    ["spark:!", /needs a host, group or label after "!"/],
    ["=sjc", /needs a label name/],
    ["spark-0[1", /without a closing/],
    ["~(", /not a valid regular expression/],
  ])("rejects %j", (pattern, message) => {
    expect(() => parseHostPattern(pattern)).toThrow(PatternError);
    expect(() => parseHostPattern(pattern)).toThrow(message);
  });

  it("names the terms that match no host", () => {
    expect(termsMatchingNothing(hosts, "spark:statoin:&rack_a:!nothing").map((t) => t.text)).toEqual(["statoin"]);
  });

  it("treats glob metacharacters only as globs", () => {
    expect(globToRegExp("a.b+c").test("a.b+c")).toBe(true);
    expect(globToRegExp("a.b+c").test("aXb+c")).toBe(false);
  });
});

describe("object selectors", () => {
  it("ANDs the keys and ORs the entries within a key", () => {
    expect(selectWith(hosts, { kind: "match", groups: ["station", "rack_b"], labels: { site: "sjc" } })).toEqual(["station-01"]);
    expect(selectWith(hosts, { kind: "match", names: ["spark-0[23]", "station-*"] })).toEqual(["spark-02", "spark-03", "station-01"]);
    expect(selectWith(hosts, { kind: "match" })).toHaveLength(4);
  });

  it("answers hostMatches the same way as selection", () => {
    expect(hostMatches(hosts[2]!, { kind: "pattern", pattern: "rack_b" })).toBe(true);
    expect(hostMatches(hosts[2]!, { kind: "match", labels: { site: "sjc" } })).toBe(false);
  });
});

describe("--limit", () => {
  it("selects every host without a limit, and in fleet order with one", () => {
    expect(selectHosts(fleet, undefined)).toEqual(["spark-01", "spark-02", "spark-03", "station-01"]);
    expect(selectHosts(fleet, "station,spark-01")).toEqual(["spark-01", "station-01"]);
  });

  it("fails with a validation error when the limit matches nothing or does not parse", () => {
    expect(() => selectHosts(fleet, "gpu-*")).toThrow(FleetValidationError);
    expect(() => selectHosts(fleet, "gpu-*")).toThrow("--limit 'gpu-*' matches no host");
    expect(() => selectHosts(fleet, "spark,!")).toThrow(/--limit 'spark,!': "!" needs a host/);
  });
});

describe("backup policy coverage", () => {
  const policy = (hostsPattern: string, sandboxNames: string[]): DesiredBackupPolicy => ({
    name: "nightly",
    hosts: { kind: "pattern", pattern: hostsPattern },
    sandboxNames,
    retention: {},
    destination: { kind: "local", path: "/backups" },
    verify: true,
    beforeDisruptive: true,
    strict: false,
    source: { file: "fleet.yaml", line: 1, column: 1, path: "backupPolicies[0]" },
  });

  it("needs both the host selector and a sandbox name glob to match", () => {
    expect(policyCovers(policy("station", ["assist*"]), hosts[3]!, "assistant")).toBe(true);
    expect(policyCovers(policy("station", ["assist*"]), hosts[0]!, "assistant")).toBe(false);
    expect(policyCovers(policy("all", ["coder", "assist*"]), hosts[0]!, "scratch")).toBe(false);
  });
});
