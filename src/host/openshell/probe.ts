/**
 * OpenShell's part of the probe: the installed CLI and gateway binaries (found the way NemoClaw
 * finds them), the CLI's gateway registrations and active gateway, and per gateway `status`,
 * `gateway info` and `sandbox list` — in JSON from the release that has it — then, inside each
 * listed sandbox, the script in NCF_GUARD_SCRIPT (through `openshell sandbox exec`).
 */
import type { ProbeOutput, ProbeSection } from "../probe/sections.js";
import { shell } from "../probe/shell.js";
import { type BinaryFacts, NOT_INSTALLED, parseBinaryVersion } from "../binary-version.js";
import { captured } from "../probe/sections.js";
import { type Fact, known, unknown } from "../output.js";
import { type GatewayListEntry, parseGatewayList } from "./gateway-list.js";
import { type GatewayMetadata, parseGatewayMetadata } from "./gateway-metadata.js";
import { OPENSHELL_SINCE } from "./releases.js";

/** Sets NCF_OS (the CLI's path, found the way NemoClaw finds it) and `ncf_os_ge`, which compares NCF_OS_VER. */
const LOCATE_OPENSHELL = shell`
NCF_OS=
ncf_find "\${NEMOCLAW_OPENSHELL_BIN:-}" openshell "$HOME/.local/bin/openshell" /opt/homebrew/bin/openshell /usr/local/bin/openshell /usr/bin/openshell && NCF_OS=$NCF_FOUND
ncf_os_ge() { # installed openshell >= $1 (false when its version is unknown)
  [ -n "$NCF_OS_VER" ] || return 1
  awk -v a="$NCF_OS_VER" -v b="$1" 'BEGIN { split(a, x, "."); split(b, y, "."); for (i = 1; i <= 3; i++) { if (x[i] + 0 > y[i] + 0) exit 0; if (x[i] + 0 < y[i] + 0) exit 1 } exit 0 }'
}
`;

/** Sets NCF_OS, NCF_OS_VER and `ncf_os_ge`; asks each gateway binary for its version. */
export const OPENSHELL_BINARIES_PROBE = `${LOCATE_OPENSHELL}${shell`
NCF_OS_VER=
if [ -n "$NCF_OS" ]; then
  ncf_run openshell-version "$NCF_OS" "$NCF_T" "$NCF_OS" --version
  if [ "$NCF_RC" = 0 ]; then
    NCF_OS_VER=$(printf '%s\n' "$NCF_OUT" | sed -n 's/^[^0-9]*\([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' | head -n 1)
  fi
else ncf_absent openshell-version '' 'openshell not installed'; fi

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
`}`;

/** The CLI's configuration: the user layer, then the read-only system layer of ≥ 0.0.62. */
export const OPENSHELL_CONFIG_PROBE = shell`
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
`;

/** `ncf_openshell`: one CLI call, in JSON from the release that has it; `ncf_sandbox_names`: names in a sandbox list. */
const OPENSHELL_CALLS = shell`
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
`;

/** Per gateway in NCF_GWS: status, info, the sandbox list, and (when NCF_GUARDS=1) each sandbox from inside. */
export const OPENSHELL_GATEWAYS_PROBE = `${OPENSHELL_CALLS}${shell`
if [ -n "$NCF_OS" ]; then
  if [ -z "$NCF_OS_VER" ] || ncf_os_ge ${OPENSHELL_SINCE.gatewayList}; then ncf_openshell gateway-list '' ${OPENSHELL_SINCE.gatewayListJson} gateway list
  else ncf_absent gateway-list '' 'gateway list needs OpenShell ${OPENSHELL_SINCE.gatewayList} or later'; fi
  set -f
  for ncf_g in $NCF_GWS; do
    ncf_openshell status "$ncf_g" ${OPENSHELL_SINCE.statusJson} status -g "$ncf_g"
    # Before the live form, info's own --name reads OPENSHELL_GATEWAY and wins over -g (OS@v0.0.72:crates/openshell-cli/src/main.rs:1107, 2055-2057).
    if [ -z "$NCF_OS_VER" ] || ncf_os_ge ${OPENSHELL_SINCE.gatewayInfoLive}; then ncf_openshell gateway-info "$ncf_g" ${OPENSHELL_SINCE.gatewayInfoLive} gateway info -g "$ncf_g"
    else ncf_openshell gateway-info "$ncf_g" ${OPENSHELL_SINCE.gatewayInfoLive} gateway info --name "$ncf_g"; fi
    ncf_openshell sandbox-list "$ncf_g" ${OPENSHELL_SINCE.sandboxListJson} sandbox list -g "$ncf_g"
    [ "$NCF_RC" = 0 ] && [ "$NCF_GUARDS" = 1 ] || continue
    for ncf_sb in $(ncf_sandbox_names "$NCF_OUT"); do
      ncf_valid "$ncf_sb" || continue
      ncf_run sandbox-guards "$ncf_g $ncf_sb" "$NCF_TX" "$NCF_OS" sandbox exec -g "$ncf_g" -n "$ncf_sb" -- sh -c "$NCF_GUARD_SCRIPT"
    done
  done
  set +f
fi
`}`;

/**
 * The targeted check after a step that changes one sandbox only (docs/apply.md): the gateway's
 * sandbox list (the sandbox's phase) and, when it is listed, the sandbox from inside — the same
 * sections the full probe prints for them. NCF_CHECK_GW, NCF_CHECK_SB and NCF_OS_VER (the version
 * the host's last full observation read) are set by the script's header.
 */
export const SANDBOX_CHECK_PROBE = `${LOCATE_OPENSHELL}${OPENSHELL_CALLS}${shell`
if [ -n "$NCF_OS" ]; then
  ncf_openshell sandbox-list "$NCF_CHECK_GW" ${OPENSHELL_SINCE.sandboxListJson} sandbox list -g "$NCF_CHECK_GW"
  if [ "$NCF_RC" = 0 ] && ncf_sandbox_names "$NCF_OUT" | grep -qxF -- "$NCF_CHECK_SB"; then
    ncf_run sandbox-guards "$NCF_CHECK_GW $NCF_CHECK_SB" "$NCF_TX" "$NCF_OS" sandbox exec -g "$NCF_CHECK_GW" -n "$NCF_CHECK_SB" -- sh -c "$NCF_GUARD_SCRIPT"
  fi
else ncf_absent sandbox-list "$NCF_CHECK_GW" 'openshell not installed'; fi
`}`;

/** The first located binary in NemoClaw's resolution order (the probe reports them in it). */
export function readBinary(probe: ProbeOutput, section: string, tool: string): Fact<BinaryFacts> {
  const sections = probe.all(section);
  if (sections.length === 0) return unknown(`the probe ended before it looked for ${tool}`);
  const located = sections.find((candidate) => candidate.key !== "");
  if (located === undefined) return known(NOT_INSTALLED);
  if (!located.complete) return unknown(`the probe was cut off while running ${tool} --version`, located.body);
  return parseBinaryVersion(captured(located), tool, located.key);
}

export function readOpenShellCli(probe: ProbeOutput): Fact<BinaryFacts> {
  return readBinary(probe, "openshell-version", "openshell");
}

export function readGatewayBinary(probe: ProbeOutput): Fact<BinaryFacts> {
  return readBinary(probe, "gateway-binary-version", "openshell-gateway");
}

/** `OPENSHELL_GATEWAY` wins over the user's `active_gateway`, which shadows the system one. */
export function readActiveGateway(probe: ProbeOutput): Fact<string | null> {
  const fromEnv = probe.meta("openshell_gateway_env");
  if (fromEnv) return known(fromEnv);
  for (const layer of ["user", "system"]) {
    const section = probe.get("active-gateway", layer);
    if (section === undefined) return unknown("the probe ended before it read active_gateway");
    if (section.absent) continue;
    if (section.exitCode !== 0) return unknown(`${layer} active_gateway could not be read`, section.body);
    const name = section.body.trim();
    if (name !== "") return known(name);
  }
  return known(null);
}

/** Each registered gateway's metadata; the user layer shadows the system layer. */
export function readGatewayMetadata(probe: ProbeOutput): Map<string, GatewayMetadata> {
  const found = new Map<string, GatewayMetadata>();
  for (const section of probe.all("gateway-metadata")) {
    const name = section.key.split(" ")[1];
    if (name === undefined || section.exitCode !== 0) continue;
    const metadata = parseGatewayMetadata(section.body, name);
    // The probe reports the user layer first.
    if (metadata.state === "known" && !found.has(name)) found.set(name, metadata.value);
  }
  return found;
}

/** What the CLI answered about one gateway (each undefined when not asked). */
export interface GatewayAnswers {
  status: ProbeSection | undefined;
  info: ProbeSection | undefined;
  sandboxList: ProbeSection | undefined;
  /** In-sandbox guard probes by sandbox name. */
  guards: Map<string, ProbeSection>;
}

export function gatewayAnswers(probe: ProbeOutput, gateway: string): GatewayAnswers {
  const guards = new Map<string, ProbeSection>();
  for (const section of probe.all("sandbox-guards")) {
    const [name, sandbox] = section.key.split(" ");
    if (name === gateway && sandbox !== undefined) guards.set(sandbox, section);
  }
  return { status: probe.get("status", gateway), info: probe.get("gateway-info", gateway), sandboxList: probe.get("sandbox-list", gateway), guards };
}

/** Every gateway `status` was asked about. */
export function gatewaysAsked(probe: ProbeOutput): string[] {
  return probe.all("status").map((section) => section.key);
}

/** `gateway list` rows; none when it was not asked (before 0.0.37) or failed. */
export function readGatewayList(probe: ProbeOutput): GatewayListEntry[] {
  const section = probe.get("gateway-list");
  if (section === undefined || section.absent) return [];
  const list = parseGatewayList(captured(section));
  return list.state === "known" ? list.value : [];
}
