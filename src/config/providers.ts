/**
 * NemoClaw's inference providers under their two names: the onboard option key a fleet file and
 * NEMOCLAW_PROVIDER use (`build`, `openai`, …) and the OpenShell provider name NemoClaw records
 * in its registry and passes to `inference set` (`nvidia-prod`, `openai-api`, …). From NemoClaw's
 * REMOTE_PROVIDER_CONFIG and providerNameToOptionKey.
 */

interface ProviderInfo {
  key: string;
  /** OpenShell gateway provider name; unknown for providers that only set up another one. */
  gatewayProvider?: string;
  /** Environment variable the onboard wizard reads the key from; null for local providers. */
  credentialEnv: string | null;
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
  { key: "hermes-provider", gatewayProvider: "hermes-provider", credentialEnv: null },
  { key: "openrouter", credentialEnv: null },
  { key: "routed", credentialEnv: null },
  { key: "install-vllm", gatewayProvider: "vllm-local", credentialEnv: null },
  { key: "install-ollama", gatewayProvider: "ollama-local", credentialEnv: null },
];

/** Onboard aliases (`cloud` → `build`, `nim` → `nim-local`) and legacy registry names. */
const ALIASES: Record<string, string> = { cloud: "build", nim: "nim-local", "nvidia-nim": "build" };

function lookup(name: string): ProviderInfo | undefined {
  const canonical = ALIASES[name] ?? name;
  return PROVIDERS.find((provider) => provider.key === canonical) ?? PROVIDERS.find((provider) => provider.gatewayProvider === canonical);
}

/**
 * Every NEMOCLAW_PROVIDER value NemoClaw's non-interactive onboard accepts, aliases included. The
 * fleet file only warns about others: NemoClaw adds providers between releases.
 */
export const KNOWN_PROVIDER_NAMES: readonly string[] = [...PROVIDERS.map((provider) => provider.key), ...Object.keys(ALIASES).filter((alias) => alias !== "nvidia-nim")];

/** The option key for NEMOCLAW_PROVIDER (unknown names pass through unchanged). */
export function providerOptionKey(name: string): string {
  return lookup(name)?.key ?? name;
}

/** The OpenShell provider name `inference set --provider` takes. */
export function gatewayProviderName(name: string): string {
  return lookup(name)?.gatewayProvider ?? name;
}

/** The variable NemoClaw reads the provider key from when the fleet file names none. */
export function defaultCredentialEnv(name: string): string | null {
  return lookup(name)?.credentialEnv ?? null;
}

/** Whether a provider named in the fleet file is the one a registry row records. */
export function sameProvider(desired: string, recorded: string): boolean {
  return providerOptionKey(desired) === providerOptionKey(recorded) || gatewayProviderName(desired) === gatewayProviderName(recorded);
}
