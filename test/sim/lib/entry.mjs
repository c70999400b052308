// @ts-check
// The per-process mode's program (lib/call.mjs): `entry.mjs <home> <tool> <version> args…`, one
// Node process per simulated command.
import { currentCall } from "./call.mjs";
import { simPaths } from "./paths.mjs";
import { dropToHomeOwner, runTool } from "./runtime.mjs";

const [home = "", tool = "", version = "-", ...args] = process.argv.slice(2);
dropToHomeOwner(simPaths(home).sim);
process.exitCode = await runTool({ home, tool, version, args }, currentCall());
