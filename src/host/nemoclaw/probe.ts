/**
 * NemoClaw's part of the probe: the installed `nemoclaw`, its files under `~/.nemoclaw` (registry
 * and its lock, shields state, snapshot manifests), and the state directory of each host-process
 * gateway it started (`~/.local/state/nemoclaw/openshell-docker-gateway[-<port>]/`: runtime
 * marker, pid file, log tail, the processes behind the pids and the version of each gateway binary
 * involved — the running image via /proc/<pid>/exe, and the binary the marker recorded).
 */
import { readBinary } from "../openshell/probe.js";
import type { ProbeOutput, ProbeSection } from "../probe/sections.js";
import { shell } from "../probe/shell.js";
import type { BinaryFacts } from "../binary-version.js";
import { type Fact, known, unknown } from "../output.js";
import { parseProcessView, type ProcessView } from "../system/process.js";
import { parseRegistry, type Registry, registryLockAbandoned } from "./registry.js";
import { parsePidFile, parseRuntimeMarker, type RuntimeMarker } from "./runtime-marker.js";
import { parseShieldsFile, sandboxOfShieldsFile, type ShieldsState } from "./shields.js";
import { type HostBackup, parseBackupManifest, SNAPSHOT_MANIFEST } from "./snapshots.js";
import { byCodeUnits } from "../../config/order.js";

/** The `nemoclaw` CLI, a node script: node usually sits beside it (nvm) even when not on a non-login PATH. */
export const NEMOCLAW_BINARY_PROBE = shell`
if ncf_find '' nemoclaw "$HOME/.local/bin/nemoclaw" "$HOME/.npm-global/bin/nemoclaw" "$HOME"/.nvm/versions/node/*/bin/nemoclaw /usr/local/bin/nemoclaw /usr/bin/nemoclaw; then
  ncf_run nemoclaw-version "$NCF_FOUND" "$NCF_T" env "PATH=\${NCF_FOUND%/*}:$PATH" "$NCF_FOUND" --version
else ncf_absent nemoclaw-version '' 'nemoclaw not installed'; fi
`;

export const NEMOCLAW_FILES_PROBE = shell`
NCF_NC=$HOME/.nemoclaw
ncf_file registry '' "$NCF_NC/sandboxes.json"
if [ ! -d "$NCF_NC/sandboxes.json.lock" ]; then ncf_absent registry-lock '' 'not locked'
elif ${registryLockAbandoned("$NCF_NC/sandboxes.json.lock")}; then ncf_emit registry-lock '' 0 stale
else ncf_emit registry-lock '' 0 held; fi
for ncf_f in "$NCF_NC"/state/shields-*.json; do
  ncf_k=\${ncf_f##*/}
  [ -f "$ncf_f" ] && ncf_valid "$ncf_k" || continue
  ncf_file shields "$ncf_k" "$ncf_f"
done
for ncf_f in "$NCF_NC"/rebuild-backups/*/*/${SNAPSHOT_MANIFEST}; do
  [ -f "$ncf_f" ] || continue
  ncf_k=\${ncf_f%/${SNAPSHOT_MANIFEST}}
  ncf_ts=\${ncf_k##*/}; ncf_k=\${ncf_k%/*}; ncf_k=\${ncf_k##*/}
  ncf_valid "$ncf_k" && ncf_valid "$ncf_ts" || continue
  ncf_file backup-manifest "$ncf_k/$ncf_ts" "$ncf_f"
done
`;

const STATE_DIR_LEAF = "openshell-docker-gateway";

/** Each state directory's gateway joins NCF_GWS; `ncf_proc` reports a pid's process once. */
export const NEMOCLAW_GATEWAY_STATE_PROBE = shell`
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
for ncf_d in "$NCF_NCS"/${STATE_DIR_LEAF} "$NCF_NCS"/${STATE_DIR_LEAF}-*; do
  [ -d "$ncf_d" ] || continue
  ncf_l=\${ncf_d##*/}; ncf_p=\${ncf_l#${STATE_DIR_LEAF}}; ncf_p=\${ncf_p#-}
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
`;

export function readNemoClawCli(probe: ProbeOutput): Fact<BinaryFacts> {
  return readBinary(probe, "nemoclaw-version", "nemoclaw");
}

export function readRegistry(probe: ProbeOutput): Fact<Registry> {
  const lock = probe.get("registry-lock");
  // A lock a dead command left is one NemoClaw breaks at once: nothing holds the registry.
  const locked = lock !== undefined && !lock.absent && lock.body.trim() === "held";
  return probe.fact("registry", "", (section) => {
    if (section.absent) return known({ defaultSandbox: null, entries: [], locked });
    if (section.exitCode !== 0) return unknown("sandboxes.json could not be read", section.body);
    return parseRegistry(section.body, locked);
  });
}

/**
 * A state file per sandbox that has one; `mutable_default` for registered sandboxes without.
 * `listedBefore` is the first section the composed probe prints after this fragment: once it is
 * there, every state file was listed.
 */
export function readShields(probe: ProbeOutput, registry: Fact<Registry>, listedBefore: string): Fact<ShieldsState[]> {
  if (!probe.reachedPast(listedBefore)) return unknown("the probe ended before it read the shields state files");
  const states = new Map<string, ShieldsState>();
  for (const section of probe.all("shields")) {
    const sandbox = sandboxOfShieldsFile(section.key);
    if (sandbox === null) continue;
    states.set(sandbox, section.exitCode === 0 ? parseShieldsFile(sandbox, section.body) : { sandbox, mode: "error" });
  }
  if (registry.state === "known") {
    for (const entry of registry.value.entries) {
      if (!states.has(entry.name)) states.set(entry.name, { sandbox: entry.name, mode: "mutable_default" });
    }
  }
  return known([...states.values()].sort((a, b) => byCodeUnits(a.sandbox, b.sandbox)));
}

/** Snapshots with a valid manifest; a directory without one is not a backup. `listedBefore` as for shields. */
export function readHostBackups(probe: ProbeOutput, listedBefore: string): Fact<HostBackup[]> {
  if (!probe.reachedPast(listedBefore)) return unknown("the probe ended before it read the backup manifests");
  const home = probe.meta("home") ?? "~";
  const backups: HostBackup[] = [];
  for (const section of probe.all("backup-manifest")) {
    if (section.exitCode !== 0) continue;
    const backup = parseBackupManifest(section.body, `${home}/.nemoclaw/rebuild-backups/${section.key}`);
    if (backup.state === "known") backups.push(backup.value);
  }
  return known(backups.sort((a, b) => byCodeUnits(a.sandbox, b.sandbox) || byCodeUnits(a.timestamp, b.timestamp)));
}

/** What one host-process gateway's state directory showed. */
export interface GatewayStateDir {
  gateway: string;
  /** The directory's name (`openshell-docker-gateway[-<port>]`). */
  leaf: string;
  /** Null: no runtime.json. */
  marker: Fact<RuntimeMarker> | null;
  logTail: string | null;
  /** The processes behind the marker's pid and the pid file. */
  processes: ProcessView[];
  /** `--version` of a process's running image (`exe`) or of its argv0 file, by pid. */
  runningVersion(pid: number, how: "exe" | "argv0"): ProbeSection | undefined;
  /** `--version` of the binary the marker recorded; undefined when it was not asked. */
  recordedBinaryVersion: ProbeSection | undefined;
}

/** `openshell-docker-gateway` → `nemoclaw`, `openshell-docker-gateway-8081` → `nemoclaw-8081`. */
function gatewayOfStateDir(leaf: string): string | null {
  if (leaf === STATE_DIR_LEAF) return "nemoclaw";
  const port = new RegExp(`^${STATE_DIR_LEAF}-(\\d+)$`).exec(leaf)?.[1];
  return port === undefined ? null : `nemoclaw-${port}`;
}

export function readGatewayStateDirs(probe: ProbeOutput): GatewayStateDir[] {
  return probe.all("runtime-marker").flatMap((section): GatewayStateDir[] => {
    const gateway = gatewayOfStateDir(section.key);
    if (gateway === null) return [];
    const marker = section.absent ? null : section.exitCode === 0 ? parseRuntimeMarker(section.body) : unknown<RuntimeMarker>("runtime.json could not be read", section.body);
    const log = probe.get("gateway-log", section.key);
    const pidFile = probe.get("gateway-pidfile", section.key);
    const pids = [
      marker?.state === "known" ? marker.value.pid : null,
      pidFile !== undefined && pidFile.exitCode === 0 ? parsePidFile(pidFile.body) : null,
    ];
    const processes = [...new Set(pids.filter((pid): pid is number => pid !== null))].flatMap((pid) => {
      const view = probe.get("process", String(pid));
      return view === undefined ? [] : [parseProcessView(pid, view.body)];
    });
    return [
      {
        gateway,
        leaf: section.key,
        marker,
        logTail: log !== undefined && log.exitCode === 0 ? log.body : null,
        processes,
        runningVersion: (pid, how) => probe.get("running-version", `${pid} ${how}`),
        recordedBinaryVersion: probe.get("recorded-binary-version", section.key),
      },
    ];
  });
}
