/**
 * NemoClaw's registry `~/.nemoclaw/sandboxes.json` (nemoclaw-surface §3.2), read here and only
 * here, and its gateway binding rule (§6.3): a valid `gatewayPort` wins (8080 → `nemoclaw`, P →
 * `nemoclaw-P`); else `gatewayName` must be `nemoclaw` or `nemoclaw-<port>` (not `nemoclaw-8080`);
 * neither → `nemoclaw`; anything else is invalid and NemoClaw fails closed — so does this reader
 * (the registry becomes unknown).
 */
import type { Fact } from "../output.js";
import { DEFAULT_GATEWAY_NAME, DEFAULT_GATEWAY_PORT, gatewayNameForPort, portForGatewayName } from "../../config/names.js";
import { extractExactJson, extractJson, isRecord, known, stringOrNull, unknown } from "../output.js";

/** The file as NemoClaw writes it: the rows under `sandboxes`, the default, and whatever else it keeps. */
export interface RegistryDocument {
  sandboxes?: Record<string, unknown>;
  defaultSandbox?: string | null;
  [key: string]: unknown;
}

/**
 * The registry document, or why the text is not one. Like NemoClaw's `load()`
 * (`src/lib/state/registry.ts`), an object without a `sandboxes` object has no sandboxes; text that
 * is not a JSON object is a problem here (NemoClaw would fall back to an empty registry, which
 * would make every registered sandbox look absent).
 */
export function parseRegistryDocument(text: string, exact = false): { document: RegistryDocument } | { problem: string } {
  // `exact` keeps every string as NemoClaw wrote it, for a document that is written back.
  const json = exact ? extractExactJson(text) : extractJson(text);
  if (json === undefined) return { problem: "sandboxes.json is not valid JSON" };
  if (!isRecord(json)) return { problem: "sandboxes.json is not a JSON object" };
  return { document: json as RegistryDocument };
}

/** One row of `~/.nemoclaw/sandboxes.json`, the fields the planner and backups use. */
export interface RegistryEntry {
  name: string;
  gatewayName: string;
  gatewayPort: number | null;
  agent: string | null;
  agentVersion: string | null;
  provider: string | null;
  model: string | null;
  endpointUrl: string | null;
  credentialEnv: string | null;
  policyTier: string | null;
  policies: string[];
  gpuMode: string | null;
  fromDockerfile: string | null;
  imageTag: string | null;
  openshellVersion: string | null;
  openshellDriver: string | null;
  nemoclawVersion: string | null;
  createdAt: string | null;
}

export interface Registry {
  defaultSandbox: string | null;
  entries: RegistryEntry[];
  /**
   * NemoClaw's registry lock is held: its directory exists and is not one a dead command left
   * (registryLockAbandoned), so a NemoClaw command would wait for it.
   */
  locked: boolean;
}

/**
 * A shell condition, true when the registry lock directory `dir` (`sandboxes.json.lock`) is one
 * every NemoClaw release with the lock breaks at once: its `owner` pid is not running, or it has
 * no owner and is older than 10 s (LOCK_STALE_MS; #1033, NC@a1a93c21:bin/lib/registry.js). A live
 * owner's lock is held: only from #4922 (2026-06-08; NC@9708c264:src/lib/state/registry.ts,
 * classifyExistingLock) does NemoClaw also break it after 10 s, before it waits for it.
 */
export function registryLockAbandoned(dir: string): string {
  return `{ ncf_lo="$(cat "${dir}/owner" 2>/dev/null || true)"; if [ -n "$ncf_lo" ]; then [ ! -d "/proc/$ncf_lo" ]; else ncf_ln="$(date +%s)"; [ $((ncf_ln - $(stat -c %Y "${dir}" 2>/dev/null || echo "$ncf_ln"))) -gt 10 ]; fi; }`;
}

export function parseRegistry(text: string, locked: boolean): Fact<Registry> {
  const parsed = parseRegistryDocument(text);
  if ("problem" in parsed) return unknown(parsed.problem, text);
  const json = parsed.document;
  const entries: RegistryEntry[] = [];
  for (const [key, raw] of Object.entries(isRecord(json.sandboxes) ? json.sandboxes : {})) {
    // NemoClaw skips rows that are not objects (sandboxRegistryEntries).
    if (!isRecord(raw)) continue;
    // A placeholder reserved before create; NemoClaw never treats it as a sandbox.
    if (raw.pendingRouteReservation === true) continue;
    const binding = gatewayBinding(raw);
    if (binding === null) {
      return unknown(`Invalid persisted sandbox gateway binding for "${key}" (gatewayName ${JSON.stringify(raw.gatewayName)}, gatewayPort ${JSON.stringify(raw.gatewayPort)})`, text);
    }
    entries.push({
      name: stringOrNull(raw.name) ?? key,
      gatewayName: binding.name,
      gatewayPort: binding.port,
      agent: stringOrNull(raw.agent),
      agentVersion: stringOrNull(raw.agentVersion),
      provider: stringOrNull(raw.provider),
      model: stringOrNull(raw.model),
      endpointUrl: stringOrNull(raw.endpointUrl),
      credentialEnv: stringOrNull(raw.credentialEnv),
      policyTier: stringOrNull(raw.policyTier),
      policies: Array.isArray(raw.policies) ? raw.policies.filter((policy): policy is string => typeof policy === "string") : [],
      gpuMode: gpuModeOf(raw),
      fromDockerfile: stringOrNull(raw.fromDockerfile),
      imageTag: stringOrNull(raw.imageTag),
      openshellVersion: stringOrNull(raw.openshellVersion),
      openshellDriver: stringOrNull(raw.openshellDriver),
      nemoclawVersion: stringOrNull(raw.nemoclawVersion),
      createdAt: stringOrNull(raw.createdAt),
    });
  }
  return known({ defaultSandbox: stringOrNull(json.defaultSandbox), entries, locked });
}

/**
 * NemoClaw's `resolveSandboxGatewayName` (NC@d50338aa:src/lib/onboard/gateway-binding.ts:111-142):
 * a valid `gatewayPort` first, then a valid `gatewayName` (even beside an invalid port), then the
 * default when neither is present; anything else fails closed.
 */
function gatewayBinding(entry: Record<string, unknown>): { name: string; port: number } | null {
  const port = entry.gatewayPort;
  if (typeof port === "number" && Number.isInteger(port) && port >= 1 && port <= 65535) return { name: gatewayNameForPort(port), port };
  const name = entry.gatewayName;
  const namedPort = typeof name === "string" ? portForGatewayName(name) : undefined;
  if (namedPort !== undefined) return { name: name as string, port: namedPort };
  const present = (value: unknown) => value !== undefined && value !== null;
  return present(port) || present(name) ? null : { name: DEFAULT_GATEWAY_NAME, port: DEFAULT_GATEWAY_PORT };
}

/** `sandboxGpuMode` as recorded; older entries only carry the `gpuEnabled` boolean. */
function gpuModeOf(entry: Record<string, unknown>): string | null {
  const mode = stringOrNull(entry.sandboxGpuMode);
  if (mode !== null) return mode;
  const enabled = entry.sandboxGpuEnabled ?? entry.gpuEnabled;
  return typeof enabled === "boolean" ? (enabled ? "1" : "0") : null;
}
