#!/usr/bin/env node
/**
 * Entry point. A lone `--version` is answered before anything else loads: scripts and shell
 * prompts call it most. Every other run turns on the code cache, then loads the CLI from its
 * CommonJS bundle (scripts/post-build.mjs), in which each command's part still loads only when
 * that command runs, and ssh2, ajv and listr2 only when a command needs them.
 */
import { createRequire } from "node:module";
import { TOOL_VERSION } from "../version.js";

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  process.stdout.write(`${TOOL_VERSION}\n`);
} else {
  const require = createRequire(import.meta.url);
  (require("./chunks/code-cache.cjs") as typeof import("./code-cache.js")).enableCodeCache(process.env);
  await (require("./chunks/cli.cjs") as typeof import("./run.js")).runCli(args);
}
