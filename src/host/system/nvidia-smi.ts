/**
 * `nvidia-smi --query-gpu=name,memory.total,driver_version,uuid --format=csv,noheader,nounits`.
 * GB10 (DGX Spark) has unified memory and reports `[N/A]` for memory.total.
 */
import type { Fact } from "../output.js";
import { type Captured, describeExit, known, nonEmptyLines, unknown } from "../output.js";

export interface GpuFacts {
  name: string;
  memoryMiB: number | null;
  driverVersion: string | null;
  uuid: string | null;
}

export function parseNvidiaSmi(run: Captured): Fact<GpuFacts[]> {
  if (run.exitCode !== 0) return unknown(`nvidia-smi ${describeExit(run.exitCode)}`, run.output);
  const gpus: GpuFacts[] = [];
  for (const line of nonEmptyLines(run.output)) {
    const fields = line.split(",").map((field) => field.trim());
    if (fields.length !== 4 || fields[0] === "") return unknown("nvidia-smi printed a line that is not name,memory,driver,uuid", run.output);
    const [name, memory, driver, uuid] = fields as [string, string, string, string];
    gpus.push({
      name,
      memoryMiB: /^\d+$/.test(memory) ? Number(memory) : null,
      driverVersion: available(driver),
      uuid: available(uuid),
    });
  }
  return known(gpus);
}

function available(field: string): string | null {
  return field === "" || /^\[.*\]$/.test(field) ? null : field;
}
