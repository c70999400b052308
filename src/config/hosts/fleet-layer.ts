/** Host settings written in the fleet file (`defaults`, `groups.<name>`, a `hosts` entry) as a layer. */
import type { DiagnosticBag } from "../diagnostics.js";
import type { HostSettings } from "../fleet-file.generated.js";
import type { CheckedFleet } from "../schema.js";
import { argumentProblem, controlCharacterProblem } from "../names.js";
import { parseOpenShellVersion } from "../openshell-version.js";
import { apiKeyShape, literalSecret, parseSecretRef, secretRefProblem } from "../secrets.js";
import type { Path, YamlSource } from "../source.js";
import { addressProblem, emptyLayer, parseProxyJump, pathProblem, resolveLocalPath, type Located, type SettingsLayer } from "./layers.js";

export interface FleetLayerContext {
  yaml: YamlSource;
  /** The schema-checked file: where list entries that survived the check were written. */
  checked: CheckedFleet;
  /** Directory of the fleet file: relative paths resolve against it. */
  baseDir: string;
  bag: DiagnosticBag;
}

/** Anything with the host settings' fields (a `hosts` entry has a few more, read elsewhere). */
export function fleetLayer(raw: HostSettings & { address?: string }, at: Path, ctx: FleetLayerContext): SettingsLayer {
  const { yaml, bag } = ctx;
  const layer = emptyLayer();
  const located = <T>(field: string, value: T): Located<T> => ({ value, source: yaml.ref([...at, field]) });
  const paths = (field: string, value: string | string[]): string[] | undefined => {
    const list = Array.isArray(value) ? value : [value];
    for (const [i, item] of Array.isArray(value) ? ctx.checked.items(value) : [[0, value] as const]) {
      const problem = pathProblem(field, item) ?? argumentProblem(field, item);
      if (problem !== undefined) {
        bag.error(yaml.ref(Array.isArray(value) ? [...at, field, i] : [...at, field]), problem);
        return undefined;
      }
    }
    return list.map((item) => resolveLocalPath(item, ctx.baseDir));
  };

  if (raw.address !== undefined) {
    const problem = addressProblem("address", raw.address, { port: "port", user: "user" }) ?? argumentProblem("address", raw.address);
    if (problem === undefined) layer.address = located("address", raw.address);
    else bag.error(yaml.ref([...at, "address"]), problem);
  }
  if (raw.user !== undefined) layer.user = located("user", raw.user);
  if (raw.port !== undefined) layer.port = located("port", raw.port);
  if (raw.identityFile !== undefined) {
    const files = paths("identityFile", raw.identityFile);
    if (files !== undefined) layer.identityFiles = located("identityFile", files);
  }
  if (raw.agent !== undefined) {
    const agent = typeof raw.agent === "string" ? paths("agent", raw.agent)?.[0] : raw.agent;
    if (agent !== undefined) layer.agent = located("agent", agent);
  }
  if (raw.passphrase !== undefined) {
    const ref = parseSecretRef(raw.passphrase);
    const mask = literalSecret(raw.passphrase);
    if (ref === undefined) bag.error(yaml.ref([...at, "passphrase"]), `passphrase ${secretRefProblem(raw.passphrase)}`, mask === undefined ? {} : { mask });
    else layer.passphrase = located("passphrase", ref.kind === "file" ? { kind: "file", path: resolveLocalPath(ref.path, ctx.baseDir) } : ref);
  }
  if (raw.proxyJump !== undefined) {
    const hops = parseProxyJump(raw.proxyJump);
    if (typeof hops === "string") bag.error(yaml.ref([...at, "proxyJump"]), `proxyJump: ${hops}`);
    else layer.proxyJump = located("proxyJump", hops);
  }
  if (raw.hostKeyChecking !== undefined) layer.hostKeyChecking = located("hostKeyChecking", raw.hostKeyChecking);
  if (raw.knownHostsFile !== undefined) {
    const files = paths("knownHostsFile", raw.knownHostsFile);
    if (files !== undefined) layer.knownHostsFiles = located("knownHostsFile", files);
  }
  if (raw.connectTimeout !== undefined) layer.connectTimeout = located("connectTimeout", raw.connectTimeout);
  if (raw.keepaliveInterval !== undefined) layer.keepaliveInterval = located("keepaliveInterval", raw.keepaliveInterval);
  if (raw.identitiesOnly !== undefined) layer.identitiesOnly = located("identitiesOnly", raw.identitiesOnly);
  if (raw.sshConfig !== undefined) layer.sshConfig = located("sshConfig", raw.sshConfig);
  if (raw.connection !== undefined) layer.connection = located("connection", raw.connection);
  if (raw.openshell?.version !== undefined) {
    const version = parseOpenShellVersion(raw.openshell.version);
    if (version === undefined) bag.error(yaml.ref([...at, "openshell", "version"]), openshellVersionProblem(raw.openshell.version));
    else layer.openshellVersion = { value: version.text, source: yaml.ref([...at, "openshell", "version"]) };
  }
  if (raw.nemoclaw?.version !== undefined) {
    const version = parseOpenShellVersion(raw.nemoclaw.version);
    if (version === undefined) bag.error(yaml.ref([...at, "nemoclaw", "version"]), nemoclawVersionProblem(raw.nemoclaw.version));
    else layer.nemoclawVersion = { value: version.text, source: yaml.ref([...at, "nemoclaw", "version"]) };
  }
  if (raw.openshell?.installer !== undefined) {
    const installer = raw.openshell.installer;
    if (!/^https:\/\//.test(installer)) bag.error(yaml.ref([...at, "openshell", "installer"]), "the OpenShell installer must be an https:// URL");
    else layer.openshellInstaller = { value: installer, source: yaml.ref([...at, "openshell", "installer"]) };
  }
  for (const [key, value] of Object.entries(raw.environment ?? {})) {
    const text = String(value);
    const shape = apiKeyShape(text);
    if (shape !== undefined) {
      bag.error(yaml.ref([...at, "environment", key]), `environment ${key} looks like a literal API key (${shape}); environment is for non-secret settings`, { mask: text });
    } else if (text.includes("\0")) bag.error(yaml.ref([...at, "environment", key]), `environment ${key} contains a NUL character`);
    else layer.environment[key] = { value: text, source: yaml.ref([...at, "environment", key]) };
  }
  for (const [key, value] of Object.entries(raw.labels ?? {})) {
    const problem = labelProblem(key, String(value));
    if (problem !== undefined) bag.error(yaml.ref([...at, "labels", key], "key"), problem);
    else layer.labels[key] = { value: String(value), source: yaml.ref([...at, "labels", key]) };
  }
  for (const [key, value] of Object.entries(raw.vars ?? {})) layer.vars[key] = { value, source: yaml.ref([...at, "vars", key]) };
  return layer;
}

export function openshellVersionProblem(text: string): string {
  return `"${text}" is not an OpenShell version; write it like 0.0.116`;
}

export function nemoclawVersionProblem(text: string): string {
  return `"${text}" is not a NemoClaw release; write it like 0.0.124`;
}

const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

/** Label keys appear in selector patterns (`key=value`), so they cannot hold pattern syntax. */
export function labelProblem(key: string, value: string): string | undefined {
  if (!LABEL_KEY.test(key)) return `label name "${key}" may only contain letters, digits, ".", "_", "/" and "-"`;
  return controlCharacterProblem(`label ${key}`, value);
}
