// @ts-check
/**
 * The floor of the stack nemoclaw is built on: one Node process that loads ssh2 and sends the same
 * input to `sh -s` on every host at once, checking each host key against known_hosts as
 * `ssh -o StrictHostKeyChecking=yes` does, and nothing more (no fleet file, no `ssh -G`, no plan,
 * no report). What it takes beyond the OpenSSH floor is the cost of Node and ssh2; what nemoclaw
 * takes beyond it is nemoclaw's own.
 *
 * Usage: node ssh2-floor.mjs SPEC.json, where SPEC is what `ssh2Floor` (floor.mjs) writes.
 */
import { createWriteStream, readFileSync } from "node:fs";
import ssh2 from "ssh2";

/** @typedef {{ address: string, port: number, user: string, output: string }} FloorHost */
/** @type {{ identityFile: string, knownHostsFile: string, input: string, hosts: FloorHost[] }} */
const spec = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8"));
const privateKey = readFileSync(spec.identityFile);
const input = readFileSync(spec.input);

/** The base64 key blobs known_hosts holds for each name (`host` or `[host]:port`). */
const knownKeys = new Map();
for (const line of readFileSync(spec.knownHostsFile, "utf8").split("\n")) {
  const [names, , blob] = line.trim().split(/\s+/);
  if (names === undefined || blob === undefined || names.startsWith("#")) continue;
  for (const name of names.split(",")) knownKeys.set(name, [...(knownKeys.get(name) ?? []), blob]);
}

/** @param {FloorHost} host @returns {Promise<void>} */
function probe(host) {
  const name = host.port === 22 ? host.address : `[${host.address}]:${host.port}`;
  const output = createWriteStream(host.output);
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client.on("error", reject);
    client.on("ready", () =>
      client.exec("sh -s", (error, stream) => {
        if (error) return reject(error);
        stream.pipe(output);
        stream.stderr.pipe(output, { end: false });
        stream.on("close", () => {
          client.end();
          resolve();
        });
        stream.end(input);
      }),
    );
    client.connect({
      host: host.address,
      port: host.port,
      username: host.user,
      privateKey,
      algorithms: { kex: ["curve25519-sha256"] },
      hostVerifier: (/** @type {Buffer} */ key) => (knownKeys.get(name) ?? []).includes(key.toString("base64")),
    });
  });
}

const results = await Promise.allSettled(spec.hosts.map(probe));
const failed = results.flatMap((result, i) => (result.status === "rejected" ? [`${spec.hosts[i]?.address}:${spec.hosts[i]?.port}: ${result.reason}`] : []));
if (failed.length > 0) {
  process.stderr.write(`${failed.join("\n")}\n`);
  process.exitCode = 1;
}
