// @ts-check
/**
 * The demo's fleet (`npm run demo`, scripts/demo.mjs): four simulated DGX hosts, one healthy and
 * one field fault on each of the others, their fleet file, and how they are started — real
 * OpenSSH sshd hosts (test/fleet) when sshd is installed, otherwise `connection: local` hosts
 * each with its own HOME and PATH, with the OpenShell/NemoClaw simulator (test/sim) first on
 * their PATH. The tests that check what the demo shows start the same fleet from here.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SSHD_CANDIDATES = ["/usr/sbin/sshd", "/usr/local/sbin/sshd", "/usr/bin/sshd"];
const STANDARD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** A provider key for the simulated hosts: the fleet file only ever names it (env:NVIDIA_API_KEY). */
export const DEMO_KEY = "nvapi-demo-not-a-real-key";

/**
 * The fleet: one healthy host and one field fault per other host.
 * @type {{ name: string; model: string; story: string; groups: string[]; scenario: object }[]}
 */
export const HOSTS = [
  {
    name: "spark-01",
    model: "DGX Spark",
    story: "healthy; the fleet file adds a second sandbox, coder",
    groups: ["spark"],
    scenario: { hostname: "spark-01", gateways: [{ port: 8080, sandboxes: [{ name: "assistant" }] }] },
  },
  {
    name: "spark-02",
    model: "DGX Spark",
    story: "rebooted: guard files gone, a stale gateway lock, the agent gateway down",
    groups: ["spark"],
    scenario: {
      hostname: "spark-02",
      gateways: [{ port: 8080, sandboxes: [{ name: "assistant", guards: { missing: "all" }, staleLock: true, agentGateway: "stopped" }] }],
    },
  },
  {
    name: "spark-03",
    model: "DGX Spark",
    story: "stale registry entry: assistant is registered but gone from its gateway",
    groups: ["spark"],
    scenario: { hostname: "spark-03", gateways: [{ port: 8080, sandboxes: [{ name: "assistant", live: false }] }] },
  },
  {
    name: "station-01",
    model: "DGX Station",
    story: "schema drift: OpenShell CLI 0.0.72, its gateway still runs a 0.0.71 binary",
    groups: ["station"],
    scenario: { hostname: "station-01", arch: "x86_64", gateways: [{ port: 8080, version: "0.0.71", sandboxes: [{ name: "assistant" }] }] },
  },
];

export const DRIFTED = "station-01";

/** Sandboxes the backup run must have stored, per host. */
export const EXPECTED_BACKUPS = { "spark-01": ["assistant", "coder"], "spark-02": ["assistant"], "spark-03": ["assistant"] };

const SANDBOXES = `sandboxes:
  - name: assistant                  # on every host
    hosts: all
    provider: build
    model: nvidia/nemotron-3-super-120b-a12b
    credential: env:NVIDIA_API_KEY   # a reference; the key itself never enters the file
  - name: coder                      # new: apply creates it
    host: spark-01
    provider: build
    model: nvidia/nemotron-3-super-120b-a12b
    credential: env:NVIDIA_API_KEY
    policy: { presets: [npm] }

backupPolicies:
  - name: nightly
    schedule: "0 2 * * *"
    retention: { keepDaily: 7, keepWeekly: 4 }
    destination: { path: ./backups }
`;

/**
 * @param {{ inventory?: string; localHosts?: { name: string; groups: string[]; home: string; binDir: string }[] }} where
 */
function fleetFile(where) {
  const hosts = (where.localHosts ?? []).map(
    (host) => `  - name: ${host.name}
    groups: [${host.groups.join(", ")}]
    connection: local
    environment:                     # each simulated host has its own HOME and PATH
      HOME: ${JSON.stringify(host.home)}
      PATH: ${JSON.stringify(`${host.binDir}:${STANDARD_PATH}`)}
      XDG_CONFIG_HOME: ${JSON.stringify(join(host.home, ".config"))}
      XDG_STATE_HOME: ${JSON.stringify(join(host.home, ".local", "state"))}
`,
  );
  return [
    `# yaml-language-server: $schema=${join(ROOT, "schemas", "fleet.schema.json")}`,
    "apiVersion: nemoclaw.dev/v1",
    "kind: Fleet",
    "metadata: { name: demo, description: Four simulated DGX hosts with field faults. }",
    ...(where.inventory ? [`inventory: [${where.inventory}]`] : []),
    ...(hosts.length > 0 ? ["hosts:", ...hosts] : []),
    "defaults:",
    '  openshell: { version: "0.0.72" }',
    "gateways:",
    "  - port: 8080                       # the default gateway, named nemoclaw",
    SANDBOXES,
  ].join("\n");
}

export function sshdInstalled() {
  return SSHD_CANDIDATES.some((path) => existsSync(path));
}

/**
 * @param {string} dir
 * @param {boolean} local
 * @returns {Promise<{ description: string; fleetYaml: string; stop: () => Promise<void> }>}
 */
export async function startHosts(dir, local) {
  if (!local) {
    const { startFleet } = await import("../test/fleet/index.mjs");
    const fleet = await startFleet({
      dir: join(dir, "fleet"),
      hosts: HOSTS.map((host) => ({ name: host.name, groups: host.groups, scenario: host.scenario })),
    });
    return {
      description: "real OpenSSH sshd hosts on 127.0.0.1",
      fleetYaml: fleetFile({ inventory: "fleet/inventory.yml" }),
      stop: () => fleet.stop(),
    };
  }
  const { installSimulator, stopSimulator } = await import("../test/sim/index.mjs");
  /** @type {{ name: string; groups: string[]; home: string; binDir: string }[]} */
  const installed = [];
  const stop = async () => {
    for (const host of installed) await stopSimulator({ home: host.home });
  };
  try {
    for (const host of HOSTS) {
      const home = join(dir, "homes", host.name);
      const { binDir } = await installSimulator({ home, scenario: host.scenario });
      installed.push({ name: host.name, groups: host.groups, home, binDir });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { description: "local hosts (connection: local), each with its own HOME and PATH", fleetYaml: fleetFile({ localHosts: installed }), stop };
}
