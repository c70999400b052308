/**
 * The resolved, desired state of a fleet: what the loader produces from a fleet file plus
 * inventories, after defaults, group settings and selectors have been applied. Every later
 * stage (observe, plan, apply, backup) reads this and nothing from the raw YAML.
 */

/** A position in a source file, 1-based, so every error and every plan reason can name it. */
export interface SourceRef {
  file: string;
  line: number;
  column: number;
  /** JSON-pointer-like path of the field, e.g. `sandboxes[2].credential`. */
  path: string;
}

/**
 * A reference to a secret. The value is only ever resolved at apply time, delivered on stdin or
 * in the environment of the command that needs it, and never printed, planned or journaled.
 */
export type SecretRef = { kind: "env"; name: string } | { kind: "file"; path: string };

export type HostKeyChecking = "strict" | "accept-new";

/**
 * Which connection settings a fleet file or inventory actually wrote. ~/.ssh/config fills in only
 * what was not written (as `ssh` without `-p`/`-l` would); absent means all were written.
 */
export interface WrittenSettings {
  port: boolean;
  user: boolean;
  /** The rest default to written (true) when absent. */
  knownHostsFiles?: boolean;
  hostKeyChecking?: boolean;
  connectTimeout?: boolean;
  keepaliveInterval?: boolean;
}

/**
 * What a ProxyCommand tells its own ssh about the jump host (`-F`, `-o …`): that jump host's own
 * settings, which nothing else gives it (OpenSSH dials a jump host as a host of its own).
 */
export interface HopOptions {
  knownHostsFiles?: string[];
  hostKeyChecking?: HostKeyChecking;
  identitiesOnly?: boolean;
  /** `-F`: the ssh configuration read for the jump host instead of ~/.ssh/config. */
  configFile?: string;
}

export interface JumpHop extends HopOptions {
  /** Host name as declared in the fleet or inventory, or a raw address. */
  host: string;
  address: string;
  port: number;
  user: string;
  /**
   * Key files of the jump host itself: a fleet host's, and those given to the jump's own ssh
   * (`-i` in a ProxyCommand), offered first. Never the target's.
   */
  identityFiles: string[];
  /** When the hop is itself a fleet host, its name (so its connection settings and key are reused). */
  fleetHost?: string;
  explicit?: WrittenSettings;
}

export interface SshConnectionSettings {
  kind: "ssh";
  address: string;
  port: number;
  user: string;
  /** Identity files to offer, in order (after the agent, when agent auth is on). */
  identityFiles: string[];
  /** `true` = use $SSH_AUTH_SOCK, a string = that agent socket, `false` = no agent. */
  agent: boolean | string;
  /** Passphrase for encrypted identity files; never prompted for. */
  passphrase?: SecretRef;
  proxyJump: JumpHop[];
  hostKeyChecking: HostKeyChecking;
  /** known_hosts files consulted (first one is where accept-new records keys). */
  knownHostsFiles: string[];
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
  /** Offer only the agent keys of `identityFiles` (OpenSSH's IdentitiesOnly; ~/.ssh/config may turn it on too). */
  identitiesOnly: boolean;
  /** Whether ~/.ssh/config may fill in HostName, User, Port, IdentityFile and ProxyJump. */
  useSshConfig: boolean;
  explicit?: WrittenSettings;
}

export interface LocalConnectionSettings {
  kind: "local";
}

export type ConnectionSettings = SshConnectionSettings | LocalConnectionSettings;

/** OpenShell's gateway drivers: the k3s cluster container (≤ 0.0.36) or the host process (≥ 0.0.37). */
export type GatewayDriver = "cluster-container" | "host-process";

export interface DesiredGateway {
  /** `nemoclaw` for port 8080, `nemoclaw-<port>` otherwise (NemoClaw's rule). */
  name: string;
  port: number;
  /** Undefined means: whatever the host's pinned OpenShell era implies. */
  driver?: GatewayDriver;
  bind: string;
  source: SourceRef;
}

export type GpuMode = "auto" | "on" | "off";
export type PolicyTier = "restricted" | "balanced" | "open";
export type ShieldsPosture = "up" | "down";

export interface DesiredSandbox {
  name: string;
  host: string;
  gateway: string;
  agent: string;
  provider?: string;
  model?: string;
  endpoint?: string;
  credential?: SecretRef;
  /** Where the fleet file wrote `credential`, so a secret apply cannot read is reported there. */
  credentialSource?: SourceRef;
  /** Environment variable NemoClaw reads the provider key from on the host (e.g. NVIDIA_INFERENCE_API_KEY). */
  credentialEnv?: string;
  policy: { tier?: PolicyTier; presets: string[] };
  gpu: GpuMode;
  gpuDevice?: string;
  /** The absolute path of a Dockerfile on the host (NemoClaw builds only from a Dockerfile). */
  from?: string;
  resources?: { cpu?: string; memory?: string };
  shields?: ShieldsPosture;
  protect: boolean;
  /** Allow the arm64 image-reference workaround (local registry) to be carried out, not just printed. */
  imageRefWorkaround: boolean;
  source: SourceRef;
}

export interface DesiredHost {
  name: string;
  connection: ConnectionSettings;
  groups: string[];
  labels: Record<string, string>;
  /** Inventory/host variables that are not connection settings, kept for selectors and reports. */
  vars: Record<string, unknown>;
  /** Non-secret environment set for every command on this host (Ansible's `environment:`). */
  environment: Record<string, string>;
  /**
   * The NemoClaw release the host should run, when the fleet file names one for this host or its
   * groups; the OpenShell version then follows from that release's pin.
   */
  nemoclaw?: { version: string; source: SourceRef };
  /** Pinned OpenShell version, when the fleet file pins one for this host or its groups. */
  openshell?: {
    version: string;
    /** URL of the OpenShell installer that installs the pinned version. */
    installer?: string;
    source?: SourceRef;
  };
  gateways: DesiredGateway[];
  sandboxes: DesiredSandbox[];
  source: SourceRef;
}

export interface Retention {
  keepLast?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
}

export type BackupDestination =
  | { kind: "local"; path: string }
  | { kind: "ssh"; host: string; path: string };

export interface DesiredBackupPolicy {
  name: string;
  /** Host selector and sandbox name globs choosing which sandboxes the policy covers. */
  hosts: HostSelector;
  sandboxNames: string[];
  /** Five-field cron expression. */
  schedule?: string;
  retention: Retention;
  destination: BackupDestination;
  verify: boolean;
  /** The backup before a rebuild or recreate goes to this policy (else NemoClaw's own snapshot on the host). */
  beforeDisruptive: boolean;
  /** Fail the run when any selected sandbox could not be backed up. */
  strict: boolean;
  source: SourceRef;
}

/**
 * A host selector. The string form is an Ansible-style pattern (`spark-*,&rack_a,!spark-09`,
 * `role=edge`); the object form ANDs its keys and ORs the entries within each key.
 */
export type HostSelector =
  | {
      kind: "pattern";
      pattern: string;
      /** The hosts the pattern selected when the fleet was loaded (subscripts need the whole inventory). */
      hosts?: readonly string[];
    }
  | { kind: "match"; names?: string[]; groups?: string[]; labels?: Record<string, string> };

export interface WaveSpec {
  /** Absolute host count, or a percentage of the selected hosts. */
  size: number;
  unit: "hosts" | "percent";
}

export interface ApplySettings {
  concurrency: number;
  waves: WaveSpec[];
  /** Later waves stop when more than this percentage of hosts failed (Ansible semantics: exceeded, not equalled). */
  maxFailPercentage: number;
  stepTimeoutMs: number;
  /** Remove sandboxes present on hosts but absent from the file (never protected ones). */
  pruneUnmanaged: boolean;
  /** Lease length for per-host locks; a lock older than this whose holder is gone is reclaimed. */
  lockTtlMs: number;
  /** After a host's steps, the sandboxes they changed must be healthy within this long; null: no health gate. */
  healthGate: { timeoutMs: number } | null;
}

/** Where a run is reported (`notify:`): a webhook URL that is always treated as a secret. */
export interface NotifySettings {
  /** A reference to the URL, or the URL written in the file. */
  webhook: { ref: SecretRef } | { url: string };
  format: "json" | "slack";
  /** always; changes: runs that changed or failed something; problems: runs that did not succeed. */
  when: "always" | "changes" | "problems";
  /** How long a lasting trouble goes untold before it is told again (`remindEvery`). */
  remindAfterMs: number;
  source: SourceRef;
}

/** An inventory group as Ansible keeps it: its own hosts and child groups, in declaration order. */
export interface FleetGroup {
  name: string;
  hosts: string[];
  children: string[];
}

export interface DesiredFleet {
  apiVersion: string;
  name: string;
  /** Absolute path of the fleet file, or a label like `<inventory>` when loaded without one. */
  sourceFile: string;
  /** SHA-256 of the fleet file and inventories as read, for plan files and the journal. */
  sourceDigest: string;
  hosts: DesiredHost[];
  /** The inventory's groups (with the fleet file's memberships), `all` and `ungrouped` first, for host patterns. */
  groups?: FleetGroup[];
  backupPolicies: DesiredBackupPolicy[];
  apply: ApplySettings;
  /** `notify:`; null when runs are not reported anywhere. */
  notify: NotifySettings | null;
}
