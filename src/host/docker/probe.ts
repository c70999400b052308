/**
 * Docker's part of the probe: whether the daemon answers (sets NCF_DOCKER and NCF_DOCKER_OK for
 * the fragments after it), and the cluster-era gateway containers (`openshell-cluster-<gw>`, one
 * k3s container per gateway, OpenShell ≤ 0.0.36): image, state, published ports, health.
 */
import type { ProbeOutput } from "../probe/sections.js";
import { captured } from "../probe/sections.js";
import { shell } from "../probe/shell.js";
import { type Fact, known, unknown } from "../output.js";
import { CLUSTER_CONTAINER_PREFIX, CLUSTER_PS_FORMAT, type ClusterContainer, parseClusterContainerNames, parseClusterHealth, parseClusterInspect } from "./cluster.js";
import { type DockerFacts, parseDockerInfo } from "./info.js";

export const DOCKER_PROBE = shell`
NCF_DOCKER=
NCF_DOCKER_OK=
if ncf_find '' docker /usr/bin/docker /usr/local/bin/docker; then
  NCF_DOCKER=$NCF_FOUND
  ncf_run docker-info '' "$NCF_T" "$NCF_DOCKER" info --format '{{.ServerVersion}}'
  [ "$NCF_RC" = 0 ] && NCF_DOCKER_OK=1
else ncf_absent docker-info '' 'docker not installed'; fi
`;

/**
 * Lists the cluster containers; each one's gateway joins NCF_GWS. A row with OpenShell's sandbox
 * label (`<name>/openshell`) is a sandbox whose name starts with `cluster-`, not a gateway.
 */
export const CLUSTER_PROBE = shell`
if [ -n "$NCF_DOCKER_OK" ]; then
  ncf_run cluster-ps '' "$NCF_T" "$NCF_DOCKER" ps -a --filter name=^${CLUSTER_CONTAINER_PREFIX} --format '${CLUSTER_PS_FORMAT}'
  if [ "$NCF_RC" = 0 ]; then
    set -f
    for ncf_c in $NCF_OUT; do
      case $ncf_c in */) ncf_c=\${ncf_c%/} ;; *) continue ;; esac
      ncf_g=\${ncf_c#${CLUSTER_CONTAINER_PREFIX}}
      [ "$ncf_g" != "$ncf_c" ] && ncf_valid "$ncf_g" || continue
      ncf_add_gw "$ncf_g"
      ncf_run cluster-inspect "$ncf_g" "$NCF_T" "$NCF_DOCKER" inspect --type container --format '{{.Config.Image}}
{{.State.Running}}
{{json .NetworkSettings.Ports}}
{{json .HostConfig.DeviceRequests}}' "$ncf_c"
      ncf_run cluster-health "$ncf_g" "$NCF_T" "$NCF_DOCKER" inspect --type container --format '{{.State.Health.Status}}' "$ncf_c"
    done
    set +f
  fi
else ncf_absent cluster-ps '' 'docker not reachable'; fi
`;

export function readDocker(probe: ProbeOutput): Fact<DockerFacts> {
  return probe.fact("docker-info", "", (section) =>
    section.absent ? known({ reachable: false, serverVersion: null, error: "docker is not installed" }) : parseDockerInfo(captured(section)),
  );
}

export interface ClusterContainerEvidence {
  container: Fact<ClusterContainer>;
  /** Docker's health status, null when the container has no health check. */
  health: string | null;
}

/**
 * The cluster containers by gateway name: none when Docker is not installed at all, unknown when
 * Docker is installed but does not answer (a cluster-era gateway cannot then be ruled out).
 */
export function readClusterContainers(probe: ProbeOutput): Fact<Map<string, ClusterContainerEvidence>> {
  const clusterPs = probe.get("cluster-ps");
  if (clusterPs === undefined) return unknown("the probe ended before it listed cluster containers");
  if (clusterPs.absent) {
    const dockerInfo = probe.get("docker-info");
    if (dockerInfo?.absent) return known(new Map());
    return unknown("Docker is not reachable, so cluster-era gateway containers could not be listed", dockerInfo?.body ?? "");
  }
  const names = parseClusterContainerNames(captured(clusterPs));
  if (names.state === "unknown") return names;
  return known(
    new Map(
      names.value.map((name) => {
        const inspect = probe.get("cluster-inspect", name);
        const health = probe.get("cluster-health", name);
        return [
          name,
          {
            container: inspect === undefined ? unknown<ClusterContainer>("the probe did not inspect this container") : parseClusterInspect(captured(inspect)),
            health: health === undefined ? null : parseClusterHealth(captured(health)),
          },
        ];
      }),
    ),
  );
}
