/**
 * What each NemoClaw release is and supports, for the commands the fleet tool sends and the
 * settings it may ask for. Facts and their sources are in real-cli-2026-12 (§0 pins, §2 commands,
 * §3 onboard environment, §4 write path, §5 recover, §6 shields, §8 installer); where a feature's
 * first release is known only to within one release (NemoClaw is cut as bare tags from main), the
 * later of the two is used, so the tool never sends a command a release might lack.
 */
import { parseOpenShellVersion, versionAtLeast, versionWithin } from "../../config/openshell-version.js";

export const OLDEST_NEMOCLAW = "0.0.25";
export const NEWEST_NEMOCLAW = "0.0.130";

/** The OpenShell versions a NemoClaw release accepts at onboard; its installer installs `max`. */
export interface OpenShellPin {
  min: string;
  max: string;
}

interface PinBand {
  from: string;
  to: string;
  pin: OpenShellPin | null;
}

/**
 * NemoClaw's pin (`nemoclaw-blueprint/blueprint.yaml` min/max and `scripts/install-openshell.sh`)
 * by release band. v0.0.25–v0.0.38 accepted the range 0.0.32–0.0.36 (the cluster era); v0.0.70
 * pins 0.0.71 (#5596, d091ff0d, is an ancestor of the v0.0.70 release-docs commit 53d11a97, whose
 * blueprint.yaml has min = max = 0.0.71); the pin of v0.0.112–v0.0.113 was never established.
 */
const PIN_BANDS: readonly PinBand[] = [
  { from: "0.0.25", to: "0.0.38", pin: { min: "0.0.32", max: "0.0.36" } },
  { from: "0.0.39", to: "0.0.39", pin: { min: "0.0.37", max: "0.0.37" } },
  { from: "0.0.40", to: "0.0.48", pin: { min: "0.0.39", max: "0.0.39" } },
  { from: "0.0.49", to: "0.0.69", pin: { min: "0.0.44", max: "0.0.44" } },
  { from: "0.0.70", to: "0.0.73", pin: { min: "0.0.71", max: "0.0.71" } },
  { from: "0.0.74", to: "0.0.83", pin: { min: "0.0.72", max: "0.0.72" } },
  { from: "0.0.84", to: "0.0.105", pin: { min: "0.0.85", max: "0.0.85" } },
  { from: "0.0.106", to: "0.0.111", pin: { min: "0.0.101", max: "0.0.101" } },
  { from: "0.0.112", to: "0.0.113", pin: null },
  { from: "0.0.114", to: "0.0.123", pin: { min: "0.0.106", max: "0.0.106" } },
  { from: "0.0.124", to: NEWEST_NEMOCLAW, pin: { min: "0.0.116", max: "0.0.116" } },
];

/** A NemoClaw version as the tool understands it. */
export type NemoClawRelease =
  | { kind: "known"; version: string; pin: OpenShellPin }
  /** Newer than every release the tool knows: treated as the newest one, with a note. */
  | { kind: "newer"; version: string; treatedAs: string; pin: OpenShellPin }
  | { kind: "older"; version: string }
  /** A real release whose OpenShell pin is not known. */
  | { kind: "pin-unknown"; version: string }
  /** No release number (`nemoclaw v0.1.0` is the package's own placeholder, not a release). */
  | { kind: "unversioned"; version: string };

export function nemoclawRelease(version: string): NemoClawRelease {
  const parsed = parseOpenShellVersion(version);
  if (parsed === undefined || parsed.major !== 0 || parsed.minor !== 0) return { kind: "unversioned", version };
  const core = `${parsed.major}.${parsed.minor}.${parsed.patch}`;
  if (!versionAtLeast(core, OLDEST_NEMOCLAW)) return { kind: "older", version: core };
  const band = PIN_BANDS.find((candidate) => versionWithin(core, candidate.from, candidate.to));
  if (band === undefined) return { kind: "newer", version: core, treatedAs: NEWEST_NEMOCLAW, pin: PIN_BANDS.at(-1)!.pin! };
  if (band.pin === null) return { kind: "pin-unknown", version: core };
  return { kind: "known", version: core, pin: band.pin };
}

/** The release to plan with: its own, or the newest known for a newer one; null when it cannot be used. */
export function usableRelease(release: NemoClawRelease): { version: string; pin: OpenShellPin } | null {
  if (release.kind === "known") return { version: release.version, pin: release.pin };
  if (release.kind === "newer") return { version: release.treatedAs, pin: release.pin };
  return null;
}

/**
 * The releases commands are built for, from the versions a host reports; null when its NemoClaw is
 * not a release the tool can plan with. OpenShell falls back to what that release pins.
 */
export function releasesOf(nemoclaw: string | null, openshell: string | null): { nemoclaw: string; openshell: string } | null {
  const usable = nemoclaw === null ? null : usableRelease(nemoclawRelease(nemoclaw));
  if (usable === null) return null;
  const core = openshell === null ? undefined : parseOpenShellVersion(openshell);
  return { nemoclaw: usable.version, openshell: core === undefined ? usable.pin.max : `${core.major}.${core.minor}.${core.patch}` };
}

/** Why a release cannot be planned with, in a sentence; null when it can. */
export function releaseProblem(release: NemoClawRelease): string | null {
  switch (release.kind) {
    case "known":
    case "newer":
      return null;
    case "older":
      return `NemoClaw v${release.version} is older than the oldest release this tool supports (v${OLDEST_NEMOCLAW})`;
    case "pin-unknown":
      return `the OpenShell version NemoClaw v${release.version} pins is not known; choose another release`;
    case "unversioned":
      return `"${release.version}" is not a NemoClaw release number (v0.0.N)`;
  }
}

export function pinAccepts(pin: OpenShellPin, openshell: string): boolean {
  return versionWithin(openshell, pin.min, pin.max);
}

export function describePin(pin: OpenShellPin): string {
  return pin.min === pin.max ? `OpenShell ${pin.max}` : `OpenShell ${pin.min}–${pin.max}`;
}

/** The newest NemoClaw release whose pin accepts this OpenShell version (what to choose to run it). */
export function newestReleasePinning(openshell: string): string | null {
  for (const band of [...PIN_BANDS].reverse()) {
    if (band.pin !== null && pinAccepts(band.pin, openshell)) return band.to;
  }
  return null;
}

/** First release with each feature the tool relies on. */
export const NEMOCLAW_SINCE = {
  /**
   * Shields down is a sandbox's default (#2227, 5956a612, 2026-04-29; first in the v0.0.32
   * release-docs commit ba2b4c1c, not in v0.0.31's 9c7b78b1). Before, config starts locked and a
   * sandbox without a shields state file, or whose file lacks `shieldsDown: true`, is UP
   * (`  Shields: UP`, NC@5956a612^:src/lib/shields.ts:643-652).
   */
  shieldsDownByDefault: "0.0.32",
  /** `onboard --fresh` (#2437). */
  onboardFresh: "0.0.29",
  /**
   * `onboard --name` (#2591, 730f28f9: after the v0.0.29 release-docs commit f86c405e, before v0.0.31's
   * 9c7b78b1). Before, onboard refuses it (`  Unknown onboard option(s): --name, <sb>`, exit 1) and reads
   * the name from NEMOCLAW_SANDBOX_NAME (NC@6966f4b7:src/lib/onboard-command.ts:30-35,90-96, src/lib/onboard.ts:3666-3670).
   */
  onboardName: "0.0.31",
  /** `<sb> recover` (#2960, v0.0.34 or v0.0.35). */
  recover: "0.0.35",
  /** `recover` restores the guards from the packaged preloads before relaunching (#5321). Before: it relaunches unguarded. */
  recoverRestoresGuards: "0.0.64",
  /**
   * `<sb> rebuild --yes` recreates a sandbox registered but absent from its healthy gateway from the
   * registry metadata (#5034, fc3c0a90; first in the v0.0.63 release notes). Before, it refuses with
   * `Sandbox '<sb>' is not running. Cannot back up state.` (NC@fc3c0a90^:src/lib/actions/sandbox/rebuild.ts:494-498).
   */
  staleRecovery: "0.0.63",
  /**
   * Cluster era: onboard starts its gateway with `openshell gateway start --gpu` when it sees an
   * NVIDIA GPU (cluster-gateway.ts), and refuses to reuse a running gateway whose container has no
   * GPU device request (#2799, aceeff3a: after the v0.0.35 release-docs commit 3cc22df2, in v0.0.36's
   * 1be2e815; NC@e0ab181d:src/lib/onboard.ts:4241-4246, 9771-9782, 9851-9868). Before, never `--gpu`.
   */
  clusterGatewayGpu: "0.0.36",
  /** `NEMOCLAW_SANDBOX_GPU`, `NEMOCLAW_SANDBOX_GPU_DEVICE`, `--sandbox-gpu` (#3001). */
  sandboxGpu: "0.0.39",
  /** `inference set --provider --model --sandbox` (#3319). */
  inferenceSet: "0.0.39",
  /** The `langchain-deepagents-code` agent (#5197, f373889b; v0.0.66 release notes f07083ee). Before: `Unknown agent '…'. Available: hermes, openclaw`. */
  deepAgents: "0.0.66",
  /** NVIDIA's key is read from `NVIDIA_INFERENCE_API_KEY`, `NVIDIA_API_KEY` staying an alias (#5366); before, only from `NVIDIA_API_KEY`. */
  nvidiaInferenceKey: "0.0.65",
  /**
   * A gateway per port: onboard with `NEMOCLAW_GATEWAY_PORT=P` (P ≠ 8080) runs gateway `nemoclaw-P`
   * with its own state (#4645 for #4422, 3f4d8e60; "binds gateway state by port" in the v0.0.57
   * release notes be33a6a1, not in v0.0.56's 23bcf776). Before, the gateway is `nemoclaw` on every
   * port (NC@3f4d8e60^:src/lib/onboard.ts:575, NC@e0ab181d:src/lib/onboard.ts:368), so onboarding on
   * another port reuses or restarts the one gateway and never makes `nemoclaw-P`.
   */
  perPortGateways: "0.0.57",
  /** `NEMOCLAW_GATEWAY_BIND_ADDRESS` (#3425, 0a828dad, 05-12; v0.0.40 release-docs commit 8ac005e3). */
  bindAddress: "0.0.40",
  /**
   * Snapshot manifests name the agent's state directory `dir`, and restore reads `dir` or the older
   * `writableDir` (#2227, 5956a612: after the v0.0.31 release docs 9c7b78b1, before v0.0.32's
   * ba2b4c1c). Before, a manifest without `writableDir` is no snapshot at all: `snapshot restore`
   * cannot find it (NC@9c7b78b1:src/lib/sandbox-state.ts isRebuildManifest, readManifest).
   */
  snapshotDir: "0.0.32",
  /** `snapshot restore --yes` (#3796). */
  snapshotRestoreYes: "0.0.49",
  /** `NEMOCLAW_CPU`, `NEMOCLAW_RAM`, `NEMOCLAW_RESOURCE_PROFILE`. */
  resources: "0.0.52",
  /** `onboard --recreate-sandbox` backs the workspace up first and restores it (#4197); before, it deletes without a backup. */
  recreateKeepsState: "0.0.53",
  /** `<sb> status --json` (#4323). Its exit code ignores phase and inference health (NC@d50338aa:src/commands/sandbox/status.ts). */
  sandboxStatusJson: "0.0.56",
  /** `<sb> status` proves the in-sandbox inference route (`https://inference.local/v1/models`) and exits non-zero when it cannot (≈v0.0.78). */
  statusProvesInference: "0.0.78",
  /** The host-mediated gateway controller: `recover` relaunches only a stopped agent gateway (#5874). */
  gatewayControl: "0.0.70",
  /** `<sb> gateway restart` (#5874; the v0.0.71 release notes are the first to describe it). */
  gatewayRestart: "0.0.71",
  /**
   * Docker-driver gateways run with JWT auth: `NEMOCLAW_GATEWAY_BIND_ADDRESS=0.0.0.0` is refused (#5596,
   * d091ff0d, an ancestor of the v0.0.70 release-docs commit 53d11a97;
   * NC@d50338aa:src/lib/onboard/docker-driver-gateway-env.ts:78-83).
   */
  gatewayJwt: "0.0.70",
  /**
   * With sandboxes registered, the installer brings them up with `upgrade-sandboxes --auto` and does
   * not onboard (#6132, 2026-07-01); before, it onboards and then runs `upgrade-sandboxes --auto`
   * (NC@3337cb20:scripts/install.sh:2728-2745).
   */
  installerRecoversFirst: "0.0.72",
  /**
   * The installer's pre-upgrade backup is strict: it installs the target's CLI (OpenShell deferred)
   * and runs its `backup-all` with NEMOCLAW_REQUIRE_ALL_SANDBOX_BACKUPS=1, which exits 1 when any
   * registered sandbox is not Ready on the selected gateway; the installer then stops (#6362,
   * af9743db, first in the v0.0.76 release notes 0662be42; NC@d50338aa:scripts/install.sh:1755-1789,
   * 2010-2018, src/lib/actions/maintenance.ts:31-55,139-148).
   */
  installerStrictBackup: "0.0.76",
  /** `rebuild` needs the third-party notice accepted (`NEMOCLAW_ACCEPT_THIRD_PARTY_SOFTWARE=1`) (#5876). */
  rebuildConsent: "0.0.74",
  /** `openrouter` as a NEMOCLAW_PROVIDER key (#6461). */
  openrouter: "0.0.79",
  /** `<sb> stop` / `<sb> start` (#6748). */
  sandboxStopStart: "0.0.80",
} as const;

/** Last release with each feature that was removed. */
export const NEMOCLAW_UNTIL = {
  /** `<sb> shields up|down|status`, removed by #10722 (2026-08-31); v0.0.117 is taken as the first release without. */
  shields: "0.0.116",
} as const;

export function nemoclawHas(version: string, feature: keyof typeof NEMOCLAW_SINCE): boolean {
  return versionAtLeast(version, NEMOCLAW_SINCE[feature]);
}

export function nemoclawHasShields(version: string): boolean {
  return versionAtLeast(NEMOCLAW_UNTIL.shields, version);
}

/** How `<sb> recover` treats missing guard files (real-cli-2026-12 §5). */
export type RecoverBehaviour =
  /** No `recover` command at all. */
  | "absent"
  /** Relaunches the agent gateway even without its guards: never to be used while guards are missing. */
  | "unguarded"
  /** Restores the guards from the packaged preloads, then relaunches. */
  | "restores-guards"
  /** Relaunches only a stopped agent gateway, restoring the whole guard chain first; a running one is left alone. */
  | "gateway-control";

export function recoverBehaviour(version: string): RecoverBehaviour {
  if (!nemoclawHas(version, "recover")) return "absent";
  if (!nemoclawHas(version, "recoverRestoresGuards")) return "unguarded";
  if (!nemoclawHas(version, "gatewayControl")) return "restores-guards";
  return "gateway-control";
}
