/**
 * The text of scheduled runs (`nemoclaw schedule`): a systemd service and timer per job, or a
 * marked block of crontab lines where systemd is absent. Pure: the jobs (exact argument lists,
 * environment, schedule) come from the caller; this module only writes them in each format's own
 * quoting — systemd's (`%` specifiers, `$` expansion, double quotes) and sh's for crontab.
 */
import type { CronSchedule } from "../config/cron.js";
import { formatDurationSetting } from "../config/duration.js";
import { quote, renderArgv } from "../transport/shell.js";

export type JobTiming = { kind: "every"; ms: number } | { kind: "calendar"; cron: string };

export interface ScheduledJob {
  /** `apply`, or `backup-<policy>`. */
  id: string;
  /** The unit name without its suffix: `nemoclaw-<fleet>-<id>`. */
  unit: string;
  description: string;
  timing: JobTiming;
  /** The run's command line, exactly. */
  argv: string[];
  /** Commands run after it whatever its outcome (systemd ExecStopPost=, `;` in crontab). */
  after: string[][];
  /** Exit codes that are not a failure of the job. */
  successExitCodes: number[];
}

export interface ScheduleSetting {
  fleetName: string;
  fleetFile: string;
  workingDirectory: string;
  /** Plain, non-secret variables the runs need (PATH, XDG_STATE_HOME, NO_COLOR). */
  environment: [string, string][];
  /** The user's own file of secret values (EnvironmentFile= / sourced by sh). */
  envFile: string;
  /** The words every run's command starts with (node and this CLI's script): crontab lines say them once. */
  program?: readonly string[];
  /** How the units or lines are removed, for the header comment. */
  removeWith: string;
}

// ---- systemd ------------------------------------------------------------------------------------

/** One word of a systemd command line (ExecStart=): `%` and `$` escaped, quoted when it must be. */
export function systemdWord(word: string): string {
  return systemdQuoted(word.replace(/\$/g, "$$$$"));
}

/** One `Environment=` assignment: systemd removes its quotes and expands `%`, never `$`. */
function systemdAssignment(text: string): string {
  return systemdQuoted(text);
}

function systemdQuoted(text: string): string {
  const escaped = text.replace(/%/g, "%%");
  if (escaped !== "" && /^[A-Za-z0-9_@%+=:,./$-]+$/.test(escaped)) return escaped;
  // systemd unescapes C escapes in these words (systemd.syntax(7), "Quoting"): a line break or
  // another control character is written as \xHH, never raw (a raw one would end the line).
  const control = (char: string) => `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`;
  return `"${escaped.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/[\x00-\x1f\x7f]/g, control)}"`;
}

/**
 * A path setting (WorkingDirectory=, EnvironmentFile=): systemd takes the rest of the line as the
 * path, expanding `%` and removing no quotes, so only `%` is escaped (spaces inside stay as they
 * are). It strips the whitespace that ends a line, though, and has no escape for it (systemd 252's
 * `systemd-analyze verify` takes `WorkingDirectory=~   ` as `~`): a path ending in a space would
 * name another directory, so it is refused like one with a line break.
 */
export function systemdPath(path: string): string {
  if (/[\n\r]/.test(path)) throw new Error(`${JSON.stringify(path)}: a path with a line break cannot be written in a systemd unit`);
  if (/\s$/.test(path)) throw new Error(`${JSON.stringify(path)}: systemd drops the spaces that end a setting, so a path ending in a space cannot be written in a systemd unit; rename it, or use --cron`);
  return path.replace(/%/g, "%%");
}

function systemdCommand(argv: readonly string[]): string {
  return argv.map(systemdWord).join(" ");
}

/** A systemd time span: `5min`, `1h 30min`, `45s`. */
function timeSpan(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const parts: string[] = [];
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours) parts.push(`${hours}h`);
  if (minutes) parts.push(`${minutes}min`);
  if (rest || parts.length === 0) parts.push(`${rest}s`);
  return parts.join(" ");
}

function header(setting: ScheduleSetting, what: string): string[] {
  return [
    `# ${what} of fleet ${setting.fleetName} (${setting.fleetFile}),`,
    `# written by \`nemoclaw schedule install\`; remove with \`${setting.removeWith}\`.`,
    "# Secrets are not here: the runs read them from the EnvironmentFile, which only you can read.",
  ];
}

export function serviceUnit(job: ScheduledJob, setting: ScheduleSetting): string {
  return `${[
    ...header(setting, `The ${job.id} job`),
    "[Unit]",
    `Description=${job.description}`,
    "Wants=network-online.target",
    "After=network-online.target",
    "",
    "[Service]",
    "Type=oneshot",
    `WorkingDirectory=${systemdPath(setting.workingDirectory)}`,
    ...setting.environment.map(([name, value]) => `Environment=${systemdAssignment(`${name}=${value}`)}`),
    `EnvironmentFile=${systemdPath(setting.envFile)}`,
    `ExecStart=${systemdCommand(job.argv)}`,
    ...job.after.map((argv) => `ExecStopPost=${systemdCommand(argv)}`),
    `SuccessExitStatus=${job.successExitCodes.join(" ")}`,
    "TimeoutStartSec=6h",
  ].join("\n")}\n`;
}

export function timerUnit(job: ScheduledJob, schedule: CronSchedule | null, setting: ScheduleSetting): string {
  const timing =
    job.timing.kind === "every"
      ? ["OnActiveSec=1min", `OnUnitActiveSec=${timeSpan(job.timing.ms)}`, "AccuracySec=30s"]
      : [`# cron "${job.timing.cron}", evaluated in UTC like every nemoclaw schedule`, ...onCalendarOf(schedule as CronSchedule).map((spec) => `OnCalendar=${spec}`), "Persistent=true"];
  return `${[
    ...header(setting, `The timer of the ${job.id} job`),
    "[Unit]",
    `Description=${job.description}: ${describeTiming(job.timing)}`,
    "",
    "[Timer]",
    ...timing,
    "",
    "[Install]",
    "WantedBy=timers.target",
  ].join("\n")}\n`;
}

export function describeTiming(timing: JobTiming): string {
  return timing.kind === "every" ? `every ${formatDurationSetting(timing.ms)}` : `cron "${timing.cron}" (UTC)`;
}

/** Values of a calendar field: `*` for all of them, `a/s` for a progression to the end, else a list. */
function calendarField(values: readonly number[], min: number, max: number, width: number): string {
  const pad = (value: number) => String(value).padStart(width, "0");
  if (values.length === max - min + 1) return "*";
  const [first, second] = values;
  if (first !== undefined && second !== undefined) {
    const step = second - first;
    const progression = values.every((value, index) => value === first + index * step);
    if (progression && values.at(-1)! + step > max) return `${pad(first)}/${step}`;
  }
  return values.map(pad).join(",");
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/**
 * A cron schedule as systemd calendar events, in UTC. Cron fires on a day when EITHER restricted
 * day field matches (crontab(5)); systemd requires both, so that case takes two events (a timer
 * fires at the union of its OnCalendar= lines).
 */
export function onCalendarOf(schedule: CronSchedule): string[] {
  const time = `${calendarField(schedule.hours, 0, 23, 2)}:${calendarField(schedule.minutes, 0, 59, 2)}:00`;
  const months = calendarField(schedule.months, 1, 12, 2);
  const days = calendarField(schedule.daysOfMonth, 1, 31, 2);
  const weekdays = schedule.daysOfWeek.length === 7 ? "" : `${schedule.daysOfWeek.map((day) => WEEKDAYS[day]).join(",")} `;
  const event = (dow: string, dom: string) => `${dow}*-${months}-${dom} ${time} UTC`;
  if (schedule.dayOfMonthRestricted && schedule.dayOfWeekRestricted) return [event("", days), event(weekdays, "*")];
  // Otherwise both must match, as in systemd (`*/2` with a weekday: the odd days that are that weekday).
  return [event(weekdays, days)];
}

// ---- cron ---------------------------------------------------------------------------------------

const CRON_STEPS_MINUTES = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30];
const CRON_STEPS_HOURS = [1, 2, 3, 4, 6, 8, 12, 24];

/** An interval as a crontab time field, or why cron cannot keep it (its steps restart every hour and day). */
export function everyAsCron(ms: number): { cron: string } | { problem: string } {
  const minutes = ms / 60_000;
  if (CRON_STEPS_MINUTES.includes(minutes)) return { cron: minutes === 1 ? "* * * * *" : `*/${minutes} * * * *` };
  if (minutes % 60 === 0 && CRON_STEPS_HOURS.includes(minutes / 60)) return { cron: minutes === 60 ? "0 * * * *" : minutes === 1440 ? "0 0 * * *" : `0 */${minutes / 60} * * *` };
  const choices = [...CRON_STEPS_MINUTES.map((step) => `${step}m`), ...CRON_STEPS_HOURS.map((step) => `${step}h`)].join(", ");
  return { problem: `cron cannot run a job every ${formatDurationSetting(ms)}: its steps restart every hour and every day; choose one of ${choices} (systemd timers take any interval)` };
}

/**
 * The most bytes Debian's cron (3.0pl1, the cron of Debian and Ubuntu) takes in a line's command:
 * `crontab` refuses a longer one ("command too long ... can't install"), checked with its 3.0pl1-162.
 */
export const CRON_COMMAND_MAX_BYTES = 998;

/** The command part of a crontab line (after its five time fields), as cron reads it. */
export function crontabCommand(line: string): string {
  return line.split(" ").slice(5).join(" ");
}

/** The block `schedule install --cron` keeps in the user's crontab, between its marker lines. */
export function crontabBlock(entries: { job: ScheduledJob; cron: string }[], setting: ScheduleSetting): string {
  const begin = `# BEGIN nemoclaw fleet ${setting.fleetName} (${setting.fleetFile})`;
  const environment = setting.environment.map(([name, value]) => `${name}=${quote(value)}`).join(" ");
  // The secrets file is read line by line and taken literally, as systemd's EnvironmentFile= takes
  // it: sourcing it with sh would run `&`, `;`, `$(…)` or backquotes in a value. Like systemd, a
  // line is trimmed, and one that is not NAME=value (a comment, indented or not, a blank line,
  // `export NAME=…`) is skipped: exporting it would end the shell, and with it every run.
  const readEnvFile = `while read -r l||[ "$l" ];do n=\${l%%=*};case $n in ''|[!A-Za-z_]*|*[!A-Za-z0-9_]*);;*)[ "$n" = "$l" ]||export "$l";;esac;done<${quote(setting.envFile)}`;
  // Each part is said once, for the run and what follows it: Debian's cron refuses a long command.
  // The program every run starts with (node and this CLI's script) becomes "$@".
  const program = setting.program ?? [];
  const render = (argv: readonly string[]): string => {
    const at = program.length === 0 ? -1 : argv.findIndex((_, index) => program.every((word, offset) => argv[index + offset] === word));
    return at === -1 ? renderArgv(argv) : [...argv.slice(0, at).map(quote), '"$@"', ...argv.slice(at + program.length).map(quote)].join(" ");
  };
  const prefix = [
    `cd ${quote(setting.workingDirectory)}`,
    `{ ${readEnvFile}; }`,
    ...(environment === "" ? [] : [`export ${environment}`]),
    ...(program.length === 0 ? [] : [`set -- ${renderArgv(program)}`]),
  ].join(" && ");
  // crontab(5): an unescaped `%` ends the command (the rest becomes its stdin).
  const lines = entries.map(({ job, cron }) => {
    const broken = [...job.argv, ...job.after.flat(), setting.workingDirectory, setting.envFile, ...setting.environment.flat()].find((word) => /[\n\r]/.test(word));
    if (broken !== undefined) throw new Error(`${JSON.stringify(broken)}: a word with a line break cannot be written in a crontab line`);
    const command = job.after.length === 0 ? render(job.argv) : `{ ${[render(job.argv), ...job.after.map((argv) => `${render(argv)} >/dev/null`)].join("; ")}; }`;
    return `${cron} ${prefix} && ${command}`.replace(/%/g, "\\%");
  });
  return [
    begin,
    `# written by \`nemoclaw schedule install --cron\`; remove with \`${setting.removeWith}\`. Secrets come from ${setting.envFile}.`,
    ...lines,
    `# END nemoclaw fleet ${setting.fleetName}`,
  ].join("\n");
}

/** The crontab with this fleet's block put in (replacing an earlier one) or, with `block` null, taken out. */
export function withCrontabBlock(crontab: string, fleetName: string, fleetFile: string, block: string | null): string {
  const begin = `# BEGIN nemoclaw fleet ${fleetName} (${fleetFile})`;
  const end = `# END nemoclaw fleet ${fleetName}`;
  const lines = crontab.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const start = lines.indexOf(begin);
  const stop = start === -1 ? -1 : lines.indexOf(end, start);
  const kept = start === -1 || stop === -1 ? lines : [...lines.slice(0, start), ...lines.slice(stop + 1)];
  const result = block === null ? kept : [...kept, ...block.split("\n")];
  return result.length === 0 ? "" : `${result.join("\n")}\n`;
}

/** This fleet's block in a crontab, or null. */
export function crontabBlockOf(crontab: string, fleetName: string, fleetFile: string): string | null {
  const lines = crontab.split("\n");
  const start = lines.indexOf(`# BEGIN nemoclaw fleet ${fleetName} (${fleetFile})`);
  const stop = start === -1 ? -1 : lines.indexOf(`# END nemoclaw fleet ${fleetName}`, start);
  return start === -1 || stop === -1 ? null : lines.slice(start, stop + 1).join("\n");
}
