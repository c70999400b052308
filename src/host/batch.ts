/**
 * A step's planned commands as one shell fragment, so they and the observation that checks them
 * share ONE round trip (docs/performance.md): the commands run in order, each with its own
 * environment, stdin from /dev/null and its stdout and stderr kept apart, and the first that fails
 * (an exit code outside its own `okExitCodes`) stops the rest. Each command's result comes back as
 * probe-format sections (src/host/probe/sections.ts); the fragment runs inside the probe's
 * framework, before the probe's own fragments.
 *
 * Secret values reach the shell as environment variables on stdin (the transport's secret prelude);
 * the fragment moves each into a shell variable, unsets it, and hands it to exactly the commands
 * that name it — never to the other commands, nor to the observation after them.
 */
import { formatSecretRef } from "../config/secrets.js";
import { assertEnvName, renderArgv } from "../transport/shell.js";
import type { CommandOutcome, PlannedCommand, ResolvedSecrets } from "./command.js";
import type { ProbeOutput } from "./probe/sections.js";

/** Section names: `batch-out <i>` and `batch-err <i>`, the index in the batch, with the command's exit code. */
const OUT = "batch-out";
const ERR = "batch-err";
/** `batch-timeout <i>`: the step's deadline passed before or while command i ran. */
const TIMEOUT = "batch-timeout";

/**
 * Where NemoClaw's installer puts `nemoclaw` (its shim) and, without a TTY or a writable
 * /usr/local/bin, `openshell` too: `~/.local/bin`, which its installer adds to PATH only in the
 * shell profile, so a non-login SSH session lacks it (real-cli-2026-12 §8.2;
 * NC@d50338aa:scripts/install.sh:912,1119-1169,1188-1235). The observation finds the tools there
 * (PATH first, then ~/.local/bin); the commands run against them must find the same ones, so the
 * directory is appended to PATH: a tool already on PATH still wins.
 *
 * A `nemoclaw` installed with npm but without the ~/.local/bin shim — under ~/.npm-global/bin, or
 * under nvm (~/.nvm/versions/node/<v>/bin) — is found by the observation next
 * (src/host/nemoclaw/probe.ts, NEMOCLAW_BINARY_PROBE), which runs it with its own directory first
 * on PATH: it is a Node script, and the `node` beside it is the one it was installed with. When no
 * `nemoclaw` is on PATH, commands get that same directory first, so what was observed is what runs.
 */
export const TOOL_PATH =
  'case ":$PATH:" in *":$HOME/.local/bin:"*) ;; *) PATH="${PATH:+$PATH:}$HOME/.local/bin"; export PATH ;; esac; ' +
  'command -v nemoclaw >/dev/null 2>&1 || for ncf_nd in "$HOME/.npm-global/bin" "$HOME"/.nvm/versions/node/*/bin; do ' +
  'if [ -f "$ncf_nd/nemoclaw" ] && [ -x "$ncf_nd/nemoclaw" ]; then PATH="$ncf_nd:$PATH"; export PATH; break; fi; done';

export interface CommandBatch {
  /** Shell source for the probe framework (it uses `ncf_emit`). */
  fragment: string;
  /** Values for the transport's secret prelude, by environment variable name. */
  secretEnv: Record<string, string>;
}

/**
 * The fragment running `commands`. A variable name two commands give different secret values is
 * refused (split the batch instead): one name carries one value through the prelude.
 */
export function commandBatch(commands: readonly PlannedCommand[], secrets: ResolvedSecrets, timeoutMs: number): CommandBatch {
  const secretEnv: Record<string, string> = {};
  const lines = [
    TOOL_PATH,
    // mktemp honours TMPDIR, which the login user's startup files may point anywhere (docs/ssh.md).
    'ncf_b_dir=$(mktemp -d 2>/dev/null) || { echo "cannot make a temporary directory in ${TMPDIR:-/tmp}${TMPDIR:+ (TMPDIR on the host; the host\'s environment: in the fleet file can set another)}" >&2; exit 3; }',
    "ncf_b_ok=1",
    // The step's deadline, for every command together; `timeout` (NCF_TO) enforces it where the host has one.
    `ncf_b_end=$(( $(date +%s) + ${Math.max(1, Math.ceil(timeoutMs / 1000))} ))`,
  ];
  for (const command of commands) {
    for (const [name, value] of Object.entries(command.env ?? {})) {
      if (!("secret" in value)) continue;
      assertEnvName(name);
      const resolved = secrets.get(formatSecretRef(value.secret));
      if (resolved === undefined) throw new Error(`secret ${formatSecretRef(value.secret)} for ${name} was not resolved`);
      if (secretEnv[name] !== undefined && secretEnv[name] !== resolved) throw new Error(`${name} carries two different secrets in one batch`);
      secretEnv[name] = resolved;
    }
  }
  lines.push(...secretCapture(Object.keys(secretEnv)));
  commands.forEach((command, index) => {
    const assignments: string[] = [];
    const literal: string[] = [];
    for (const [name, value] of Object.entries(command.env ?? {})) {
      if ("secret" in value) assignments.push(`${name}="$ncf_s_${name}"`);
      else literal.push(`${name}=${value.value}`);
    }
    const argv = literal.length > 0 ? ["env", ...literal, ...command.argv] : [...command.argv];
    const okCodes = (command.okExitCodes ?? [0]).join("|");
    lines.push(
      `if [ "$ncf_b_ok" = 1 ]; then`,
      `  ncf_b_left=$((ncf_b_end - $(date +%s)))`,
      `  if [ "$ncf_b_left" -le 0 ]; then ncf_b_ok=0; ncf_emit ${TIMEOUT} ${index} 0 ''; else`,
      `  ${[...assignments, `$NCF_TO \${NCF_TO:+"$ncf_b_left"}`, renderArgv(argv)].join(" ")} </dev/null >"$ncf_b_dir/o" 2>"$ncf_b_dir/e"; ncf_b_rc=$?`,
      `  if [ -n "$NCF_TO" ] && [ "$(date +%s)" -ge "$ncf_b_end" ] && { [ "$ncf_b_rc" = 124 ] || [ "$ncf_b_rc" = 137 ]; }; then ncf_b_ok=0; ncf_emit ${TIMEOUT} ${index} 0 ''; fi`,
      `  ncf_emit ${OUT} ${index} "$ncf_b_rc" "$(cat "$ncf_b_dir/o")"`,
      `  ncf_emit ${ERR} ${index} "$ncf_b_rc" "$(cat "$ncf_b_dir/e")"`,
      `  case $ncf_b_rc in ${okCodes}) ;; *) ncf_b_ok=0 ;; esac`,
      "  fi",
      "fi",
    );
  });
  lines.push(`rm -rf -- "$ncf_b_dir"`, ...Object.keys(secretEnv).map((name) => `unset ncf_s_${name}`));
  return { fragment: `${lines.join("\n")}\n`, secretEnv };
}

/**
 * Moves each secret from the environment into a shell variable (`ncf_s_<NAME>`) and unsets it, so
 * no command started afterwards inherits it. The probe does this first thing (src/observe/probe.ts),
 * before its own commands (`timeout`, `id`) run; the batch does it again, keeping a value already
 * moved.
 */
export function secretCapture(names: readonly string[]): string[] {
  return names.map((name) => {
    assertEnvName(name);
    return `ncf_s_${name}=\${ncf_s_${name}-\${${name}-}}; unset ${name}`;
  });
}

/** Shell that runs after the batch (and the observation) only when every command of the batch succeeded. */
export function ifBatchSucceeded(fragment: string): string {
  return `if [ "$ncf_b_ok" = 1 ]; then\n${fragment}fi\n`;
}

/**
 * What each command of the batch did, in order, up to the first that failed or did not report
 * (`stopped` says why: the round trip timed out, or ended early). Commands after those did not run.
 */
export function readCommandBatch(probe: ProbeOutput, batch: { commands: readonly PlannedCommand[] }, stopped: { timedOut: boolean; error: unknown }): CommandOutcome[] {
  const outcomes: CommandOutcome[] = [];
  for (const [index, command] of batch.commands.entries()) {
    if (probe.get(TIMEOUT, String(index)) !== undefined) {
      const out = probe.get(OUT, String(index));
      const err = probe.get(ERR, String(index));
      outcomes.push({ exitCode: null, ok: false, stdout: out?.body ?? "", stderr: err?.body ?? "", timedOut: true, error: null });
      return outcomes;
    }
    const out = probe.get(OUT, String(index));
    const err = probe.get(ERR, String(index));
    if (out === undefined || err === undefined || !out.complete || !err.complete || out.exitCode === null) {
      outcomes.push({ exitCode: null, ok: false, stdout: out?.body ?? "", stderr: err?.body ?? "", timedOut: stopped.timedOut, error: stopped.timedOut ? null : (stopped.error ?? new Error("the round trip ended before this command reported")) });
      return outcomes;
    }
    const ok = (command.okExitCodes ?? [0]).includes(out.exitCode);
    outcomes.push({ exitCode: out.exitCode, ok, stdout: withNewline(out.body), stderr: withNewline(err.body), timedOut: false, error: null });
    if (!ok) return outcomes;
  }
  return outcomes;
}

/** `$(cat …)` drops the output's final newlines; one is put back so joined outputs stay on their lines. */
function withNewline(text: string): string {
  return text === "" || text.endsWith("\n") ? text : `${text}\n`;
}
