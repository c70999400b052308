/** Backup policies: unique names, selectors that select, valid cron, sensible retention and destination. */
import { parseCron } from "../cron.js";
import { resolveLocalPath } from "../hosts/layers.js";
import { argumentProblem, nameProblem } from "../names.js";
import { globToRegExp } from "../selectors.js";
import type { Path } from "../source.js";
import { didYouMean } from "../suggest.js";
import type { BackupDestination, DesiredBackupPolicy } from "../types.js";
import { globProblem, resolveSelector, type BuildContext } from "./context.js";

export const DEFAULT_BACKUP_PATH = "./backups";

export function buildBackupPolicies(ctx: BuildContext): DesiredBackupPolicy[] {
  const { yaml, bag } = ctx;
  const policies: DesiredBackupPolicy[] = [];
  const firstLine = new Map<string, number>();
  for (const [index, raw] of ctx.checked.items(ctx.checked.data.backupPolicies)) {
    const at: Path = ["backupPolicies", index];
    let ok = true;
    const fail = (field: Path, message: string): void => {
      bag.error(yaml.ref([...at, ...field]), message);
      ok = false;
    };

    const nameIssue = nameProblem("policy", raw.name);
    if (nameIssue !== undefined) fail(["name"], nameIssue);
    const earlier = firstLine.get(raw.name);
    if (earlier !== undefined) fail(["name"], `duplicate backup policy "${raw.name}" (first declared at line ${earlier})`);
    else firstLine.set(raw.name, yaml.ref([...at, "name"]).line);

    const placement = resolveSelector(raw.hosts, [...at, "hosts"], ctx);
    if (placement === undefined) ok = false;

    const globs = raw.sandboxes ?? ["*"];
    const names = new Set((placement?.hosts ?? []).flatMap((h) => h.sandboxes.map((s) => s.name)));
    // The file's sandboxes only: `backup run` also backs up what the hosts run without the file
    // naming it (docs/backups.md), which validate, contacting no host, cannot know.
    if (placement !== undefined && names.size === 0) {
      bag.warning(yaml.ref([...at, "name"]), `backup policy "${raw.name}" covers no sandbox this file declares on its hosts; backup run will back up only the sandboxes they are found running`);
    }
    // By each glob's place in the file, which an entry the schema check dropped does not shift.
    for (const [i, glob] of ctx.checked.items(globs)) {
      const problem = globProblem(glob) ?? argumentProblem("sandbox glob", glob);
      if (problem !== undefined) {
        fail(["sandboxes", i], problem);
        continue;
      }
      if (names.size > 0 && ![...names].some((n) => globToRegExp(glob).test(n))) {
        bag.warning(yaml.ref([...at, "sandboxes", i]), `"${glob}" matches no sandbox this file declares on the policy's hosts${didYouMean(glob, names)}`);
      }
    }

    if (raw.schedule !== undefined) {
      const cron = parseCron(raw.schedule);
      if (!cron.ok) fail(["schedule"], cron.message);
    }

    const retention = raw.retention ?? {};
    const keeps = Object.values(retention);
    if (raw.retention !== undefined && keeps.length > 0 && keeps.every((n) => n === 0)) {
      fail(["retention"], "this retention keeps no backups at all; raise a keep* value or remove retention to keep everything");
    }

    const destination = backupDestination(raw.destination, at, ctx);
    if (destination === undefined) ok = false;

    if (ok && placement !== undefined && destination !== undefined) {
      policies.push({
        name: raw.name,
        hosts: placement.selector,
        sandboxNames: globs,
        ...(raw.schedule === undefined ? {} : { schedule: raw.schedule.trim() }),
        retention,
        destination,
        verify: raw.verify ?? true,
        beforeDisruptive: raw.beforeDisruptive ?? true,
        strict: raw.strict ?? false,
        source: yaml.ref(at),
      });
    }
  }
  return policies;
}

/** A directory here (relative to the fleet file), or an absolute directory on a fleet host. */
function backupDestination(raw: { path: string; host?: string } | undefined, at: Path, ctx: BuildContext): BackupDestination | undefined {
  const { yaml, bag } = ctx;
  const path = raw?.path ?? DEFAULT_BACKUP_PATH;
  const problem = argumentProblem("destination path", path);
  if (problem !== undefined) {
    bag.error(yaml.ref([...at, "destination", "path"]), problem);
    return undefined;
  }
  if (raw?.host === undefined) return { kind: "local", path: resolveLocalPath(path, ctx.baseDir) };
  if (!ctx.hostsByName.has(raw.host)) {
    bag.error(yaml.ref([...at, "destination", "host"]), `backup destination host "${raw.host}" is not in the fleet${didYouMean(raw.host, ctx.hostsByName.keys())}`);
    return undefined;
  }
  if (!path.startsWith("/")) {
    bag.error(yaml.ref([...at, "destination", "path"]), `a destination on host ${raw.host} needs an absolute path (like /srv/nemoclaw-backups), not "${path}"`);
    return undefined;
  }
  return { kind: "ssh", host: raw.host, path };
}
