/**
 * Command lines for the `nemoclaw` CLI, each built for the NemoClaw release that will run it
 * (real-cli-2026-12 §2–§4, the release facts in releases.ts). Only commands and flags that release
 * accepts are ever produced; a setting a release cannot take is refused earlier, by the release
 * rules or the planner, never sent to be ignored.
 */
import { versionWithin } from "../../config/openshell-version.js";
import type { GpuMode, SecretRef, ShieldsPosture } from "../../config/types.js";
import { type CommandEnv, literalEnv, plannedCommand, type PlannedCommand } from "../command.js";
import { OPENSHELL_SINCE, OPENSHELL_UNTIL } from "../openshell/releases.js";
import { nemoclawHas } from "./releases.js";

/** Everything `nemoclaw onboard --non-interactive` needs to create (or re-attach) one sandbox. */
export interface OnboardSettings {
  sandbox: string;
  agent: string;
  /** Onboard option key (`build`, `openai`, …). */
  provider?: string;
  model?: string;
  endpoint?: string;
  /** The provider key, delivered as this environment variable from a secret reference. */
  credential?: { env: string; ref: SecretRef };
  gatewayPort: number;
  bindAddress: string;
  policyTier?: string;
  presets: string[];
  gpu: GpuMode;
  gpuDevice?: string;
  /** A Dockerfile on the host. */
  from?: string;
  cpu?: string;
  memory?: string;
}

/** The releases a command will run against (x.y.z). */
export interface Releases {
  nemoclaw: string;
  openshell: string;
}

const GPU_ENV: Record<GpuMode, string> = { auto: "auto", on: "1", off: "0" };
const DEFAULT_BIND = "127.0.0.1";

/** NemoClaw reads the third-party notice acceptance only when it is exactly `1`. */
const ACCEPT_THIRD_PARTY = literalEnv([["NEMOCLAW_ACCEPT_THIRD_PARTY_SOFTWARE", "1"]]);

/** `NEMOCLAW_CPU` / `NEMOCLAW_RAM`: read from v0.0.52, and passed on every create, recreate and rebuild (they are not recorded). */
function resourceEnv(settings: Pick<OnboardSettings, "cpu" | "memory">, release: Releases): CommandEnv {
  if (!nemoclawHas(release.nemoclaw, "resources")) return {};
  return literalEnv([
    ["NEMOCLAW_CPU", settings.cpu],
    ["NEMOCLAW_RAM", settings.memory],
  ]);
}

/** The non-interactive onboard environment of one sandbox (real-cli-2026-12 §3). */
function onboardEnv(settings: OnboardSettings, release: Releases): CommandEnv {
  const env = literalEnv([
    ["NEMOCLAW_PROVIDER", settings.provider],
    ["NEMOCLAW_MODEL", settings.model],
    ["NEMOCLAW_ENDPOINT_URL", settings.endpoint],
  ]);
  if (settings.credential) env[settings.credential.env] = { secret: settings.credential.ref };
  const gpuDevice =
    settings.gpuDevice !== undefined && versionWithin(release.openshell, OPENSHELL_SINCE.gpuDevice, OPENSHELL_UNTIL.gpuDevice) ? settings.gpuDevice : undefined;
  return {
    ...env,
    ...literalEnv([
      ["NEMOCLAW_GATEWAY_PORT", String(settings.gatewayPort)],
      ["NEMOCLAW_GATEWAY_BIND_ADDRESS", settings.bindAddress !== DEFAULT_BIND && nemoclawHas(release.nemoclaw, "bindAddress") ? settings.bindAddress : undefined],
      ["NEMOCLAW_POLICY_TIER", settings.policyTier],
      // custom = the preset list is authoritative; an empty list is "no presets", which only skip says
      // (custom with an empty NEMOCLAW_POLICY_PRESETS exits 1).
      ["NEMOCLAW_POLICY_MODE", settings.presets.length > 0 ? "custom" : "skip"],
      ["NEMOCLAW_POLICY_PRESETS", settings.presets.length > 0 ? settings.presets.join(",") : undefined],
      ["NEMOCLAW_SANDBOX_GPU", nemoclawHas(release.nemoclaw, "sandboxGpu") ? GPU_ENV[settings.gpu] : undefined],
      ["NEMOCLAW_SANDBOX_GPU_DEVICE", nemoclawHas(release.nemoclaw, "sandboxGpu") ? gpuDevice : undefined],
    ]),
    ...resourceEnv(settings, release),
    ...ACCEPT_THIRD_PARTY,
  };
}

export type OnboardMode =
  /** A new sandbox (or one NemoClaw finds Ready and reuses). */
  | "create"
  /** Delete and create it again with these settings: NemoClaw backs its state up first and restores it after (from v0.0.53). */
  | "recreate";

/**
 * `nemoclaw onboard --non-interactive [--fresh] --name <sb> --agent <a> [--from <Dockerfile>]
 * [--recreate-sandbox]` with the settings in its environment. `--fresh` (from v0.0.29) discards a
 * session another run left in progress, which a plain onboard would otherwise resume (from v0.0.66).
 * Before v0.0.31 onboard has no `--name` (it refuses the option) and reads the sandbox name from
 * `NEMOCLAW_SANDBOX_NAME`.
 */
export function onboard(settings: OnboardSettings, release: Releases, mode: OnboardMode = "create"): PlannedCommand {
  const nameFlag = nemoclawHas(release.nemoclaw, "onboardName");
  const argv = [
    "nemoclaw",
    "onboard",
    "--non-interactive",
    ...(nemoclawHas(release.nemoclaw, "onboardFresh") ? ["--fresh"] : []),
    ...(nameFlag ? ["--name", settings.sandbox] : []),
    "--agent",
    settings.agent,
    ...(settings.from !== undefined ? ["--from", settings.from] : []),
    ...(mode === "recreate" ? ["--recreate-sandbox"] : []),
  ];
  return plannedCommand(argv, { ...onboardEnv(settings, release), ...(nameFlag ? {} : literalEnv([["NEMOCLAW_SANDBOX_NAME", settings.sandbox]])) });
}

/** The same onboard continuing the session a failed run left (`--resume`, which excludes `--fresh`). */
export function resumedOnboard(command: PlannedCommand): PlannedCommand {
  return plannedCommand([...command.argv.filter((word) => word !== "--fresh"), "--resume"], command.env ?? {});
}

/** Relaunches a stopped in-sandbox agent gateway (what it does with missing guards depends on the release: recoverBehaviour). */
export function recover(sandbox: string): PlannedCommand {
  return plannedCommand(["nemoclaw", sandbox, "recover"]);
}

/** Forces a relaunch of the in-sandbox agent gateway, re-emitting the whole guard chain (from v0.0.71). */
export function gatewayRestart(sandbox: string): PlannedCommand {
  return plannedCommand(["nemoclaw", sandbox, "gateway", "restart"]);
}

/**
 * Back up, delete and recreate the sandbox from its registry entry, then restore its state. It
 * recreates the sandbox as recorded (from v0.0.69 it ignores the onboard environment); CPU and RAM
 * are not recorded, so they are passed on every rebuild. From v0.0.74 it needs the third-party
 * notice accepted even with --yes.
 */
export function rebuild(sandbox: string, release: Releases, resources: Pick<OnboardSettings, "cpu" | "memory"> = {}): PlannedCommand {
  return plannedCommand(["nemoclaw", sandbox, "rebuild", "--yes"], {
    ...resourceEnv(resources, release),
    ...(nemoclawHas(release.nemoclaw, "rebuildConsent") ? ACCEPT_THIRD_PARTY : {}),
  });
}

export function destroy(sandbox: string): PlannedCommand {
  return plannedCommand(["nemoclaw", sandbox, "destroy", "--yes"]);
}

/** Adds a preset that is not applied (NemoClaw exits 1 for one that already is). */
export function policyAdd(sandbox: string, preset: string): PlannedCommand {
  return plannedCommand(["nemoclaw", sandbox, "policy-add", preset, "--yes"]);
}

/** Removes a preset that is applied (NemoClaw exits 1 for one that is not). */
export function policyRemove(sandbox: string, preset: string): PlannedCommand {
  return plannedCommand(["nemoclaw", sandbox, "policy-remove", preset, "--yes"]);
}

/**
 * `nemoclaw inference set --provider P --model M --sandbox <sb>` (from v0.0.39): the gateway-wide
 * route, and the sandbox's agent config with it (`provider` is the OpenShell provider name, e.g.
 * `nvidia-prod`). Earlier releases change a model only by a recreate (the planner plans one).
 */
export function inferenceSet(sandbox: string, route: { provider: string; model: string }): PlannedCommand {
  return plannedCommand(["nemoclaw", "inference", "set", "--provider", route.provider, "--model", route.model, "--sandbox", sandbox]);
}

/** Releases up to v0.0.116 only (shields were removed by #10722). `down` is a temporary unlock. */
export function shields(sandbox: string, posture: ShieldsPosture): PlannedCommand {
  return plannedCommand(["nemoclaw", sandbox, "shields", posture]);
}

/**
 * NemoClaw's own snapshot (to ~/.nemoclaw/rebuild-backups on the host), pinned to the sandbox's
 * gateway with `OPENSHELL_GATEWAY` so a per-port gateway's sandbox is found without switching the
 * host's active gateway.
 */
export function snapshotCreate(sandbox: string, label: string, gateway?: string): PlannedCommand {
  return plannedCommand(["nemoclaw", sandbox, "snapshot", "create", "--name", label], literalEnv([["OPENSHELL_GATEWAY", gateway]]));
}

/**
 * `--yes` exists from v0.0.49; before, restore asks nothing in a non-interactive run. Pinned to the
 * sandbox's gateway like snapshotCreate: before #5225 (4aa341ce, ≈v0.0.65) NemoClaw's snapshot
 * commands looked the sandbox up on the selected gateway, so a per-port gateway's sandbox is
 * "not running" unless `OPENSHELL_GATEWAY` names its gateway.
 */
export function snapshotRestore(sandbox: string, label: string, release: Releases, gateway?: string): PlannedCommand {
  return plannedCommand(
    ["nemoclaw", sandbox, "snapshot", "restore", label, ...(nemoclawHas(release.nemoclaw, "snapshotRestoreYes") ? ["--yes"] : [])],
    literalEnv([["OPENSHELL_GATEWAY", gateway]]),
  );
}

/** NemoClaw's installer (`scripts/install.sh` behind https://www.nvidia.com/nemoclaw.sh). */
export const NEMOCLAW_INSTALLER_URL = "https://www.nvidia.com/nemoclaw.sh";

/**
 * Install or upgrade NemoClaw to a release, with the OpenShell it pins (real-cli-2026-12 §8.3).
 * The installer backs up every sandbox of the selected gateway, retires a cluster-era gateway when
 * told it may, installs the pinned OpenShell, and recovers the sandboxes or onboards one — with
 * `onboard`'s environment, so the sandbox given here is the one it onboards (or finds and reuses).
 * Its exit code is wrong in both directions in the field, so every exit code counts as "ran": the
 * step is judged by what the host runs afterwards.
 */
export function installNemoClaw(
  target: string,
  options: {
    /**
     * The cluster-era gateway was backed up and retired before the installer runs: its own pre-upgrade
     * backup would find no sandbox running (NEMOCLAW_OPENSHELL_UPGRADE_PREPARED, NC@d50338aa:scripts/install.sh).
     */
    legacyRetired: boolean;
    /**
     * Registered sandboxes from before NemoClaw recorded image provenance, confirmed as created from its
     * managed image (NEMOCLAW_CONFIRM_LEGACY_MANAGED_RECREATE, the exact JSON array it lists).
     */
    legacyManaged: string[];
    onboard: { settings: OnboardSettings; release: Releases } | null;
  },
): PlannedCommand {
  // The installer runs `onboard` without flags: what onboard otherwise takes as --name, --agent and --from goes in its environment.
  const onboardEnvironment = options.onboard
    ? {
        ...onboardEnv(options.onboard.settings, options.onboard.release),
        ...literalEnv([
          ["NEMOCLAW_SANDBOX_NAME", options.onboard.settings.sandbox],
          ["NEMOCLAW_AGENT", options.onboard.settings.agent],
          ["NEMOCLAW_FROM_DOCKERFILE", options.onboard.settings.from],
        ]),
      }
    : ACCEPT_THIRD_PARTY;
  return plannedCommand(
    ["sh", "-c", `curl -fsSL ${NEMOCLAW_INSTALLER_URL} | bash`],
    {
      ...literalEnv([
        ["NEMOCLAW_INSTALL_TAG", `v${target}`],
        ["NEMOCLAW_NON_INTERACTIVE", "1"],
        ["NEMOCLAW_OPENSHELL_UPGRADE_PREPARED", options.legacyRetired ? "1" : undefined],
        ["NEMOCLAW_CONFIRM_LEGACY_MANAGED_RECREATE", options.legacyManaged.length > 0 ? JSON.stringify([...options.legacyManaged].sort()) : undefined],
      ]),
      ...onboardEnvironment,
    },
    Array.from({ length: 256 }, (_, code) => code),
  );
}
