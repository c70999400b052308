/**
 * How NemoClaw's onboard starts its cluster-era gateway (NemoClaw ≤ v0.0.38, OpenShell ≤ 0.0.36),
 * so that the fleet tool starts one exactly so: `openshell gateway start --name nemoclaw --port
 * 8080`, with the cluster image pinned to the installed OpenShell (`OPENSHELL_CLUSTER_IMAGE`,
 * `IMAGE_TAG`: #559, NC@e0ab181d:src/lib/onboard.ts:4362-4376) and, from v0.0.36, `--gpu` on a
 * host where NemoClaw sees an NVIDIA GPU (NC@e0ab181d:src/lib/onboard.ts:4241-4246, 9771-9782).
 * Onboard resolves no `--gpu`/`--no-gpu` here: the fleet file cannot choose the GPU mode before
 * v0.0.39 (release-rules.ts), so NemoClaw's detection decides, as it does for its own onboard.
 * Not reproduced: the locally built overlayfs image onboard substitutes on Docker 26+ with the
 * containerd snapshotter (#2487), and the CoreDNS patch it applies after the start.
 */
import { literalEnv, type PlannedCommand } from "../command.js";
import { gatewayStart } from "../openshell/commands.js";
import type { GpuFacts } from "../system/nvidia-smi.js";
import type { Releases } from "./commands.js";
import { nemoclawHas } from "./releases.js";

/** Names of NVIDIA's unified-memory GPUs, whose `memory.total` is `[N/A]` (NC@e0ab181d:src/lib/inference/nim.ts:23). */
const UNIFIED_MEMORY_GPU = /GB10|Thor|Orin|Xavier/i;

/**
 * `nim.detectGpu()` says `nvidia`: nvidia-smi lists a GPU with a numeric `memory.total`, or a
 * unified-memory one by name (NC@e0ab181d:src/lib/inference/nim.ts:132-231).
 */
export function nemoclawSeesNvidiaGpu(gpus: readonly GpuFacts[]): boolean {
  return gpus.some((gpu) => gpu.memoryMiB !== null || UNIFIED_MEMORY_GPU.test(gpu.name));
}

/** Whether this release's onboard decides the gateway's GPU passthrough from nvidia-smi. */
export function clusterGatewayGpuDetected(release: Releases): boolean {
  return nemoclawHas(release.nemoclaw, "clusterGatewayGpu");
}

/** The gateway start NemoClaw's onboard would run on this host. */
export function clusterGatewayStart(gateway: string, port: number, release: Releases, gpus: readonly GpuFacts[]): PlannedCommand {
  const image = `ghcr.io/nvidia/openshell/cluster:${release.openshell}`;
  return gatewayStart(gateway, port, {
    gpu: clusterGatewayGpuDetected(release) && nemoclawSeesNvidiaGpu(gpus),
    env: literalEnv([
      ["OPENSHELL_CLUSTER_IMAGE", image],
      ["IMAGE_TAG", release.openshell],
    ]),
  });
}
