/** `nemoclaw schedule`: the units and crontab lines it writes, and install/show/remove on a temp home with systemctl and crontab faked. */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseCron, type CronSchedule } from "../../../src/config/cron.js";
import { loadFleet } from "../../../src/config/load.js";
import { selectHosts } from "../../../src/config/selectors.js";
import { runSchedule, type ScheduleDeps, type ScheduleOptions } from "../../../src/cli/schedule.js";
import { ExitCode } from "../../../src/exit-codes.js";
import { CRON_COMMAND_MAX_BYTES, crontabBlock, crontabBlockOf, crontabCommand, everyAsCron, onCalendarOf, type ScheduledJob, type ScheduleSetting, serviceUnit, systemdWord, withCrontabBlock } from "../../../src/report/schedule-units.js";

const JOB: ScheduledJob = { id: "apply", unit: "nemoclaw-lab-apply", description: "nemoclaw apply of lab", timing: { kind: "every", ms: 300_000 }, argv: ["/usr/bin/node", "/opt/nemoclaw/main.js", "apply"], after: [], successExitCodes: [0, 2, 75] };
const SETTING: ScheduleSetting = { fleetName: "lab", fleetFile: "/srv/fleet.yaml", workingDirectory: "/srv", environment: [], envFile: "/home/me/lab.env", removeWith: "nemoclaw schedule remove" };

const cron = (text: string): CronSchedule => {
  const parsed = parseCron(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.schedule;
};

describe("cron schedules as systemd calendar events (UTC)", () => {
  it.each([
    ["0 2 * * *", ["*-*-* 02:00:00 UTC"]],
    ["*/15 * * * *", ["*-*-* *:00/15:00 UTC"]],
    ["5-50/10 3 * * *", ["*-*-* 03:05,15,25,35,45:00 UTC"]],
    ["30 3 * * sun", ["Sun *-*-* 03:30:00 UTC"]],
    ["0 4 * * 1-5", ["Mon,Tue,Wed,Thu,Fri *-*-* 04:00:00 UTC"]],
    ["0 0 1 */3 *", ["*-01/3-01 00:00:00 UTC"]],
    // crontab(5): both day fields restricted means either day: two events, fired at their union.
    ["30 3 1,15 * sun", ["*-*-01,15 03:30:00 UTC", "Sun *-*-* 03:30:00 UTC"]],
    // A day field starting with * is not restricted (cron's star flag): both must match.
    ["0 0 */2 * mon", ["Mon *-*-01/2 00:00:00 UTC"]],
  ])("%s", (text, expected) => {
    expect(onCalendarOf(cron(text))).toEqual(expected);
  });
});

describe("quoting", () => {
  it("systemd words: % and $ escaped, spaces and quotes quoted", () => {
    expect(systemdWord("/usr/bin/node")).toBe("/usr/bin/node");
    expect(systemdWord("100%")).toBe("100%%");
    expect(systemdWord("$HOME")).toBe("$$HOME");
    expect(systemdWord('/srv/my fleet/"x".yaml')).toBe('"/srv/my fleet/\\"x\\".yaml"');
    // A line break is written as a C escape, which systemd unescapes: the unit keeps its lines.
    expect(systemdWord("spark-01\nExecStartPre=/bin/true")).toBe('"spark-01\\x0aExecStartPre=/bin/true"');
    expect(serviceUnit({ ...JOB, argv: ["/usr/bin/node", "a\tb\r\n"] }, SETTING)).toContain('\nExecStart=/usr/bin/node "a\\x09b\\x0d\\x0a"\n');
  });

  it("systemd path settings are taken to the end of the line (only % escaped); Environment= is quoted, $ left alone", () => {
    const unit = serviceUnit(JOB, { ...SETTING, workingDirectory: "/srv/My Fleet/50%", envFile: "/home/me/.config/nemoclaw/lab env", environment: [["PATH", "/opt/my bin:/usr/bin"], ["TAG", "a$b"]] });
    expect(unit).toContain("\nWorkingDirectory=/srv/My Fleet/50%%\n");
    expect(unit).toContain("\nEnvironmentFile=/home/me/.config/nemoclaw/lab env\n");
    expect(unit).toContain('\nEnvironment="PATH=/opt/my bin:/usr/bin"\n');
    expect(unit).toContain("\nEnvironment=TAG=a$b\n");
    expect(() => serviceUnit(JOB, { ...SETTING, workingDirectory: "/srv/a\nb" })).toThrow(/line break/);
    // systemd strips a line's trailing whitespace: "/srv/fleet " would be read as "/srv/fleet".
    expect(() => serviceUnit(JOB, { ...SETTING, workingDirectory: "/srv/fleet " })).toThrow('"/srv/fleet ": systemd drops the spaces that end a setting, so a path ending in a space cannot be written in a systemd unit; rename it, or use --cron');
    expect(() => serviceUnit(JOB, { ...SETTING, envFile: "/home/me/lab.env\t" })).toThrow(/ending in a space/);
  });

  it("a crontab line reads the secrets file literally, as systemd does: nothing in a value runs", () => {
    const dir = mkdtempSync(join(tmpdir(), "ncf-cron-"));
    try {
      const envFile = join(dir, "secrets env");
      writeFileSync(join(dir, "ran"), "");
      writeFileSync(envFile, `# the webhook\nHOOK=https://hooks.example/x?a=1&b=2\n\nKEY=nv$(touch ${join(dir, "pwned")});x\`y\``);
      const job = { ...JOB, argv: ["sh", "-c", 'printf "%s|%s" "$HOOK" "$KEY"'], after: [] };
      const line = crontabBlock([{ job, cron: "* * * * *" }], { ...SETTING, workingDirectory: dir, envFile, environment: [["NO_COLOR", "1"]] }).split("\n")[2] as string;
      const command = line.split(" ").slice(5).join(" ").replace(/\\%/g, "%");
      const out = execFileSync("sh", ["-c", command], { encoding: "utf8" });
      expect(out).toBe(`https://hooks.example/x?a=1&b=2|nv$(touch ${join(dir, "pwned")});x\`y\``);
      expect(existsSync(join(dir, "pwned"))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a crontab line skips what is not a NAME=value line of the secrets file, as systemd does, and still runs", () => {
    const dir = mkdtempSync(join(tmpdir(), "ncf-cron-"));
    try {
      const envFile = join(dir, "secrets.env");
      // An indented comment, a line of spaces, `export` (systemd ignores the line), padding around a line.
      writeFileSync(envFile, `  # the key\n   \nexport OTHER=1\n  KEY=a=b c  \nnot a line\n=x\nHOOK=h`);
      const job = { ...JOB, argv: ["sh", "-c", 'printf "%s|%s|%s" "$KEY" "$HOOK" "\${OTHER-unset}"'], after: [["sh", "-c", "echo after >&2"]] };
      const line = crontabBlock([{ job, cron: "* * * * *" }], { ...SETTING, workingDirectory: dir, envFile, environment: [["NO_COLOR", "1"]], program: ["sh", "-c"] }).split("\n")[2] as string;
      const result = spawnSync("sh", ["-c", crontabCommand(line).replace(/\\%/g, "%")], { encoding: "utf8" });
      expect(result).toMatchObject({ status: 0, stdout: "a=b c|h|unset", stderr: "after\n" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a crontab line says its environment once: a usual setting stays within the 998 bytes Debian's cron takes", () => {
    const home = "/home/operator";
    const node = `${home}/.nvm/versions/node/v20.18.1/bin`;
    const cli = `${home}/.nvm/versions/node/v20.18.1/lib/node_modules/nemoclaw-fleet/dist/cli/main.js`;
    const job: ScheduledJob = {
      ...JOB,
      argv: ["/usr/bin/flock", "--verbose", "--wait", "300", "--conflict-exit-code", "75", `${home}/.local/state/nemoclaw-fleet/schedule/dgx-lab.lock`, `${node}/node`, cli, "apply", `${home}/fleets/dgx-lab/fleet.yaml`, "-i", `${home}/fleets/dgx-lab/inventory/hosts.yml`, "--max-risk", "safe", "--yes", "--lock-timeout", "5m"],
      after: [[`${node}/node`, cli, "history", "prune", "--older-than", "30d"]],
    };
    const setting: ScheduleSetting = {
      ...SETTING,
      program: [`${node}/node`, cli],
      workingDirectory: `${home}/fleets/dgx-lab`,
      envFile: `${home}/.config/nemoclaw-fleet/dgx-lab.env`,
      environment: [["PATH", `${node}:${home}/.local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/games:/usr/local/games:/snap/bin`], ["XDG_STATE_HOME", `${home}/.local/state`], ["NO_COLOR", "1"]],
    };
    const line = crontabBlock([{ job, cron: "*/5 * * * *" }], setting).split("\n")[2] as string;
    expect(Buffer.byteLength(crontabCommand(line))).toBeLessThanOrEqual(CRON_COMMAND_MAX_BYTES);
    expect(line.split(setting.environment[0]![1]).length).toBe(2);
    expect(line.split(cli).length).toBe(2);
  });

  it("a crontab line refuses a word with a line break: cron would read the rest as another line", () => {
    const job = { ...JOB, argv: ["/usr/bin/node", "--limit", "spark-01\n* * * * * touch /tmp/x"] };
    expect(() => crontabBlock([{ job, cron: "* * * * *" }], SETTING)).toThrow('"spark-01\\n* * * * * touch /tmp/x": a word with a line break cannot be written in a crontab line');
  });

  it("an interval as a crontab field, or why cron cannot keep it", () => {
    expect(everyAsCron(300_000)).toEqual({ cron: "*/5 * * * *" });
    expect(everyAsCron(60_000)).toEqual({ cron: "* * * * *" });
    expect(everyAsCron(7_200_000)).toEqual({ cron: "0 */2 * * *" });
    expect(everyAsCron(420_000)).toMatchObject({ problem: expect.stringMatching(/^cron cannot run a job every 7m: its steps restart every hour and every day; choose one of 1m, 2m/) });
  });

  it("the fleet's crontab block replaces its earlier one and leaves every other line alone", () => {
    const mine = "# BEGIN nemoclaw fleet lab (/srv/f.yaml)\n*/5 * * * * old\n# END nemoclaw fleet lab";
    const other = "# BEGIN nemoclaw fleet lab (/elsewhere/f.yaml)\n*/5 * * * * theirs\n# END nemoclaw fleet lab";
    const crontab = `MAILTO=ops\n0 1 * * * backup-home\n${mine}\n${other}\n`;
    const replaced = withCrontabBlock(crontab, "lab", "/srv/f.yaml", "# BEGIN nemoclaw fleet lab (/srv/f.yaml)\nnew\n# END nemoclaw fleet lab");
    expect(replaced).toBe(`MAILTO=ops\n0 1 * * * backup-home\n${other}\n# BEGIN nemoclaw fleet lab (/srv/f.yaml)\nnew\n# END nemoclaw fleet lab\n`);
    expect(crontabBlockOf(replaced, "lab", "/srv/f.yaml")).toBe("# BEGIN nemoclaw fleet lab (/srv/f.yaml)\nnew\n# END nemoclaw fleet lab");
    expect(withCrontabBlock(replaced, "lab", "/srv/f.yaml", null)).toBe(`MAILTO=ops\n0 1 * * * backup-home\n${other}\n`);
  });
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ncf-schedule-"));
  mkdirSync(join(dir, "bin"));
  // A flock on PATH: the units name it by its absolute path.
  writeFileSync(join(dir, "bin", "flock"), "#!/bin/sh\n", { mode: 0o755 });
  writeFileSync(
    join(dir, "fleet.yaml"),
    [
      "apiVersion: nemoclaw.dev/v1",
      "kind: Fleet",
      "metadata: { name: lab }",
      "hosts: [{ name: spark-01 }]",
      "sandboxes:",
      '  - { name: alice, host: spark-01, credential: "env:NV_KEY" }',
      "backupPolicies:",
      '  - { name: nightly, schedule: "0 2 * * *" }',
      "  - { name: adhoc }",
      'notify: { webhook: "env:HOOK_URL" }',
      "",
    ].join("\n"),
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function setup(systemctlAnswer: { code: number; output: string } = { code: 0, output: "" }) {
  let out = "";
  let err = "";
  const systemctl: string[][] = [];
  let crontab = "MAILTO=ops\n";
  const deps: ScheduleDeps = {
    load: (fleetFile, inventories) => loadFleet({ ...(fleetFile ? { fleetFile } : {}), inventories, cwd: dir }),
    select: selectHosts,
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    env: { HOME: join(dir, "home"), PATH: `${join(dir, "bin")}:/usr/bin:/bin` },
    nodePath: "/usr/bin/node",
    cliPath: "/opt/nemoclaw/dist/cli/main.js",
    systemctl: async (args) => {
      systemctl.push(args);
      return systemctlAnswer;
    },
    crontab: { read: async () => crontab, write: async (text) => void (crontab = text) },
  };
  return { deps, systemctl, out: () => out, err: () => err, crontab: () => crontab };
}

function options(overrides: Partial<ScheduleOptions> = {}): ScheduleOptions {
  return { inventory: [], json: false, every: 300_000, maxRisk: "safe", keepHistory: 30 * 86_400_000, cron: false, enable: true, ...overrides };
}

const unitDir = () => join(dir, "home", ".config", "systemd", "user");
const fleetFile = () => join(dir, "fleet.yaml");

describe("schedule install, show, remove (systemd)", () => {
  it("the units say how to remove them as a command to paste: the path quoted, the unit directory named", async () => {
    const s = setup();
    const spaced = join(dir, "my fleets");
    mkdirSync(spaced);
    writeFileSync(join(spaced, "fleet.yaml"), readFileSync(fleetFile(), "utf8"));
    const units = join(dir, "deploy units");
    expect(await runSchedule("install", join(spaced, "fleet.yaml"), options({ unitDir: units, enable: false }), s.deps)).toBe(ExitCode.Ok);
    const removeWith = `nemoclaw schedule remove '${spaced}/fleet.yaml' --unit-dir '${units}'`;
    expect(readFileSync(join(units, "nemoclaw-lab-apply.service"), "utf8")).toContain(`; remove with \`${removeWith}\`.\n`);
    // That command, run, finds them.
    const removed = setup();
    expect(await runSchedule("remove", join(spaced, "fleet.yaml"), options({ unitDir: units, enable: false }), removed.deps)).toBe(ExitCode.Ok);
    expect(readdirSync(units)).toEqual([]);
  });

  it("--secrets-file names the file the runs read secrets from: created by install, named in the units", async () => {
    const s = setup();
    const secrets = join(dir, "keys", "lab secrets.env");
    expect(await runSchedule("install", fleetFile(), options({ secretsFile: secrets }), s.deps)).toBe(ExitCode.Ok);
    expect(statSync(secrets).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(unitDir(), "nemoclaw-lab-apply.service"), "utf8")).toContain(`EnvironmentFile=${secrets}\n`);
    const shown = setup();
    expect(await runSchedule("show", fleetFile(), options({ secretsFile: secrets }), shown.deps)).toBe(ExitCode.Ok);
    expect(shown.out()).toContain(`from ${secrets}`);
  });

  it("writes a service and a timer per job, with absolute paths and no secret, and enables the timers", async () => {
    const s = setup();
    expect(await runSchedule("install", fleetFile(), options(), s.deps)).toBe(ExitCode.Ok);
    expect(readdirSync(unitDir()).sort()).toEqual(["nemoclaw-lab-apply.service", "nemoclaw-lab-apply.timer", "nemoclaw-lab-backup-nightly.service", "nemoclaw-lab-backup-nightly.timer"]);
    const service = readFileSync(join(unitDir(), "nemoclaw-lab-apply.service"), "utf8");
    const lock = join(dir, "home", ".local", "state", "nemoclaw-fleet", "schedule", "lab.lock");
    expect(service).toContain(
      `ExecStart=${join(dir, "bin", "flock")} --verbose --wait 300 --conflict-exit-code 75 ${lock} /usr/bin/node /opt/nemoclaw/dist/cli/main.js apply ${fleetFile()} --max-risk safe --yes --lock-timeout 5m\n`,
    );
    expect(service).toContain("ExecStopPost=/usr/bin/node /opt/nemoclaw/dist/cli/main.js history prune --older-than 30d\n");
    expect(service).toContain(`WorkingDirectory=${dir}\n`);
    expect(service).toContain(`EnvironmentFile=${join(dir, "home", ".config", "nemoclaw-fleet", "lab.env")}\n`);
    expect(service).toContain("SuccessExitStatus=2 75\n");
    expect(readFileSync(join(unitDir(), "nemoclaw-lab-backup-nightly.service"), "utf8")).toContain("backup run " + fleetFile() + " --policy nightly --due\n");
    expect(readFileSync(join(unitDir(), "nemoclaw-lab-backup-nightly.timer"), "utf8")).toContain("OnCalendar=*-*-* 02:00:00 UTC\nPersistent=true\n");
    expect(s.systemctl).toEqual([["daemon-reload"], ["enable", "--now", "nemoclaw-lab-apply.timer", "nemoclaw-lab-backup-nightly.timer"]]);
    // The environment file: created once, private, naming what the fleet reads.
    const envFile = join(dir, "home", ".config", "nemoclaw-fleet", "lab.env");
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(envFile, "utf8")).toContain("#HOOK_URL=\n#NV_KEY=\n");
    expect(s.err()).toBe(`Created ${envFile} (mode 0600): put HOOK_URL, NV_KEY in it.\n`);
    expect(s.out()).toContain(`warning: ${envFile} does not set HOOK_URL, NV_KEY`);
    // A shell's `export` line is no NAME=value line: systemd ignores it, and show says it is missing.
    writeFileSync(envFile, "NV_KEY=nvapi-secret-value-1234\nexport HOOK_URL=https://hooks.example.com/x\n", { mode: 0o600 });
    const exported = setup();
    expect(await runSchedule("show", fleetFile(), options(), exported.deps)).toBe(ExitCode.Ok);
    expect(exported.out()).toContain(`warning: ${envFile} does not set HOOK_URL\n`);
    writeFileSync(envFile, "NV_KEY=nvapi-secret-value-1234\nHOOK_URL=https://hooks.example.com/x\n", { mode: 0o600 });
    // Installing again keeps the user's file and says nothing is missing.
    const again = setup();
    expect(await runSchedule("install", fleetFile(), options(), again.deps)).toBe(ExitCode.Ok);
    expect(readFileSync(envFile, "utf8")).toContain("nvapi-secret-value-1234");
    expect(again.out()).not.toContain("does not set");
    for (const name of readdirSync(unitDir())) expect(readFileSync(join(unitDir(), name), "utf8")).not.toContain("nvapi");
  });

  it("show tells whether each unit is installed as install would write it", async () => {
    const s = setup();
    await runSchedule("show", fleetFile(), options(), s.deps);
    expect(s.out()).toContain("nemoclaw-lab-apply.service: not installed");
    expect(s.out()).toContain("note: backup policy adhoc has no schedule: no job");
    await runSchedule("install", fleetFile(), options(), setup().deps);
    const shown = setup();
    await runSchedule("show", fleetFile(), options({ every: 600_000 }), shown.deps);
    expect(shown.out()).toContain("nemoclaw-lab-apply.service: installed, but differs from this (run install again)");
    expect(shown.out()).toContain("nemoclaw-lab-backup-nightly.timer: installed\n");
    const json = setup();
    await runSchedule("show", fleetFile(), options({ json: true }), json.deps);
    expect(JSON.parse(json.out())).toMatchObject({ kind: "systemd", jobs: [{ id: "apply", units: [{ name: "nemoclaw-lab-apply.service", state: "installed" }, {}] }, { id: "backup-nightly" }], envFile: { needs: ["HOOK_URL", "NV_KEY"] } });
  });

  it("says what to run when systemctl cannot reach the user's systemd, keeping the units (exit 1)", async () => {
    const s = setup({ code: 1, output: "Failed to connect to bus: No medium found" });
    expect(await runSchedule("install", fleetFile(), options(), s.deps)).toBe(ExitCode.Error);
    expect(s.err()).toContain("nemoclaw schedule install: systemctl --user daemon-reload failed: Failed to connect to bus: No medium found");
    expect(s.err()).toContain("systemctl --user daemon-reload && systemctl --user enable --now nemoclaw-lab-apply.timer nemoclaw-lab-backup-nightly.timer");
    expect(s.err()).toContain("Where systemd is absent, use --cron instead.");
    expect(existsSync(join(unitDir(), "nemoclaw-lab-apply.timer"))).toBe(true);
  });

  it("never overwrites a unit another fleet file wrote under the same name", async () => {
    mkdirSync(unitDir(), { recursive: true });
    writeFileSync(join(unitDir(), "nemoclaw-lab-apply.service"), "# The apply job of fleet lab (/srv/other/fleet.yaml),\n");
    const s = setup();
    expect(await runSchedule("install", fleetFile(), options(), s.deps)).toBe(ExitCode.Error);
    expect(s.err()).toContain("nemoclaw-lab-apply.service exists and was not written for");
    expect(readFileSync(join(unitDir(), "nemoclaw-lab-apply.service"), "utf8")).toBe("# The apply job of fleet lab (/srv/other/fleet.yaml),\n");
  });

  it("remove disables the timers and deletes only this fleet's units; install drops a job the fleet file no longer has", async () => {
    await runSchedule("install", fleetFile(), options(), setup().deps);
    writeFileSync(join(unitDir(), "unrelated.service"), "[Service]\n");
    writeFileSync(fleetFile(), readFileSync(fleetFile(), "utf8").replace('  - { name: nightly, schedule: "0 2 * * *" }\n', ""));
    const reinstall = setup();
    await runSchedule("install", fleetFile(), options(), reinstall.deps);
    expect(reinstall.systemctl[0]).toEqual(["disable", "--now", "nemoclaw-lab-backup-nightly.timer"]);
    expect(reinstall.out()).toContain("(removed nemoclaw-lab-backup-nightly.service, nemoclaw-lab-backup-nightly.timer, no longer in the fleet file)");
    const s = setup();
    expect(await runSchedule("remove", fleetFile(), options(), s.deps)).toBe(ExitCode.Ok);
    expect(s.systemctl).toEqual([["disable", "--now", "nemoclaw-lab-apply.timer"], ["daemon-reload"]]);
    expect(readdirSync(unitDir())).toEqual(["unrelated.service"]);
    expect(s.out()).toContain("is kept (it holds your secrets)");
  });

  it("refuses without flock on PATH", async () => {
    const s = setup();
    s.deps.env.PATH = "/nonexistent";
    expect(await runSchedule("install", fleetFile(), options(), s.deps)).toBe(ExitCode.Error);
    expect(s.err()).toBe("nemoclaw schedule install: flock (util-linux) is not on PATH: the scheduled runs take it so that they never overlap; install util-linux\n");
  });
});

describe("schedule install --cron", () => {
  it("keeps the fleet's lines in a marked block of the user's crontab, backups checked every 15 minutes against their UTC schedule", async () => {
    const s = setup();
    expect(await runSchedule("install", fleetFile(), options({ cron: true }), s.deps)).toBe(ExitCode.Ok);
    const block = crontabBlockOf(s.crontab(), "lab", fleetFile())!;
    const lines = block.split("\n");
    expect(s.crontab().startsWith("MAILTO=ops\n# BEGIN nemoclaw fleet lab")).toBe(true);
    expect(lines[2]).toBe(
      `*/5 * * * * cd ${dir} && { while read -r l||[ "$l" ];do n=\${l\\%\\%=*};case $n in ''|[!A-Za-z_]*|*[!A-Za-z0-9_]*);;*)[ "$n" = "$l" ]||export "$l";;esac;done<${dir}/home/.config/nemoclaw-fleet/lab.env; } && ` +
        `export PATH=${dir}/bin:/usr/bin:/bin XDG_STATE_HOME=${dir}/home/.local/state NO_COLOR=1 && set -- /usr/bin/node /opt/nemoclaw/dist/cli/main.js && ` +
        `{ ${dir}/bin/flock --verbose --wait 300 --conflict-exit-code 75 ${dir}/home/.local/state/nemoclaw-fleet/schedule/lab.lock "$@" apply ${fleetFile()} --max-risk safe --yes --lock-timeout 5m; "$@" history prune --older-than 30d >/dev/null; }`,
    );
    expect(lines[3]).toMatch(/^\*\/15 \* \* \* \* .* backup run .* --policy nightly --due$/);
    expect(s.out()).toContain("note: cron reads times in this machine's time zone while backup schedules are UTC");
    expect(await runSchedule("remove", fleetFile(), options({ cron: true }), s.deps)).toBe(ExitCode.Ok);
    expect(s.crontab()).toBe("MAILTO=ops\n");
  });

  it("says which line is longer than Debian's cron takes, and why crontab refused it", async () => {
    const s = setup();
    s.deps.env.PATH = `${join(dir, "bin")}:${"/opt/a-very-long-tool-directory/bin:".repeat(20)}/usr/bin:/bin`;
    s.deps.crontab.write = async () => {
      throw new Error('crontab -: "-":3: command too long\nerrors in crontab file, can\'t install.');
    };
    expect(await runSchedule("show", fleetFile(), options({ cron: true }), s.deps)).toBe(ExitCode.Ok);
    expect(s.out()).toMatch(/^note: the command of the apply line is \d+ bytes, the backup-nightly line is \d+ bytes; Debian's and Ubuntu's cron refuses a command over 998 bytes: shorten it/m);
    expect(await runSchedule("install", fleetFile(), options({ cron: true }), s.deps)).toBe(ExitCode.Error);
    expect(s.err()).toMatch(/^nemoclaw schedule install: crontab -: "-":3: command too long\nerrors in crontab file, can't install.\n  the command of the apply line is \d+ bytes/m);
  });

  it("refuses an interval cron cannot keep", async () => {
    const s = setup();
    expect(await runSchedule("install", fleetFile(), options({ cron: true, every: 420_000 }), s.deps)).toBe(ExitCode.Error);
    expect(s.err()).toMatch(/^nemoclaw schedule install: cron cannot run a job every 7m/);
    expect(s.crontab()).toBe("MAILTO=ops\n");
  });
});
