/**
 * The fleet file's settings checked against the releases a host will run (src/config/release-rules.ts
 * says why and when): what NemoClaw's non-interactive onboard would refuse, what the pinned
 * OpenShell would refuse, and what a release would silently ignore. Sources: real-cli-2026-12 §1,
 * §3, §6 and §14.2.
 */
import { versionAtLeast, versionWithin } from "../../config/openshell-version.js";
import type { ReleaseRules, SettingProblem, TargetRelease } from "../../config/release-rules.js";
import { DEFAULT_GATEWAY_NAME, DEFAULT_GATEWAY_PORT } from "../../config/names.js";
import { closest } from "../../config/suggest.js";
import type { DesiredGateway, DesiredSandbox } from "../../config/types.js";
import { OPENSHELL_SINCE, OPENSHELL_UNTIL } from "../openshell/releases.js";
import { KNOWN_PROVIDER_NAMES, providerAvailability, providerOptionKey, providerReleases } from "./providers.js";
import {
  nemoclawHas,
  nemoclawHasShields,
  nemoclawRelease,
  NEMOCLAW_SINCE,
  NEMOCLAW_UNTIL,
  NEWEST_NEMOCLAW,
  newestReleasePinning,
  releaseProblem,
  usableRelease,
} from "./releases.js";

/** OpenShell ≥ 0.0.88 (`MAX_ROUTABLE_NAME_LEN` in openshell-server's grpc validation). */
const ROUTABLE_NAME_MAX = 19;

/** Presets NemoClaw ships at `d50338aa` (`nemoclaw-blueprint/policies/presets/` and the messaging channels); later releases add more. */
const KNOWN_PRESETS = new Set([
  "brave", "brew", "claude-code", "github", "huggingface", "jira", "local-inference", "npm", "observability-otlp-local",
  "openclaw-diagnostics-otel-local", "openclaw-pricing", "outlook", "public-reference", "pypi", "tavily", "weather",
  "discord", "slack", "teams", "telegram", "wechat", "whatsapp",
]);
const PRESET_FAMILIES = [/^nous-/];

/**
 * The agents NemoClaw ships (the fleet file's schema takes these names only, never an alias), with
 * the release each arrived in (absent: every supported release).
 */
const AGENTS: ReadonlyMap<string, keyof typeof NEMOCLAW_SINCE | undefined> = new Map([
  ["openclaw", undefined],
  ["hermes", undefined],
  ["langchain-deepagents-code", "deepAgents"],
]);

/** An agent the release does not ship: onboard exits 1 with `  Unknown agent '<a>'. Available: <sorted list>` (NC@f373889b^:src/lib/onboard/legacy-command.ts:138-142). */
function agentProblems(agent: string, target: TargetRelease | undefined): SettingProblem[] {
  if (!AGENTS.has(agent)) return [problem(["agent"], `"${agent}" is not a NemoClaw agent (${[...AGENTS.keys()].join(", ")})`)];
  const since = AGENTS.get(agent);
  if (target === undefined || since === undefined || nemoclawHas(target.nemoclaw, since)) return [];
  const available = [...AGENTS].filter(([, feature]) => feature === undefined || nemoclawHas(target.nemoclaw, feature)).map(([name]) => name).sort();
  return [problem(["agent"], `agent ${agent} needs NemoClaw v${NEMOCLAW_SINCE[since]} or later; NemoClaw v${target.nemoclaw} refuses it ("Unknown agent '${agent}'. Available: ${available.join(", ")}")`)];
}

/** The router serves the routed blueprint profile's model, whatever NEMOCLAW_MODEL says (NC@d50338aa:src/lib/onboard.ts:3207-3208, nemoclaw-blueprint/blueprint.yaml:88-94). */
const ROUTED_MODEL = "nvidia-routed";

/** Ports NemoClaw keeps for itself (`src/lib/core/ports.ts`). */
const RESERVED_PORTS = new Map([
  [8000, "the vLLM / NIM inference default port"],
  [11434, "the Ollama inference default port"],
  [11435, "the Ollama auth proxy default port"],
  [11436, "the Bedrock Runtime adapter default port"],
]);

function problem(field: SettingProblem["field"], message: string, severity: SettingProblem["severity"] = "error"): SettingProblem {
  return { field, message, severity };
}

function providerSuggestion(provider: string): string {
  const suggestion = closest(provider, KNOWN_PROVIDER_NAMES);
  return suggestion === undefined ? "" : `; did you mean "${suggestion}"?`;
}

function sandboxProblems(sandbox: Omit<DesiredSandbox, "host">, _gateway: DesiredGateway | undefined, target: TargetRelease | undefined): SettingProblem[] {
  const problems: SettingProblem[] = [];
  problems.push(...agentProblems(sandbox.agent, target));
  if (sandbox.provider !== undefined && providerOptionKey(sandbox.provider) === "routed" && sandbox.model !== undefined && sandbox.model !== ROUTED_MODEL) {
    problems.push(problem(["model"], `provider routed always serves NemoClaw's model ${ROUTED_MODEL} (its router picks the backing model), so model "${sandbox.model}" would never be recorded; remove model`));
  }
  if (sandbox.provider !== undefined && target === undefined && !KNOWN_PROVIDER_NAMES.includes(sandbox.provider)) {
    problems.push(problem(["provider"], `"${sandbox.provider}" is not a provider any NemoClaw release is known to take${providerSuggestion(sandbox.provider)}`, "warning"));
  }
  for (const [index, preset] of sandbox.policy.presets.entries()) {
    if (!KNOWN_PRESETS.has(preset) && !PRESET_FAMILIES.some((family) => family.test(preset))) {
      problems.push(problem(["policy", "presets", index], `"${preset}" is not a preset NemoClaw is known to ship; later releases add presets, and NemoClaw refuses unknown ones at onboard ("Unknown policy preset(s)")`, "warning"));
    }
  }
  if (target === undefined) return problems;
  const release = `NemoClaw v${target.nemoclaw}`;

  if (versionAtLeast(target.openshell, OPENSHELL_SINCE.workspaces)) {
    if (sandbox.name.length > ROUTABLE_NAME_MAX) {
      problems.push(problem(["name"], `OpenShell ${target.openshell} (run by ${release}) refuses sandbox names longer than ${ROUTABLE_NAME_MAX} characters: "name exceeds maximum length (${sandbox.name.length} > ${ROUTABLE_NAME_MAX})"`));
    }
    if (sandbox.name.includes("--")) {
      problems.push(problem(["name"], `OpenShell ${target.openshell} (run by ${release}) refuses sandbox names with "--": "name must not contain consecutive hyphens"`));
    }
  }
  if (sandbox.provider !== undefined) {
    const availability = providerAvailability(sandbox.provider, target.nemoclaw);
    if (availability === "unknown-name") problems.push(problem(["provider"], `${release} does not take provider "${sandbox.provider}" ("Unsupported NEMOCLAW_PROVIDER")${providerSuggestion(sandbox.provider)}`));
    if (availability === "too-old") problems.push(problem(["provider"], `provider "${sandbox.provider}" needs NemoClaw ${providerReleases(sandbox.provider)}; the host runs ${release}`));
    if (availability === "unsure") problems.push(problem(["provider"], `provider "${sandbox.provider}" arrived in a NemoClaw release after July 2026 that is not established; ${release} may refuse it`, "warning"));
  }
  if (sandbox.gpu !== "auto" && !nemoclawHas(target.nemoclaw, "sandboxGpu")) {
    problems.push(problem(["gpu"], `gpu: ${sandbox.gpu} needs NemoClaw v${NEMOCLAW_SINCE.sandboxGpu} or later (NEMOCLAW_SANDBOX_GPU); the host runs ${release}`));
  }
  if (sandbox.gpuDevice !== undefined) {
    if (sandbox.gpu !== "on") problems.push(problem(["gpuDevice"], 'gpuDevice needs gpu: on (NemoClaw: "NEMOCLAW_SANDBOX_GPU_DEVICE requires sandbox GPU mode 1")'));
    if (!versionWithin(target.openshell, OPENSHELL_SINCE.gpuDevice, OPENSHELL_UNTIL.gpuDevice)) {
      problems.push(
        problem(["gpuDevice"], `OpenShell ${target.openshell} (run by ${release}) has no sandbox create --gpu-device (it exists in ${OPENSHELL_SINCE.gpuDevice}–${OPENSHELL_UNTIL.gpuDevice} only), so a GPU device cannot be chosen; remove gpuDevice`),
      );
    }
  }
  if (sandbox.resources !== undefined && !nemoclawHas(target.nemoclaw, "resources")) {
    problems.push(problem(["resources"], `resources need NemoClaw v${NEMOCLAW_SINCE.resources} or later (NEMOCLAW_CPU, NEMOCLAW_RAM); ${release} would ignore them`));
  }
  if (sandbox.shields !== undefined && !nemoclawHasShields(target.nemoclaw)) {
    problems.push(problem(["shields"], `shields were removed from NemoClaw after v${NEMOCLAW_UNTIL.shields} (#10722); ${release} has no shields command`));
  }
  return problems;
}

function gatewayProblems(gateway: DesiredGateway, target: TargetRelease | undefined): SettingProblem[] {
  const problems: SettingProblem[] = [];
  const port = gateway.port;
  if (port < 1024 || port > 65535) problems.push(problem(["port"], `NemoClaw refuses gateway port ${port}: it must be between 1024 and 65535`));
  if (port >= 18789 && port <= 18799) problems.push(problem(["port"], `NemoClaw refuses gateway port ${port}: it overlaps the 18789-18799 dashboard port range`));
  const reserved = RESERVED_PORTS.get(port);
  if (reserved !== undefined) problems.push(problem(["port"], `NemoClaw refuses gateway port ${port}: it is ${reserved}`));
  if (gateway.bind !== "127.0.0.1" && gateway.bind !== "0.0.0.0") {
    problems.push(problem(["bind"], `NemoClaw takes only 127.0.0.1 or 0.0.0.0 as the gateway bind address ("Invalid gateway bind address"), not ${gateway.bind}`));
  }
  if (target === undefined) return problems;
  const release = `NemoClaw v${target.nemoclaw}`;
  if (port !== DEFAULT_GATEWAY_PORT && !nemoclawHas(target.nemoclaw, "perPortGateways")) {
    problems.push(
      problem(["port"], `a gateway on port ${port} (${gateway.name}) needs NemoClaw v${NEMOCLAW_SINCE.perPortGateways} or later (#4645); ${release} runs every port's sandboxes on its one gateway ${DEFAULT_GATEWAY_NAME}, so onboarding there would reuse or restart ${DEFAULT_GATEWAY_NAME} and never make ${gateway.name}`),
    );
  }
  if (gateway.bind === "127.0.0.1") return problems;
  if (!nemoclawHas(target.nemoclaw, "bindAddress")) {
    problems.push(problem(["bind"], `a gateway bind address needs NemoClaw v${NEMOCLAW_SINCE.bindAddress} or later (NEMOCLAW_GATEWAY_BIND_ADDRESS); ${release} listens on 127.0.0.1`));
  } else if (gateway.bind === "0.0.0.0" && nemoclawHas(target.nemoclaw, "gatewayJwt")) {
    problems.push(problem(["bind"], `${release} refuses 0.0.0.0 for its Docker-driver gateway while JWT auth is on; keep 127.0.0.1`));
  }
  return problems;
}

export const NEMOCLAW_RELEASE_RULES: ReleaseRules = {
  pinOf(version) {
    const release = nemoclawRelease(version);
    // A host found on a newer release is planned for as the newest known one; choosing one is not, since its pin is not known.
    if (release.kind === "newer") {
      return { problem: `NemoClaw v${release.version} is newer than the newest release this tool knows (v${NEWEST_NEMOCLAW}), so the OpenShell it pins is not known; choose v${NEWEST_NEMOCLAW} or older` };
    }
    const usable = usableRelease(release);
    return usable === null ? { problem: releaseProblem(release)! } : usable.pin;
  },
  releaseRunning: newestReleasePinning,
  sandboxProblems,
  gatewayProblems,
};
