// @ts-check
// The one program every simulated binary runs: `entry.mjs <home> <tool> <version> args…`.
import { runTool } from "./runtime.mjs";

const [home = "", tool = "", version = "-", ...args] = process.argv.slice(2);
process.exitCode = await runTool({ home, tool, version, args });
