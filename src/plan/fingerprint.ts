/**
 * Fact keys and fingerprints. Every step names the observed facts it was planned from; a saved
 * plan stores sha256(canonical JSON) of each, so `apply plan.json` can re-observe a host and refuse
 * exactly the hosts whose relevant facts changed (per host, per resource — not "any change").
 *
 * Keys are small and specific so unrelated changes do not make a plan stale:
 *   openshell | gatewayBinary | nemoclaw | system | docker | activeGateway | registry | shields | …
 *   gateway:<gw>             the gateway without its sandbox list
 *   gateway:<gw>/sandboxes   names and phases of the sandboxes it reports
 *   sandbox:<gw>/<name>      one live sandbox, guards included
 *   registry:<name>          one row of ~/.nemoclaw/sandboxes.json
 *   shields:<name>           one sandbox's shields state
 *   snapshot:<name>/<label>  the NemoClaw snapshot of that sandbox named <label> (null: none), so a
 *                            saved plan whose snapshot was already taken is stale, not re-run
 *                            into NemoClaw's "Snapshot name … already exists"
 * A missing resource fingerprints as `null`, an unknown fact as its unknown record.
 */
import { hash } from "node:crypto";
import type { Fact, ObservedGateway, ObservedHost } from "../observe/types.js";
import type { HostPlan } from "./types.js";

const TOP_LEVEL = [
  "system",
  "gpus",
  "docker",
  "openshell",
  "gatewayBinary",
  "nemoclaw",
  "activeGateway",
  "gateways",
  "registry",
  "shields",
  "hostBackups",
  "fleetLock",
] as const satisfies readonly (keyof ObservedHost)[];

type TopLevelKey = (typeof TOP_LEVEL)[number];

/** Fields that change on every observation without meaning anything changed on the host. */
export const VOLATILE_FIELDS: ReadonlySet<string> = new Set(["observedAt", "durationMs"]);

export const factKey = {
  gateway: (gateway: string) => `gateway:${gateway}`,
  gatewaySandboxes: (gateway: string) => `gateway:${gateway}/sandboxes`,
  sandbox: (gateway: string, sandbox: string) => `sandbox:${gateway}/${sandbox}`,
  registryEntry: (sandbox: string) => `registry:${sandbox}`,
  shields: (sandbox: string) => `shields:${sandbox}`,
  snapshot: (sandbox: string, label: string) => `snapshot:${sandbox}/${label}`,
};

/** The observed value a fact key stands for (what gets fingerprinted). */
export function factValue(observed: ObservedHost, key: string): unknown {
  if ((TOP_LEVEL as readonly string[]).includes(key)) return observed[key as TopLevelKey];
  const [kind, rest = ""] = splitOnce(key, ":");
  switch (kind) {
    case "gateway": {
      const [gatewayName, part] = splitOnce(rest, "/");
      return part === "sandboxes" ? gatewaySandboxList(observed, gatewayName) : gatewayWithoutSandboxes(observed, gatewayName);
    }
    case "sandbox": {
      const [gatewayName, sandboxName] = splitOnce(rest, "/");
      return withKnown(gatewayOf(observed, gatewayName), (gateway) =>
        gateway === null ? null : withKnown(gateway.sandboxes, (list) => list.find((s) => s.name === sandboxName) ?? null),
      );
    }
    case "registry":
      return withKnown(observed.registry, (registry) => registry.entries.find((entry) => entry.name === rest) ?? null);
    case "shields":
      return withKnown(observed.shields, (states) => states.find((state) => state.sandbox === rest) ?? null);
    case "snapshot": {
      const [sandboxName, label] = splitOnce(rest, "/");
      return withKnown(observed.hostBackups, (backups) => backups.find((backup) => backup.sandbox === sandboxName && backup.name === label) ?? null);
    }
    default:
      throw new Error(`unknown fact key ${JSON.stringify(key)}`);
  }
}

/** fact key → sha256 hex of the canonical JSON of its value. */
export function factFingerprints(observed: ObservedHost, keys: Iterable<string>): Record<string, string> {
  const fingerprints: Record<string, string> = {};
  for (const key of [...new Set(keys)].sort()) {
    fingerprints[key] = hash("sha256", canonicalJson(factValue(observed, key)), "hex");
  }
  return fingerprints;
}

/** Every fact key any step of a host plan depends on, sorted. */
export function factKeysOf(hostPlan: Pick<HostPlan, "steps">): string[] {
  return [...new Set(hostPlan.steps.flatMap((step) => step.facts))].sort();
}

/** JSON with object keys sorted at every level and volatile fields dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) {
    let text = "[";
    for (let index = 0; index < value.length; index += 1) text += `${index > 0 ? "," : ""}${canonicalJson(value[index])}`;
    return `${text}]`;
  }
  let text = "{";
  for (const key of Object.keys(value).sort()) {
    const field = (value as Record<string, unknown>)[key];
    if (field === undefined || VOLATILE_FIELDS.has(key)) continue;
    text += `${text.length > 1 ? "," : ""}${quotedKey(key)}:${canonicalJson(field)}`;
  }
  return `${text}}`;
}

/** Fact field names repeat on every host; quote each once. */
const QUOTED_KEYS = new Map<string, string>();

function quotedKey(key: string): string {
  let quoted = QUOTED_KEYS.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (QUOTED_KEYS.size < 10_000) QUOTED_KEYS.set(key, quoted);
  }
  return quoted;
}

function gatewayOf(observed: ObservedHost, name: string): Fact<ObservedGateway | null> {
  if (observed.gateways.state === "unknown") return observed.gateways;
  return { state: "known", value: observed.gateways.value.find((gateway) => gateway.name === name) ?? null };
}

function gatewayWithoutSandboxes(observed: ObservedHost, name: string): unknown {
  return withKnown(gatewayOf(observed, name), (gateway) => {
    if (gateway === null) return null;
    const { sandboxes: _sandboxes, ...rest } = gateway;
    return rest;
  });
}

function gatewaySandboxList(observed: ObservedHost, name: string): unknown {
  return withKnown(gatewayOf(observed, name), (gateway) =>
    gateway === null
      ? null
      : withKnown(gateway.sandboxes, (list) => list.map(({ name: sandbox, phase }) => ({ name: sandbox, phase }))),
  );
}

function withKnown<T>(fact: Fact<T>, read: (value: T) => unknown): unknown {
  return fact.state === "known" ? read(fact.value) : fact;
}

function splitOnce(text: string, separator: string): [string, string] {
  const index = text.indexOf(separator);
  return index < 0 ? [text, ""] : [text.slice(0, index), text.slice(index + 1)];
}
