/**
 * Cluster-era gateway containers (`openshell-cluster-<gw>`, ≤0.0.36): `docker ps -a --filter
 * name=^openshell-cluster-` with each container's name and OpenShell label, then per container
 * `docker inspect --type container --format` with image, running, `{{json .NetworkSettings.Ports}}`
 * and `{{json .HostConfig.DeviceRequests}}` on four lines, and `{{.State.Health.Status}}` separately
 * (it fails on a container without a health check).
 */
import type { Fact } from "../output.js";
import { type Captured, describeExit, extractJson, isRecord, known, nonEmptyLines, stripAnsi, unknown } from "../output.js";

export const CLUSTER_CONTAINER_PREFIX = "openshell-cluster-";

/** The container a cluster-era gateway runs in (NemoClaw and OpenShell derive it from the gateway name). */
export function clusterContainerName(gateway: string): string {
  return `${CLUSTER_CONTAINER_PREFIX}${gateway}`;
}

/**
 * `docker ps` rows as `<name>/<managed-by label>`. From 0.0.37 to 0.0.87 a sandbox's container is
 * `openshell-<sandbox>-<id>` (OS@v0.0.72:crates/openshell-driver-docker/src/lib.rs:2912-2942), so
 * a sandbox named `cluster-…` matches the cluster prefix too; only its label tells it apart (the
 * cluster container of ≤0.0.36 has none). A container name never holds a `/`.
 */
export const CLUSTER_PS_FORMAT = `{{.Names}}/{{.Label "openshell.ai/managed-by"}}`;

/** Gateway names of the cluster containers `docker ps -a` lists, leaving out OpenShell's sandboxes. */
export function parseClusterContainerNames(run: Captured): Fact<string[]> {
  if (run.exitCode !== 0) return unknown(`docker ps ${describeExit(run.exitCode)}`, run.output);
  const names: string[] = [];
  for (const line of nonEmptyLines(run.output)) {
    const row = /^(\S+?)\/(.*)$/.exec(line.trim());
    if (row === null || !row[1]!.startsWith(CLUSTER_CONTAINER_PREFIX)) return unknown("docker ps printed a line that is not a cluster container name", run.output);
    if (row[2] === "") names.push(row[1]!.slice(CLUSTER_CONTAINER_PREFIX.length));
  }
  return known(names);
}

export interface ClusterContainer {
  image: string;
  running: boolean;
  /** Host ports published by the container. */
  hostPorts: number[];
  /**
   * The container asks Docker for GPUs (`gateway start --gpu`), by NemoClaw's own test: device
   * requests other than `null` or `[]` (NC@e0ab181d:src/lib/onboard.ts:9854-9862); null when the
   * line is missing.
   */
  gpuPassthrough: boolean | null;
}

export function parseClusterInspect(run: Captured): Fact<ClusterContainer> {
  const lines = stripAnsi(run.output).replace(/\r/g, "").split("\n").map((line) => line.trim());
  if (run.exitCode !== 0) return unknown(`docker inspect ${describeExit(run.exitCode)}`, run.output);
  const [image, running, ports, devices] = lines;
  if (!image || (running !== "true" && running !== "false")) return unknown("docker inspect did not print image and running state", run.output);
  const gpuPassthrough = devices === undefined || devices === "" ? null : devices !== "null" && devices !== "[]";
  return known({ image, running: running === "true", hostPorts: hostPortsOf(ports ?? ""), gpuPassthrough });
}

/** `{"30051/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}]}` → [8080]. */
function hostPortsOf(json: string): number[] {
  const ports = extractJson(json);
  if (!isRecord(ports)) return [];
  const hostPorts = new Set<number>();
  for (const bindings of Object.values(ports)) {
    if (!Array.isArray(bindings)) continue;
    for (const binding of bindings) {
      if (isRecord(binding) && typeof binding.HostPort === "string" && /^\d+$/.test(binding.HostPort)) hostPorts.add(Number(binding.HostPort));
    }
  }
  return [...hostPorts].sort((a, b) => a - b);
}

/** Docker's health status (`starting`, `healthy`, `unhealthy`), or null when there is none. */
export function parseClusterHealth(run: Captured): string | null {
  const status = stripAnsi(run.output).trim();
  return run.exitCode === 0 && /^(starting|healthy|unhealthy)$/.test(status) ? status : null;
}
