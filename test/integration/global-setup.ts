import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { sweepStaleFleets } from "../fleet/index.mjs";

/**
 * Integration tests start real sshd hosts and drive the compiled CLI exactly as users run it
 * (`node dist/cli/main.js`). So their setup makes sure the test dependencies are there (installing
 * them on a fresh machine when run as root) and builds: a module that only works under the test
 * runner's loader cannot pass here. Test fleets a crashed earlier run left behind are stopped
 * once, here, before the files start theirs.
 */
export default async function prepare(): Promise<void> {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  execFileSync("scripts/install-test-deps.sh", { cwd: root, stdio: "inherit" });
  execFileSync("node", ["scripts/pre-build.mjs"], { cwd: root, stdio: "inherit" });
  execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
  execFileSync("node", ["scripts/post-build.mjs"], { cwd: root, stdio: "inherit" });
  await sweepStaleFleets();
}
