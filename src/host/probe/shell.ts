/**
 * The probe's shell framework. The probe is one POSIX sh script (dash and bash; no bashisms),
 * sent on stdin to `sh -s`, that observes a whole host in ONE exec. Each adapter contributes a
 * fragment built on the functions defined here: every external command runs once, bounded by
 * `timeout` where the host has it, with stdin from /dev/null (so no command can swallow the rest
 * of the script), and its stdout+stderr and exit code are printed as one delimited section (format
 * in sections.ts). A missing binary or file is normal and yields an `absent` section. The shell
 * only enumerates names to fan out (gateways, sandboxes, pids); what the outputs mean is decided
 * by each adapter's readers.
 *
 * Variables the fragments share: NCF_T (seconds per command), NCF_GWS (gateway names to ask about,
 * grown with `ncf_add_gw`), NCF_DOCKER/NCF_DOCKER_OK (docker fragment), NCF_OS/NCF_OS_VER and
 * `ncf_os_ge` (OpenShell binaries fragment).
 */

/**
 * Shell source is written with String.raw so backslashes stay literal; a shell `${…}` is
 * written `\${…}` (so JavaScript does not substitute it) and unescaped here.
 */
export function shell(strings: TemplateStringsArray, ...values: Array<string | number>): string {
  return String.raw({ raw: strings.raw }, ...values).replaceAll("\\${", "${");
}

/** Names the shell may turn into a section key or an argument (same rule as `ncf_valid`). */
export const PROBE_SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const PROBE_FRAMEWORK = shell`
unset IFS

ncf_emit() { # section key rc body
  if [ -n "$2" ]; then printf '@@NCF %s BEGIN %s %s\n' "$NCF_NONCE" "$1" "$2"; else printf '@@NCF %s BEGIN %s\n' "$NCF_NONCE" "$1"; fi
  printf '%s\n@@NCF %s END %s rc=%s\n' "$4" "$NCF_NONCE" "$1" "$3"
}
ncf_absent() { ncf_emit "$1" "$2" absent "$3"; }

# Bound every command when the host has coreutils (or busybox) timeout.
if timeout -k 1 5 true </dev/null >/dev/null 2>&1; then NCF_TO='timeout -k 2'
elif timeout 5 true </dev/null >/dev/null 2>&1; then NCF_TO=timeout
else NCF_TO=; fi

ncf_capture() { # seconds command args... -> NCF_OUT, NCF_RC
  ncf_t=$1; shift
  if [ -n "$NCF_TO" ]; then NCF_OUT=$($NCF_TO "$ncf_t" "$@" </dev/null 2>&1); else NCF_OUT=$("$@" </dev/null 2>&1); fi
  NCF_RC=$?
}
ncf_run() { # section key seconds command args...
  ncf_s=$1; ncf_k=$2; shift 2
  ncf_capture "$@"
  ncf_emit "$ncf_s" "$ncf_k" "$NCF_RC" "$NCF_OUT"
}
ncf_file() { # section key path
  if [ -f "$3" ]; then ncf_run "$1" "$2" "$NCF_T" cat "$3"; else ncf_absent "$1" "$2" "no such file: $3"; fi
}
ncf_valid() { # names that may become a section key or an argument
  case $1 in ''|-*|*[!A-Za-z0-9._-]*) return 1 ;; esac
  return 0
}
ncf_find() { # override name candidates... -> NCF_FOUND (override, then PATH, then candidates)
  for ncf_c in "$1" "$(command -v "$2" 2>/dev/null)"; do
    case $ncf_c in /*) if [ -f "$ncf_c" ] && [ -x "$ncf_c" ]; then NCF_FOUND=$ncf_c; return 0; fi ;; esac
  done
  shift 2
  for ncf_c in "$@"; do
    if [ -f "$ncf_c" ] && [ -x "$ncf_c" ]; then NCF_FOUND=$ncf_c; return 0; fi
  done
  NCF_FOUND=
  return 1
}
NCF_GWS=
ncf_add_gw() {
  ncf_valid "$1" || return 0
  case " $NCF_GWS " in *" $1 "*) ;; *) NCF_GWS="$NCF_GWS $1" ;; esac
}
set -f
for ncf_g in $NCF_DESIRED; do ncf_add_gw "$ncf_g"; done
set +f

ncf_emit meta '' 0 "probe=1
user=$(id -un 2>/dev/null)
home=$HOME
timeout=$NCF_TO
openshell_gateway_env=\${OPENSHELL_GATEWAY:-}"
`;

/** The last section: a probe that printed it ran to its end. */
export const PROBE_END = `ncf_emit done '' 0 ''\n`;

/** The section a probe prints when it waits for its caller's answer (see `askFragment`). */
const PROBE_ASK = "ask";

/**
 * The probe's last command when its caller answers from what the probe found, in the same session
 * (SpawnOptions.scriptInputOpen): the question is printed as the `ask` section, one line is read
 * from stdin into NCF_ANSWER (empty when the input ends without one), and `then` runs with it. It
 * is one `{ … }` group, so the shell has read all of it before it asks, and the answer reaches
 * `read`, never the shell's parser.
 */
export function askFragment(then: string): string {
  return `{ ncf_emit ${PROBE_ASK} '' 0 ''\nIFS= read -r NCF_ANSWER || NCF_ANSWER=\n${then}\n}\n`;
}

/** What the probe prints once it waits for the answer: the end of its `ask` section. */
export function askedMarker(nonce: string): string {
  return `@@NCF ${nonce} END ${PROBE_ASK} rc=0\n`;
}
