/**
 * The probe: one POSIX sh script (dash and bash; no bashisms), sent on stdin to `sh -s`, that
 * observes a whole host in ONE exec. It only reads: it runs each external command once, bounded
 * by `timeout` where the host has it and with stdin from /dev/null (so no command can swallow the
 * rest of the script), and prints the command's stdout+stderr and exit code as one delimited
 * section (format in sections.ts). A missing binary or file is normal and yields an `absent`
 * section. The shell only enumerates names to fan out (gateways, sandboxes, pids); every decision
 * about what the outputs mean is taken by the TypeScript parsers.
 */
import { randomBytes } from "node:crypto";
import { quote } from "../../transport/shell.js";
import { GUARD_FILE_PATHS, GUARDS_BEGIN, GUARDS_END } from "../nemoclaw/guards.js";

export interface ProbeInput {
  /** Marks this run's sections; never reaches any command's argv or environment. */
  nonce: string;
  /** Gateways the fleet file expects on the host: probed even when the CLI does not list them. */
  gatewayNames: readonly string[];
  /** Bound for each external command, seconds (NemoClaw's probe timeout is 15 s). */
  commandTimeoutSec?: number;
  /** Bound for each in-sandbox probe (`openshell sandbox exec`), seconds. */
  sandboxExecTimeoutSec?: number;
  /**
   * Enter every sandbox to check its guard files and gateway locks (default). Off for callers
   * that never read them: each check is a session into the sandbox, the probe's costliest part.
   */
  sandboxGuards?: boolean;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function newProbeNonce(): string {
  return randomBytes(16).toString("hex");
}

export function buildProbeScript(input: ProbeInput): string {
  if (!/^[0-9a-f]{16,}$/.test(input.nonce)) throw new Error("probe nonce must be at least 16 lowercase hex digits");
  for (const name of input.gatewayNames) {
    if (!SAFE_NAME.test(name)) throw new Error(`invalid gateway name for the probe: ${JSON.stringify(name)}`);
  }
  const header = [
    "# nemoclaw fleet probe (read-only)",
    `NCF_NONCE=${quote(input.nonce)}`,
    `NCF_DESIRED=${quote(input.gatewayNames.join(" "))}`,
    `NCF_T=${positiveSeconds(input.commandTimeoutSec ?? 15)}`,
    `NCF_TX=${positiveSeconds(input.sandboxExecTimeoutSec ?? 20)}`,
    `NCF_GUARD_SCRIPT=${quote(GUARD_SCRIPT)}`,
    `NCF_GUARDS=${input.sandboxGuards === false ? 0 : 1}`,
  ];
  return `${header.join("\n")}\n${PROBE_BODY}`;
}

function positiveSeconds(value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`probe timeout must be a whole number of seconds ≥ 1, got ${value}`);
  return value;
}

/**
 * Shell source is written with String.raw so backslashes stay literal; a shell `${…}` is
 * written `\${…}` (so JavaScript does not substitute it) and unescaped here.
 */
function shell(strings: TemplateStringsArray): string {
  return String.raw(strings).replaceAll("\\${", "${");
}

/**
 * Runs inside each sandbox as the sandbox user: stat of the guard files, the OpenClaw gateway
 * lock files with their contents, and the processes whose command line mentions openclaw (only
 * their first three argv words, so no argument values leave the sandbox). Line format in
 * parsers/sandbox-guards.ts.
 */
const GUARD_SCRIPT = [
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

const PROBE_BODY = shell`
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

# System
ncf_run hostname '' "$NCF_T" uname -n
ncf_run uname-m '' "$NCF_T" uname -m
ncf_run uname-r '' "$NCF_T" uname -r
if [ -f /etc/os-release ]; then ncf_file os-release '' /etc/os-release; else ncf_file os-release '' /usr/lib/os-release; fi
ncf_file dgx-release '' /etc/dgx-release
ncf_file dmi-product '' /sys/class/dmi/id/product_name
if ncf_find '' nvidia-smi /usr/bin/nvidia-smi; then
  ncf_run nvidia-smi '' "$NCF_T" "$NCF_FOUND" --query-gpu=name,memory.total,driver_version,uuid --format=csv,noheader,nounits
else ncf_absent nvidia-smi '' 'nvidia-smi not installed'; fi
NCF_DOCKER=
NCF_DOCKER_OK=
if ncf_find '' docker /usr/bin/docker /usr/local/bin/docker; then
  NCF_DOCKER=$NCF_FOUND
  ncf_run docker-info '' "$NCF_T" "$NCF_DOCKER" info --format '{{.ServerVersion}}'
  [ "$NCF_RC" = 0 ] && NCF_DOCKER_OK=1
else ncf_absent docker-info '' 'docker not installed'; fi

# Installed binaries, resolved the way NemoClaw resolves them
NCF_OS=
NCF_OS_VER=
if ncf_find "\${NEMOCLAW_OPENSHELL_BIN:-}" openshell "$HOME/.local/bin/openshell" /opt/homebrew/bin/openshell /usr/local/bin/openshell /usr/bin/openshell; then
  NCF_OS=$NCF_FOUND
  ncf_run openshell-version "$NCF_OS" "$NCF_T" "$NCF_OS" --version
  if [ "$NCF_RC" = 0 ]; then
    NCF_OS_VER=$(printf '%s\n' "$NCF_OUT" | sed -n 's/^[^0-9]*\([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' | head -n 1)
  fi
else ncf_absent openshell-version '' 'openshell not installed'; fi
ncf_os_ge() { # installed openshell >= $1 (false when its version is unknown)
  [ -n "$NCF_OS_VER" ] || return 1
  awk -v a="$NCF_OS_VER" -v b="$1" 'BEGIN { split(a, x, "."); split(b, y, "."); for (i = 1; i <= 3; i++) { if (x[i] + 0 > y[i] + 0) exit 0; if (x[i] + 0 < y[i] + 0) exit 1 } exit 0 }'
}

NCF_SEEN=
ncf_gateway_binary() {
  if [ -n "$1" ] && [ -f "$1" ] && [ -x "$1" ]; then
    case " $NCF_SEEN " in *" $1 "*) return 0 ;; esac
    NCF_SEEN="$NCF_SEEN $1"
    ncf_run gateway-binary-version "$1" "$NCF_T" "$1" --version
  fi
}
ncf_gateway_binary "\${NEMOCLAW_OPENSHELL_GATEWAY_BIN:-}"
[ -n "$NCF_OS" ] && ncf_gateway_binary "\${NCF_OS%/*}/openshell-gateway"
ncf_gateway_binary "$HOME/.local/bin/openshell-gateway"
ncf_gateway_binary /usr/local/bin/openshell-gateway
ncf_gateway_binary /usr/bin/openshell-gateway
[ -n "$NCF_SEEN" ] || ncf_absent gateway-binary-version '' 'openshell-gateway not installed'

if ncf_find '' nemoclaw "$HOME/.local/bin/nemoclaw" "$HOME/.npm-global/bin/nemoclaw" "$HOME"/.nvm/versions/node/*/bin/nemoclaw /usr/local/bin/nemoclaw /usr/bin/nemoclaw; then
  # NemoClaw is a node script; node usually sits beside it (nvm) even when not on a non-login PATH.
  ncf_run nemoclaw-version "$NCF_FOUND" "$NCF_T" env "PATH=\${NCF_FOUND%/*}:$PATH" "$NCF_FOUND" --version
else ncf_absent nemoclaw-version '' 'nemoclaw not installed'; fi

# OpenShell CLI configuration (user layer, then the read-only system layer of >= 0.0.62)
NCF_CFG=\${XDG_CONFIG_HOME:-$HOME/.config}/openshell
ncf_file active-gateway user "$NCF_CFG/active_gateway"
ncf_file active-gateway system /etc/openshell/active_gateway
for ncf_d in "$NCF_CFG"/gateways/*; do
  ncf_g=\${ncf_d##*/}
  [ -d "$ncf_d" ] && ncf_valid "$ncf_g" || continue
  ncf_add_gw "$ncf_g"
  ncf_file gateway-metadata "user $ncf_g" "$ncf_d/metadata.json"
done
for ncf_d in /etc/openshell/gateways/*; do
  ncf_g=\${ncf_d##*/}
  [ -d "$ncf_d" ] && ncf_valid "$ncf_g" || continue
  ncf_add_gw "$ncf_g"
  ncf_file gateway-metadata "system $ncf_g" "$ncf_d/metadata.json"
done

# NemoClaw host state and the fleet's own lock
NCF_NC=$HOME/.nemoclaw
ncf_file registry '' "$NCF_NC/sandboxes.json"
if [ -d "$NCF_NC/sandboxes.json.lock" ]; then
  ncf_emit registry-lock '' 0 "$(cat "$NCF_NC/sandboxes.json.lock/owner" 2>/dev/null)"
else ncf_absent registry-lock '' 'not locked'; fi
for ncf_f in "$NCF_NC"/state/shields-*.json; do
  ncf_k=\${ncf_f##*/}
  [ -f "$ncf_f" ] && ncf_valid "$ncf_k" || continue
  ncf_file shields "$ncf_k" "$ncf_f"
done
for ncf_f in "$NCF_NC"/rebuild-backups/*/*/rebuild-manifest.json; do
  [ -f "$ncf_f" ] || continue
  ncf_k=\${ncf_f%/rebuild-manifest.json}
  ncf_ts=\${ncf_k##*/}; ncf_k=\${ncf_k%/*}; ncf_k=\${ncf_k##*/}
  ncf_valid "$ncf_k" && ncf_valid "$ncf_ts" || continue
  ncf_file backup-manifest "$ncf_k/$ncf_ts" "$ncf_f"
done
ncf_file fleet-lock '' "$HOME/.nemoclaw-fleet/lock.json"

# Cluster-era gateways: one k3s container per gateway, found by name
if [ -n "$NCF_DOCKER_OK" ]; then
  ncf_run cluster-ps '' "$NCF_T" "$NCF_DOCKER" ps -a --filter name=^openshell-cluster- --format '{{.Names}}'
  if [ "$NCF_RC" = 0 ]; then
    set -f
    for ncf_c in $NCF_OUT; do
      ncf_g=\${ncf_c#openshell-cluster-}
      [ "$ncf_g" != "$ncf_c" ] && ncf_valid "$ncf_g" || continue
      ncf_add_gw "$ncf_g"
      ncf_run cluster-inspect "$ncf_g" "$NCF_T" "$NCF_DOCKER" inspect --type container --format '{{.Config.Image}}
{{.State.Running}}
{{json .NetworkSettings.Ports}}' "$ncf_c"
      ncf_run cluster-health "$ncf_g" "$NCF_T" "$NCF_DOCKER" inspect --type container --format '{{.State.Health.Status}}' "$ncf_c"
    done
    set +f
  fi
else ncf_absent cluster-ps '' 'docker not reachable'; fi

# Host-process gateways NemoClaw started: marker, pid file, log; the process behind each pid
NCF_PIDS=
ncf_proc() {
  case $1 in ''|*[!0-9]*) return 0 ;; esac
  case " $NCF_PIDS " in *" $1 "*) return 0 ;; esac
  NCF_PIDS="$NCF_PIDS $1"
  if [ ! -d "/proc/$1" ]; then ncf_emit process "$1" 0 'alive no'; return 0; fi
  ncf_a0=$(tr '\000' '\n' < "/proc/$1/cmdline" 2>/dev/null | head -n 1)
  ncf_emit process "$1" 0 "alive yes
exe $(readlink "/proc/$1/exe" 2>/dev/null)
$(tr '\000' '\n' < "/proc/$1/cmdline" 2>/dev/null | sed 's/^/arg /')"
  # Only a gateway binary is asked for its version. /proc/<pid>/exe is the image actually
  # running, even when the file on disk was replaced by an upgrade since.
  case $ncf_a0 in
    */openshell-gateway|*/openshell-server|openshell-gateway|openshell-server)
      [ -x "/proc/$1/exe" ] && ncf_run running-version "$1 exe" "$NCF_T" "/proc/$1/exe" --version
      case $ncf_a0 in /*) [ -x "$ncf_a0" ] && ncf_run running-version "$1 argv0" "$NCF_T" "$ncf_a0" --version ;; esac
      ;;
  esac
  return 0
}
NCF_NCS=$HOME/.local/state/nemoclaw
for ncf_d in "$NCF_NCS"/openshell-docker-gateway "$NCF_NCS"/openshell-docker-gateway-*; do
  [ -d "$ncf_d" ] || continue
  ncf_l=\${ncf_d##*/}; ncf_p=\${ncf_l#openshell-docker-gateway}; ncf_p=\${ncf_p#-}
  case $ncf_p in '') ncf_g=nemoclaw ;; *[!0-9]*) continue ;; *) ncf_g=nemoclaw-$ncf_p ;; esac
  ncf_add_gw "$ncf_g"
  ncf_file runtime-marker "$ncf_l" "$ncf_d/runtime.json"
  ncf_file gateway-pidfile "$ncf_l" "$ncf_d/openshell-gateway.pid"
  if [ -f "$ncf_d/openshell-gateway.log" ]; then ncf_run gateway-log "$ncf_l" "$NCF_T" tail -n 200 "$ncf_d/openshell-gateway.log"
  else ncf_absent gateway-log "$ncf_l" 'no gateway log'; fi
  ncf_proc "$(sed -n 's/.*"pid" *: *\([0-9][0-9]*\).*/\1/p' "$ncf_d/runtime.json" 2>/dev/null | head -n 1)"
  ncf_proc "$(head -n 1 "$ncf_d/openshell-gateway.pid" 2>/dev/null)"
  # The binary NemoClaw launched, asked even when nothing runs (which binary crashed, and how old).
  ncf_b=$(sed -n 's/.*"gatewayBin" *: *"\([^"]*\)".*/\1/p' "$ncf_d/runtime.json" 2>/dev/null | head -n 1)
  case $ncf_b in
    /*/openshell-gateway) if [ -f "$ncf_b" ] && [ -x "$ncf_b" ]; then ncf_run recorded-binary-version "$ncf_l" "$NCF_T" "$ncf_b" --version; fi ;;
  esac
done

# Per gateway: status, info, sandboxes; then inside each listed sandbox
ncf_openshell() { # section key json-since args...: JSON from that version on, else the table
  ncf_s=$1; ncf_k=$2; ncf_j=$3; shift 3
  if ncf_os_ge "$ncf_j"; then
    ncf_capture "$NCF_T" "$NCF_OS" "$@" -o json
    # 2 = usage error: this build does not know -o after all
    [ "$NCF_RC" = 2 ] && ncf_capture "$NCF_T" "$NCF_OS" "$@"
  else ncf_capture "$NCF_T" "$NCF_OS" "$@"; fi
  ncf_emit "$ncf_s" "$ncf_k" "$NCF_RC" "$NCF_OUT"
}
NCF_ESC=$(printf '\033')
ncf_sandbox_names() { # names in a sandbox list (table or pretty JSON), for fan-out only
  printf '%s\n' "$1" | sed "s/$NCF_ESC\[[0-9;]*m//g" | awk '
    /^[ \t]*\[/ { json = 1 }
    json { if (match($0, /^    "name": "/)) { v = substr($0, RLENGTH + 1); sub(/",?[ \t]*$/, "", v); print v } next }
    !hdr && ($1 == "NAME" || $1 == "WORKSPACE") { hdr = 1; col = ($1 == "WORKSPACE") ? 2 : 1; next }
    hdr && NF > 0 { print $col }'
}
if [ -n "$NCF_OS" ]; then
  if [ -z "$NCF_OS_VER" ] || ncf_os_ge 0.0.37; then ncf_openshell gateway-list '' 0.0.47 gateway list
  else ncf_absent gateway-list '' 'gateway list needs OpenShell 0.0.37 or later'; fi
  set -f
  for ncf_g in $NCF_GWS; do
    ncf_openshell status "$ncf_g" 0.0.92 status -g "$ncf_g"
    ncf_openshell gateway-info "$ncf_g" 0.0.85 gateway info -g "$ncf_g"
    ncf_openshell sandbox-list "$ncf_g" 0.0.44 sandbox list -g "$ncf_g"
    [ "$NCF_RC" = 0 ] && [ "$NCF_GUARDS" = 1 ] || continue
    for ncf_sb in $(ncf_sandbox_names "$NCF_OUT"); do
      ncf_valid "$ncf_sb" || continue
      ncf_run sandbox-guards "$ncf_g $ncf_sb" "$NCF_TX" "$NCF_OS" sandbox exec -g "$ncf_g" -n "$ncf_sb" -- sh -c "$NCF_GUARD_SCRIPT"
    done
  done
  set +f
fi

ncf_emit done '' 0 ''
`;
