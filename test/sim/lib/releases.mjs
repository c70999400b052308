// @ts-check
// The release model: which OpenShell each NemoClaw release accepts and installs, and from which
// NemoClaw release each behaviour the simulator branches on exists. NemoClaw releases are located
// by their release-notes commits on NVIDIA/NemoClaw main (tags are not in the mirror), so a
// boundary is ±1 release where noted ("≈").

import { atLeast, compareVersions } from "./versions.mjs";

/**
 * NemoClaw release band → OpenShell range it accepts (blueprint `min/max_openshell_version`)
 * and the version its installer puts on a fresh host (`PIN_VERSION = MAX_VERSION`,
 * scripts/install-openshell.sh). Sources: NC `nemoclaw-blueprint/blueprint.yaml` history (#1809,
 * #2141, #2307, #2393, #3001, #3323, #3925, #5596, #6020) and, after the mirror ends
 * (2026-07-08), NC#8800, NC#10541, NC#10758, NC#11790 via the reference.
 * @type {{ from: string; to: string; min: string; max: string }[]}
 */
const PINS = [
  { from: "0.0.16", to: "0.0.21", min: "0.0.24", max: "0.0.26" },
  { from: "0.0.22", to: "0.0.22", min: "0.0.29", max: "0.0.29" },
  { from: "0.0.23", to: "0.0.24", min: "0.0.32", max: "0.0.32" },
  { from: "0.0.25", to: "0.0.38", min: "0.0.32", max: "0.0.36" },
  { from: "0.0.39", to: "0.0.39", min: "0.0.37", max: "0.0.37" },
  { from: "0.0.40", to: "0.0.48", min: "0.0.39", max: "0.0.39" },
  { from: "0.0.49", to: "0.0.69", min: "0.0.44", max: "0.0.44" },
  // #5596 (0.0.71) merged hours before v0.0.70's release notes, which do not mention it; v0.0.70
  // is taken to pin 0.0.71, like v0.0.71–v0.0.73.
  { from: "0.0.70", to: "0.0.73", min: "0.0.71", max: "0.0.71" },
  { from: "0.0.74", to: "0.0.83", min: "0.0.72", max: "0.0.72" },
  { from: "0.0.84", to: "0.0.105", min: "0.0.85", max: "0.0.85" },
  { from: "0.0.106", to: "0.0.111", min: "0.0.101", max: "0.0.101" },
  // v0.0.112 and v0.0.113: pin not established.
  { from: "0.0.114", to: "0.0.123", min: "0.0.106", max: "0.0.106" },
  { from: "0.0.124", to: "0.0.130", min: "0.0.116", max: "0.0.116" },
];

/** The release a scenario gets when it names neither NemoClaw nor OpenShell. */
export const DEFAULT_NEMOCLAW = "0.0.76";

/**
 * @param {string} nemoclaw
 * @returns {{ min: string; max: string; pin: string } | null} null: not established
 */
export function openshellPin(nemoclaw) {
  const band = PINS.find((entry) => atLeast(nemoclaw, entry.from) && atLeast(entry.to, nemoclaw));
  return band ? { min: band.min, max: band.max, pin: band.max } : null;
}

/**
 * The NemoClaw release a scenario that names only an OpenShell version gets: the reference
 * release of that pin, else the newest release whose range holds it, else (OpenShell newer than
 * every pin that fits) the newest release pinning something older — a host where OpenShell was
 * upgraded past NemoClaw's pin — else the oldest modelled release.
 * @param {string} openshell
 */
export function nemoclawFor(openshell) {
  const reference = /** @type {Record<string, string>} */ ({
    "0.0.36": "0.0.38",
    "0.0.37": "0.0.39",
    "0.0.39": "0.0.48",
    "0.0.44": "0.0.69",
    "0.0.71": "0.0.73",
    "0.0.72": DEFAULT_NEMOCLAW,
    "0.0.85": "0.0.105",
    "0.0.101": "0.0.111",
    "0.0.106": "0.0.123",
    "0.0.116": "0.0.130",
  })[openshell];
  if (reference) return reference;
  const holding = [...PINS].reverse().find((entry) => atLeast(openshell, entry.min) && atLeast(entry.max, openshell));
  if (holding) return holding.to;
  const older = [...PINS].reverse().find((entry) => compareVersions(entry.max, openshell) < 0);
  return older ? older.to : /** @type {{ from: string }} */ (PINS[0]).from;
}

/**
 * The first NemoClaw release with each behaviour (or, for `…Removed`, the first without it).
 * Evidence: NC@d50338aa history mapped to releases by their release-notes commits.
 */
export const NC = {
  /**
   * Snapshot manifests name the state directory `dir` (/sandbox/.openclaw) and restore reads `dir`
   * or `writableDir` (#2227, 5956a612: after the v0.0.31 release docs 9c7b78b1, before v0.0.32's
   * ba2b4c1c). Before, they name `writableDir` (/sandbox/.openclaw-data) and a manifest without it
   * is no snapshot at all (NC@9c7b78b1:src/lib/sandbox-state.ts isRebuildManifest, readManifest).
   */
  snapshotDir: "0.0.32",
  /** `list --json` (#2147). */
  listJson: "0.0.32",
  /** Per-sandbox actions became strict oclif commands (#2775–#2970); before, unknown flags were ignored. */
  strictFlags: "0.0.34",
  /** Onboard moved from its hand parser to oclif (#2810). */
  onboardOclif: "0.0.34",
  /** `<sb> recover` (#2960, 2026-05-04: v0.0.34 or v0.0.35). */
  recover: "0.0.35",
  /** `onboard --fresh` (#2437). */
  onboardFresh: "0.0.29",
  /**
   * `onboard --name` (#2591, 730f28f9: after the v0.0.29 release-docs commit f86c405e, before v0.0.31's
   * 9c7b78b1, so v0.0.30 or v0.0.31 ≈). Before, the hand parser refuses it as an unknown option and
   * the name comes from NEMOCLAW_SANDBOX_NAME (NC@6966f4b7:src/lib/onboard-command.ts:30-35,90-96).
   */
  onboardName: "0.0.31",
  /** `onboard --control-ui-port` (#2411). */
  onboardControlUiPort: "0.0.31",
  /** `onboard --gpu/--no-gpu` (#2799). */
  onboardGpu: "0.0.36",
  /** `onboard --yes/-y`. */
  onboardYes: "0.0.38",
  /** `install-vllm`, `install-ollama`, `install-windows-ollama`, `start-windows-ollama` as NEMOCLAW_PROVIDER keys (#3007; absent from the v0.0.34 release-docs commit 64dd957e, present at v0.0.35's 3cc22df2). */
  managedInferenceKeys: "0.0.35",
  /** `install-ollama` was a key before them too (#380; NC@6966f4b7, v0.0.25) until #2495 (7da86fa3, 04-27, in v0.0.26-v0.0.29) dropped it: taken as gone after v0.0.25. */
  installOllamaUntil: "0.0.25",
  /** `routed` as a NEMOCLAW_PROVIDER key (#2202; absent from the v0.0.35 release-docs commit 3cc22df2, present at v0.0.36's 1be2e815). */
  routed: "0.0.36",
  /** Docker-driver gateway, `--sandbox-gpu*` (#3001), `inference set` (#3319), `destroy --cleanup-gateway` (#3229). */
  dockerDriver: "0.0.39",
  /** `hermesProvider` as a NEMOCLAW_PROVIDER key, with its aliases hermes, hermes-provider, hermesprovider, nous, nous-portal (#3320; absent from the v0.0.38 release-docs commit e0ab181d, present at v0.0.39's 51be394d). */
  hermesProvider: "0.0.39",
  inferenceSet: "0.0.39",
  /** NEMOCLAW_GATEWAY_BIND_ADDRESS is read and checked (#3425, 0a828dad; first in the v0.0.40 release-docs commit 8ac005e3). */
  bindAddress: "0.0.40",
  /** `inference get` (#3424). */
  inferenceGet: "0.0.40",
  /** The installer backs up with the existing CLI and retires a < 0.0.37 gateway (#3383). */
  installerRetiresLegacyGateway: "0.0.40",
  /** The current public dispatcher (#3635): RequiredArgsError and `Parsing --` printed. */
  publicDispatch: "0.0.46",
  /** `snapshot restore --force/--yes` (#3796). */
  snapshotRestoreForce: "0.0.49",
  /** FailedFlagValidationError printed instead of an unhandled rejection (#3447). */
  flagValidationPrinted: "0.0.51",
  /** OpenShell-owned spellings get a hint (#3447). */
  openshellHints: "0.0.51",
  /** Resource profiles, NEMOCLAW_CPU/RAM (#3348). */
  resourceProfiles: "0.0.52",
  /** `onboard --no-ollama-autostart` (#4212). */
  onboardNoOllamaAutostart: "0.0.52",
  /** Pre-recreate state backup and NEMOCLAW_RECREATE_WITHOUT_BACKUP (#4197). */
  recreateBackup: "0.0.53",
  /** `<sb> status --json` (#4323). */
  statusJson: "0.0.56",
  /**
   * Fields `<sb> status --json` gained, by the release-notes commit that first follows each merge:
   * `failureLayer` (#4388, bb979ee8) and `dockerPaused` (#4600, 33f7285e) after v0.0.56's notes
   * 23bcf776; `sandboxGpuProof` (#4599, b8e95315) after v0.0.57's be33a6a1; the agent fields
   * (#5197, f373889b) before v0.0.66's f07083ee; `terminalRuntimeHealth` (#5818, 6679bad5) after
   * v0.0.68's 4fae1c00.
   */
  statusFailureLayer: "0.0.57",
  statusGpuProof: "0.0.58",
  statusAgent: "0.0.66",
  statusTerminalRuntime: "0.0.69",
  /**
   * A gateway per port: onboard with NEMOCLAW_GATEWAY_PORT=P runs `nemoclaw-P` and records
   * `gatewayName`/`gatewayPort` in the registry (#4645, 3f4d8e60; "binds gateway state by port" in the
   * v0.0.57 release notes be33a6a1). Before, the gateway is `nemoclaw` on every port
   * (NC@3f4d8e60^:src/lib/onboard.ts:575) and the registry records neither.
   */
  perPortGateways: "0.0.57",
  /**
   * A rebuild whose restore was partial ends `rebuilt but some post-restore steps were incomplete` /
   * `State restore was incomplete — backup available at: <path>` (#4610, 9eb020e4; first in the v0.0.60
   * release notes 1f0b4c5e). Before: `rebuilt but state restore was incomplete` / `Backup available
   * at: <path>` (NC@f9cb3447:src/lib/actions/sandbox/rebuild.ts:907-910).
   */
  rebuildPostRestoreSteps: "0.0.60",
  /** A bare `inference set` prints the OpenShell hint (#4566). */
  inferenceSetHint: "0.0.56",
  /** The `Set with:` lines after a missing NVIDIA key (#4426). */
  missingKeyHints: "0.0.54",
  /** `snapshot create|restore` find the sandbox on its registered gateway, not the selected one (#5225, 4aa341ce; first in v0.0.65's notes f54046de). */
  snapshotOwnGateway: "0.0.65",
  /** NVIDIA_INFERENCE_API_KEY replaces NVIDIA_API_KEY, which stays a legacy alias (#5366). */
  nvidiaInferenceKey: "0.0.65",
  /** Recovery restores guards from the packaged preloads (#5321). */
  recoverRestoresGuards: "0.0.64",
  /**
   * `<sb> rebuild --yes` recreates a sandbox registered but absent from its healthy gateway (#5034,
   * fc3c0a90; first in the v0.0.63 release notes). Before, it refuses: `Sandbox '<sb>' is not running.
   * Cannot back up state.` (NC@fc3c0a90^:src/lib/actions/sandbox/rebuild.ts:494-498).
   */
  staleRecovery: "0.0.63",
  /** The `langchain-deepagents-code` agent (#5197, f373889b; first in the v0.0.66 release notes f07083ee). */
  deepAgents: "0.0.66",
  /**
   * Agent aliases (`nemohermes`, `dcode`, …) and the `(aliases: …)` suffix of the unknown-agent refusal
   * (#5881, 49f3163e; after v0.0.68's notes 4fae1c00, in v0.0.69's e727fecd). Before, `--agent` must
   * name an agent exactly (NC@f373889b^:src/lib/onboard/legacy-command.ts:138-142).
   */
  agentAliases: "0.0.69",
  /** An unknown NEMOCLAW_AGENT is refused cleanly instead of by an uncaught throw (#5973; v0.0.74). */
  unknownAgentEnvClean: "0.0.74",
  /** An interrupted session resumes without --resume (#5487). */
  autoResume: "0.0.66",
  /** `onboard --agents` (#5440). */
  onboardAgents: "0.0.66",
  /** Rebuild strips the onboard selection from its environment (#5787); five variables. */
  rebuildIsolation: "0.0.69",
  /** `inference set --endpoint-url/--credential-env/--inference-api` (#5877). */
  inferenceSetEndpoint: "0.0.69",
  /**
   * The Docker-driver gateway runs with JWT auth and NEMOCLAW_GATEWAY_BIND_ADDRESS=0.0.0.0 is refused
   * (#5596, d091ff0d, an ancestor of the v0.0.70 release-docs commit 53d11a97;
   * NC@d50338aa:src/lib/onboard/docker-driver-gateway-env.ts:78-83).
   */
  gatewayJwt: "0.0.70",
  /** Host-mediated gateway control: `recover` via nemoclaw-gateway-control, `<sb> gateway restart` (#5874). */
  gatewayControl: "0.0.70",
  /** NEMOCLAW_SKIP_UNREACHABLE_SANDBOX_BACKUP (#6199). */
  skipUnreachableBackup: "0.0.73",
  /** 19 isolated variables (#5876, #6251), rebuild consent, `--tool-disclosure`, `<sb> inference set`, `Example:` line. */
  rebuildIsolationFull: "0.0.74",
  toolDisclosure: "0.0.74",
  /** `--observability` (#6340), strict backup-all (#6362), onboard keys in `inference set` (#6321). */
  observability: "0.0.76",
  strictBackupAll: "0.0.76",
  /** With sandboxes registered the installer runs `upgrade-sandboxes --auto` instead of onboard (#6132, 2026-07-01); before, onboard and then `upgrade-sandboxes --auto`. */
  installerRecoversFirst: "0.0.72",
  inferenceSetOnboardKeys: "0.0.76",
  /** `<sb> status` treats the in-sandbox `https://inference.local/v1/models` check as authoritative and exits non-zero when it fails (real-cli-2026-12 §12, ≈v0.0.78). */
  statusInferenceRoute: "0.0.78",
  /** `openrouter` provider key (#6461). */
  openrouter: "0.0.79",
  /** `<sb> stop` / `<sb> start` (NC#6748, 2026-07-13). */
  sandboxStopStart: "0.0.80",
  /** NemoClaw's own ≤ 19 chars / no `--` sandbox-name rule (#8523, from its 0.0.99 pin, first released with 0.0.101). */
  shortSandboxNames: "0.0.106",
  /**
   * After a failed create whose output shows OpenShell's image-tar upload failure, the image-reference
   * workaround hints (#4934, e2db5ed7, 2026-06-09; first in the v0.0.61 release notes 4f7642ed). Before,
   * that failure is not classified and only `Recovery: nemoclaw onboard --resume` follows
   * (NC@e2db5ed7^:src/lib/build-context.ts:46-87).
   */
  imageUploadHints: "0.0.61",
  /** `Cannot create snapshot while shields are up.` (#4508, 488fb3c4; first in the v0.0.56 release notes 23bcf776). Before, the copy fails: `Snapshot failed.` */
  snapshotShieldsWording: "0.0.56",
  /** Shields removed from core by #10722 (2026-08-31); the first release without them is taken to be v0.0.117. */
  shieldsRemoved: "0.0.117",
};

/**
 * The OpenClaw release each NemoClaw release bundles (blueprint history: #1522, #2464, #2484,
 * #4260, and v0.0.75's notes). Later releases are not modelled separately.
 * @param {string} nemoclaw
 */
export function bundledOpenclaw(nemoclaw) {
  if (atLeast(nemoclaw, "0.0.75")) return "2026.6.10";
  if (atLeast(nemoclaw, "0.0.52")) return "2026.5.22";
  if (atLeast(nemoclaw, "0.0.31")) return "2026.4.24";
  if (atLeast(nemoclaw, "0.0.29")) return "2026.4.9";
  return "2026.4.2";
}

/**
 * NemoClaw's onboard gives a cluster-era gateway the GPU (`gateway start --gpu`) from v0.0.36 when
 * `nim.detectGpu()` says `nvidia`: nvidia-smi answers with a GPU whose memory.total is a number, or
 * a unified-memory one by name (#2799; NC@e0ab181d:src/lib/onboard.ts:9771-9782,
 * src/lib/inference/nim.ts:23, 132-231).
 * @param {string} nemoclaw
 * @param {import("./state.mjs").SimState["host"]} host
 */
export function onboardGivesGatewayGpu(nemoclaw, host) {
  return atLeast(nemoclaw, NC.onboardGpu) && nvidiaGpuDetected(host);
}

/** @param {import("./state.mjs").SimState["host"]} host */
export function nvidiaGpuDetected(host) {
  return !host.nvidiaSmiFails && (host.gpus ?? []).some((gpu) => gpu.memoryMiB !== null || /GB10|Thor|Orin|Xavier/i.test(gpu.name));
}
