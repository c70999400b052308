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
import { shell } from "../probe/shell.js";

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

export const PROXY_ENV_FILE = "/tmp/nemoclaw-proxy-env.sh";
/** NemoClaw's GATEWAY_PRELOAD_GUARDS: an agent gateway must never run without these two. */
export const CRITICAL_PRELOADS = ["sandbox-safety-net.js", "ciao-network-guard.js"] as const;

/** The proxy env and the two critical preloads NemoClaw's guard recovery restores (real-cli-2026-12 §5). */
export const GUARD_FILE_PATHS: readonly string[] = [PROXY_ENV_FILE, ...CRITICAL_PRELOADS.map((name) => `/tmp/nemoclaw-${name}`)];

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

/**
 * Runs inside each sandbox as the sandbox user: stat of the guard files, the OpenClaw gateway
 * lock files with their contents, and the processes whose command line mentions openclaw (only
 * their first three argv words, so no argument values leave the sandbox). Line format in
 * parsers/sandbox-guards.ts.
 */
export const GUARD_PROBE_SCRIPT = [
  `printf '%s\\n' ${GUARDS_BEGIN}`,
  `for f in ${GUARD_FILE_PATHS.join(" ")}; do`,
  shell`  if [ -e "$f" ] || [ -L "$f" ]; then stat -c 'guard|%n|%u|%U|%g|%G|%a|%F' "$f" 2>&1 | head -n 1; else printf 'guard-missing|%s\n' "$f"; fi`,
  "done",
  "for d in /tmp/openclaw-*; do",
  shell`  [ -d "$d" ] || continue`,
  shell`  if [ -r "$d" ] && [ -x "$d" ]; then`,
  shell`    for l in "$d"/gateway.*.lock; do`,
  shell`      [ -f "$l" ] || continue`,
  shell`      printf 'lock|%s|' "$l" | tr '\n' ' '; head -c 1024 "$l" 2>/dev/null | tr '\n\r' '  '; printf '\n'`,
  "    done",
  shell`  else printf 'lockdir-unreadable|%s\n' "$d"; fi`,
  "done",
  shell`for c in $(grep -l openclaw /proc/[0-9]*/cmdline 2>/dev/null); do`,
  shell`  p=\${c#/proc/}; p=\${p%/cmdline}`,
  shell`  a=$(tr '\n\t\000' '  \n' < "$c" 2>/dev/null | head -n 3 | cut -c 1-200 | tr '\n' '\t')`,
  shell`  printf 'proc|%s|%s\n' "$p" "$a"`,
  "done",
  `printf '%s\\n' ${GUARDS_END}`,
].join("\n");
