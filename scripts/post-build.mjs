// The CLI as users run it: dist/cli/main.js and everything it imports, bundled into dist/cli/main.js
// and dist/cli/chunks/ (each command's part still loads only when that command runs). A run then
// reads a few files instead of about 300 modules, which cost every command about 0.1 s of CPU
// (docs/performance.md). ssh2 stays a package of its own: it loads its optional native parts itself.
// The rest of dist/ stays as tsc wrote it, for the benchmarks and scripts that import single modules.
import { chmodSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";

const cli = fileURLToPath(new URL("../dist/cli/", import.meta.url));

await build({
  input: `${cli}main.js`,
  platform: "node",
  external: [/^ssh2(\/|$)/],
  logLevel: "warn",
  output: { dir: cli, format: "esm", entryFileNames: "main.js", chunkFileNames: "chunks/[name]-[hash].js" },
});
// tsc's map describes the file the bundle replaced.
rmSync(`${cli}main.js.map`, { force: true });
// Executable, as npm makes it on install; this covers `node dist/...` users and tests.
chmodSync(`${cli}main.js`, 0o755);
