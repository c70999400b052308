/**
 * Fleet file + inventories → DesiredFleet. Everything wrong is collected and reported at once
 * (schema, inventories, cross-references), each problem at its file, line and column.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { isMap } from "yaml";
import { COMMAND_LINE, DiagnosticBag, FleetValidationError, type Diagnostic } from "./diagnostics.js";
import { buildHosts } from "./hosts/build.js";
import { loadInventories, type InventoryRequest, type LoadedInventory } from "./inventory/load.js";
import type { CommandRunner } from "./inventory/script.js";
import { decryptInlineVaults, vaultIdentitiesFromEnv, VaultKeyring, type VaultIdentity } from "./inventory/vault.js";
import { needsValue } from "./hosts/inventory-layer.js";
import { API_V1, API_V1ALPHA1, migrateV1alpha1 } from "./migrate.js";
import { nameProblem } from "./names.js";
import { buildApplySettings, DEFAULT_APPLY } from "./resources/apply-settings.js";
import { buildNotifySettings } from "./resources/notify.js";
import { buildBackupPolicies } from "./resources/backups.js";
import type { BuildContext } from "./resources/context.js";
import { placeGateways } from "./resources/gateways.js";
import { placeSandboxes } from "./resources/sandboxes.js";
import { checkFleetSchema, type CheckedFleet, type SchemaIssue } from "./schema.js";
import { universeOf } from "./selectors.js";
import { formatPath, parseYaml, SourceReadError, SourceRegistry, type YamlSource } from "./source.js";
import { didYouMean } from "./suggest.js";
import { versionWithin } from "./openshell-version.js";
import type { ReleaseRules, TargetRelease } from "./release-rules.js";
import type { DesiredFleet, DesiredHost, SourceRef } from "./types.js";
import { byCodeUnits } from "./order.js";

export interface LoadOptions {
  fleetFile?: string;
  /** Extra inventories (`-i`), relative to cwd. */
  inventories?: string[];
  cwd?: string;
  /** Check settings against the releases each host is to run (src/host/nemoclaw/release-rules.ts). */
  releaseRules?: ReleaseRules;
  /** Vault passwords for encrypted inventories and variables files (default: from the environment, as Ansible reads them). */
  vaultIds?: VaultIdentity[];
  /** Runs inventory scripts and ansible-inventory (tests stand in for them). */
  run?: CommandRunner;
}

export interface FleetInspection {
  /** Present when the sources were readable enough to build a fleet (it is only valid without errors). */
  fleet?: DesiredFleet;
  /** The inventories as read, for `nemoclaw inventory`. */
  inventory?: LoadedInventory;
  diagnostics: Diagnostic[];
  /** Absolute paths of every file read (fleet file, inventories, variables files), so no output overwrites one. */
  sources: string[];
}

/** Loads and checks a fleet; throws FleetValidationError (with every problem) when anything is wrong. */
export async function loadFleet(options: LoadOptions): Promise<{ fleet: DesiredFleet; warnings: Diagnostic[]; sources: string[] }> {
  const { fleet, diagnostics, sources } = await inspectFleet(options);
  const warnings = diagnostics.filter((d) => d.severity === "warning");
  if (fleet === undefined || diagnostics.some((d) => d.severity === "error")) throw new FleetValidationError(diagnostics);
  return { fleet, warnings, sources };
}


/** Like loadFleet, but returns the diagnostics instead of throwing (for `nemoclaw validate`). */
export async function inspectFleet(options: LoadOptions): Promise<FleetInspection> {
  const cwd = options.cwd ?? process.cwd();
  const registry = new SourceRegistry(cwd);
  const bag = new DiagnosticBag(registry);
  let loaded: LoadedInventory | undefined;
  const finish = (fleet?: DesiredFleet): FleetInspection => ({
    ...(fleet === undefined ? {} : { fleet }),
    ...(loaded === undefined ? {} : { inventory: loaded }),
    diagnostics: bag.items,
    sources: registry.all().map((source) => source.absPath),
  });

  let fleetDoc: { yaml: YamlSource; checked: CheckedFleet; issues: SchemaIssue[]; absPath: string } | undefined;
  if (options.fleetFile !== undefined) {
    const absPath = path.resolve(cwd, options.fleetFile);
    const read = await readFleetFile(absPath, registry, bag);
    if (read === undefined) return finish();
    fleetDoc = { ...read, absPath };
  }

  const requests: InventoryRequest[] = [];
  if (fleetDoc !== undefined) {
    const listed = fleetDoc.checked.data.inventory;
    const entries = typeof listed === "string" ? [[undefined, listed] as const] : fleetDoc.checked.items(listed);
    for (const [index, entry] of entries) {
      requests.push({
        path: path.resolve(path.dirname(fleetDoc.absPath), entry),
        from: fleetDoc.yaml.ref(index === undefined ? ["inventory"] : ["inventory", index]),
      });
    }
  }
  for (const inventory of options.inventories ?? []) {
    requests.push({ path: path.resolve(cwd, inventory), from: { file: COMMAND_LINE, line: 1, column: 1, path: `-i ${inventory}` } });
  }
  const keyring = new VaultKeyring(options.vaultIds ?? vaultIdentitiesFromEnv(process.env));
  const errorsBeforeInventories = bag.errors.length;
  loaded = await loadInventories(requests, registry, bag, {
    vault: keyring,
    ...(options.run === undefined ? {} : { run: options.run }),
    ...(fleetDoc === undefined ? {} : { fleetFile: fleetDoc.absPath }),
  });
  const { inventory } = loaded;
  const varMaps = [...inventory.groups.values(), ...inventory.hosts.values()].flatMap((e) => [e.vars, ...e.fileVars.filter((v) => v !== undefined)]);
  await decryptInlineVaults(varMaps, keyring, needsValue, bag);

  const baseDir = fleetDoc === undefined ? cwd : path.dirname(fleetDoc.absPath);
  const hosts = buildHosts({
    inventory,
    sourceCount: loaded.sourceDirs.length,
    ...(fleetDoc === undefined ? {} : { fleet: { checked: fleetDoc.checked, yaml: fleetDoc.yaml, baseDir } }),
    bag,
    baseDirOf: (source: SourceRef) => {
      const file = registry.absPath(source.file);
      return file === undefined ? cwd : path.dirname(file);
    },
    workingDir: cwd,
  });
  const targets = options.releaseRules === undefined ? new Map<string, TargetRelease>() : checkReleases(hosts, options.releaseRules, bag);
  const rootRef: SourceRef = fleetDoc?.yaml.ref([]) ?? requests[0]?.from ?? { file: COMMAND_LINE, line: 1, column: 1, path: "" };
  // An inventory that could not be read says so itself; that it then gave no hosts is no news.
  const inventoriesFailed = bag.errors.length > errorsBeforeInventories;
  if (hosts.length === 0 && !inventoriesFailed) bag.error(rootRef, "the fleet has no hosts: list inventories under inventory: (or pass -i), or declare hosts:");

  const groups = inventory.tree();
  let fleet: DesiredFleet;
  if (fleetDoc === undefined) {
    fleet = { apiVersion: API_V1, name: "inventory", sourceFile: "<inventory>", sourceDigest: "", hosts, groups, backupPolicies: [], apply: DEFAULT_APPLY, notify: null };
  } else {
    const ctx: BuildContext = {
      yaml: fleetDoc.yaml,
      checked: fleetDoc.checked,
      bag,
      hosts,
      hostsByName: new Map(hosts.map((h) => [h.name, h])),
      universe: universeOf(hosts, groups),
      baseDir,
      ...(options.releaseRules === undefined ? {} : { releaseRules: options.releaseRules }),
      targets,
    };
    placeGateways(ctx);
    placeSandboxes(ctx);
    const backupPolicies = buildBackupPolicies(ctx);
    const apply = buildApplySettings(ctx);
    fleet = {
      apiVersion: API_V1,
      name: fleetName(fleetDoc.checked, fleetDoc.yaml, fleetDoc.absPath, bag),
      sourceFile: fleetDoc.absPath,
      sourceDigest: "",
      hosts,
      groups,
      backupPolicies,
      apply,
      notify: buildNotifySettings(ctx),
    };
    reportSchemaIssues(fleetDoc.issues, fleetDoc.yaml, bag);
  }
  fleet.sourceDigest = digestOf(registry);
  return finish(fleet);
}

/**
 * Each host's NemoClaw release must be one the tool can plan with, and an OpenShell pin beside it
 * must be one that release runs: on a NemoClaw host OpenShell belongs to NemoClaw. Returns the
 * releases each host is to run. Each problem is told once at the line that causes it.
 */
function checkReleases(hosts: DesiredHost[], rules: ReleaseRules, bag: DiagnosticBag): Map<string, TargetRelease> {
  const told = new Set<string>();
  const once = (source: SourceRef, message: string) => {
    const key = `${source.file}:${source.line}:${source.column} ${message}`;
    if (!told.has(key)) bag.error(source, message);
    told.add(key);
  };
  const targets = new Map<string, TargetRelease>();
  for (const host of hosts) {
    if (host.nemoclaw === undefined) continue;
    const pin = rules.pinOf(host.nemoclaw.version);
    if ("problem" in pin) {
      once(host.nemoclaw.source, pin.problem);
      continue;
    }
    const openshell = host.openshell;
    if (openshell !== undefined && !versionWithin(openshell.version, pin.min, pin.max)) {
      const runs = pin.min === pin.max ? `OpenShell ${pin.max}` : `OpenShell ${pin.min}–${pin.max}`;
      once(
        openshell.source ?? host.source,
        `openshell.version ${openshell.version} disagrees with nemoclaw.version ${host.nemoclaw.version} (${formatRef(host.nemoclaw.source)}), which runs ${runs}: on a NemoClaw host OpenShell follows the NemoClaw release; remove openshell.version${choose(openshell.version)} (docs/releases.md)`,
      );
      continue;
    }
    targets.set(host.name, { nemoclaw: host.nemoclaw.version, openshell: openshell?.version ?? pin.max });
  }
  return targets;

  function choose(version: string): string {
    const release = rules.releaseRunning(version);
    return release === null ? "" : ` or choose a NemoClaw release that runs it (the newest is v${release})`;
  }
}

function formatRef(source: SourceRef): string {
  return `${source.file}:${source.line}:${source.column}`;
}

async function readFleetFile(absPath: string, registry: SourceRegistry, bag: DiagnosticBag): Promise<{ yaml: YamlSource; checked: CheckedFleet; issues: SchemaIssue[] } | undefined> {
  let source;
  try {
    source = await registry.read(absPath);
  } catch (error) {
    if (!(error instanceof SourceReadError)) throw error;
    const at = { file: registry.displayName(absPath), line: error.position?.line ?? 1, column: error.position?.column ?? 1, path: "" };
    bag.error(at, error.code === "ENOENT" ? "fleet file does not exist" : `the fleet file ${error.message}`);
    return undefined;
  }
  const yaml = parseYaml(source, bag, "1.2");
  if (yaml === undefined) return undefined;
  if (!isMap(yaml.doc.contents)) {
    bag.error(yaml.ref([]), yaml.doc.contents === null ? "the fleet file is empty" : "a fleet file is a mapping (apiVersion:, kind:, hosts:, …)");
    return undefined;
  }
  const apiVersion = yaml.doc.get("apiVersion");
  if (apiVersion === API_V1ALPHA1) migrateV1alpha1(yaml, bag);
  else if (apiVersion !== undefined && apiVersion !== API_V1) {
    bag.error(
      yaml.ref(["apiVersion"]),
      `unknown apiVersion ${JSON.stringify(apiVersion)}; this nemoclaw reads ${API_V1} (and the older ${API_V1ALPHA1})${typeof apiVersion === "string" ? didYouMean(apiVersion, [API_V1, API_V1ALPHA1]) : ""}`,
    );
    return undefined;
  }
  const { issues, checked } = checkFleetSchema(yaml.toJS());
  if (checked === undefined) {
    reportSchemaIssues(issues, yaml, bag);
    return undefined;
  }
  return { yaml, checked, issues };
}

/**
 * Schema findings go in last: where a specific check already explained a value (a sandbox
 * name, a literal secret), the schema's generic complaint about the same value is dropped.
 */
function reportSchemaIssues(issues: SchemaIssue[], yaml: YamlSource, bag: DiagnosticBag): void {
  for (const issue of issues) {
    if (bag.hasErrorAt(yaml.file, formatPath(issue.path))) continue;
    bag.error(yaml.ref(issue.path, issue.target), issue.message, issue.mask === undefined ? {} : { mask: issue.mask });
  }
}

function fleetName(checked: CheckedFleet, yaml: YamlSource, absPath: string, bag: DiagnosticBag): string {
  const written = checked.data.metadata?.name;
  if (written !== undefined) return written;
  const fromFile = path.basename(absPath).replace(/\.(ya?ml|json)$/i, "");
  if (nameProblem("fleet", fromFile) !== undefined) {
    bag.error(yaml.ref([]), `set metadata.name: the file name "${fromFile}" cannot name the fleet (letters, digits, ".", "_", "-")`);
  }
  return fromFile;
}

/** One digest over every file read, so a plan can tell whether its sources changed since. */
function digestOf(registry: SourceRegistry): string {
  const hash = createHash("sha256");
  for (const source of registry.all().sort((a, b) => byCodeUnits(a.absPath, b.absPath))) {
    hash.update(source.absPath).update("\0").update(source.text).update("\0");
  }
  return hash.digest("hex");
}
