/**
 * What `nemoclaw init` imports from the hosts it observed, so that the first `nemoclaw plan` of the
 * file it writes changes nothing: the releases each host runs (its NemoClaw release and the
 * OpenShell that release pinned), the gateways by port, and the sandboxes NemoClaw's registry
 * records with what they run — agent, provider, model, policy tier and presets, image. Pure: the
 * command observes, this decides, starter-fleet.ts writes.
 */
import { DEFAULT_GATEWAY_PORT, portForGatewayName, sandboxNameProblem } from "../config/names.js";
import { compareOpenShellVersions, parseOpenShellVersion, versionWithin } from "../config/openshell-version.js";
import { defaultCredentialEnv, providerOptionKey } from "../host/nemoclaw/providers.js";
import type { ObservedFleet, ObservedHost, RegistryEntry } from "../observe/types.js";
import { byCodeUnits } from "../config/order.js";

/** What one host told us about its releases. */
export type HostOpenShell =
  | { host: string; status: "installed"; version: string; nemoclaw: string | null }
  | { host: string; status: "not-installed" | "unknown" | "unreachable"; reason: string }
  | { host: string; status: "not-observed" };

/** The OpenShell versions a NemoClaw release runs, or why it cannot be pinned (src/config/release-rules.ts). */
export type PinOf = (nemoclaw: string) => { min: string; max: string } | { problem: string };

/** A host whose releases differ from the defaults, and how. */
export interface HostPin {
  host: string;
  nemoclaw?: string;
  openshell?: string;
}

export interface ReleasePins {
  openshell: string;
  /** The NemoClaw release to pin by default; null when it cannot be pinned for every host. */
  nemoclaw: string | null;
  /** Hosts on other releases, which keep them. */
  overrides: HostPin[];
  /** When NemoClaw is not pinned although hosts run it: which hosts prevent it, and why. */
  unpinned: { host: string; reason: string }[];
}

export interface ImportedGateway {
  port: number;
  name: string;
  /** The observed hosts that run it (or whose sandboxes are registered on it). */
  hosts: string[];
}

/** A sandbox's settings as the fleet file writes them; absent fields keep the file's defaults. */
export interface SandboxSettings {
  agent?: string;
  provider?: string;
  model?: string;
  endpoint?: string;
  credential?: string;
  credentialEnv?: string;
  tier?: string;
  presets: string[];
  from?: string;
}

export interface ImportedSandbox {
  name: string;
  gateway: string;
  hosts: string[];
  settings: SandboxSettings;
  /** What was recorded but not imported, and why (written as comments). */
  notes: string[];
}

/** A sandbox live on a gateway that NemoClaw's registry does not record: named in a comment only. */
export interface FoundSandbox {
  name: string;
  gateway: string;
  hosts: string[];
}

/** A registered sandbox whose name a fleet file cannot declare (src/config/names.ts): named in a comment, with why. */
export interface UnaddressableSandbox extends FoundSandbox {
  problem: string;
}

export function releasesOf(observed: ObservedHost): HostOpenShell {
  const host = observed.host;
  if (observed.unreachable) return { host, status: "unreachable", reason: observed.unreachable.message };
  const fact = observed.openshell;
  if (fact.state === "unknown") return { host, status: "unknown", reason: fact.reason };
  if (!fact.value.installed) return { host, status: "not-installed", reason: "openshell is not installed" };
  if (fact.value.version === null) return { host, status: "unknown", reason: "openshell --version printed no version" };
  const nemoclaw = observed.nemoclaw.state === "known" && observed.nemoclaw.value.installed ? observed.nemoclaw.value.version : null;
  return { host, status: "installed", version: fact.value.version, nemoclaw };
}

/** Newer first by release; text order when a version cannot be read. */
function newerFirst(a: string, b: string): number {
  const [va, vb] = [parseOpenShellVersion(a), parseOpenShellVersion(b)];
  const byRelease = va && vb ? compareOpenShellVersions(vb, va) : 0;
  return byRelease || byCodeUnits(b, a);
}

/** The value most entries have; a tie goes to the newer release. */
function commonest<T>(values: T[], version: (value: T) => string): T | undefined {
  const counts = new Map<string, { value: T; count: number }>();
  for (const value of values) {
    const key = JSON.stringify(value);
    counts.set(key, { value, count: (counts.get(key)?.count ?? 0) + 1 });
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || newerFirst(version(a.value), version(b.value)))[0]?.value;
}

/** The OpenShell release most hosts run; a tie goes to the newer release. */
export function commonestVersion(hosts: HostOpenShell[]): string | undefined {
  const installed = hosts.flatMap((host) => (host.status === "installed" ? [host.version] : []));
  return commonest(installed, (version) => version);
}

/** Why a host's NemoClaw release cannot be pinned with the OpenShell it runs; undefined when it can. */
function unpinnable(host: Extract<HostOpenShell, { status: "installed" }>, pinOf: PinOf): string | undefined {
  if (host.nemoclaw === null) return "NemoClaw is not installed or printed no version";
  const pin = pinOf(host.nemoclaw);
  if ("problem" in pin) return pin.problem;
  if (!versionWithin(host.version, pin.min, pin.max)) {
    return `it runs OpenShell ${host.version}, and NemoClaw v${host.nemoclaw} runs ${pin.min === pin.max ? pin.max : `${pin.min}–${pin.max}`}`;
  }
  return undefined;
}

/**
 * The releases to pin: the NemoClaw release and OpenShell most hosts run as the defaults, and the
 * hosts on others keep theirs. NemoClaw is pinned only when every host that runs OpenShell runs a
 * NemoClaw release that pins it (otherwise a host would inherit a release it does not run); the
 * OpenShell pin is written either way. Undefined when no host reported a version.
 */
export function choosePins(hosts: HostOpenShell[], pinOf: PinOf): ReleasePins | undefined {
  const installed = hosts.filter((host): host is Extract<HostOpenShell, { status: "installed" }> => host.status === "installed");
  if (installed.length === 0) return undefined;
  const unpinned = installed.flatMap((host) => {
    const reason = unpinnable(host, pinOf);
    return reason === undefined ? [] : [{ host: host.host, reason }];
  });
  const pinNemoClaw = unpinned.length === 0;
  const combos = installed.map((host) => ({ openshell: host.version, nemoclaw: pinNemoClaw ? host.nemoclaw : null }));
  const chosen = commonest(combos, (combo) => combo.nemoclaw ?? combo.openshell) as { openshell: string; nemoclaw: string | null };
  const overrides = installed.flatMap((host) => {
    const pin: HostPin = { host: host.host };
    if (pinNemoClaw && host.nemoclaw !== chosen.nemoclaw) pin.nemoclaw = host.nemoclaw as string;
    if (host.version !== chosen.openshell) pin.openshell = host.version;
    return pin.nemoclaw === undefined && pin.openshell === undefined ? [] : [pin];
  });
  const anyNemoClaw = installed.some((host) => host.nemoclaw !== null);
  return { ...chosen, overrides, unpinned: pinNemoClaw || !anyNemoClaw ? [] : unpinned };
}

/** Every gateway the hosts run or register sandboxes on, by port, with the hosts it is on. */
export function importedGateways(observed: ObservedFleet): ImportedGateway[] {
  const found = new Map<number, ImportedGateway>();
  const add = (name: string, port: number | null | undefined, host: string) => {
    const resolved = port ?? portForGatewayName(name);
    if (resolved === undefined) return;
    const entry = found.get(resolved) ?? { port: resolved, name, hosts: [] };
    if (!entry.hosts.includes(host)) entry.hosts.push(host);
    found.set(resolved, entry);
  };
  for (const host of observed.hosts) {
    if (host.gateways.state === "known") for (const gateway of host.gateways.value) add(gateway.name, gateway.port, host.host);
    if (host.registry.state === "known") for (const entry of host.registry.value.entries) add(entry.gatewayName, entry.gatewayPort, host.host);
  }
  return [...found.values()].sort((a, b) => (a.port === DEFAULT_GATEWAY_PORT ? -1 : b.port === DEFAULT_GATEWAY_PORT ? 1 : a.port - b.port));
}

/** Providers whose endpoint is the user's own choice (`NEMOCLAW_ENDPOINT_URL`); others use their provider's. */
const OWN_ENDPOINT_PROVIDERS = new Set(["custom", "anthropicCompatible"]);

/** A registry row as fleet-file settings, with what could not be imported. */
function settingsOf(entry: RegistryEntry): { settings: SandboxSettings; notes: string[] } {
  const settings: SandboxSettings = { presets: [...entry.policies] };
  const notes: string[] = [];
  const agent = (entry.agent ?? "openclaw").toLowerCase();
  if (agent !== "openclaw") settings.agent = agent;
  if (entry.provider !== null) {
    const provider = providerOptionKey(entry.provider);
    settings.provider = provider;
    if (entry.model !== null) settings.model = entry.model;
    if (entry.endpointUrl !== null && OWN_ENDPOINT_PROVIDERS.has(provider)) {
      if (/^[a-z][a-z0-9+.-]*:\/\/[^/@]*@/i.test(entry.endpointUrl)) notes.push("its endpoint carries credentials in the URL and is not copied here; set endpoint yourself");
      else settings.endpoint = entry.endpointUrl;
    }
    const defaultEnv = defaultCredentialEnv(provider, entry.nemoclawVersion);
    const env = entry.credentialEnv ?? defaultEnv;
    if (env !== null) settings.credential = `env:${env}`;
    if (entry.credentialEnv !== null && entry.credentialEnv !== defaultEnv) settings.credentialEnv = entry.credentialEnv;
  }
  if (entry.policyTier !== null) settings.tier = entry.policyTier;
  if (entry.fromDockerfile !== null) settings.from = entry.fromDockerfile;
  return { settings, notes };
}

/**
 * The sandboxes NemoClaw's registries record, one entry per name, gateway and settings (with every
 * host that has them so), and the live sandboxes no registry records.
 */
export function importedSandboxes(observed: ObservedFleet): { declared: ImportedSandbox[]; unregistered: FoundSandbox[]; unaddressable: UnaddressableSandbox[] } {
  const declared = new Map<string, ImportedSandbox>();
  const unaddressable = new Map<string, UnaddressableSandbox>();
  const registered = new Set<string>();
  for (const host of observed.hosts) {
    if (host.registry.state !== "known") continue;
    for (const entry of host.registry.value.entries) {
      registered.add(`${host.host}\0${entry.name}`);
      // NemoClaw takes some names nemoclaw cannot address (`gc`: `nemoclaw gc …` runs its gc command); declared, they would fail validation.
      const problem = sandboxNameProblem(entry.name);
      if (problem !== undefined) {
        const key = `${entry.name}\0${entry.gatewayName}`;
        const found = unaddressable.get(key) ?? { name: entry.name, gateway: entry.gatewayName, hosts: [], problem };
        found.hosts.push(host.host);
        unaddressable.set(key, found);
        continue;
      }
      const { settings, notes } = settingsOf(entry);
      const key = JSON.stringify([entry.name, entry.gatewayName, settings, notes]);
      const sandbox = declared.get(key) ?? { name: entry.name, gateway: entry.gatewayName, hosts: [], settings, notes };
      sandbox.hosts.push(host.host);
      declared.set(key, sandbox);
    }
  }
  const unregistered = new Map<string, FoundSandbox>();
  for (const host of observed.hosts) {
    if (host.gateways.state !== "known") continue;
    for (const gateway of host.gateways.value) {
      if (gateway.sandboxes.state !== "known") continue;
      for (const sandbox of gateway.sandboxes.value) {
        if (registered.has(`${host.host}\0${sandbox.name}`)) continue;
        const key = `${sandbox.name}\0${gateway.name}`;
        const entry = unregistered.get(key) ?? { name: sandbox.name, gateway: gateway.name, hosts: [] };
        entry.hosts.push(host.host);
        unregistered.set(key, entry);
      }
    }
  }
  const byName = <T extends { name: string; gateway: string }>(a: T, b: T) => byCodeUnits(a.name, b.name) || byCodeUnits(a.gateway, b.gateway);
  return { declared: [...declared.values()].sort(byName), unregistered: [...unregistered.values()].sort(byName), unaddressable: [...unaddressable.values()].sort(byName) };
}
