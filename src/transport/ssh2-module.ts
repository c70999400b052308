/**
 * ssh2, loaded on the first SSH connection rather than with the transport: its load is about
 * 50 ms of CPU, 20 ms from the code cache (docs/performance.md), which a fleet of local hosts never
 * needs, and which an SSH run spends while `ssh -G` resolves the first route instead of before it.
 */
import type ssh2 from "ssh2";

type Ssh2 = typeof ssh2;

let loading: Promise<Ssh2> | undefined;

export function loadSsh2(): Promise<Ssh2> {
  // ssh2 is CommonJS: its exports are the default export (Node's lexer does not see `utils`).
  return (loading ??= import("ssh2").then((module) => module.default));
}
