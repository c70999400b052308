// @ts-check
// `nvidia-smi`: `--query-gpu=… --format=csv[,noheader][,nounits]`, `-L`, and the plain table.
// GB10 (DGX Spark) has unified memory: its memory fields read `[N/A]`.

import { loadState } from "../lib/state.mjs";

/**
 * @typedef {import("../lib/runtime.mjs").ToolContext} ToolContext
 * @typedef {{ name: string; memoryMiB: number | null; driverVersion: string; uuid: string }} Gpu
 */

/** @param {ToolContext} ctx */
export function run(ctx) {
  const state = loadState(ctx.paths);
  if (state.host.nvidiaSmiFails || !state.host.gpus) {
    ctx.out("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n\n");
    return 9;
  }
  const gpus = state.host.gpus;
  const query = ctx.args.find((arg) => arg.startsWith("--query-gpu="));
  if (query) {
    const format = (ctx.args.find((arg) => arg.startsWith("--format=")) ?? "--format=csv").slice("--format=".length).split(",");
    if (!format.includes("csv")) {
      ctx.out('"--format=" switch is missing or invalid. Use --help for more information.\n');
      return 2;
    }
    const fields = query.slice("--query-gpu=".length).split(",").map((f) => f.trim());
    const units = !format.includes("nounits");
    let text = format.includes("noheader") ? "" : `${fields.map((f) => header(f, units)).join(", ")}\n`;
    for (const [index, gpu] of gpus.entries()) text += `${fields.map((f) => field(f, gpu, index, units)).join(", ")}\n`;
    ctx.out(text);
    return 0;
  }
  if (ctx.args.includes("-L") || ctx.args.includes("--list-gpus")) {
    ctx.out(gpus.map((gpu, index) => `GPU ${index}: ${gpu.name} (UUID: ${gpu.uuid})\n`).join(""));
    return 0;
  }
  ctx.out(table(gpus));
  return 0;
}

/** @param {string} name @param {boolean} units */
function header(name, units) {
  const withUnits = /** @type {Record<string, string>} */ ({ "memory.total": "memory.total [MiB]", "memory.used": "memory.used [MiB]", "memory.free": "memory.free [MiB]", "utilization.gpu": "utilization.gpu [%]", "temperature.gpu": "temperature.gpu" });
  return units ? (withUnits[name] ?? name) : name;
}

/**
 * @param {string} name
 * @param {Gpu} gpu
 * @param {number} index
 * @param {boolean} units
 */
function field(name, gpu, index, units) {
  const mib = (/** @type {number | null} */ value) => (value === null ? "[N/A]" : units ? `${value} MiB` : String(value));
  switch (name) {
    case "name":
      return gpu.name;
    case "index":
      return String(index);
    case "uuid":
      return gpu.uuid;
    case "driver_version":
      return gpu.driverVersion;
    case "memory.total":
      return mib(gpu.memoryMiB);
    case "memory.used":
      return mib(gpu.memoryMiB === null ? null : 0);
    case "memory.free":
      return mib(gpu.memoryMiB);
    case "pci.bus_id":
      return `0000000${index + 1}:01:00.0`;
    case "utilization.gpu":
      return units ? "0 %" : "0";
    case "temperature.gpu":
      return "41";
    default:
      return "[N/A]";
  }
}

/** @param {Gpu[]} gpus */
function table(gpus) {
  const first = gpus[0];
  const driver = first?.driverVersion ?? "";
  const line = "+-----------------------------------------+------------------------+----------------------+";
  let text = `${new Date().toUTCString().replace(",", "").replace(" GMT", "")}       \n`;
  text += "+-----------------------------------------------------------------------------------------+\n";
  text += `| NVIDIA-SMI ${driver.padEnd(22)} Driver Version: ${driver.padEnd(14)} CUDA Version: 13.0     |\n`;
  text += `${line}\n`;
  text += "| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |\n";
  text += "| Fan  Temp   Perf          Pwr:Usage/Cap |           Memory-Usage | GPU-Util  Compute M. |\n";
  text += "|                                         |                        |               MIG M. |\n";
  text += "|=========================================+========================+======================|\n";
  gpus.forEach((gpu, index) => {
    const memory = gpu.memoryMiB === null ? "Not Supported" : `0MiB / ${gpu.memoryMiB}MiB`;
    text += `| ${String(index).padStart(3)}  ${gpu.name.padEnd(24)}      On  |   0000000${index + 1}:01:00.0 Off |                  N/A |\n`;
    text += `| N/A   41C    P0             11W /  N/A  | ${memory.padStart(22)} |      0%      Default |\n`;
    text += "|                                         |                        |                  N/A |\n";
    text += `${line}\n`;
  });
  return text;
}
