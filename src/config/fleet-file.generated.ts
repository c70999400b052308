/* eslint-disable */
/**
 * Generated from schemas/fleet.schema.json by scripts/gen-types.mjs (npm run gen:types).
 * Do not edit by hand: change the schema and regenerate.
 */

/**
 * SSH login user (default: the local user, as in Ansible).
 */
export type User = string;
/**
 * SSH port.
 */
export type SshPort = number;
/**
 * SSH private key file(s), tried in order after the agent.
 */
export type IdentityFile = string | string[];
/**
 * SSH agent: `true` uses `$SSH_AUTH_SOCK`, a string is the agent socket path, `false` disables it.
 */
export type Agent = boolean | string;
/**
 * Passphrase of encrypted identity files, as a secret reference (`env:NAME` or `file:PATH`).
 */
export type Passphrase = string;
/**
 * Jump host(s) in order, as `host`, `user@host:port` or a comma-separated chain. A fleet host name reuses that host's connection settings; any other jump host is resolved as `ssh -J` resolves it, with its own `~/.ssh/config` settings (docs/ssh.md).
 */
export type ProxyJump = string | string[];
/**
 * `strict` only accepts host keys already in known_hosts; `accept-new` records the key of a host seen for the first time.
 */
export type HostKeyChecking = "strict" | "accept-new";
/**
 * known_hosts file(s); the first is where `accept-new` records keys.
 */
export type KnownHostsFile = string | string[];
/**
 * Seconds to wait for the SSH connection.
 */
export type ConnectTimeout = number;
/**
 * Seconds between SSH keepalives (0 turns them off).
 */
export type KeepaliveInterval = number;
/**
 * Of the SSH agent's keys, offer only those of `identityFile` (like OpenSSH's IdentitiesOnly); keeps an agent holding many keys from using up the host's MaxAuthTries. `IdentitiesOnly yes` in `~/.ssh/config` turns it on too.
 */
export type IdentitiesOnly = boolean;
/**
 * Let `~/.ssh/config` fill in HostName, User, Port, IdentityFile and ProxyJump.
 */
export type SshConfig = boolean;
/**
 * `ssh`, or `local` to run commands on this machine. Local commands do not inherit nemoclaw's environment: they get PATH, HOME, USER, LOGNAME, LANG, LC_*, TERM, TMPDIR and the XDG base directories, then the host's `environment`.
 */
export type Connection = "ssh" | "local";
/**
 * Host name as in the inventory: letters, digits, `.`, `_`, `-`.
 */
export type HostName = string;
/**
 * Group name as in Ansible: letters, digits, `_`, `-`; starts with a letter or `_`.
 */
export type GroupName = string;
/**
 * Gateway port.
 */
export type GatewayPort = number;
/**
 * Hosts that run this gateway (default: all hosts).
 */
export type HostSelector =
  | string
  | {
      /**
       * Host names or globs.
       */
      names?: string[];
      /**
       * Group names.
       */
      groups?: string[];
      labels?: StringMap1;
    };
/**
 * Host name as in the inventory: letters, digits, `.`, `_`, `-`.
 */
export type HostName1 = string;
/**
 * Run this sandbox on every host the selector matches.
 */
export type HostSelector1 =
  | string
  | {
      /**
       * Host names or globs.
       */
      names?: string[];
      /**
       * Group names.
       */
      groups?: string[];
      labels?: StringMap1;
    };
/**
 * The provider API key, as a secret reference (`env:NAME` or `file:PATH`). A literal key is an error.
 */
export type SecretReference = string;
/**
 * Environment variable NemoClaw reads the key from on the host (default per provider, e.g. `NVIDIA_INFERENCE_API_KEY` for build).
 */
export type EnvironmentVariableName = string;
/**
 * Hosts whose sandboxes are backed up (default: all hosts).
 */
export type HostSelector2 =
  | string
  | {
      /**
       * Host names or globs.
       */
      names?: string[];
      /**
       * Group names.
       */
      groups?: string[];
      labels?: StringMap1;
    };
/**
 * Host name as in the inventory: letters, digits, `.`, `_`, `-`.
 */
export type HostName2 = string;

/**
 * A nemoclaw fleet file: the hosts, OpenShell gateways, NemoClaw sandboxes and backup policies of a fleet of DGX hosts. Hosts come from Ansible inventories and from `hosts:`; everything else is declared here.
 */
export interface FleetFile {
  /**
   * Version of this file format. `nemoclaw.dev/v1alpha1` files are still read (and migrated with a warning).
   */
  apiVersion: "nemoclaw.dev/v1";
  /**
   * Always `Fleet`.
   */
  kind: "Fleet";
  metadata?: FleetMetadata;
  /**
   * Ansible inventories (YAML or INI), relative to this file. `-i` on the command line adds more.
   */
  inventory?: string | string[];
  defaults?: HostSettings;
  /**
   * Host settings per group, merged with the inventory's groups. A host gets the settings of every group it is in.
   */
  groups?: {
    [k: string]: HostSettings;
  };
  /**
   * Hosts, merged by name with the inventory's hosts (settings here win).
   */
  hosts?: Host[];
  /**
   * OpenShell gateways NemoClaw runs on the hosts. Without this key, every host that carries a sandbox gets the default gateway `nemoclaw` on port 8080.
   */
  gateways?: Gateway[];
  /**
   * NemoClaw sandboxes (agents) and where they run.
   */
  sandboxes?: Sandbox[];
  /**
   * Scheduled, verified backups of sandboxes.
   */
  backupPolicies?: BackupPolicy[];
  apply?: ApplySettings;
  notify?: NotifySettings;
}
/**
 * Names the fleet in plans, journals and locks.
 */
export interface FleetMetadata {
  /**
   * Fleet name: letters, digits, `.`, `_`, `-`.
   */
  name: string;
  description?: string;
}
/**
 * Connection and host settings. `defaults` applies them to every host, `groups.<name>` to the hosts of a group, and a `hosts` entry to one host.
 */
export interface HostSettings {
  user?: User;
  port?: SshPort;
  identityFile?: IdentityFile;
  agent?: Agent;
  passphrase?: Passphrase;
  proxyJump?: ProxyJump;
  hostKeyChecking?: HostKeyChecking;
  knownHostsFile?: KnownHostsFile;
  connectTimeout?: ConnectTimeout;
  keepaliveInterval?: KeepaliveInterval;
  identitiesOnly?: IdentitiesOnly;
  sshConfig?: SshConfig;
  connection?: Connection;
  environment?: Environment;
  nemoclaw?: NemoClawRelease;
  openshell?: OpenShellPin;
  labels?: StringMap;
  vars?: Vars;
}
/**
 * Non-secret environment variables for every command on the host (like Ansible's `environment:`).
 */
export interface Environment {
  [k: string]: string | number | boolean;
}
/**
 * The NemoClaw release the host should run. It decides the OpenShell version too: each NemoClaw release pins one OpenShell release and installs it itself (see docs/releases.md).
 */
export interface NemoClawRelease {
  /**
   * NemoClaw release, e.g. `0.0.124` (pins OpenShell 0.0.116). Releases from 0.0.25 (the OpenShell 0.0.36 cluster era) to 0.0.130 are supported.
   */
  version: string;
}
/**
 * The OpenShell release a host WITHOUT NemoClaw should run. On a NemoClaw host OpenShell belongs to NemoClaw: choose the NemoClaw release (nemoclaw.version) and the OpenShell version follows from its pin; an openshell.version given there must be one that release accepts.
 */
export interface OpenShellPin {
  /**
   * Pinned OpenShell version, e.g. `0.0.116`. Versions up to 0.0.36 run the cluster-container gateway driver, 0.0.37 and later the host-process driver. Installed with OpenShell's own installer, which needs root or passwordless sudo on the host.
   */
  version?: string;
  /**
   * URL of the OpenShell installer script.
   */
  installer?: string;
}
/**
 * Labels for selectors (`key=value` in patterns).
 */
export interface StringMap {
  [k: string]: string | number | boolean;
}
/**
 * Free-form variables kept with the host (like inventory variables).
 */
export interface Vars {
  [k: string]: unknown;
}
/**
 * A host. Any host setting may be given here too.
 */
export interface Host {
  name: HostName;
  /**
   * Address to connect to (default: the name): the bare host name or IP address, without a port (set `port`), brackets or `user@`. Like Ansible's `ansible_host`.
   */
  address?: string;
  /**
   * Groups the host is in, besides its inventory groups.
   */
  groups?: GroupName[];
  user?: User;
  port?: SshPort;
  identityFile?: IdentityFile;
  agent?: Agent;
  passphrase?: Passphrase;
  proxyJump?: ProxyJump;
  hostKeyChecking?: HostKeyChecking;
  knownHostsFile?: KnownHostsFile;
  connectTimeout?: ConnectTimeout;
  keepaliveInterval?: KeepaliveInterval;
  identitiesOnly?: IdentitiesOnly;
  sshConfig?: SshConfig;
  connection?: Connection;
  environment?: Environment;
  nemoclaw?: NemoClawRelease;
  openshell?: OpenShellPin;
  labels?: StringMap;
  vars?: Vars;
}
/**
 * An OpenShell gateway managed by NemoClaw. Its name follows from its port: 8080 is `nemoclaw`, any other port P is `nemoclaw-P`.
 */
export interface Gateway {
  port?: GatewayPort;
  /**
   * Gateway name; optional, and must agree with the port.
   */
  name?: string;
  hosts?: HostSelector;
  /**
   * Gateway driver. Default: the one the pinned OpenShell version uses (up to 0.0.36 `cluster-container`, from 0.0.37 `host-process`).
   */
  driver?: "host-process" | "cluster-container";
  /**
   * Address the gateway listens on.
   */
  bind?: string;
}
export interface StringMap1 {
  [k: string]: string | number | boolean;
}
/**
 * A NemoClaw sandbox: one agent in an OpenShell sandbox on a gateway. Place it with exactly one of `host` and `hosts`.
 */
export interface Sandbox {
  /**
   * Sandbox name (NemoClaw's rule): 1-63 characters, lowercase letters, digits and `-`, starts with a letter, ends with a letter or digit, and not a NemoClaw command word such as `status` or `list`.
   */
  name: string;
  host?: HostName1;
  hosts?: HostSelector1;
  /**
   * Name of the gateway on that host.
   */
  gateway?: string;
  /**
   * Agent runtime.
   */
  agent?: "openclaw" | "hermes" | "langchain-deepagents-code";
  /**
   * NemoClaw inference provider (`NEMOCLAW_PROVIDER`): build, openai, anthropic, anthropicCompatible, gemini, openrouter, ollama, custom, vllm, nim-local, routed, hermes-provider, install-vllm, install-ollama (aliases: cloud = build, nim = nim-local).
   */
  provider?: string;
  /**
   * Model name (`NEMOCLAW_MODEL`).
   */
  model?: string;
  /**
   * Inference endpoint URL (`NEMOCLAW_ENDPOINT_URL`).
   */
  endpoint?: string;
  credential?: SecretReference;
  credentialEnv?: EnvironmentVariableName;
  /**
   * Network policy.
   */
  policy?: {
    /**
     * Policy tier (`NEMOCLAW_POLICY_TIER`).
     */
    tier?: "restricted" | "balanced" | "open";
    /**
     * Policy presets, the authoritative list (e.g. `pypi`, `npm`).
     */
    presets?: string[];
  };
  /**
   * GPU passthrough: `auto`, `on` or `off`.
   */
  gpu?: "auto" | "on" | "off";
  /**
   * GPU device for the sandbox (`NEMOCLAW_SANDBOX_GPU_DEVICE`), e.g. `0`.
   */
  gpuDevice?: string;
  /**
   * Build the sandbox from this Dockerfile on the host (an absolute path; NemoClaw takes no image references): onboard --from <Dockerfile>.
   */
  from?: string;
  /**
   * CPU and memory for the sandbox.
   */
  resources?: {
    /**
     * CPUs, e.g. `4` or `1500m`.
     */
    cpu?: string | number;
    /**
     * Memory, e.g. `16Gi`.
     */
    memory?: string;
  };
  /**
   * Config lockdown posture (`nemoclaw <name> shields up|down`).
   */
  shields?: "up" | "down";
  /**
   * Never remove or recreate this sandbox, even with `pruneUnmanaged`.
   */
  protect?: boolean;
  /**
   * Allow the arm64 image-upload workaround (local registry, recreate from the image reference) to be carried out, not only suggested.
   */
  imageRefWorkaround?: boolean;
}
/**
 * Which sandboxes to back up, when, where to, and how many backups to keep.
 */
export interface BackupPolicy {
  /**
   * Policy name: letters, digits, `.`, `_`, `-`.
   */
  name: string;
  hosts?: HostSelector2;
  /**
   * Sandbox names or globs (default: all).
   */
  sandboxes?: string[];
  /**
   * Five-field cron expression (minute hour day-of-month month day-of-week), e.g. `0 2 * * *`, evaluated in UTC. One that never fires (`0 0 31 2 *`: February has no 31st) is an error.
   */
  schedule?: string;
  /**
   * How many backups to keep; a backup is kept if any rule keeps it. Without retention, every backup is kept.
   */
  retention?: {
    /**
     * The newest N backups.
     */
    keepLast?: number;
    /**
     * The newest backup of each of the last N days.
     */
    keepDaily?: number;
    /**
     * The newest backup of each of the last N weeks.
     */
    keepWeekly?: number;
    /**
     * The newest backup of each of the last N months.
     */
    keepMonthly?: number;
  };
  /**
   * Where backups are stored: a directory on this machine (relative to this file), or a directory on a fleet host reached over SSH (`host` + absolute `path`).
   */
  destination?: {
    /**
     * Directory for the backups: on this machine (relative to this file), or an absolute path on `host`.
     */
    path: string;
    host?: HostName2;
  };
  /**
   * Verify every backup after writing it (checksums and a test read).
   */
  verify?: boolean;
  /**
   * Where the backup before a rebuild or recreate of a sandbox goes: with true (the default) into this policy's store; when no covering policy has it, NemoClaw's own snapshot on the host is taken instead, so that backup is never skipped. A release upgrade backs every sandbox up into its first covering policy whatever this says; restarting a sandbox's agent (`gateway restart`, to re-emit its guards) keeps its files and takes no backup.
   */
  beforeDisruptive?: boolean;
  /**
   * Fail the run when a selected sandbox could not be backed up.
   */
  strict?: boolean;
}
/**
 * How `nemoclaw apply` rolls changes out.
 */
export interface ApplySettings {
  /**
   * Hosts worked on at once.
   */
  concurrency?: number;
  /**
   * Batch sizes, as host counts or percentages of the selected hosts, like Ansible's `serial` (the last size repeats).
   *
   * @minItems 1
   */
  waves?: [number | string, ...(number | string)[]];
  /**
   * Stop starting new waves once more than this percentage of hosts failed.
   */
  maxFailPercentage?: number;
  /**
   * Seconds one step may take on a host, a week at most.
   */
  stepTimeout?: number;
  /**
   * Remove sandboxes found on hosts but not declared here (never protected ones).
   */
  pruneUnmanaged?: boolean;
  /**
   * Seconds a host lock lasts, a day at most; an older lock whose holder is gone is taken over.
   */
  lockTtl?: number;
  /**
   * Gate each wave on the health of what it changed: after a host's steps, every sandbox they changed must be healthy by its NemoClaw release's own account within `timeout` — `nemoclaw <sandbox> status --json` (phase and, from v0.0.78, the in-sandbox inference route; from v0.0.56 its fields), or the phase `openshell sandbox list` reports on older releases and hosts without NemoClaw. A sandbox that is not fails its host, which stops later waves like any failed host (see `maxFailPercentage`). Without this setting apply checks each step's own effect only.
   */
  healthGate?: {
    /**
     * How long the changed sandboxes may take to become healthy: a duration (`90s`, `5m`, `1h30m`) or whole seconds. Checked at once, then again with growing pauses (2 s doubling to 30 s).
     */
    timeout: string | number;
  };
}
/**
 * A webhook told about each run: at the end of every `nemoclaw apply` and `nemoclaw backup run` (as `when` says), and at once when a health gate stops a rollout. It receives hosts by outcome, preflight blocks verbatim and what is still pending — never a secret. A webhook that fails, or whose reference cannot be read, is a warning and never changes the run's result; the run's journal records it (notify-finished), and so does the metric nemoclaw_run_notify_failures.
 */
export interface NotifySettings {
  /**
   * Where to POST: a secret reference holding the URL (`env:NAME` or `file:PATH`), or the `https://` URL itself (`http://` only to this machine: `localhost`, `127.0.0.1`, `[::1]`). Webhook URLs carry their token, so either way the URL is treated as a secret: never printed, journaled or sent anywhere else (messages name its host only).
   */
  webhook: string;
  /**
   * `json`: the run summary as JSON (`kind: nemoclaw-fleet-run`); `slack`: a Slack-compatible message (`{"text": …}`, also read by Mattermost and Rocket.Chat).
   */
  format?: "json" | "slack";
  /**
   * Which runs are reported: `always`; `changes`: runs where a host changed something, or whose trouble changed (not runs where every host had nothing to do, nor runs whose only news is steps `--max-risk` still holds back, which would repeat every scheduled run); `problems`: runs whose trouble changed. A trouble (an exit code other than 0 and 2, with the hosts that ended badly) is told when it starts or becomes another, again while it lasts only if that notice did not arrive or `remindEvery` has passed since it was last told, and when a run of the same job ends well after it (recovered). A stopped rollout is always reported.
   */
  when?: "always" | "changes" | "problems";
  /**
   * How long a trouble that lasts goes untold before it is told again (a reminder, `"state": "continuing"`): a duration (`4h`, `1d`, `1h30m`) or whole seconds, at least 1m. A last notice whose time is later than now (the controller's clock was set back) counts as due, so a clock change never silences a reminder.
   */
  remindEvery?: string | number;
}
