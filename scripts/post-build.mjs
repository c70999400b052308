// The CLI as users run it: dist/cli/main.js, the entry, and dist/cli/chunks/, the rest of the CLI
// bundled as CommonJS (cli.cjs, the code cache and a chunk per command's part, each loaded only
// when a run needs it). A run then reads a few files instead of about 300 modules, which cost every
// command about 0.1 s of CPU, and CommonJS lets the code cache serve them on Node 20, where V8's
// code cache cannot reach ES modules (src/cli/code-cache.ts, docs/performance.md). ssh2 stays a
// package of its own: it loads its optional native parts itself. The rest of dist/ stays as tsc
// wrote it, for the benchmarks and scripts that import single modules.
import { chmodSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";

const cli = fileURLToPath(new URL("../dist/cli/", import.meta.url));

await build({
  input: { cli: `${cli}run.js`, "code-cache": `${cli}code-cache.js` },
  platform: "node",
  external: [/^ssh2(\/|$)/],
  logLevel: "warn",
  // Strict, as the ES modules it is built from are. Every load is a require: `import()` in a module
  // the code cache compiles (a vm.Script) finds no module loader to call on Node 20. Doc comments
  // go (less to read and hash on every run); licence comments stay.
  output: { dir: `${cli}chunks`, format: "cjs", strict: true, dynamicImportInCjs: false, comments: { legal: true, annotation: true, jsdoc: false }, entryFileNames: "[name].cjs", chunkFileNames: "[name]-[hash].cjs" },
});
await build({
  input: `${cli}main.js`,
  platform: "node",
  logLevel: "warn",
  output: { dir: cli, format: "esm", entryFileNames: "main.js" },
});
// tsc's map describes the file the bundle replaced.
rmSync(`${cli}main.js.map`, { force: true });
// Executable, as npm makes it on install; this covers `node dist/...` users and tests.
chmodSync(`${cli}main.js`, 0o755);
