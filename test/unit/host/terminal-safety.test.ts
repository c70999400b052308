import { describe, expect, it } from "vitest";
import { excerptOf, extractJson, stripAnsi } from "../../../src/host/output.js";
import { parseRegistry, parseRegistryDocument } from "../../../src/host/nemoclaw/registry.js";
import { parseFleetLock } from "../../../src/host/system/fleet-lock.js";
import { outputExcerpt } from "../../../src/apply/command.js";
import { Redactor } from "../../../src/apply/redact.js";

// A compromised host controls everything it prints; none of it may act on the operator's terminal
// (docs/security.md, "What a host prints is only ever data").
const ESC = "\u001b";
const hostile = [
  `${ESC}]0;PWNED${"\u0007"}`, // window title
  `${ESC}]52;c;cm0gLXJmIH4K${"\u0007"}`, // clipboard write
  `${ESC}]8;;http://evil.example/${ESC}\\click${ESC}]8;;${ESC}\\`, // hyperlink
  `${ESC}P+q544e${ESC}\\`, // DCS
  `${ESC}[2J${ESC}[?1049h`, // clear screen, alternate screen
  "\u009b31m", // 8-bit CSI
  `${ESC}c`, // reset
  `${ESC}`, // a lone ESC
  "a\bb\u0007\u007f",
].join(" ");

function terminalSafe(text: string): boolean {
  return !/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(text);
}

describe("host output shown to the operator", () => {
  it("keeps no escape sequence or control character in what it reads and shows", () => {
    for (const text of [stripAnsi(hostile), excerptOf(hostile), outputExcerpt(hostile, new Redactor())]) {
      expect(terminalSafe(text)).toBe(true);
      expect(text).not.toContain("PWNED");
      expect(text).not.toContain("evil.example");
    }
    expect(stripAnsi(`openshell 0.0.72${ESC}]0;x${"\u0007"}\n${ESC}[1;32mok${ESC}[0m\tdone\r\n`)).toBe("openshell 0.0.72\nok\tdone\r\n");
  });

  it("decodes JSON strings without control characters (a \\u001b escape is a raw ESC once parsed)", () => {
    const json = extractJson('{"name":"a\\u001b]0;PWNED\\u0007b","__proto__":{"x":"\\u009b2J"}}') as Record<string, unknown>;
    expect(terminalSafe(JSON.stringify(json).replace(/\\u[0-9a-f]{4}/g, (m) => JSON.parse(`"${m}"`)))).toBe(true);
    expect(json.name).toBe("a\ufffd]0;PWNED\ufffdb");
    expect(Object.getPrototypeOf(json)).toBe(Object.prototype);
  });

  it("reads JSON nested deeper than the call stack without failing (a host decides how deep)", () => {
    const depth = 200_000;
    const deep = `{"sandboxes":{"a":{"name":"a","x":${"[".repeat(depth)}"\\u001b"${"]".repeat(depth)}}}}`;
    let inner = (extractJson(deep) as { sandboxes: { a: { x: unknown } } }).sandboxes.a.x;
    for (let level = 0; level < depth; level += 1) inner = (inner as unknown[])[0];
    expect(inner).toBe("\ufffd");
    expect(parseRegistry(deep, false).state).toBe("known");
    expect(parseFleetLock(`{"runId":"r","user":"u","machine":"m","pid":1,"startedAt":"s","expiresAt":"e","x":${"[".repeat(depth)}${"]".repeat(depth)}}`).state).toBe("known");
  });

  it("shows registry fields and lock holders without control characters, but writes the registry back exactly", () => {
    const registry = JSON.stringify({ sandboxes: { alpha: { name: "alpha", model: `m${ESC}]0;PWNED\u0007`, provider: "nvidia" } } });
    const parsed = parseRegistry(registry, false);
    expect(parsed.state).toBe("known");
    if (parsed.state === "known") expect(terminalSafe(parsed.value.entries[0]?.model ?? "")).toBe(true);
    const exact = parseRegistryDocument(registry, true);
    expect("document" in exact && JSON.stringify(exact.document)).toBe(registry);
    const lock = parseFleetLock(JSON.stringify({ runId: "r", user: `u${ESC}]0;PWNED\u0007`, machine: `m${ESC}[2J`, pid: 1, startedAt: "s", expiresAt: "e" }));
    expect(lock.state).toBe("known");
    if (lock.state === "known") expect(terminalSafe(lock.value.user + lock.value.machine)).toBe(true);
  });
});
