/** Command lines for `docker` (reference: nemoclaw-surface §2.3). */
import { plannedCommand, type PlannedCommand } from "../command.js";
import { clusterContainerName } from "./cluster.js";

/** The cluster-era gateway image, whose tag is the running gateway version. */
export function clusterImage(gateway: string): PlannedCommand {
  return plannedCommand(["docker", "inspect", "--type", "container", "--format", "{{.Config.Image}}", clusterContainerName(gateway)]);
}

/**
 * Run argv as root inside a docker-driver sandbox. The container is found at run time by
 * OpenShell's labels (its name carries an id the plan cannot know); none or several running
 * containers fail closed.
 */
export function execAsRootInDockerSandbox(sandbox: string, argv: string[]): PlannedCommand {
  const script =
    'id=$(docker ps --no-trunc --filter label=openshell.ai/managed-by=openshell --filter "label=openshell.ai/sandbox-name=$1" --format "{{.ID}}"); ' +
    'case "$id" in ""|*[!0-9a-f]*) echo "no single running container for sandbox $1" >&2; exit 1;; esac; ' +
    'shift; exec docker exec --user root "$id" "$@"';
  return plannedCommand(["sh", "-c", script, "sh", sandbox, ...argv]);
}

/**
 * Cluster era: run argv in the sandbox pod's `agent` container through the k3s inside the gateway
 * container, naming the container as NemoClaw always does (`kubectl exec -n openshell -c agent`,
 * real-cli-2026-12 §10).
 */
export function execInClusterSandbox(gateway: string, sandbox: string, argv: string[]): PlannedCommand {
  return plannedCommand(["docker", "exec", clusterContainerName(gateway), "kubectl", "exec", "-n", "openshell", "-c", "agent", sandbox, "--", ...argv]);
}
