import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Integration tests drive the compiled CLI exactly as users run it (`node dist/cli/main.js`),
 * so the build is part of their setup: a module that only works under the test runner's loader
 * cannot pass here.
 */
export default function buildOnce(): void {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
  execFileSync("node", ["scripts/post-build.mjs"], { cwd: root, stdio: "inherit" });
}
