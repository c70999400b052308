import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cacheIsPrivate, codeCacheDir, enableCodeCache } from "../../../src/cli/code-cache.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ncf-code-cache-unit-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("the code cache's directory", () => {
  it("is the user's XDG cache home, or ~/.cache when it is unset or not absolute", () => {
    expect(codeCacheDir({ XDG_CACHE_HOME: "/var/cache/ops" }, "/home/ops")).toBe("/var/cache/ops/nemoclaw-fleet/code-cache");
    expect(codeCacheDir({}, "/home/ops")).toBe("/home/ops/.cache/nemoclaw-fleet/code-cache");
    expect(codeCacheDir({ XDG_CACHE_HOME: "cache" }, "/home/ops")).toBe("/home/ops/.cache/nemoclaw-fleet/code-cache");
  });

  it("is none without a home, or when NODE_DISABLE_COMPILE_CACHE is set, as for Node's own cache", () => {
    expect(codeCacheDir({}, "")).toBeNull();
    expect(codeCacheDir({ NODE_DISABLE_COMPILE_CACHE: "1", XDG_CACHE_HOME: "/var/cache/ops" }, "/home/ops")).toBeNull();
  });
});

describe("turning the code cache on", () => {
  const compile = function (): unknown {
    return undefined;
  };

  it("uses Node's own compile cache where Node has one, and leaves its loader alone", () => {
    const dirs: string[] = [];
    const loader = { prototype: { _compile: compile }, wrap: (content: string) => content, enableCompileCache: (dir: string) => dirs.push(dir) };
    enableCodeCache({ XDG_CACHE_HOME: "/var/cache/ops" }, loader);
    expect(dirs).toEqual(["/var/cache/ops/nemoclaw-fleet/code-cache"]);
    expect(loader.prototype._compile).toBe(compile);
  });

  it("changes nothing when the cache is off", () => {
    const dirs: string[] = [];
    const loader = { prototype: { _compile: compile }, wrap: (content: string) => content, enableCompileCache: (dir: string) => dirs.push(dir) };
    enableCodeCache({ NODE_DISABLE_COMPILE_CACHE: "1" }, loader);
    enableCodeCache({ NODE_DISABLE_COMPILE_CACHE: "1" }, { prototype: loader.prototype, wrap: loader.wrap });
    expect(dirs).toEqual([]);
    expect(loader.prototype._compile).toBe(compile);
  });
});

describe("who the cache belongs to", () => {
  const me = process.getuid?.();
  const someoneElse = (me ?? 0) + 1;

  it("is this user's when the cache home is, and what is not there yet is made in it", () => {
    const cacheHome = join(dir, "cache");
    expect(cacheIsPrivate(cacheHome, me)).toBe(true);
    mkdirSync(join(cacheHome, "nemoclaw-fleet", "code-cache"), { recursive: true, mode: 0o700 });
    expect(cacheIsPrivate(cacheHome, me)).toBe(true);
  });

  it("is not used where another user owns the cache home, or the home it would be made in", () => {
    const cacheHome = join(dir, "cache");
    expect(cacheIsPrivate(cacheHome, someoneElse)).toBe(false);
    mkdirSync(cacheHome, { mode: 0o700 });
    expect(cacheIsPrivate(cacheHome, someoneElse)).toBe(false);
  });

  it("is not used where others may write to the cache home, or anyone else to the cache's own directories", () => {
    const cacheHome = join(dir, "cache");
    const ours = join(cacheHome, "nemoclaw-fleet");
    mkdirSync(join(ours, "code-cache"), { recursive: true, mode: 0o700 });
    chmodSync(cacheHome, 0o777);
    expect(cacheIsPrivate(cacheHome, me)).toBe(false);
    // A group-writable cache home is common (a user's own group) and allowed.
    chmodSync(cacheHome, 0o770);
    expect(cacheIsPrivate(cacheHome, me)).toBe(true);
    chmodSync(ours, 0o770);
    expect(cacheIsPrivate(cacheHome, me)).toBe(false);
    chmodSync(ours, 0o700);
    chmodSync(join(ours, "code-cache"), 0o720);
    expect(cacheIsPrivate(cacheHome, me)).toBe(false);
  });
});

describe("the wrapped compile step (Node before 22.8)", () => {
  function wrapped() {
    const leftToNode: string[] = [];
    const saves: Array<() => void> = [];
    const loader = {
      prototype: {
        _compile(this: { exports: unknown }, _content: string, filename: string, ..._rest: unknown[]): unknown {
          leftToNode.push(filename);
          return undefined;
        },
      },
      wrap: (content: string) => `(function (exports, require, module, __filename, __dirname) { ${content}\n});`,
    };
    enableCodeCache({ XDG_CACHE_HOME: join(dir, "cache") }, loader, (save) => saves.push(save));
    return { compile: loader.prototype._compile, leftToNode, saves };
  }

  it("runs a CommonJS module from compiled code, and saves that code when asked", () => {
    const { compile, leftToNode, saves } = wrapped();
    const module = { exports: {} as Record<string, unknown> };
    compile.call(module, "exports.answer = 40 + 2; exports.file = __filename;", "/opt/nemoclaw/chunk.cjs", "commonjs");
    expect(module.exports).toEqual({ answer: 42, file: "/opt/nemoclaw/chunk.cjs" });
    expect(leftToNode).toEqual([]);
    expect(saves).toHaveLength(1);
    saves[0]!();
    expect(readdirSync(join(dir, "cache", "nemoclaw-fleet", "code-cache"))).toHaveLength(1);
  });

  it("leaves to Node an ES module loaded by require, a #! line and import()", () => {
    const { compile, leftToNode } = wrapped();
    compile.call({ exports: {} }, "export const answer = 42;", "/opt/esm.js", "module");
    compile.call({ exports: {} }, "#!/usr/bin/env node\nexports.a = 1;", "/opt/bin.js");
    compile.call({ exports: {} }, "exports.load = () => import('node:fs');", "/opt/lazy.js", "commonjs");
    expect(leftToNode).toEqual(["/opt/esm.js", "/opt/bin.js", "/opt/lazy.js"]);
  });
});
