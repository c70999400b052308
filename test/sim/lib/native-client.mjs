// @ts-check
// The resident mode's native client (client.c), compiled with the machine's C compiler once per
// version of its source into test/sim/.build/ (scripts/install-test-deps.sh installs gcc), where
// every test host's user can run it.

import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { sha256 } from "./util.mjs";

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), "client.c");
const BUILD_DIR = join(dirname(SOURCE), "..", ".build");

/** The compiled client's path, compiling it first when this source has not been. */
export async function nativeClient() {
  const binary = join(BUILD_DIR, `fleet-sim-client-${sha256(readFileSync(SOURCE)).slice(0, 12)}`);
  if (existsSync(binary)) return binary;
  mkdirSync(BUILD_DIR, { recursive: true });
  chmodSync(BUILD_DIR, 0o755);
  // Concurrent test files may compile at once: each into its own name, then renamed over.
  const temporary = `${binary}.${process.pid}.tmp`;
  try {
    await promisify(execFile)("cc", ["-O2", "-Wall", "-o", temporary, SOURCE]);
  } catch (error) {
    rmSync(temporary, { force: true });
    const detail = /** @type {{ stderr?: string; message: string }} */ (error);
    throw new Error(
      `fleet-sim: compiling the resident mode's client ${SOURCE} failed: ${detail.stderr || detail.message}\n` +
        "Install a C compiler (scripts/install-test-deps.sh does) or run each simulated command in its own Node process with FLEET_SIM_MODE=process.",
    );
  }
  chmodSync(temporary, 0o755);
  renameSync(temporary, binary);
  return binary;
}
