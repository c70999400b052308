/**
 * `nemoclaw schedule install|show|remove [fleet.yaml]`: unattended operation of a fleet from this
 * controller. Two kinds of job: `apply --max-risk safe --yes` every few minutes (repairs that only
 * ever touch what is safe; the rest stays pending), and `backup run --policy P --due` on each
 * backup policy's own schedule. systemd user units by default (a service and a timer per job);
 * with `--cron`, a marked block in the user's crontab. Every run takes a controller-side flock of
 * the fleet, so scheduled runs wait for each other or skip cleanly (exit 75); the apply also waits
 * for host locks (`--lock-timeout`) and bounds the journal after each run (`history prune`).
 * Units and lines carry absolute paths and no secret: the secrets come from an environment file
 * the user owns (mode 0600).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { InvalidArgumentError, Option, type Command } from "commander";
import { parseCron } from "../config/cron.js";
import { formatDurationSetting, parseDuration } from "../config/duration.js";
import { xdgBaseDir } from "../config/xdg.js";
import type { DesiredFleet, SecretRef } from "../config/types.js";
import { ExitCode, type ExitCodeValue } from "../exit-codes.js";
import type { Risk } from "../plan/types.js";
import {
  CRON_COMMAND_MAX_BYTES,
  crontabBlock,
  crontabBlockOf,
  crontabCommand,
  describeTiming,
  everyAsCron,
  serviceUnit,
  timerUnit,
  withCrontabBlock,
  type ScheduledJob,
  type ScheduleSetting,
} from "../report/schedule-units.js";
import { type CommonOptions, withCommonOptions } from "./common.js";
import { riskCeiling } from "./sandbox-addresses.js";
import { DEFAULT_FLEET_FILE } from "./fleet-default.js";
import { readFleetInput, type FleetInputDeps } from "./fleet-input.js";
import { renderArgv } from "../transport/shell.js";
import { writeFileAtomically } from "../report/output-file.js";
import type { Output } from "./session-deps.js";

export interface ScheduleOptions extends CommonOptions {
  /** How often the apply runs (ms). */
  every: number;
  maxRisk: Risk;
  /** How long the apply waits for a host lock another run holds (ms); default: one interval. */
  lockTimeout?: number;
  /** Journals older than this are removed after each scheduled apply (ms). */
  keepHistory: number;
  cron: boolean;
  /** False with --no-enable: write the units, leave systemctl to the user. */
  enable: boolean;
  unitDir?: string;
  /** --secrets-file. */
  secretsFile?: string;
}

export interface ScheduleDeps extends FleetInputDeps {
  stdout: Output;
  stderr: Output;
  env: NodeJS.ProcessEnv;
  /** The node binary and this CLI's entry script, as the scheduled runs must call them. */
  nodePath: string;
  cliPath: string;
  /** `systemctl --user <args>`: its exit code and output. */
  systemctl(args: string[]): Promise<{ code: number; output: string }>;
  crontab: { read(): Promise<string>; write(text: string): Promise<void> };
}

/** How long a backup job waits for the fleet's schedule lock (an apply under way) before it skips. */
const BACKUP_LOCK_WAIT_S = 3600;
/** A skipped run: the fleet's schedule lock was held for longer than the job waits (flock --conflict-exit-code). */
const SKIPPED = 75;

/** The longest --every: a day, the longest interval cron can keep (its steps restart every day). */
export const MAX_EVERY_MS = 86_400_000;

function positiveDuration(minimumMs: number, what: string, maximumMs = Infinity) {
  return (value: string): number => {
    let ms: number;
    try {
      ms = parseDuration(value);
    } catch (error) {
      const tooLong = (error as Error).message.startsWith("too long") && maximumMs !== Infinity;
      throw new InvalidArgumentError(tooLong ? `${what} must be at most ${formatDurationSetting(maximumMs)}` : (error as Error).message);
    }
    if (ms < minimumMs) throw new InvalidArgumentError(`${what} must be at least ${formatDurationSetting(minimumMs)}`);
    if (ms > maximumMs) throw new InvalidArgumentError(`${what} must be at most ${formatDurationSetting(maximumMs)}`);
    return ms;
  };
}

/** An option whose default is a duration, shown in --help as users write it (5m, 30d). */
function durationOption(flags: string, description: string, parse: (value: string) => number, defaultMs: number): Option {
  return new Option(flags, description).argParser(parse).default(defaultMs, formatDurationSetting(defaultMs));
}

const HELP_AFTER = `
install writes the jobs and enables them; show prints what install writes (and whether it is
installed as written); remove disables and deletes them. The jobs:

  apply             \`apply --max-risk safe --yes\` every --every: repairs such as a stale gateway
                    lock or missing guards after a reboot are applied; riskier steps stay pending
                    (exit 2, which the units count as success) until someone applies them
  backup-<policy>   \`backup run --policy <policy> --due\` on the policy's schedule (UTC)

Runs of one fleet never overlap: each takes the fleet's flock, waiting for it (the apply for one
interval, a backup for an hour) or skipping with exit 75. Secrets stay out of the units: the runs
read them from --secrets-file (created empty, mode 0600), in NAME=value lines.

Exit codes: 0 done, 1 a job cannot be written or enabled (the message says why), 3 invalid fleet
file (see docs/exit-codes.md and docs/recipes/unattended-operation.md).

Examples:
  nemoclaw schedule show fleet.yaml
  nemoclaw schedule install fleet.yaml --every 5m
  nemoclaw schedule install fleet.yaml --cron              # where systemd is absent
  nemoclaw schedule remove fleet.yaml`;

const ACTIONS = {
  install: {
    description: "write the scheduled jobs (systemd user units, or crontab lines with --cron) and enable them",
    help: "0 written and enabled (or written, with --no-enable), 1 not written or not enabled (the message says why and what to run), 3 invalid fleet file",
    examples: ["nemoclaw schedule install fleet.yaml", "nemoclaw schedule install fleet.yaml --every 10m --max-risk safe", "nemoclaw schedule install fleet.yaml --no-enable --unit-dir ./units      # to deploy them with your own tooling", "nemoclaw schedule install fleet.yaml --cron"],
  },
  show: {
    description: "print the scheduled jobs install writes, and whether they are installed as written",
    help: "0 shown, 1 error, 3 invalid fleet file",
    examples: ["nemoclaw schedule show fleet.yaml", "nemoclaw schedule show fleet.yaml --cron", "nemoclaw schedule show fleet.yaml --json | jq '.jobs[].argv'"],
  },
  remove: {
    description: "disable and delete the scheduled jobs of the fleet (the environment file is kept)",
    help: "0 removed (or there were none), 1 deleted but systemd could not be told, 3 invalid fleet file",
    examples: ["nemoclaw schedule remove fleet.yaml", "nemoclaw schedule remove fleet.yaml --cron"],
  },
} as const;

export function register(program: Command): void {
  const schedule = program
    .command("schedule")
    .description("run the fleet unattended: safe repairs every few minutes and each backup policy on its schedule (systemd units or crontab)")
    .addHelpText("after", HELP_AFTER);
  for (const action of ["install", "show", "remove"] as const) {
    const { description, help, examples } = ACTIONS[action];
    withCommonOptions(schedule.command(action).argument("[fleet]", `fleet file (default: ./${DEFAULT_FLEET_FILE})`).description(description))
      .addOption(durationOption("--every <duration>", "how often the apply runs (1m to 1d)", positiveDuration(60_000, "--every", MAX_EVERY_MS), 300_000))
      .option("--max-risk <risk>", "the riskiest step a scheduled apply may run", riskCeiling, "safe" as Risk)
      .option("--lock-timeout <duration>", "how long a scheduled apply waits for a host lock another run holds (default: one interval)", positiveDuration(0, "--lock-timeout"))
      .addOption(durationOption("--keep-history <age>", "after each scheduled apply, remove run journals older than this (1h at least), except those of failed health gates no run has checked since", positiveDuration(3_600_000, "--keep-history"), 30 * 86_400_000))
      .option("--cron", "crontab lines instead of systemd units (where systemd is absent)", false)
      .option("--no-enable", "write the units but do not run systemctl")
      .option("--unit-dir <dir>", "where the systemd units go (default: ~/.config/systemd/user)")
      // Not --env-file: Node 20 takes that from anywhere on the command line, before nemoclaw runs.
      .option("--secrets-file <file>", "the file the runs read secrets from, NAME=value lines (default: ~/.config/nemoclaw-fleet/<fleet>.env)")
      .addHelpText("after", `\nExit codes: ${help} (see docs/exit-codes.md).\n\nExamples:\n${examples.map((example) => `  ${example}`).join("\n")}`)
      .action(async (fleetFile: string | undefined, options: ScheduleOptions) => {
        const { loadFleetFrom } = await import("./fleet-input.js");
        const { selectHosts } = await import("../config/selectors.js");
        process.exitCode = await runSchedule(action, fleetFile, options, { ...processScheduleDeps(), load: loadFleetFrom, select: selectHosts });
      });
  }
}

function run(program: string, args: string[], input?: string): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const child = execFile(program, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      const status = (error as { code?: unknown } | null)?.code;
      if (status === "ENOENT") return done({ code: 127, output: `${program} is not installed on this machine` });
      done({ code: error ? (typeof status === "number" ? status : 1) : 0, output: `${stdout}${stderr}`.trim() || (error?.message ?? "") });
    });
    child.stdin?.end(input);
  });
}

function processScheduleDeps(): Omit<ScheduleDeps, "load" | "select"> {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    nodePath: process.execPath,
    cliPath: realpathSync(process.argv[1] as string),
    systemctl: (args) => run("systemctl", ["--user", ...args]),
    crontab: {
      async read() {
        const listed = await run("crontab", ["-l"]);
        if (listed.code === 0) return `${listed.output}\n`;
        if (/no crontab for/i.test(listed.output)) return "";
        throw new Error(`crontab -l: ${listed.output || `exit ${listed.code}`}`);
      },
      async write(text) {
        const written = await run("crontab", ["-"], text);
        if (written.code !== 0) throw new Error(`crontab -: ${written.output || `exit ${written.code}`}`);
      },
    },
  };
}

// ---- the jobs -----------------------------------------------------------------------------------

interface Paths {
  unitDir: string;
  envFile: string;
  stateHome: string;
  lock: string;
  flock: string | null;
}

function pathsFor(fleet: DesiredFleet, options: ScheduleOptions, env: NodeJS.ProcessEnv): Paths {
  const home = env.HOME && isAbsolute(env.HOME) ? env.HOME : homedir();
  const configHome = xdgBaseDir("XDG_CONFIG_HOME", env, home);
  const stateHome = xdgBaseDir("XDG_STATE_HOME", env, home);
  return {
    unitDir: resolve(options.unitDir ?? join(configHome, "systemd", "user")),
    envFile: resolve(options.secretsFile ?? join(configHome, "nemoclaw-fleet", `${fleet.name}.env`)),
    stateHome,
    lock: join(stateHome, "nemoclaw-fleet", "schedule", `${fleet.name}.lock`),
    flock: which("flock", env.PATH),
  };
}

function which(program: string, path: string | undefined): string | null {
  for (const dir of (path ?? "/usr/local/bin:/usr/bin:/bin").split(":")) {
    if (!isAbsolute(dir)) continue;
    const candidate = join(dir, program);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** The options every scheduled run repeats so it reads the same fleet: inventories, --limit, vault files (absolute). */
function fleetArguments(options: ScheduleOptions): string[] {
  return [
    ...options.inventory.flatMap((inventory) => ["-i", resolve(inventory)]),
    ...(options.limit ? ["--limit", options.limit] : []),
    ...(options.vaultPasswordFile ?? []).flatMap((file) => ["--vault-password-file", resolve(file)]),
    ...(options.vaultId ?? []).flatMap((id) => {
      const at = id.indexOf("@");
      return ["--vault-id", at === -1 ? resolve(id) : `${id.slice(0, at + 1)}${resolve(id.slice(at + 1))}`];
    }),
  ];
}

function jobsFor(fleet: DesiredFleet, options: ScheduleOptions, paths: Paths, deps: ScheduleDeps): { jobs: ScheduledJob[]; notes: string[] } {
  const nemoclaw = [deps.nodePath, deps.cliPath];
  const locked = (waitSeconds: number, argv: string[]) => [paths.flock ?? "flock", "--verbose", "--wait", String(waitSeconds), "--conflict-exit-code", String(SKIPPED), paths.lock, ...argv];
  const extra = fleetArguments(options);
  const lockTimeout = options.lockTimeout ?? options.every;
  const jobs: ScheduledJob[] = [
    {
      id: "apply",
      unit: `nemoclaw-${fleet.name}-apply`,
      description: `nemoclaw fleet ${fleet.name}: apply what is at most ${options.maxRisk}`,
      timing: { kind: "every", ms: options.every },
      argv: locked(Math.round(options.every / 1000), [...nemoclaw, "apply", fleet.sourceFile, ...extra, "--max-risk", options.maxRisk, "--yes", "--lock-timeout", formatDurationSetting(lockTimeout)]),
      after: [[...nemoclaw, "history", "prune", "--older-than", formatDurationSetting(options.keepHistory)]],
      successExitCodes: [ExitCode.Changes, SKIPPED],
    },
  ];
  const notes: string[] = [];
  for (const policy of fleet.backupPolicies) {
    if (policy.schedule === undefined) {
      notes.push(`backup policy ${policy.name} has no schedule: no job (run \`nemoclaw backup run ${fleet.sourceFile} --policy ${policy.name}\` when you want one)`);
      continue;
    }
    jobs.push({
      id: `backup-${policy.name}`,
      unit: `nemoclaw-${fleet.name}-backup-${policy.name}`,
      description: `nemoclaw fleet ${fleet.name}: backups of policy ${policy.name}`,
      timing: { kind: "calendar", cron: policy.schedule },
      argv: locked(BACKUP_LOCK_WAIT_S, [...nemoclaw, "backup", "run", fleet.sourceFile, ...extra, "--policy", policy.name, "--due"]),
      after: [],
      successExitCodes: [SKIPPED],
    });
  }
  return { jobs, notes };
}

function settingFor(fleet: DesiredFleet, options: ScheduleOptions, paths: Paths, deps: ScheduleDeps): ScheduleSetting {
  const { env } = deps;
  return {
    fleetName: fleet.name,
    fleetFile: fleet.sourceFile,
    workingDirectory: dirname(fleet.sourceFile),
    environment: [
      ["PATH", env.PATH ?? "/usr/local/bin:/usr/bin:/bin"],
      ["XDG_STATE_HOME", paths.stateHome],
      ["NO_COLOR", "1"],
    ],
    envFile: paths.envFile,
    program: [deps.nodePath, deps.cliPath],
    // A command to paste: quoted, with what locates this fleet's jobs (its inventories, the unit directory).
    removeWith: renderArgv([
      "nemoclaw", "schedule", "remove", fleet.sourceFile,
      ...options.inventory.flatMap((inventory) => ["-i", resolve(inventory)]),
      ...(options.cron ? ["--cron"] : options.unitDir !== undefined ? ["--unit-dir", paths.unitDir] : []),
    ]),
  };
}

/** Every `env:` secret reference the fleet reads, by name: what the environment file must hold. */
export function environmentNames(fleet: DesiredFleet): string[] {
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === "object") {
      const ref = value as Partial<SecretRef>;
      if (ref.kind === "env" && typeof (ref as { name?: unknown }).name === "string" && Object.keys(value).length === 2) names.add((ref as { name: string }).name);
      else Object.values(value).forEach(visit);
    }
  };
  visit(fleet);
  return [...names].sort();
}

interface UnitFile {
  name: string;
  path: string;
  text: string;
}

function unitFiles(jobs: readonly ScheduledJob[], fleet: DesiredFleet, setting: ScheduleSetting, unitDir: string): UnitFile[] {
  return jobs.flatMap((job) => {
    const schedule = job.timing.kind === "calendar" ? parseCron(job.timing.cron) : null;
    if (schedule !== null && !schedule.ok) throw new Error(`backup policy schedule "${job.timing.kind === "calendar" ? job.timing.cron : ""}": ${schedule.message}`);
    return [
      { name: `${job.unit}.service`, path: join(unitDir, `${job.unit}.service`), text: serviceUnit(job, setting) },
      { name: `${job.unit}.timer`, path: join(unitDir, `${job.unit}.timer`), text: timerUnit(job, schedule?.ok ? schedule.schedule : null, setting) },
    ];
  });
}

function readIfExists(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** Units in the directory that an earlier install wrote for this same fleet file. */
function installedUnitsOf(fleet: DesiredFleet, unitDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(unitDir);
  } catch {
    return [];
  }
  return names.filter((name) => name.startsWith(`nemoclaw-${fleet.name}-`) && /\.(service|timer)$/.test(name) && ownedBy(readIfExists(join(unitDir, name)), fleet));
}

function ownedBy(text: string | null, fleet: DesiredFleet): boolean {
  return text !== null && text.split("\n", 1)[0]?.endsWith(`of fleet ${fleet.name} (${fleet.sourceFile}),`) === true;
}

// ---- the actions --------------------------------------------------------------------------------

export async function runSchedule(action: "install" | "show" | "remove", named: string | undefined, options: ScheduleOptions, deps: ScheduleDeps): Promise<ExitCodeValue> {
  const input = await readFleetInput(named ?? DEFAULT_FLEET_FILE, { inventories: options.inventory, limit: options.limit, color: false }, deps);
  if (typeof input === "number") return input;
  const { fleet } = input;
  const paths = pathsFor(fleet, options, deps.env);
  const { jobs, notes } = jobsFor(fleet, options, paths, deps);
  const setting = settingFor(fleet, options, paths, deps);
  const fail = (message: string): ExitCodeValue => {
    deps.stderr.write(`nemoclaw schedule ${action}: ${message}\n`);
    return ExitCode.Error;
  };
  if (action !== "remove" && paths.flock === null) {
    return fail("flock (util-linux) is not on PATH: the scheduled runs take it so that they never overlap; install util-linux");
  }
  try {
    const request: ScheduleRequest = { action, fleet, jobs, notes, setting, paths, options, deps, fail };
    return await (options.cron ? cronAction(request) : systemdAction(request));
  } catch (error) {
    return fail((error as Error).message);
  }
}

/** One `schedule` action with everything it works from. */
interface ScheduleRequest {
  action: "install" | "show" | "remove";
  fleet: DesiredFleet;
  jobs: ScheduledJob[];
  notes: string[];
  setting: ScheduleSetting;
  paths: Paths;
  options: ScheduleOptions;
  deps: ScheduleDeps;
  /** Say why on stderr; exit 1. */
  fail(message: string): ExitCodeValue;
}

function timersOf(units: readonly string[]): string[] {
  return units.filter((name) => name.endsWith(".timer"));
}

async function systemdAction(request: ScheduleRequest): Promise<ExitCodeValue> {
  const { action, fleet, jobs, notes, setting, paths, options, deps, fail } = request;
  const files = unitFiles(jobs, fleet, setting, paths.unitDir);
  if (action === "show") {
    const state = (file: UnitFile) => {
      const text = readIfExists(file.path);
      return text === null ? "not installed" : text === file.text ? "installed" : "installed, but differs from this (run install again)";
    };
    if (options.json) {
      deps.stdout.write(`${JSON.stringify({ fleet: { name: fleet.name, file: fleet.sourceFile }, kind: "systemd", unitDir: paths.unitDir, envFile: envFileReport(fleet, paths.envFile), jobs: jobs.map((job) => ({ ...job, units: files.filter((file) => file.name.startsWith(`${job.unit}.`)).map((file) => ({ ...file, state: state(file) })) })), notes }, null, 2)}\n`);
      return ExitCode.Ok;
    }
    const lines = [`Scheduled runs of fleet ${fleet.name} (${fleet.sourceFile}): systemd user units in ${paths.unitDir}`, ""];
    for (const job of jobs) {
      lines.push(`${job.id}: ${describeTiming(job.timing)} — ${job.description}`);
      for (const file of files.filter((candidate) => candidate.name.startsWith(`${job.unit}.`))) lines.push(`  ${file.name}: ${state(file)}`);
      lines.push("");
      for (const file of files.filter((candidate) => candidate.name.startsWith(`${job.unit}.`))) lines.push(`--- ${file.path}`, file.text);
    }
    lines.push(...notes.map((note) => `note: ${note}`), ...envFileLines(fleet, paths.envFile));
    deps.stdout.write(`${lines.join("\n")}\n`);
    return ExitCode.Ok;
  }

  const installed = installedUnitsOf(fleet, paths.unitDir);
  if (action === "remove") {
    if (installed.length === 0) {
      deps.stdout.write(`No scheduled runs of fleet ${fleet.name} (${fleet.sourceFile}) in ${paths.unitDir}.\n`);
      return ExitCode.Ok;
    }
    const problems: string[] = [];
    if (options.enable) {
      const disabled = await deps.systemctl(["disable", "--now", ...timersOf(installed)]);
      if (disabled.code !== 0) problems.push(`systemctl --user disable --now: ${disabled.output}`);
    }
    for (const name of installed) rmSync(join(paths.unitDir, name), { force: true });
    if (options.enable) {
      const reloaded = await deps.systemctl(["daemon-reload"]);
      if (reloaded.code !== 0) problems.push(`systemctl --user daemon-reload: ${reloaded.output}`);
    }
    deps.stdout.write(`Removed ${installed.join(", ")} from ${paths.unitDir}. ${paths.envFile} is kept (it holds your secrets).\n`);
    return problems.length > 0 ? fail(`the units are deleted, but systemd was not told: ${problems.join("; ")}`) : ExitCode.Ok;
  }

  // install: never overwrite a unit another fleet file wrote under the same name.
  for (const file of files) {
    const text = readIfExists(file.path);
    if (text !== null && !ownedBy(text, fleet)) {
      return fail(`${file.path} exists and was not written for ${fleet.sourceFile}; give this fleet another metadata.name, or remove that unit first`);
    }
  }
  mkdirSync(paths.unitDir, { recursive: true });
  const stale = installed.filter((name) => !files.some((file) => file.name === name));
  if (stale.length > 0 && options.enable) await deps.systemctl(["disable", "--now", ...timersOf(stale)]);
  for (const name of stale) rmSync(join(paths.unitDir, name), { force: true });
  // Each unit whole or not at all: a full disk leaves the one installed before, never half a unit.
  for (const file of files) writeFileAtomically(file.path, file.text, { mode: 0o644 });
  prepareRunFiles(fleet, paths, deps);
  const timers = timersOf(files.map((file) => file.name));
  const wrote = `Wrote ${files.map((file) => file.name).join(", ")} to ${paths.unitDir}${stale.length > 0 ? ` (removed ${stale.join(", ")}, no longer in the fleet file)` : ""}.`;
  const enableBy = `systemctl --user daemon-reload && systemctl --user enable --now ${timers.join(" ")}`;
  if (!options.enable) {
    deps.stdout.write(`${wrote}\nEnable them with: ${enableBy}\n${envFileLines(fleet, paths.envFile).join("\n")}\n`);
    return ExitCode.Ok;
  }
  for (const args of [["daemon-reload"], ["enable", "--now", ...timers]]) {
    const result = await deps.systemctl(args);
    if (result.code !== 0) {
      deps.stdout.write(`${wrote}\n`);
      return fail(
        `systemctl --user ${args.join(" ")} failed: ${result.output || `exit ${result.code}`}\n` +
          `  The units are written; enable them once your user's systemd runs (\`loginctl enable-linger $USER\` keeps it running without a login): ${enableBy}\n` +
          "  Where systemd is absent, use --cron instead.",
      );
    }
  }
  deps.stdout.write(`${wrote}\nEnabled ${timers.join(", ")}; \`systemctl --user list-timers 'nemoclaw-${fleet.name}-*'\` shows when they run next.\n${envFileLines(fleet, paths.envFile).join("\n")}\n`);
  return ExitCode.Ok;
}

async function cronAction(request: ScheduleRequest): Promise<ExitCodeValue> {
  const { action, fleet, jobs, notes, setting, paths, options, deps, fail } = request;
  // Each job's cron time: an interval cron can keep, or a backup check every 15 minutes.
  const entries: { job: ScheduledJob; cron: string }[] = [];
  for (const job of jobs) {
    if (job.timing.kind === "calendar") {
      // cron reads times in the controller's zone, the policies mean UTC: check often, let --due decide.
      entries.push({ job, cron: "*/15 * * * *" });
      continue;
    }
    const cron = everyAsCron(job.timing.ms);
    if ("problem" in cron) return fail(cron.problem);
    entries.push({ job, cron: cron.cron });
  }
  const cronNotes: string[] = jobs.some((job) => job.timing.kind === "calendar")
    ? ["cron reads times in this machine's time zone while backup schedules are UTC: each backup line checks every 15 minutes, and `--due` backs up when the policy's schedule (UTC) says"]
    : [];
  const block = crontabBlock(entries, setting);
  const tooLong = block
    .split("\n")
    .slice(2, -1)
    .map((line, index) => ({ job: (entries[index] as { job: ScheduledJob }).job.id, bytes: Buffer.byteLength(crontabCommand(line)) }))
    .filter(({ bytes }) => bytes > CRON_COMMAND_MAX_BYTES);
  if (tooLong.length > 0) {
    cronNotes.push(
      `the command of ${tooLong.map(({ job, bytes }) => `the ${job} line is ${bytes} bytes`).join(", ")}; Debian's and Ubuntu's cron refuses a command over ${CRON_COMMAND_MAX_BYTES} bytes: ` +
        "shorten it with a shorter PATH, fleet file, inventory or --secrets-file path, or use the systemd units",
    );
  }
  if (action === "show") {
    let state: string;
    try {
      const current = crontabBlockOf(await deps.crontab.read(), fleet.name, fleet.sourceFile);
      state = current === null ? "not installed" : current === block ? "installed" : "installed, but differs from this (run install --cron again)";
    } catch (error) {
      state = `not known: ${(error as Error).message}`;
    }
    if (options.json) {
      deps.stdout.write(`${JSON.stringify({ fleet: { name: fleet.name, file: fleet.sourceFile }, kind: "cron", envFile: envFileReport(fleet, paths.envFile), jobs, crontab: { block, state }, notes: [...notes, ...cronNotes] }, null, 2)}\n`);
      return ExitCode.Ok;
    }
    deps.stdout.write(`${[`Scheduled runs of fleet ${fleet.name} (${fleet.sourceFile}): crontab lines, ${state}`, "", block, "", ...[...notes, ...cronNotes].map((note) => `note: ${note}`), ...envFileLines(fleet, paths.envFile)].join("\n")}\n`);
    return ExitCode.Ok;
  }
  const crontab = await deps.crontab.read();
  if (action === "remove") {
    if (crontabBlockOf(crontab, fleet.name, fleet.sourceFile) === null) {
      deps.stdout.write(`No scheduled runs of fleet ${fleet.name} (${fleet.sourceFile}) in your crontab.\n`);
      return ExitCode.Ok;
    }
    await deps.crontab.write(withCrontabBlock(crontab, fleet.name, fleet.sourceFile, null));
    deps.stdout.write(`Removed the lines of fleet ${fleet.name} from your crontab. ${paths.envFile} is kept (it holds your secrets).\n`);
    return ExitCode.Ok;
  }
  prepareRunFiles(fleet, paths, deps);
  try {
    await deps.crontab.write(withCrontabBlock(crontab, fleet.name, fleet.sourceFile, block));
  } catch (error) {
    return fail(`${(error as Error).message}${tooLong.length > 0 ? `\n  ${cronNotes.at(-1)}` : ""}`);
  }
  deps.stdout.write(`Installed ${entries.length} crontab line${entries.length === 1 ? "" : "s"} for fleet ${fleet.name} (\`crontab -l\` shows them).\n${[...cronNotes.map((note) => `note: ${note}`), ...envFileLines(fleet, paths.envFile)].join("\n")}\n`);
  return ExitCode.Ok;
}

/** The lock's directory, and the environment file (created empty, 0600) when there is none. */
function prepareRunFiles(fleet: DesiredFleet, paths: Paths, deps: ScheduleDeps): void {
  mkdirSync(dirname(paths.lock), { recursive: true, mode: 0o700 });
  if (existsSync(paths.envFile)) return;
  mkdirSync(dirname(paths.envFile), { recursive: true, mode: 0o700 });
  const names = environmentNames(fleet);
  const text = [
    `# Secrets for the scheduled runs of fleet ${fleet.name} (${fleet.sourceFile}).`,
    "# Read by the systemd units (EnvironmentFile=) and, line by line and literally, by the crontab",
    "# lines, so write plain NAME=value lines: no quotes, no spaces around =. Keep it 0600.",
    ...(names.length > 0 ? ["# The fleet file reads these references:", ...names.map((name) => `#${name}=`)] : ["# The fleet file reads no env: references."]),
    "",
  ].join("\n");
  // Whole or not at all: a half-written template would be kept as "there" by the next install.
  writeFileAtomically(paths.envFile, text, { mode: 0o600, replace: false });
  deps.stderr.write(`Created ${paths.envFile} (mode 0600)${names.length > 0 ? `: put ${names.join(", ")} in it` : ""}.\n`);
}

/**
 * Which of the fleet's env: references the environment file sets (names only, never values), and
 * whether others can read it. `export NAME=…` sets nothing: systemd ignores the line ("invalid
 * variable name"), and so do the crontab lines.
 */
function envFileReport(fleet: DesiredFleet, envFile: string): { path: string; exists: boolean; needs: string[]; missing: string[]; readableByOthers: boolean } {
  const needs = environmentNames(fleet);
  const text = readIfExists(envFile);
  const set = new Set((text ?? "").split("\n").flatMap((line) => /^\s*([A-Za-z_][A-Za-z0-9_]*)=/.exec(line)?.[1] ?? []));
  let readableByOthers = false;
  try {
    readableByOthers = (statSync(envFile).mode & 0o077) !== 0;
  } catch {
    // absent
  }
  return { path: envFile, exists: text !== null, needs, missing: needs.filter((name) => !set.has(name)), readableByOthers };
}

function envFileLines(fleet: DesiredFleet, envFile: string): string[] {
  const report = envFileReport(fleet, envFile);
  const lines = [`Secrets: the runs read ${report.needs.length > 0 ? report.needs.join(", ") : "no env: references"} from ${envFile}${report.exists ? "" : " (not there yet: install creates it)"}.`];
  if (report.exists && report.missing.length > 0) lines.push(`warning: ${envFile} does not set ${report.missing.join(", ")}`);
  if (report.readableByOthers) lines.push(`warning: others can read ${envFile}: chmod 600 it`);
  return lines;
}
