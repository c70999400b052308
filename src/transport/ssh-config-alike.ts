/**
 * Whether OpenSSH's configuration gives every host the same settings: nothing in the files
 * `ssh -G` reads depends on the host's name, user or port. Then one `ssh -G` answers for every
 * host, with the host's own name, user and port put in (openssh-config.ts), instead of one
 * `ssh` process per host (about 8 ms of CPU each; docs/performance.md).
 *
 * Settings depend on the host through `Host` patterns other than `*`, `Match` (user, port,
 * `exec`, canonical names), `HostName`, `CanonicalizeHostname`, and `%` tokens or `${VAR}` in any
 * value (ssh_config(5), "TOKENS"). Any of them anywhere, in the files or what they include,
 * means asking `ssh -G` host by host, as does any file this cannot read.
 */
import { isAbsolute, join } from "node:path";
import { expandGlob, expandTilde, splitLine } from "./ssh-config.js";

/** How the files are read, for tests. */
export interface ConfigReader {
  /** The account's home: `~`, and where ~/.ssh/config and its relative Includes live. */
  home: string;
  readText: (path: string) => Promise<string>;
  listDir: (path: string) => Promise<string[]>;
}

/** OpenSSH's system-wide client configuration (ssh(1), FILES). */
export const SYSTEM_SSH_CONFIG = "/etc/ssh/ssh_config";

const HOST_DEPENDENT_KEYWORDS = new Set(["match", "hostname", "canonicalizehostname"]);

/** Include nesting OpenSSH allows (readconf.c, READCONF_MAX_DEPTH). */
const MAX_INCLUDE_DEPTH = 16;

/**
 * True when `ssh -G` would print the same settings for every host but `host`, `hostname`,
 * `user` and `port`. `configFile` is ssh's `-F`: then only that file is read; otherwise the
 * user's ~/.ssh/config and the system file. Relative Includes are looked up in ~/.ssh from a
 * user file and in /etc/ssh from the system file, as ssh_config(5) says.
 */
export async function configGivesEveryHostAlike(configFile: string | undefined, reader: ConfigReader): Promise<boolean> {
  const userDir = join(reader.home, ".ssh");
  const files: [file: string, includeDir: string][] =
    configFile === undefined
      ? [
          [join(userDir, "config"), userDir],
          [SYSTEM_SSH_CONFIG, "/etc/ssh"],
        ]
      : [[configFile, userDir]];
  try {
    for (const [file, includeDir] of files) {
      if (!(await fileGivesEveryHostAlike(file, includeDir, reader, 0))) return false;
    }
    return true;
  } catch {
    return false;
  }
}

async function fileGivesEveryHostAlike(file: string, includeDir: string, reader: ConfigReader, depth: number): Promise<boolean> {
  if (depth > MAX_INCLUDE_DEPTH) return false;
  let text: string;
  try {
    text = await reader.readText(file);
  } catch (error) {
    // A file ssh cannot open is one it does not read; -F with a missing file fails `ssh -G` itself.
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw error;
  }
  for (const raw of text.split(/\r?\n/)) {
    const line = splitLine(raw);
    if (line === null) continue;
    const { keyword, args } = line;
    if (args.some((arg) => arg.includes("%") || arg.includes("${"))) return false;
    if (HOST_DEPENDENT_KEYWORDS.has(keyword)) return false;
    if (keyword === "host" && !args.every((pattern) => pattern === "*")) return false;
    if (keyword === "include") {
      for (const pattern of args) {
        const expanded = expandTilde(pattern, reader.home);
        for (const included of await expandGlob(isAbsolute(expanded) ? expanded : join(includeDir, expanded), reader.listDir)) {
          if (!(await fileGivesEveryHostAlike(included, includeDir, reader, depth + 1))) return false;
        }
      }
    }
  }
  return true;
}
