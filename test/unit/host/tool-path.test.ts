/**
 * Commands find `nemoclaw` where the observation found it (src/host/batch.ts TOOL_PATH): on PATH,
 * in ~/.local/bin, else an npm install without the shim (~/.npm-global/bin, nvm), whose directory
 * goes first on PATH as the probe runs it, so the `node` beside it is the one used.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TOOL_PATH } from "../../../src/host/batch.js";

let home: string;

function tool(dir: string, name: string): string {
  mkdirSync(join(home, dir), { recursive: true });
  const path = join(home, dir, name);
  writeFileSync(path, "#!/bin/sh\nexit 0\n");
  chmodSync(path, 0o755);
  return path;
}

/** `command -v` of each name after TOOL_PATH, in a non-login session's PATH. */
function resolved(...names: string[]): string[] {
  const script = `${TOOL_PATH}; for n in "$@"; do command -v "$n" || echo "-"; done`;
  return execFileSync("sh", ["-c", script, "sh", ...names], { env: { HOME: home, PATH: "/usr/bin:/bin" } }).toString().trim().split("\n");
}

afterEach(() => rmSync(home, { recursive: true, force: true }));

describe("TOOL_PATH", () => {
  it("finds NemoClaw's ~/.local/bin shim after PATH", () => {
    home = mkdtempSync(join(tmpdir(), "ncf-toolpath-"));
    const shim = tool(".local/bin", "nemoclaw");
    tool(".nvm/versions/node/v22.16.0/bin", "nemoclaw");
    expect(resolved("nemoclaw")).toEqual([shim]);
  });

  it("finds a nemoclaw installed under nvm without the shim, and the node beside it", () => {
    home = mkdtempSync(join(tmpdir(), "ncf-toolpath-"));
    const nemoclaw = tool(".nvm/versions/node/v22.16.0/bin", "nemoclaw");
    const node = tool(".nvm/versions/node/v22.16.0/bin", "node");
    expect(resolved("nemoclaw", "node")).toEqual([nemoclaw, node]);
  });

  it("finds a nemoclaw under ~/.npm-global/bin before one under nvm", () => {
    home = mkdtempSync(join(tmpdir(), "ncf-toolpath-"));
    const npmGlobal = tool(".npm-global/bin", "nemoclaw");
    tool(".nvm/versions/node/v22.16.0/bin", "nemoclaw");
    expect(resolved("nemoclaw")).toEqual([npmGlobal]);
  });

  it("changes nothing else when there is no nemoclaw at all", () => {
    home = mkdtempSync(join(tmpdir(), "ncf-toolpath-"));
    tool(".nvm/versions/node/v22.16.0/bin", "node");
    expect(resolved("nemoclaw", "sh")).toEqual(["-", "/usr/bin/sh"]);
  });
});
