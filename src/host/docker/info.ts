/** `docker info --format '{{.ServerVersion}}'` (also tolerates the full `docker info` text). */
import type { Fact } from "../output.js";
import { type Captured, describeExit, firstLineMatching, known, stripAnsi, unknown } from "../output.js";

export interface DockerFacts {
  reachable: boolean;
  serverVersion: string | null;
  /** The daemon's error when unreachable (e.g. `Cannot connect to the Docker daemon`). */
  error: string | null;
}

const DAEMON_DOWN = /Cannot connect to the Docker daemon|Is the docker daemon running|permission denied while trying to connect to the Docker daemon|error during connect/i;

export function parseDockerInfo(run: Captured): Fact<DockerFacts> {
  const text = stripAnsi(run.output).trim();
  const down = firstLineMatching(text, DAEMON_DOWN);
  if (down !== null) return known({ reachable: false, serverVersion: null, error: down.replace(/^(?:Server:\s*)?ERROR:\s*/i, "") });
  if (run.exitCode === 0) {
    const full = /^\s*Server Version:\s*(\S+)/m.exec(text);
    const version = full ? full[1]! : /^\d+\.\d+(?:\.\d+)?\S*$/.test(text) ? text : null;
    if (version !== null) return known({ reachable: true, serverVersion: version, error: null });
  }
  return unknown(`docker info ${run.exitCode === 0 ? "printed no server version" : describeExit(run.exitCode)}`, run.output);
}
