/**
 * Everything the rules for one host share: the desired host, what was observed, lookups over
 * both, the notes and steps being collected, and what earlier rules decided (an OpenShell install
 * that later steps wait for, gateways that will only exist after a start step, sandboxes an
 * upgrade already recreates).
 */
import { parseCron, previousFireTime } from "../config/cron.js";
import { compileSelector, globToRegExp, policyCoversName } from "../config/selectors.js";
import type { DesiredBackupPolicy, DesiredFleet, DesiredGateway, DesiredHost, DesiredSandbox, GatewayDriver } from "../config/types.js";
import type { Fact, ObservedGateway, ObservedHost, ObservedSandbox, Registry, RegistryEntry } from "../observe/types.js";
import type { Releases } from "../host/nemoclaw/commands.js";
import { StepList } from "./steps.js";
import type { HostNote, PlanOptions, PreflightBlock, Step, StepTarget } from "./types.js";
import { driverOfVersion } from "./versions.js";

/** What later rules may assume about a desired gateway. */
export type GatewayOutlook =
  | { state: "ready"; driver: GatewayDriver }
  /** Will exist only after `step`; anything on it is predicted. */
  | { state: "starting"; driver: GatewayDriver; step: Step }
  /** Not usable in this plan (unknown, refused); a note says why. */
  | { state: "unavailable" };

/** What the presence rules found for a desired sandbox; settings and guards build on it. */
export type SandboxState =
  /** Registered, live and Ready on a usable gateway. */
  | { kind: "present"; live: LiveSandbox; entry: RegistryEntry }
  /** Registered but absent from its gateway; a stale recovery recreates it from the registry. */
  | { kind: "recovering"; step: Step; entry: RegistryEntry };

export interface LiveSandbox {
  gateway: ObservedGateway;
  sandbox: ObservedSandbox;
}

/** Work shared by every host of one plan: compiled selectors and globs, policies' last fire times. */
export class FleetMemo {
  private readonly globs = new Map<string, RegExp>();
  private readonly selectors = new Map<DesiredBackupPolicy, (host: DesiredHost) => boolean>();
  private readonly fireTimes = new Map<DesiredBackupPolicy, { due: Date | null } | { problem: string }>();

  /** NemoClaw snapshot label for backups no policy covers: one per plan, from the plan's clock. */
  readonly snapshotLabel: string;

  constructor(readonly now: Date) {
    this.snapshotLabel = `fleet-${now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}`;
  }

  glob(pattern: string): RegExp {
    let compiled = this.globs.get(pattern);
    if (!compiled) this.globs.set(pattern, (compiled = globToRegExp(pattern)));
    return compiled;
  }

  policyCoversHost(policy: DesiredBackupPolicy, host: DesiredHost): boolean {
    let matches = this.selectors.get(policy);
    if (!matches) this.selectors.set(policy, (matches = compileSelector(policy.hosts)));
    return matches(host);
  }

  /** When the policy's schedule last fired at or before now (null: never), or why it cannot be read. */
  lastFireTime(policy: DesiredBackupPolicy): { due: Date | null } | { problem: string } {
    let result = this.fireTimes.get(policy);
    if (!result) {
      const parsed = parseCron(policy.schedule ?? "");
      result = parsed.ok ? { due: previousFireTime(parsed.schedule, this.now) } : { problem: parsed.message };
      this.fireTimes.set(policy, result);
    }
    return result;
  }
}

export class HostContext {
  readonly notes: HostNote[] = [];
  readonly steps = new StepList();
  /** NemoClaw is installed: sandboxes (and host-process gateways) can be managed. */
  nemoclawInstalled = false;
  /** Set when the host must not be touched at all (schema drift, a refused downgrade). */
  blocked = false;
  /** The schema-preflight refusal, when drift is why the host is blocked. */
  block: PreflightBlock | undefined;
  /** The OpenShell version the host runs once planned steps are done (x.y.z core). */
  version: string | null = null;
  /** The step installing that version, when one is planned. */
  installStep: Step | undefined;
  /**
   * The NemoClaw and OpenShell releases the host runs once planned steps are done: what every
   * NemoClaw command is built for. Null without NemoClaw (nothing that needs it is planned).
   */
  release: Releases | null = null;
  readonly gateways = new Map<string, GatewayOutlook>();
  /** Sandboxes an OpenShell upgrade already recreates or restores, mapped to the step that does. */
  readonly handledSandboxes = new Map<string, Step>();
  readonly sandboxes = new Map<string, SandboxState>();
  /** How many notes say a needed fact is unknown (the host plan is then incomplete). */
  unknownFacts = 0;
  private hostPolicies: DesiredBackupPolicy[] | undefined;
  private readonly policiesBySandbox = new Map<string, DesiredBackupPolicy[]>();
  private live: LiveSandbox[] | undefined;
  private liveByName: Map<string, LiveSandbox> | undefined;
  private entriesByName: Map<string, RegistryEntry> | undefined;
  private desiredByName: Map<string, DesiredSandbox> | undefined;

  constructor(
    readonly fleet: DesiredFleet,
    readonly host: DesiredHost,
    readonly observed: ObservedHost,
    readonly options: PlanOptions,
    /** Sandbox names with `protect: true` anywhere in the fleet file. */
    readonly protectedNames: ReadonlySet<string>,
    readonly memo: FleetMemo,
  ) {}

  /** Say something about the host once: rules that reach the same conclusion twice add one note. */
  note(level: HostNote["level"], message: string, extra: Omit<HostNote, "level" | "message"> = {}): void {
    if (this.notes.some((note) => note.level === level && note.message === message)) return;
    this.notes.push({ level, message, ...extra });
  }

  /** A fact a rule needs is unknown: say which, with the excerpt, and plan nothing that trusts it. */
  unknown(fact: string, value: { reason: string; excerpt: string }, consequence: string, target?: StepTarget): void {
    this.unknownFacts += 1;
    this.notes.push({
      level: "warning",
      message: `${fact} is unknown (${value.reason}); ${consequence}`,
      fact,
      excerpt: value.excerpt,
      ...(target ? { target } : {}),
    });
  }

  get driver(): GatewayDriver | null {
    return this.version === null ? null : driverOfVersion(this.version);
  }

  observedGateways(): ObservedGateway[] {
    return known(this.observed.gateways) ?? [];
  }

  observedGateway(name: string): ObservedGateway | undefined {
    return this.observedGateways().find((gateway) => gateway.name === name);
  }

  get registry(): Registry | null {
    return known(this.observed.registry);
  }

  registryEntry(name: string): RegistryEntry | undefined {
    this.entriesByName ??= new Map((this.registry?.entries ?? []).map((entry) => [entry.name, entry]));
    return this.entriesByName.get(name);
  }

  desiredGateway(name: string): DesiredGateway | undefined {
    return this.host.gateways.find((gateway) => gateway.name === name);
  }

  desiredSandbox(name: string): DesiredSandbox | undefined {
    this.desiredByName ??= new Map(this.host.sandboxes.map((sandbox) => [sandbox.name, sandbox]));
    return this.desiredByName.get(name);
  }

  /** Desired sandboxes on a gateway, in file order. */
  desiredSandboxesOn(gateway: string): DesiredSandbox[] {
    return this.host.sandboxes.filter((sandbox) => sandbox.gateway === gateway);
  }

  /** Every sandbox a gateway reports, on gateways whose list is known. */
  liveSandboxes(): LiveSandbox[] {
    this.live ??= this.observedGateways().flatMap((gateway) => (known(gateway.sandboxes) ?? []).map((sandbox) => ({ gateway, sandbox })));
    return this.live;
  }

  liveSandbox(name: string): LiveSandbox | undefined {
    this.liveByName ??= new Map(this.liveSandboxes().map((live) => [live.sandbox.name, live]));
    return this.liveByName.get(name);
  }

  /** Backup policies that cover a sandbox on this host, in file order. */
  coveringPolicies(sandbox: string): DesiredBackupPolicy[] {
    let covering = this.policiesBySandbox.get(sandbox);
    if (!covering) {
      this.hostPolicies ??= this.fleet.backupPolicies.filter((policy) => this.memo.policyCoversHost(policy, this.host));
      covering = this.hostPolicies.filter((policy) => policyCoversName(policy, sandbox, (glob) => this.memo.glob(glob)));
      this.policiesBySandbox.set(sandbox, covering);
    }
    return covering;
  }

  /**
   * Where a sandbox is backed up before a disruptive step: every covering policy marked
   * beforeDisruptive, or (null) NemoClaw's own snapshot on the host when none is.
   */
  disruptionBackupPolicies(sandbox: string): (DesiredBackupPolicy | null)[] {
    const policies = this.coveringPolicies(sandbox).filter((policy) => policy.beforeDisruptive);
    return policies.length > 0 ? policies : [null];
  }

  isProtected(sandbox: string): boolean {
    return this.desiredSandbox(sandbox)?.protect === true || this.protectedNames.has(sandbox);
  }
}

export function known<T>(fact: Fact<T>): T | null {
  return fact.state === "known" ? fact.value : null;
}
