/**
 * What each OpenShell release supports, for the commands the fleet tool sends and the outputs it
 * reads (real-cli-2026-12 §1 and §9, openshell-surface §1.1), read from each tag's clap definitions
 * (`crates/openshell-cli/src/main.rs`).
 */
export const OPENSHELL_SINCE = {
  /** The host-process gateway driver; up to 0.0.36 a gateway is a k3s cluster container. */
  hostProcessDriver: "0.0.37",
  /** `gateway list` (`gateway start|stop|destroy` are gone from here on: clap exits 2). */
  gatewayList: "0.0.37",
  /** `sandbox list -o json`. */
  sandboxListJson: "0.0.44",
  /** `gateway list -o json`. */
  gatewayListJson: "0.0.47",
  /** `gateway info` is a live RPC (prints `Server:`, no `Gateway endpoint:`) and takes `-o json`. */
  gatewayInfoLive: "0.0.85",
  /** `--workspace`; sandbox names at most 19 characters without `--`. */
  workspaces: "0.0.88",
  /** `status -o json`, `sandbox get -o json`, `sandbox create -o json`. */
  statusJson: "0.0.92",
  /** `sandbox create --gpu-device` (requires `--gpu`). */
  gpuDevice: "0.0.37",
  /** `sandbox create --cpu` / `--memory`. */
  resources: "0.0.41",
  /** `sandbox stop` / `sandbox start`; phases Stopping, Stopped, Starting. */
  sandboxStopStart: "0.0.105",
} as const;

/** Last release with each feature that was removed. */
export const OPENSHELL_UNTIL = {
  /** `gateway start|stop|destroy` and `sandbox create --no-bootstrap`: the cluster era. */
  clusterGateway: "0.0.36",
  /** `sandbox create --gpu-device`, replaced by `--driver-config-json` in 0.0.61 (#1815). */
  gpuDevice: "0.0.60",
} as const;
