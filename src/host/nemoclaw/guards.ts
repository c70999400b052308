/**
 * What the probe's in-sandbox script reports (run through `openshell sandbox exec`), between
 * `NCF-GUARDS-BEGIN` and `NCF-GUARDS-END`, one record per line, fields separated by `|`:
 *   guard|<path>|<uid>|<user>|<gid>|<group>|<octal mode>|<stat %F type>
 *   guard-missing|<path>
 *   lock|<path>|<first KiB of the lock file, newlines flattened>
 *   lockdir-unreadable|<dir>
 *   proc|<pid>|<argv0>\t<argv1>\t<argv2>      (processes whose cmdline mentions openclaw)
 * Some OpenShell versions frame exec output as `stdout: …` / `[stdout] …`; that is stripped.
 * Whether a process is an OpenClaw gateway, and whether a lock is stale, is decided here.
 */
import type { Fact } from "../output.js";
import { classifyOpenShellError, describeOpenShellError } from "../openshell/errors.js";
import { type Captured, describeExit, extractJson, isRecord, known, stripAnsi, unknown } from "../output.js";

export interface GuardFile {
  path: string;
  present: boolean;
  owner: string | null;
  group: string | null;
  /** Octal permission bits, e.g. `444`. */
  mode: string | null;
  /** `regular file`, `symbolic link`, … as `stat` reports it. */
  type: string | null;
}

export interface GatewayLockFile {
  path: string;
  pid: number | null;
  /** True when no live OpenClaw gateway process in the sandbox owns the lock. */
  stale: boolean;
}

export interface SandboxGuards {
  files: GuardFile[];
  locks: GatewayLockFile[];
  /** Pids of OpenClaw gateway processes running in the sandbox. */
  agentGatewayPids: number[];
  /**
   * `/tmp/openclaw-*` directories the probe could not list as the sandbox user: their locks are
   * missing from `locks`, so "no stale lock" is not proven for them.
   */
  unreadableLockDirs?: string[];
}

/** The proxy env and the two critical preloads NemoClaw's guard recovery restores (reference §5). */
export const GUARD_FILE_PATHS = [
  "/tmp/nemoclaw-proxy-env.sh",
  "/tmp/nemoclaw-sandbox-safety-net.js",
  "/tmp/nemoclaw-ciao-network-guard.js",
] as const;

export const GUARDS_BEGIN = "NCF-GUARDS-BEGIN";
export const GUARDS_END = "NCF-GUARDS-END";

export interface ParsedGuards extends SandboxGuards {
  /** Lock directories the probe could not list (their locks are not in `locks`). */
  unreadableLockDirs: string[];
}

export function parseSandboxGuards(run: Captured): Fact<ParsedGuards> {
  const lines = stripAnsi(run.output)
    .replace(/\r/g, "")
    .split("\n")
    .map((line) => line.replace(/^(?:\[(?:stdout|stderr)\]|(?:stdout|stderr):)\s?/, ""));
  const begin = lines.indexOf(GUARDS_BEGIN);
  const end = lines.indexOf(GUARDS_END, begin + 1);
  if (begin < 0 || end < 0) {
    const error = classifyOpenShellError(run.output);
    const why = error ? describeOpenShellError(error) : `sandbox exec ${describeExit(run.exitCode)} without running the probe`;
    return unknown(`could not look inside the sandbox: ${why}`, run.output);
  }

  const files = new Map<string, GuardFile>();
  const rawLocks: Array<{ path: string; pid: number | null }> = [];
  const unreadableLockDirs: string[] = [];
  const agentGatewayPids: number[] = [];
  for (const line of lines.slice(begin + 1, end)) {
    const [kind, ...fields] = line.split("|");
    if (kind === "guard" && fields.length >= 7) {
      const [path, uid, user, gid, group, mode, type] = fields as [string, string, string, string, string, string, string];
      files.set(path, { path, present: true, owner: nameOrId(user, uid), group: nameOrId(group, gid), mode, type });
    } else if (kind === "guard-missing" && fields[0]) {
      files.set(fields[0], { path: fields[0], present: false, owner: null, group: null, mode: null, type: null });
    } else if (kind === "lock" && fields[0]) {
      rawLocks.push({ path: fields[0], pid: lockPid(fields.slice(1).join("|")) });
    } else if (kind === "lockdir-unreadable" && fields[0]) {
      unreadableLockDirs.push(fields[0]);
    } else if (kind === "proc" && fields.length >= 2 && /^\d+$/.test(fields[0]!)) {
      if (isOpenClawGateway(fields.slice(1).join("|").split("\t"))) agentGatewayPids.push(Number(fields[0]));
    }
  }

  const missingRecords = GUARD_FILE_PATHS.filter((path) => !files.has(path));
  if (missingRecords.length > 0) return unknown(`the sandbox probe did not report ${missingRecords.join(", ")}`, run.output);
  const locks: GatewayLockFile[] = rawLocks.map(({ path, pid }) => ({
    path,
    pid,
    // A lock without a readable pid is only stale when no gateway runs at all.
    stale: pid === null ? agentGatewayPids.length === 0 : !agentGatewayPids.includes(pid),
  }));
  return known({
    files: GUARD_FILE_PATHS.map((path) => files.get(path)!),
    locks,
    agentGatewayPids: [...new Set(agentGatewayPids)].sort((a, b) => a - b),
    unreadableLockDirs,
  });
}

function nameOrId(name: string, id: string): string {
  return name === "" || name === "UNKNOWN" ? id : name;
}

/** OpenClaw lock files hold `{pid, createdAt, configPath}`; older ones just a pid. */
function lockPid(contents: string): number | null {
  const json = extractJson(contents);
  if (isRecord(json) && typeof json.pid === "number" && Number.isInteger(json.pid)) return json.pid;
  const bare = /^\s*(\d+)\s*$/.exec(contents) ?? /"pid"\s*:\s*(\d+)/.exec(contents);
  return bare ? Number(bare[1]) : null;
}

/**
 * The processes NemoClaw's recovery kills as OpenClaw gateways (`[o]penclaw([ -]gateway| gateway
 * run|$)`), judged on the first argv words only, so a shell whose script merely mentions
 * openclaw never counts: `openclaw-gateway …`, `openclaw gateway …`, `node …/openclaw gateway …`.
 */
export function isOpenClawGateway(argv: string[]): boolean {
  // `openclaw` is a node script (`openclaw.mjs` behind the bin link); node may name either.
  const base = (word: string | undefined) => (word ?? "").split("/").at(-1)?.replace(/\.[cm]?js$/, "") ?? "";
  const [first, second, third] = argv.map((word) => word.trim());
  if (base(first) === "openclaw-gateway") return true;
  if (base(first) === "openclaw") return second === "gateway" || second === undefined || second === "";
  if (/^node(?:js)?$/.test(base(first))) {
    if (base(second) === "openclaw-gateway") return true;
    return base(second) === "openclaw" && (third === "gateway" || third === undefined || third === "");
  }
  return false;
}
