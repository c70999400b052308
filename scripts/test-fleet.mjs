#!/usr/bin/env node
// @ts-check
/**
 * Bring a real SSH test fleet up or down from the command line (benchmarks and the demo).
 *
 *   node scripts/test-fleet.mjs up --hosts N [--dir D] [--bastion] [--scenario-file F] [--detach]
 *   node scripts/test-fleet.mjs down --dir D
 *
 * `up` prints the inventory path, then keeps the fleet until interrupted (Ctrl-C stops it), or
 * with --detach leaves it running for a later `down --dir D`. With --bastion every host sits
 * behind the bastion. A scenario file (JSON or YAML) holds one simulator scenario for every host,
 * or a list handed out to the hosts in turn.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { startFleet, stopFleetInDir } from "../test/fleet/index.mjs";

const USAGE = `usage:
  node scripts/test-fleet.mjs up --hosts N [--dir D] [--bastion] [--scenario-file F] [--detach]
  node scripts/test-fleet.mjs down --dir D`;

/** @param {string} message */
function fail(message) {
  process.stderr.write(`test-fleet: ${message}\n${USAGE}\n`);
  process.exit(2);
}

/**
 * @param {string | undefined} file
 * @param {number} count
 * @returns {Promise<unknown[] | undefined>}
 */
async function scenariosFor(file, count) {
  if (file === undefined) return undefined;
  const parsed = parseYaml(await readFile(file, "utf8"));
  const list = Array.isArray(parsed) ? parsed : [parsed];
  if (list.length === 0 || list.some((s) => typeof s !== "object" || s === null)) fail(`${file}: expected a scenario object or a list of them`);
  return Array.from({ length: count }, (_, i) => list[i % list.length]);
}

async function up() {
  const { values } = parseArgs({
    args: process.argv.slice(3),
    options: {
      hosts: { type: "string" },
      dir: { type: "string" },
      bastion: { type: "boolean", default: false },
      "scenario-file": { type: "string" },
      detach: { type: "boolean", default: false },
    },
  });
  const count = Number(values.hosts);
  if (!Number.isInteger(count) || count < 1) fail("--hosts must be a positive number");
  const scenarios = await scenariosFor(values["scenario-file"], count);
  const width = String(count).length < 2 ? 2 : String(count).length;
  const hosts = Array.from({ length: count }, (_, i) => ({
    name: `spark-${String(i + 1).padStart(width, "0")}`,
    ...(values.bastion ? { behindBastion: true } : {}),
    ...(scenarios ? { scenario: scenarios[i] } : {}),
  }));
  const fleet = await startFleet({ hosts, bastion: values.bastion, detached: values.detach, ...(values.dir ? { dir: values.dir } : {}) });
  process.stdout.write(`${fleet.inventoryPath}\n`);
  if (values.detach) {
    process.stderr.write(`test fleet running in ${fleet.dir}; stop it with: node scripts/test-fleet.mjs down --dir ${fleet.dir}\n`);
    return;
  }
  process.stderr.write(`test fleet running in ${fleet.dir}; press Ctrl-C to stop it\n`);
  await new Promise((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await fleet.stop();
}

async function down() {
  const { values } = parseArgs({ args: process.argv.slice(3), options: { dir: { type: "string" } } });
  if (!values.dir) fail("down needs --dir");
  await stopFleetInDir(/** @type {string} */ (values.dir));
}

const command = process.argv[2];
try {
  if (command === "up") await up();
  else if (command === "down") await down();
  else fail(command === undefined ? "missing command" : `unknown command '${command}'`);
} catch (error) {
  process.stderr.write(`test-fleet: ${/** @type {Error} */ (error).message}\n`);
  process.exit(1);
}
