/**
 * The XDG Base Directory rule, one place for every file nemoclaw keeps on the machine that runs it:
 * a base directory variable counts only when it holds an absolute path, otherwise its default
 * under the home directory.
 */
import { isAbsolute, join } from "node:path";

export type XdgBase = "XDG_CONFIG_HOME" | "XDG_STATE_HOME" | "XDG_CACHE_HOME";

const DEFAULTS: Record<XdgBase, readonly string[]> = {
  XDG_CONFIG_HOME: [".config"],
  XDG_STATE_HOME: [".local", "state"],
  XDG_CACHE_HOME: [".cache"],
};

export function xdgBaseDir(base: XdgBase, env: NodeJS.ProcessEnv, home: string): string {
  const value = env[base];
  return value && isAbsolute(value) ? value : join(home, ...DEFAULTS[base]);
}
