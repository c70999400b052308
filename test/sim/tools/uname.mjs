// @ts-check
// `uname` for the scenario's machine: fields in coreutils' fixed order whatever the flag order.

import { loadState } from "../lib/state.mjs";

/** @typedef {import("../lib/runtime.mjs").ToolContext} ToolContext */

const KERNEL_VERSION = "#16-Ubuntu SMP PREEMPT_DYNAMIC Tue Aug 19 19:47:22 UTC 2025";

/** @param {ToolContext} ctx */
export function run(ctx) {
  const { host } = loadState(ctx.paths);
  const values = /** @type {Record<string, string>} */ ({
    s: "Linux",
    n: host.hostname,
    r: host.kernel,
    v: KERNEL_VERSION,
    m: host.arch,
    p: host.arch,
    i: host.arch,
    o: "GNU/Linux",
  });
  const long = /** @type {Record<string, string>} */ ({
    "--kernel-name": "s",
    "--nodename": "n",
    "--kernel-release": "r",
    "--kernel-version": "v",
    "--machine": "m",
    "--processor": "p",
    "--hardware-platform": "i",
    "--operating-system": "o",
  });
  const wanted = new Set();
  for (const arg of ctx.args) {
    if (arg === "-a" || arg === "--all") "snrvmpio".split("").forEach((f) => wanted.add(f));
    else if (long[arg]) wanted.add(long[arg]);
    else if (/^-[snrvmpio]+$/.test(arg)) arg.slice(1).split("").forEach((f) => wanted.add(f));
    else {
      ctx.err(`uname: invalid option -- '${arg.replace(/^-+/, "")}'\nTry 'uname --help' for more information.\n`);
      return 1;
    }
  }
  if (wanted.size === 0) wanted.add("s");
  ctx.out(`${"snrvmpio".split("").filter((f) => wanted.has(f)).map((f) => values[f]).join(" ")}\n`);
  return 0;
}
