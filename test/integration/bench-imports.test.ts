/**
 * The bench scripts load the built product by path (`await import(join(DIST, "host", "x.js"))`),
 * which neither the type check nor any other test follows: a function moved in src/ breaks the
 * bench only when someone runs it (docs/performance.md). Every such import must name a module
 * the build has and names it exports. The global setup builds dist/ first.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** `const { a, b } = await import(join(DIST, "dir", "file.js"))`: the names and the path under dist/. */
const IMPORT = /const \{([^}]+)\} = await import\(join\((?:DIST|dist), ((?:"[^"]+"(?:, )?)+)\)\)/g;

function benchImports(): Array<{ script: string; module: string; names: string[] }> {
  const scripts = ["bench", "bench/lib"].flatMap((dir) =>
    readdirSync(join(ROOT, dir))
      .filter((name) => name.endsWith(".mjs"))
      .map((name) => join(dir, name)),
  );
  return scripts.flatMap((script) =>
    [...readFileSync(join(ROOT, script), "utf8").matchAll(IMPORT)].map((match) => ({
      script,
      module: [...(match[2] ?? "").matchAll(/"([^"]+)"/g)].map((segment) => segment[1]).join("/"),
      names: (match[1] ?? "").split(",").map((name) => name.trim().split(":")[0]?.trim() ?? "").filter((name) => name !== ""),
    })),
  );
}

describe("the bench's imports of the built product", () => {
  const imports = benchImports();

  it("are found in the bench scripts", () => {
    // The stream bench, the fleets' probe scripts and the journal lookbacks load the product this way.
    expect(imports.map((entry) => entry.module)).toEqual(expect.arrayContaining(["host/snapshot-create.js", "observe/probe.js", "host/system/fleet-lock.js"]));
  });

  it.each(imports.map((entry) => [`${entry.script}: ${entry.module}`, entry] as const))("%s exports what the script takes from it", async (_, entry) => {
    const module: Record<string, unknown> = await import(pathToFileURL(join(ROOT, "dist", entry.module)).href);
    const missing = entry.names.filter((name) => !(name in module));
    expect(missing, `${entry.script} takes these from dist/${entry.module}`).toEqual([]);
  });
});
