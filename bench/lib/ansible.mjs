// @ts-check
/**
 * Ansible on the same fleet, doing the same work (playbooks in bench/ansible/), at forks = the
 * number of hosts, in two variants:
 *
 *   tuned  pipelining on, ssh_args with ControlMaster=auto and ControlPersist=60s (Ansible's own
 *          default ssh_args): one SSH connection per host, modules piped into python;
 *   plain  pipelining off and no connection sharing: every task opens its own connections and
 *          copies its module over (what a fresh install does, forks aside).
 *
 * Every run starts cold: the ControlPersist masters of a tuned run are told to exit (`ssh -O
 * exit` on each control socket) as soon as it ends, so nothing outlives the run.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { timed } from "./measure.mjs";

const PLAYBOOKS = fileURLToPath(new URL("../ansible/", import.meta.url));

export const VARIANTS = /** @type {const} */ (["tuned", "plain"]);

/** @returns {Promise<string | null>} `ansible-playbook [core 2.14.18]`, or null when it is not installed */
export async function ansibleVersion() {
  return new Promise((resolve) => {
    execFile("ansible-playbook", ["--version"], (error, stdout) => resolve(error ? null : (stdout.split("\n")[0] ?? "").trim()));
  });
}

/**
 * @param {import("./hosts.mjs").BenchFleet} bench
 * @param {"tuned" | "plain"} variant
 */
function environment(bench, variant) {
  const controlDir = join(bench.dir, "cp");
  mkdirSync(controlDir, { recursive: true });
  /** @type {NodeJS.ProcessEnv} */
  const env = {
    ...process.env,
    ANSIBLE_CONFIG: join(PLAYBOOKS, "ansible.cfg"),
    ANSIBLE_FORKS: String(bench.size),
    ANSIBLE_LOCAL_TEMP: join(bench.dir, "ansible-local"),
    ANSIBLE_SSH_CONTROL_PATH_DIR: controlDir,
    ANSIBLE_PIPELINING: variant === "tuned" ? "True" : "False",
    ANSIBLE_SSH_ARGS: variant === "tuned" ? "-C -o ControlMaster=auto -o ControlPersist=60s" : "-o ControlMaster=no",
  };
  delete env.SSH_AUTH_SOCK; // the inventory names the fleet's key
  return env;
}

/**
 * Tell every ControlPersist master of the fleet's control directory to exit.
 * @param {import("./hosts.mjs").BenchFleet} bench
 */
export async function closeControlMasters(bench) {
  const controlDir = join(bench.dir, "cp");
  if (!existsSync(controlDir)) return;
  await Promise.all(
    readdirSync(controlDir).map(
      (socket) =>
        new Promise((resolve) => {
          execFile("ssh", ["-F", "/dev/null", "-O", "exit", "-o", `ControlPath=${join(controlDir, socket)}`, "bench-control-master"], () => {
            rmSync(join(controlDir, socket), { force: true });
            resolve(undefined);
          });
        }),
    ),
  );
}

/**
 * One timed `ansible-playbook` run.
 * @param {import("./hosts.mjs").BenchFleet} bench
 * @param {{ playbook: "observe" | "apply" | "backup", variant: "tuned" | "plain", extraVars: Record<string, ExtraVar> }} run
 */
export async function runPlaybook(bench, run) {
  const varsFile = join(bench.dir, `${run.playbook}.vars.yml`);
  writeFileSync(varsFile, unsafeYaml({ probe_file: bench.probeFile, ...run.extraVars }));
  try {
    const sample = await timed(
      ["ansible-playbook", "-i", bench.fleet.inventoryPath, "-e", `@${varsFile}`, join(PLAYBOOKS, `${run.playbook}.yml`)],
      { cwd: bench.dir, env: environment(bench, run.variant), scratch: bench.dir },
    );
    if (sample.code !== 0) throw new Error(`ansible-playbook ${run.playbook}.yml (${run.variant}) exited ${sample.code}:\n${sample.stdout.slice(-1500)}\n${sample.stderr.slice(-1500)}`);
    return sample;
  } finally {
    await closeControlMasters(bench);
  }
}

/** @typedef {string | ExtraVar[] | { [key: string]: ExtraVar }} ExtraVar */

/**
 * Extra variables as YAML with every string marked `!unsafe`: the commands carry Go templates
 * (`{{.ID}}`) that Jinja must pass through untouched. A JSON string is a valid YAML double-quoted
 * scalar, so JSON.stringify does the quoting; lists and mappings are written in flow style.
 * @param {Record<string, ExtraVar>} vars
 */
function unsafeYaml(vars) {
  return Object.entries(vars)
    .map(([name, value]) => `${name}: ${unsafeValue(value)}\n`)
    .join("");
}

/** @param {ExtraVar} value @returns {string} */
function unsafeValue(value) {
  if (typeof value === "string") return `!unsafe ${JSON.stringify(value)}`;
  if (Array.isArray(value)) return `[${value.map(unsafeValue).join(", ")}]`;
  return `{${Object.entries(value)
    .map(([key, item]) => `${JSON.stringify(key)}: ${unsafeValue(item)}`)
    .join(", ")}}`;
}
