/** INI values and host entries, read the way Ansible reads them. */
import { describe, expect, it } from "vitest";
import { parseHostEntry } from "../../../src/config/inventory/host-pattern.js";
import { parseIniValue, shlexSplit } from "../../../src/config/inventory/ini-values.js";
import { PyFloat } from "../../../src/config/inventory/values.js";

describe("parseIniValue (Python literal_eval, else the text)", () => {
  it.each([
    ["22", 22],
    ["-3", -3],
    ["1_000", 1000],
    ["0x1F", 31],
    ["1.5", new PyFloat(1.5)],
    // Python floats stay floats (ansible-inventory prints 1000.0), big integers stay exact.
    ["1e3", new PyFloat(1000)],
    ["-2.", new PyFloat(-2)],
    ["0o17", 15],
    ["0b101", 5],
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

describe("parseIniValue beyond 2^53", () => {
  it("keeps integers exact, as Python does", () => {
    expect(parseIniValue("12345678901234567890")).toBe(12345678901234567890n);
    expect(parseIniValue("-9007199254740993")).toBe(-9007199254740993n);
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
    // Names beyond ASCII are names too, as in Ansible's Unicode pattern; a label cannot end in "-".
    ["Spärk-01:2222", { names: ["Spärk-01"], port: 2222 }],
    ["spark-:2222", { names: ["spark-:2222"] }],
    // Ansible's range rules: an empty begin is 0, letters run a-z then A-Z, padding needs equal widths.
    ["n[:2]", { names: ["n0", "n1", "n2"] }],
    ["n[y:B]", { names: ["ny", "nz", "nA", "nB"] }],
    ["n[08:10]", { names: ["n08", "n09", "n10"] }],
    ["n[8:10]", { names: ["n8", "n9", "n10"] }],
    // What is not an address is one name, as Ansible takes it (nemoclaw's name check refuses it later).
    ["spark-01:abc", { names: ["spark-01:abc"] }],
  ])("%s → %j", (text, entry) => {
    expect(parseHostEntry(text)).toEqual(entry);
  });

  it.each([
    ["spark-[03:01]", /runs backwards/],
    ["spark-[01:02", /unmatched "\["/],
    ["spark-01:70000", /out of range/],
    ["spark-[a:3]", /numeric .* or alphabetic/],
    ["spark-[01:100]", /same number of digits/],
    ["spark-[1:4:0]", /invalid step/],
    ["spark-[0:3000000]", /expands to 3000001 hosts; one entry may expand to at most 100000/],
    ["r[0:999]-n[0:999]", /expands to 1000000 hosts/],
  ])("rejects %s", (text, message) => {
    expect(parseHostEntry(text)).toMatch(message);
  });
});
