/**
 * The one place where argument lists become POSIX shell text. SSH executes a command string,
 * so every argv bound for a remote host passes through `renderArgv`; the same rendering is what
 * plans show and journals record (with secrets redacted before they get here).
 */

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Quote one word for sh: bare when it is obviously safe, single-quoted otherwise. */
export function quote(word: string): string {
  if (word === "") return "''";
  if (SAFE_WORD.test(word)) return word;
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}

export function renderArgv(argv: readonly string[]): string {
  return argv.map(quote).join(" ");
}

export function assertEnvName(name: string): void {
  if (!ENV_NAME.test(name)) throw new Error(`invalid environment variable name: ${JSON.stringify(name)}`);
}

/** `env K=V … argv` rendering for non-secret environment. */
export function renderWithEnv(argv: readonly string[], env: Record<string, string> = {}): string {
  const names = Object.keys(env);
  if (names.length === 0) return renderArgv(argv);
  for (const name of names) assertEnvName(name);
  const assignments = names.map((name) => `${name}=${quote(env[name] ?? "")}`);
  return `env ${assignments.join(" ")} ${renderArgv(argv)}`;
}

/**
 * A shell command that reads `names.length` lines from stdin into those environment variables,
 * exports them, then runs argv with the rest of stdin. The secret values travel only on stdin.
 */
export function renderSecretPrelude(names: readonly string[], argv: readonly string[]): string {
  for (const name of names) assertEnvName(name);
  const reads = names.map((name) => `IFS= read -r ${name} && export ${name}`).join(" && ");
  return `sh -c ${quote(`${reads} && exec "$@"`)} sh ${renderArgv(argv)}`;
}

/** Secret values are delivered one per line; a newline inside one would corrupt the stream. */
export function encodeSecretLines(values: readonly string[]): string {
  for (const value of values) {
    if (value.includes("\n") || value.includes("\r")) {
      throw new Error("a secret value contains a line break; secrets must be single-line");
    }
  }
  return values.map((value) => `${value}\n`).join("");
}

/**
 * Prefix of the line a supervised remote command prints first on stderr, carrying its process
 * group, and on stdout: what the login shell's startup files printed before it is theirs, not the
 * command's, and is dropped (src/transport/ssh.ts).
 */
export const PROCESS_GROUP_MARKER = "nemoclaw-fleet-pgid:";

/**
 * sshd runs every command as `<login shell> -c TEXT` (OpenSSH session.c, do_child), and the login
 * shell may be fish or tcsh as well as a POSIX one. TEXT is POSIX sh, so it is handed to `sh` as
 * the argument of a fixed bootstrap that every one of these shells reads alike: a single-quoted
 * word holding none of the characters some shell reads specially inside one — fish unescapes
 * `\\` and `\'`, csh expands `!` and refuses a newline — each written as a `printf %b` octal
 * escape (`\0NNN`) that sh decodes back to exactly TEXT. `exec` keeps the pid, so `$$` is still
 * the session leader (see `renderSupervised`).
 */
export function renderForLoginShell(text: string): string {
  // `set --` first: TEXT sees no positional parameters, as under `sh -c TEXT`, not the word itself.
  const word = `set --\n${text}`.replace(/[\\'!\n]/g, (c) => `\\0${c.charCodeAt(0).toString(8).padStart(3, "0")}`);
  return `exec sh -c 'eval "$(printf %b "$1")"' sh '${word}'`;
}

/**
 * Wrap shell text (run by `sh` through `renderForLoginShell`) so the command can always be stopped:
 * - sshd makes the session shell a session leader and the text ends in `exec`, so `$$` is both
 *   the command's pid and its process group; it is reported on stderr (one marker line, also
 *   printed on stdout, where it ends the login shell's startup output) so a
 *   `kill -- -<pgid>` on another channel reaches the whole group (an SSH signal request reaches
 *   only the leader, and sshd refuses it for root logins);
 * - a watchdog in the same group polls the sshd session process (`$PPID`) and kills the group
 *   when that process is gone, so a dropped connection or a crashed controller leaves nothing
 *   running. `$$` is also the session id, and the whole session is killed too: GNU `timeout`
 *   (which bounds each command of a step, src/host/batch.ts) moves itself and its command into a
 *   process group of its own when it is not a session leader, out of reach of `kill -- -$$`
 *   (coreutils timeout.c: `setpgid (0, 0)` unless --foreground); `pkill -s` reaches it. It holds none of the session's pipes, so it never delays the channel's close. It
 *   looks often at first and then every `pollSeconds`, so after the many short commands of a run
 *   it goes away almost at once (`sleep 1` where fractional sleeps are not supported).
 */
export function renderSupervised(command: string, pollSeconds = 5): string {
  if (!Number.isInteger(pollSeconds) || pollSeconds < 1) throw new Error(`invalid watchdog interval: ${pollSeconds}`);
  const watchdog =
    `(trap '' INT HUP; n=0; while kill -0 $$ 2>/dev/null; do ` +
    `kill -0 $PPID 2>/dev/null || { pkill -KILL -s $$ 2>/dev/null; kill -s KILL -- -$$ 2>/dev/null; exit 0; }; ` +
    `case $n in 0) t=0.1;; 1) t=0.5;; *) t=${pollSeconds};; esac; n=$((n+1)); sleep $t 2>/dev/null || sleep 1; done)` +
    ` </dev/null >/dev/null 2>&1 &`;
  return `echo ${PROCESS_GROUP_MARKER}$$ >&2; echo ${PROCESS_GROUP_MARKER}$$; ${watchdog} exec ${command}`;
}

/**
 * `kill` for a supervised command's process group, run on a separate channel; the group id is
 * also its session id, and the session is signalled as well (`pkill -s`, where the host has it),
 * for the process groups `timeout` made inside it (see `renderSupervised`).
 */
export function renderKillProcessGroup(pgid: number, signal: "TERM" | "KILL"): string {
  if (!Number.isInteger(pgid) || pgid <= 1) throw new Error(`invalid process group id: ${pgid}`);
  return `${renderArgv(["pkill", `-${signal}`, "-s", String(pgid)])} 2>/dev/null; ${renderArgv(["kill", "-s", signal, "--", `-${pgid}`])}`;
}
