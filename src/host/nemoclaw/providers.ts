/**
 * NemoClaw's inference providers under their two names: the selection key a fleet file and
 * `NEMOCLAW_PROVIDER` use (`build`, `openai`, …) and the OpenShell provider name NemoClaw records in
 * its registry and `inference set --provider` takes (`nvidia-prod`, `openai-api`, …), with the
 * release each key arrived in (real-cli-2026-12 §3: the keys of NemoClaw `d50338aa`, ≈v0.0.76, and
 * the later additions).
 */
import { versionAtLeast } from "../../config/openshell-version.js";
import { nemoclawHas } from "./releases.js";

interface ProviderInfo {
  key: string;
  /** OpenShell gateway provider name; unknown for providers that only set up another one. */
  gatewayProvider?: string;
  /** Environment variable the onboard wizard reads the key from; null for local providers. */
  credentialEnv: string | null;
  /** First release that accepts the key; absent for keys every supported release accepts. */
  since?: string;
  /** The first release is not established (added after the sources that were read): warn, do not refuse. */
  sinceUncertain?: boolean;
  /** Also taken by every supported release up to this one, before a gap that ends at `since`. */
  earlyUntil?: string;
}

const PROVIDERS: ProviderInfo[] = [
  { key: "build", gatewayProvider: "nvidia-prod", credentialEnv: "NVIDIA_INFERENCE_API_KEY" },
  { key: "openai", gatewayProvider: "openai-api", credentialEnv: "OPENAI_API_KEY" },
  { key: "anthropic", gatewayProvider: "anthropic-prod", credentialEnv: "ANTHROPIC_API_KEY" },
  { key: "anthropicCompatible", gatewayProvider: "compatible-anthropic-endpoint", credentialEnv: "COMPATIBLE_ANTHROPIC_API_KEY" },
  { key: "gemini", gatewayProvider: "gemini-api", credentialEnv: "GEMINI_API_KEY" },
  { key: "custom", gatewayProvider: "compatible-endpoint", credentialEnv: "COMPATIBLE_API_KEY" },
  { key: "ollama", gatewayProvider: "ollama-local", credentialEnv: null },
  { key: "vllm", gatewayProvider: "vllm-local", credentialEnv: null },
  { key: "nim-local", gatewayProvider: "vllm-local", credentialEnv: null },
  // #3320 (ee06654a, 2026-05-11): the key `hermesProvider` with its aliases hermes, hermes-provider,
  // hermesprovider, nous and nous-portal; first in the v0.0.39 release-docs commit 51be394d, absent
  // from v0.0.38's e0ab181d (src/lib/onboard/providers.ts `validProviders`).
  { key: "hermes-provider", gatewayProvider: "hermes-provider", credentialEnv: null, since: "0.0.39" },
  // NemoClaw's model router (#2202): recorded as `nvidia-router` (the routed blueprint profile's
  // provider_name, NC@d50338aa:src/lib/onboard.ts:3207, src/lib/onboard/providers.ts:181-182) and
  // keyed by the NVIDIA key (routed-inference.ts resolveRoutedCredentialEnv, model-router.ts:44;
  // `NVIDIA_API_KEY` in the blueprint before #5366). Not a NEMOCLAW_PROVIDER value before v0.0.36
  // (absent from the `Valid values:` list of the v0.0.35 release-docs commit 3cc22df2).
  { key: "routed", gatewayProvider: "nvidia-router", credentialEnv: "NVIDIA_INFERENCE_API_KEY", since: "0.0.36" },
  // #3007 (6ed1714c, 2026-05-05): the managed local-inference keys, first in the v0.0.35 release-docs
  // commit 3cc22df2, absent from v0.0.34's 64dd957e (src/lib/onboard-providers.ts `validProviders`).
  // install-ollama was a key before (#380, 5ee32b9e; NC@6966f4b7, v0.0.25, src/lib/onboard.ts:2834-2850)
  // until #2495 (7da86fa3, 2026-04-27) dropped it, in v0.0.26-v0.0.29: taken as gone after v0.0.25.
  { key: "install-vllm", gatewayProvider: "vllm-local", credentialEnv: null, since: "0.0.35" },
  { key: "install-ollama", gatewayProvider: "ollama-local", credentialEnv: null, since: "0.0.35", earlyUntil: "0.0.25" },
  { key: "install-windows-ollama", gatewayProvider: "ollama-local", credentialEnv: null, since: "0.0.35" },
  { key: "start-windows-ollama", gatewayProvider: "ollama-local", credentialEnv: null, since: "0.0.35" },
  // #6461: openrouter, its provider openrouter-api and key OPENROUTER_API_KEY.
  { key: "openrouter", gatewayProvider: "openrouter-api", credentialEnv: "OPENROUTER_API_KEY", since: "0.0.79" },
  { key: "llama-cpp", credentialEnv: null, since: "0.0.124", sinceUncertain: true },
  { key: "install-llama-cpp", credentialEnv: null, since: "0.0.124", sinceUncertain: true },
];

/** Onboard aliases (matched case-insensitively by NemoClaw) and legacy registry names. */
const ALIASES: Record<string, string> = {
  cloud: "build",
  nim: "nim-local",
  "nvidia-nim": "build",
  anthropiccompatible: "anthropicCompatible",
  hermes: "hermes-provider",
  hermesprovider: "hermes-provider",
  nous: "hermes-provider",
  "nous-portal": "hermes-provider",
  "open-router": "openrouter",
  openrouterai: "openrouter",
};

function lookup(name: string): ProviderInfo | undefined {
  const canonical = ALIASES[name.toLowerCase()] ?? name;
  return (
    PROVIDERS.find((provider) => provider.key === canonical) ??
    PROVIDERS.find((provider) => provider.key.toLowerCase() === canonical.toLowerCase()) ??
    PROVIDERS.find((provider) => provider.gatewayProvider === canonical)
  );
}

/** Every provider name NemoClaw's non-interactive onboard accepts in some release, aliases included. */
export const KNOWN_PROVIDER_NAMES: readonly string[] = [...PROVIDERS.map((provider) => provider.key), ...Object.keys(ALIASES).filter((alias) => alias !== "nvidia-nim")];

/** The option key for NEMOCLAW_PROVIDER (unknown names pass through unchanged). */
export function providerOptionKey(name: string): string {
  return lookup(name)?.key ?? name;
}

/** The OpenShell provider name `inference set --provider` takes. */
export function gatewayProviderName(name: string): string {
  return lookup(name)?.gatewayProvider ?? name;
}

/**
 * The variable NemoClaw reads the provider key from when the fleet file names none, for the
 * release that will read it (null: the newest); the NVIDIA key had another name before v0.0.65.
 */
export function defaultCredentialEnv(name: string, nemoclaw: string | null): string | null {
  const env = lookup(name)?.credentialEnv ?? null;
  if (env === "NVIDIA_INFERENCE_API_KEY" && nemoclaw !== null && !nemoclawHas(nemoclaw, "nvidiaInferenceKey")) return "NVIDIA_API_KEY";
  return env;
}

/** Whether a provider named in the fleet file is the one a registry row records. */
export function sameProvider(desired: string, recorded: string): boolean {
  return providerOptionKey(desired) === providerOptionKey(recorded) || gatewayProviderName(desired) === gatewayProviderName(recorded);
}

/** Whether a NemoClaw release takes this provider; `unsure` when its first release is not established. */
export function providerAvailability(name: string, nemoclaw: string): "known" | "unknown-name" | "too-old" | "unsure" {
  const provider = lookup(name);
  if (provider === undefined) return "unknown-name";
  if (provider.since === undefined || versionAtLeast(nemoclaw, provider.since)) return "known";
  if (provider.earlyUntil !== undefined && versionAtLeast(provider.earlyUntil, nemoclaw)) return "known";
  return provider.sinceUncertain ? "unsure" : "too-old";
}

/** The releases that take a provider, in words (`v0.0.79 or later`); undefined when every release does. */
export function providerReleases(name: string): string | undefined {
  const provider = lookup(name);
  if (provider?.since === undefined) return undefined;
  const later = `v${provider.since} or later`;
  return provider.earlyUntil === undefined ? later : `v${provider.earlyUntil} or older, or ${later}`;
}
