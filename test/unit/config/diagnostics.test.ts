import { describe, expect, it } from "vitest";
import { DiagnosticBag, formatDiagnostics, type Diagnostic } from "../../../src/config/diagnostics.js";

const at = (line: number, column: number, path = "hosts[0].port") => ({ file: "fleet.yaml", line, column, path });

describe("diagnostics", () => {
  it("formats file:line:col: path: message with the source line and a caret under the column", () => {
    const lines = ["hosts:", "\t- port: 99999"];
    const bag = new DiagnosticBag({ lineText: (_file, line) => lines[line - 1] });
    bag.error(at(2, 10), "99999 is out of range 1-65535");
    bag.warning(at(1, 1, ""), "something to look at");
    expect(formatDiagnostics(bag.items, { color: false })).toBe(
      [
        "fleet.yaml:1:1: warning: something to look at",
        "  hosts:",
        "  ^",
        "fleet.yaml:2:10: hosts[0].port: 99999 is out of range 1-65535",
        "  \t- port: 99999",
        "  \t        ^",
        "",
      ].join("\n"),
    );
  });

  it("colours only when asked", () => {
    const diagnostic: Diagnostic = { ...at(1, 1), message: "bad", severity: "error" };
    expect(formatDiagnostics([diagnostic], { color: true })).toContain("\u001b[");
    expect(formatDiagnostics([diagnostic], { color: false })).not.toContain("\u001b[");
  });

  it("masks a secret in the excerpt and keeps one copy of a repeated finding", () => {
    const bag = new DiagnosticBag({ lineText: () => "    credential: nvapi-SECRET" });
    bag.error(at(3, 17), "looks like a literal API key", { mask: "nvapi-SECRET" });
    bag.error(at(3, 17), "looks like a literal API key", { mask: "nvapi-SECRET" });
    expect(bag.items).toHaveLength(1);
    expect(bag.items[0]?.excerpt).toBe("    credential: <redacted>");
  });
});
