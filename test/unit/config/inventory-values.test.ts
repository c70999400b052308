/** INI values and host entries, read the way Ansible reads them. */
import { describe, expect, it } from "vitest";
import { parseHostEntry } from "../../../src/config/inventory/host-pattern.js";
import { parseIniValue, shlexSplit } from "../../../src/config/inventory/ini-values.js";

describe("parseIniValue (Python literal_eval, else the text)", () => {
  it.each([
    ["22", 22],
    ["-3", -3],
    ["1_000", 1000],
    ["0x1F", 31],
    ["1.5", 1.5],
    ["1e3", 1000],
    ["True", true],
    ["False", false],
    ["None", null],
    ["'quoted text'", "quoted text"],
    ['"double \\"escaped\\""', 'double "escaped"'],
    ["'a' 'b'", "ab"],
    ["[1, 'two', [3]]", [1, "two", [3]]],
    ["(1, 2)", [1, 2]],
    ["(1)", 1],
    ["1, 2", [1, 2]],
    ["{'site': 'sjc', 'gpus': 4}", { site: "sjc", gpus: 4 }],
    ["{}", {}],
    ["{1, 2}", [1, 2]],
    ["5 # a comment", 5],
    // Not literals: kept as text.
    ["yes", "yes"],
    ["FALSE", "FALSE"],
    ["022", "022"],
    ["0.0.72", "0.0.72"],
    ["10.20.0.11", "10.20.0.11"],
    ["a,b", "a,b"],
    ["/usr/bin/python3", "/usr/bin/python3"],
    ["-o ProxyJump=jump@bastion", "-o ProxyJump=jump@bastion"],
    ["'unterminated", "'unterminated"],
    ["[1, 2", "[1, 2"],
  ])("%s → %j", (text, value) => {
    expect(parseIniValue(text)).toEqual(value);
  });
});

describe("shlexSplit", () => {
  it("splits like a POSIX shell, with # comments", () => {
    expect(shlexSplit(`host a=1 b='two words' c="x \\"y\\"" d=e\\ f # comment`)).toEqual(["host", "a=1", "b=two words", 'c=x "y"', "d=e f"]);
    expect(shlexSplit(`labels="{'site': 'sjc'}"`)).toEqual(["labels={'site': 'sjc'}"]);
    expect(shlexSplit("a#b")).toEqual(["a#b"]);
    expect(shlexSplit("x='open")).toBe("no closing quotation");
  });
});

describe("parseHostEntry", () => {
  it.each([
    ["spark-01", { names: ["spark-01"] }],
    ["spark-01:2222", { names: ["spark-01"], port: 2222 }],
    ["spark-[01:03]", { names: ["spark-01", "spark-02", "spark-03"] }],
    ["spark-[1:5:2]", { names: ["spark-1", "spark-3", "spark-5"] }],
    ["node-[a:c]", { names: ["node-a", "node-b", "node-c"] }],
    ["r[1:2]-n[1:2]", { names: ["r1-n1", "r1-n2", "r2-n1", "r2-n2"] }],
    ["spark-[01:02]:2200", { names: ["spark-01", "spark-02"], port: 2200 }],
    ["fe80::1", { names: ["fe80::1"] }],
    ["[fe80::1]:2222", { names: ["fe80::1"], port: 2222 }],
  ])("%s → %j", (text, entry) => {
    expect(parseHostEntry(text)).toEqual(entry);
  });

  it.each([
    ["spark-[03:01]", /runs backwards/],
    ["spark-[01:02", /unmatched "\["/],
    ["spark-01:abc", /port "abc" is not a number/],
    ["spark-01:70000", /out of range/],
    ["spark-[a:3]", /numeric .* or alphabetic/],
  ])("rejects %s", (text, message) => {
    expect(parseHostEntry(text)).toMatch(message);
  });
});
