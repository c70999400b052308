/**
 * Runs a check as an unprivileged user even when the tests run as root (as they do in CI), so
 * permission-denied paths are exercised instead of skipped: root reads any file.
 *
 * The given trees are handed to that user first, so its files are readable or not by their mode
 * alone. In this process only the effective ids change, so the saved root id brings privileges
 * back afterwards. Vitest runs each test file in its own forked process, and a file's tests run one
 * after another, so nothing else in the process runs as the other user meanwhile.
 */
import { chownSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Connection, RemoteCommand } from "../../src/transport/types.js";

const NOBODY = 65534;
const asRoot = () => process.getuid?.() === 0;

export async function asUnprivileged<T>(trees: string[], check: () => Promise<T>): Promise<T> {
  if (!asRoot()) return check();
  for (const tree of trees) {
    chownSync(tree, NOBODY, NOBODY);
    for (const entry of readdirSync(tree, { recursive: true, encoding: "utf8" })) chownSync(join(tree, entry), NOBODY, NOBODY);
  }
  process.setegid!(NOBODY);
  process.seteuid!(NOBODY);
  try {
    return await check();
  } finally {
    process.seteuid!(0);
    process.setegid!(0);
  }
}

/**
 * The connection's commands, run as the unprivileged user when the tests run as root. Needed
 * besides `asUnprivileged`: a shell whose effective id differs from its real one takes the real
 * one back (dash and bash without -p), so a child of this process would read as root.
 */
export function withUnprivilegedCommands(connection: Connection): Connection {
  if (!asRoot()) return connection;
  const dropped = (command: RemoteCommand): RemoteCommand => ({
    argv: ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", ...("argv" in command ? command.argv : ["sh", "-c", command.script])],
    env: command.env,
    secretEnv: command.secretEnv,
  });
  return {
    host: connection.host,
    run: (command, options) => connection.run(dropped(command), options),
    spawn: (command, options) => connection.spawn(dropped(command), options),
    upload: (source, path, options) => connection.upload(source, path, options),
    download: (path, options) => connection.download(path, options),
    close: () => connection.close(),
  };
}
