/**
 * Every broken fleet file under test/fixtures/fleet/invalid/ lists the diagnostics it must
 * produce in trailing comments:
 *
 *   # expect: [file:]line:col: path: message        (an error; file defaults to the fixture)
 *   # expect-warning: [file:]line:col: path: message
 *
 * The run must produce exactly those errors and warnings (messages compared by substring),
 * so a fixture fails both when a check is lost and when a new one adds noise.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../../src/config/diagnostics.js";
import { inspectFleet } from "../../../src/config/load.js";
import { NEMOCLAW_RELEASE_RULES } from "../../../src/host/nemoclaw/release-rules.js";

const DIR = fileURLToPath(new URL("../../fixtures/fleet/invalid/", import.meta.url));
const EXPECT = /^#\s*expect(-warning)?:\s*(?:(\S+?):)?(\d+):(\d+): (\S*): (.+)$/;

interface Expectation {
  severity: Diagnostic["severity"];
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

function expectationsOf(fixture: string): Expectation[] {
  return readFileSync(path.join(DIR, fixture), "utf8")
    .split("\n")
    .map((line) => EXPECT.exec(line))
    .filter((match) => match !== null)
    .map((match) => ({
      severity: match[1] === undefined ? "error" : "warning",
      file: match[2] ?? fixture,
      line: Number(match[3]),
      column: Number(match[4]),
      path: match[5]!,
      message: match[6]!,
    }));
}

const describeDiagnostic = (d: Expectation | Diagnostic): string => `${d.severity} ${d.file}:${d.line}:${d.column}: ${d.path}: ${d.message}`;

const fixtures = readdirSync(DIR)
  .filter((name) => name.endsWith(".yaml"))
  .sort();

describe("invalid fleet fixtures", () => {
  it("has at least 30 fixtures, each expecting at least one error", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(30);
    for (const fixture of fixtures) expect(expectationsOf(fixture).filter((e) => e.severity === "error"), fixture).not.toHaveLength(0);
  });

  it.each(fixtures)("%s reports exactly its expected diagnostics", async (fixture) => {
    const expected = expectationsOf(fixture);
    const { diagnostics } = await inspectFleet({ fleetFile: fixture, cwd: DIR, releaseRules: NEMOCLAW_RELEASE_RULES });
    const unmatched = [...diagnostics];
    const missing: Expectation[] = [];
    for (const want of expected) {
      const index = unmatched.findIndex(
        (got) =>
          got.severity === want.severity &&
          got.file === want.file &&
          got.line === want.line &&
          got.column === want.column &&
          got.path === want.path &&
          got.message.includes(want.message),
      );
      if (index < 0) missing.push(want);
      else unmatched.splice(index, 1);
    }
    expect({ missing: missing.map(describeDiagnostic), unexpected: unmatched.map(describeDiagnostic) }).toEqual({ missing: [], unexpected: [] });
  });

  it("never echoes a literal secret in an excerpt", async () => {
    for (const fixture of ["literal-api-key.yaml", "literal-passphrase.yaml"]) {
      const { diagnostics } = await inspectFleet({ fleetFile: fixture, cwd: DIR, releaseRules: NEMOCLAW_RELEASE_RULES });
      const excerpts = diagnostics.map((d) => d.excerpt ?? "").join("\n");
      expect(excerpts).toContain("<redacted>");
      expect(excerpts).not.toMatch(/nvapi-|sk-proj-|hunter2/);
      expect(diagnostics.map((d) => d.message).join("\n")).not.toMatch(/nvapi-Zx|sk-proj-4|hunter2/);
    }
  });
});
