import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sweepStaleFleets } from "../fleet/index.mjs";

/**
 * Integration tests start real sshd hosts and drive the compiled CLI exactly as users run it
 * (`node dist/cli/main.js`). So their setup makes sure the test dependencies are there (installing
 * them on a fresh machine when run as root) and builds: a module that only works under the test
 * runner's loader cannot pass here. Test fleets a crashed earlier run left behind are stopped
 * once, here, before the files start theirs. The runs keep their code cache in a directory of the
 * test run's own.
 */
export default async function prepare(): Promise<() => void> {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  // The CLI's code cache (src/cli/code-cache.ts), for every run the tests start: their own, not the user's.
  const cacheHome = mkdtempSync(join(tmpdir(), "ncf-test-cache-"));
  process.env.XDG_CACHE_HOME = cacheHome;
  execFileSync("scripts/install-test-deps.sh", { cwd: root, stdio: "inherit" });
  execFileSync("node", ["scripts/pre-build.mjs"], { cwd: root, stdio: "inherit" });
  execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
  execFileSync("node", ["scripts/post-build.mjs"], { cwd: root, stdio: "inherit" });
  await sweepStaleFleets();
  return () => rmSync(cacheHome, { recursive: true, force: true });
}
