// @ts-check
/**
 * The physical floor: the same work done with nothing but the OpenSSH client, one `ssh` per
 * host, all hosts at once. Each floor is a small sh script (written once, run per sample) whose
 * per-host output goes to a file, so a run that silently failed is caught afterwards.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * @param {string} word
 */
export function shellQuote(word) {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'"'"'`)}'`;
}

/**
 * `ssh` to one test host with its key and known_hosts only (no user ssh_config).
 * @param {import("../../test/fleet/index.mjs").TestFleet} fleet
 * @param {import("../../test/fleet/index.mjs").TestHost} host
 * @param {string[]} extraOptions  e.g. ["-o", "KexAlgorithms=curve25519-sha256"]
 */
function sshCommand(fleet, host, extraOptions) {
  return [
    "ssh",
    "-F",
    "/dev/null",
    "-i",
    fleet.identityFile,
    "-p",
    String(host.port),
    "-o",
    "BatchMode=yes",
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    `UserKnownHostsFile=${fleet.knownHostsFile}`,
    ...extraOptions,
    `${host.user}@${host.address}`,
  ]
    .map(shellQuote)
    .join(" ");
}

/**
 * @typedef {object} FloorScript
 * @property {string} file         run with `sh <file>`
 * @property {() => string[]} failures  hosts whose output does not show the work was done
 * @property {() => void} clean         remove the outputs of the last run
 */

/**
 * Every host at once: `ssh host sh -s < input > out/<host>`, the same input for every host or
 * each host's own.
 * @param {import("./hosts.mjs").BenchFleet} bench
 * @param {{ name: string, input: string | ((host: string) => string), extraOptions?: string[], done: (output: string) => boolean }} spec
 * @returns {FloorScript}
 */
export function scriptFloor(bench, spec) {
  const { input } = spec;
  const inputOf = (/** @type {string} */ host) => join(bench.dir, typeof input === "string" ? `${spec.name}.input.sh` : `${spec.name}.${host}.input.sh`);
  for (const host of bench.fleet.hosts) writeFileSync(inputOf(host.name), typeof input === "string" ? input : input(host.name));
  const outputOf = (/** @type {string} */ host) => join(bench.dir, "out", `${spec.name}.${host}`);
  const lines = bench.fleet.hosts.map((host) => `${sshCommand(bench.fleet, host, spec.extraOptions ?? [])} sh -s < ${shellQuote(inputOf(host.name))} > ${shellQuote(outputOf(host.name))} 2>&1 &`);
  return writeFloor(bench, spec.name, lines, (host) => spec.done(readOutput(outputOf(host))), outputOf);
}

/**
 * The same as `scriptFloor` with one input for every host, done by one Node process over ssh2
 * (ssh2-floor.mjs) instead of one `ssh` per host.
 * @param {import("./hosts.mjs").BenchFleet} bench
 * @param {{ name: string, input: string, done: (output: string) => boolean }} spec
 * @returns {FloorScript}
 */
export function ssh2Floor(bench, spec) {
  const input = join(bench.dir, `${spec.name}.input.sh`);
  writeFileSync(input, spec.input);
  const outputOf = (/** @type {string} */ host) => join(bench.dir, "out", `${spec.name}.${host}`);
  const specFile = join(bench.dir, `${spec.name}.json`);
  const hosts = bench.fleet.hosts.map((host) => ({ address: host.address, port: host.port, user: host.user, output: outputOf(host.name) }));
  writeFileSync(specFile, JSON.stringify({ identityFile: bench.fleet.identityFile, knownHostsFile: bench.fleet.knownHostsFile, input, hosts }));
  const line = [process.execPath, fileURLToPath(new URL("ssh2-floor.mjs", import.meta.url)), specFile].map(shellQuote).join(" ");
  return writeFloor(bench, spec.name, [line], (host) => spec.done(readOutput(outputOf(host))), outputOf);
}

/**
 * Every host at once: `ssh host <command> [< input] | sha256sum > out/<host>`, the command
 * writing an archive to stdout.
 * @param {import("./hosts.mjs").BenchFleet} bench
 * @param {{ name: string, command: (host: import("../../test/fleet/index.mjs").TestHost) => string[], input?: string }} spec
 * @returns {FloorScript}
 */
export function hashFloor(bench, spec) {
  const outputOf = (/** @type {string} */ host) => join(bench.dir, "out", `${spec.name}.${host}`);
  let redirect = "";
  if (spec.input !== undefined) {
    const inputFile = join(bench.dir, `${spec.name}.input.sh`);
    writeFileSync(inputFile, spec.input);
    redirect = ` < ${shellQuote(inputFile)}`;
  }
  const lines = bench.fleet.hosts.map(
    (host) => `{ ${sshCommand(bench.fleet, host, [])} ${spec.command(host).map(shellQuote).join(" ")}${redirect} | sha256sum > ${shellQuote(outputOf(host.name))}; } &`,
  );
  return writeFloor(bench, spec.name, lines, (host) => /^[0-9a-f]{64} /.test(readOutput(outputOf(host))), outputOf);
}

/**
 * @param {import("./hosts.mjs").BenchFleet} bench
 * @param {string} name
 * @param {string[]} lines
 * @param {(host: string) => boolean} done
 * @param {(host: string) => string} outputOf
 * @returns {FloorScript}
 */
function writeFloor(bench, name, lines, done, outputOf) {
  const file = join(bench.dir, `${name}.floor.sh`);
  writeFileSync(file, `${lines.join("\n")}\nwait\n`);
  return {
    file,
    failures: () => bench.fleet.hosts.map((host) => host.name).filter((host) => !done(host)),
    clean: () => {
      for (const host of bench.fleet.hosts) rmSync(outputOf(host.name), { force: true });
    },
  };
}

/** @param {string} file */
function readOutput(file) {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}
