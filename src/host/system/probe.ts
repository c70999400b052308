/**
 * The system's part of the probe: host name, architecture, kernel, OS and DGX identity, the GPUs
 * (`nvidia-smi`), and the fleet's own lock file; and the readers that turn those sections into facts.
 */
import type { ProbeOutput } from "../probe/sections.js";
import { captured } from "../probe/sections.js";
import { shell } from "../probe/shell.js";
import { type Fact, known, unknown } from "../output.js";
import { parseDgxModel } from "./dgx.js";
import type { SystemFacts } from "./facts.js";
import { type HostLockInfo, LOCK_FILE, parseFleetLock } from "./fleet-lock.js";
import { type GpuFacts, parseNvidiaSmi } from "./nvidia-smi.js";
import { parseOsRelease } from "./os-release.js";

export const SYSTEM_PROBE = shell`
ncf_run hostname '' "$NCF_T" uname -n
ncf_run uname-m '' "$NCF_T" uname -m
ncf_run uname-r '' "$NCF_T" uname -r
if [ -f /etc/os-release ]; then ncf_file os-release '' /etc/os-release; else ncf_file os-release '' /usr/lib/os-release; fi
ncf_file dgx-release '' /etc/dgx-release
ncf_file dmi-product '' /sys/class/dmi/id/product_name
if ncf_find '' nvidia-smi /usr/bin/nvidia-smi; then
  ncf_run nvidia-smi '' "$NCF_T" "$NCF_FOUND" --query-gpu=name,memory.total,driver_version,uuid --format=csv,noheader,nounits
else ncf_absent nvidia-smi '' 'nvidia-smi not installed'; fi
`;

export const FLEET_LOCK_PROBE = `ncf_file fleet-lock '' "$HOME/${LOCK_FILE}"\n`;

export function readSystem(probe: ProbeOutput): Fact<SystemFacts> {
  const text = (name: string): string | null => {
    const section = probe.get(name);
    return section !== undefined && section.exitCode === 0 ? section.body.trim() : null;
  };
  return probe.fact("uname-m", "", (section) => {
    const arch = section.body.trim();
    if (section.exitCode !== 0 || !/^[A-Za-z0-9_.-]+$/.test(arch)) return unknown("uname -m did not name the machine architecture", section.body);
    const osRelease = text("os-release");
    return known({
      hostname: text("hostname") ?? "",
      os: osRelease === null ? null : parseOsRelease(osRelease),
      arch,
      kernel: text("uname-r") ?? "",
      dgxModel: parseDgxModel(text("dgx-release"), text("dmi-product")),
    });
  });
}

export function readGpus(probe: ProbeOutput): Fact<GpuFacts[]> {
  return probe.fact("nvidia-smi", "", (section) => (section.absent ? known([]) : parseNvidiaSmi(captured(section))));
}

/** The lock a fleet run holds on the host now, if any. */
export function readFleetLock(probe: ProbeOutput): Fact<HostLockInfo | null> {
  return probe.fact("fleet-lock", "", (section) =>
    section.absent ? known(null) : section.exitCode === 0 ? parseFleetLock(section.body) : unknown("lock.json could not be read", section.body),
  );
}
