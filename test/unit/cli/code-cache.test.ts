import { describe, expect, it } from "vitest";
import { codeCacheDir, enableCodeCache } from "../../../src/cli/code-cache.js";

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
