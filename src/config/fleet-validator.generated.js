// @ts-nocheck
/* eslint-disable */
// Generated from schemas/fleet.schema.json by scripts/gen-validator.mjs (npm run gen:types).
// Do not edit by hand: change the schema and regenerate.
// ajv's standalone code loads its runtime helpers and formats with require(), even as an ES module.
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
export const validate = validate10;
export default validate10;
const schema11 = {"$schema":"http://json-schema.org/draft-07/schema#","$id":"https://nemoclaw.dev/schemas/fleet.schema.json","title":"FleetFile","description":"A nemoclaw fleet file: the hosts, OpenShell gateways, NemoClaw sandboxes and backup policies of a fleet of DGX hosts. Hosts come from Ansible inventories and from `hosts:`; everything else is declared here.","type":"object","additionalProperties":false,"required":["apiVersion","kind"],"properties":{"apiVersion":{"description":"Version of this file format. `nemoclaw.dev/v1alpha1` files are still read (and migrated with a warning).","type":"string","enum":["nemoclaw.dev/v1"]},"kind":{"description":"Always `Fleet`.","type":"string","enum":["Fleet"]},"metadata":{"$ref":"#/definitions/metadata"},"inventory":{"description":"Ansible inventories (YAML or INI), relative to this file. `-i` on the command line adds more.","type":["string","array"],"items":{"type":"string","minLength":1},"examples":["inventory/hosts.ini",["inventory/prod.yml","inventory/group_vars/"]]},"defaults":{"$ref":"#/definitions/hostSettings"},"groups":{"description":"Host settings per group, merged with the inventory's groups. A host gets the settings of every group it is in.","type":"object","propertyNames":{"$ref":"#/definitions/groupName"},"additionalProperties":{"$ref":"#/definitions/hostSettings"}},"hosts":{"description":"Hosts, merged by name with the inventory's hosts (settings here win).","type":"array","items":{"$ref":"#/definitions/host"}},"gateways":{"description":"OpenShell gateways NemoClaw runs on the hosts. Without this key, every host that carries a sandbox gets the default gateway `nemoclaw` on port 8080.","type":"array","items":{"$ref":"#/definitions/gateway"}},"sandboxes":{"description":"NemoClaw sandboxes (agents) and where they run.","type":"array","items":{"$ref":"#/definitions/sandbox"}},"backupPolicies":{"description":"Scheduled, verified backups of sandboxes.","type":"array","items":{"$ref":"#/definitions/backupPolicy"}},"apply":{"$ref":"#/definitions/applySettings"},"notify":{"$ref":"#/definitions/notifySettings"}},"definitions":{"metadata":{"title":"FleetMetadata","description":"Names the fleet in plans, journals and locks.","type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"description":"Fleet name: letters, digits, `.`, `_`, `-`.","type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$","patternErrorMessage":"fleet name may only contain letters, digits, \".\", \"_\" and \"-\" (at most 63 characters), starting with a letter or digit","examples":["dgx-lab"]},"description":{"type":"string"}}},"hostName":{"title":"HostName","description":"Host name as in the inventory: letters, digits, `.`, `_`, `-`.","type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$","patternErrorMessage":"host name may only contain letters, digits, \".\", \"_\" and \"-\", starting with a letter or digit","examples":["spark-01","station-01.lab.example"]},"groupName":{"title":"GroupName","description":"Group name as in Ansible: letters, digits, `_`, `-`; starts with a letter or `_`.","type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_-]{0,127}$","patternErrorMessage":"group name may only contain letters, digits, \"_\" and \"-\", starting with a letter or \"_\"","examples":["spark","rack_a"]},"secretRef":{"title":"SecretReference","description":"A reference to a secret, never the secret itself: `env:NAME` (an environment variable on the machine running nemoclaw) or `file:PATH` (a file there, relative to this file).","type":"string","pattern":"^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$","patternErrorMessage":"must be a secret reference: env:NAME or file:PATH","examples":["env:NVIDIA_API_KEY","file:~/.config/nemoclaw/nvidia.key"]},"envName":{"title":"EnvironmentVariableName","type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_]*$","patternErrorMessage":"must be an environment variable name (letters, digits and \"_\", not starting with a digit)","examples":["NVIDIA_INFERENCE_API_KEY","OPENAI_API_KEY"]},"sshPort":{"title":"SshPort","description":"SSH port.","type":"integer","minimum":1,"maximum":65535,"default":22,"examples":[22,2222]},"gatewayPort":{"title":"GatewayPort","description":"Gateway port.","type":"integer","minimum":1,"maximum":65535,"default":8080,"examples":[8080,8081]},"stringMap":{"title":"StringMap","type":"object","additionalProperties":{"type":["string","number","boolean"]}},"selector":{"title":"HostSelector","description":"Which hosts: an Ansible host pattern (`spark`, `spark-0*`, `~spark-0[13]`, `spark[0:1]`, `spark:&rack_a`, `all:!spark-03`, `site=sjc`; `,` or `:` unite, `&` intersects, `!` excludes; see docs/inventories.md) or `{ names, groups, labels }` (keys ANDed, entries within a key ORed).","type":["string","object"],"minLength":1,"additionalProperties":false,"properties":{"names":{"description":"Host names or globs.","type":"array","items":{"type":"string","minLength":1}},"groups":{"description":"Group names.","type":"array","items":{"type":"string","minLength":1}},"labels":{"$ref":"#/definitions/stringMap"}},"examples":["spark","spark-0*","spark:&rack_a","all:!spark-03",{"groups":["spark"],"labels":{"rack":"a"}}]},"openshell":{"title":"OpenShellPin","description":"The OpenShell release a host WITHOUT NemoClaw should run. On a NemoClaw host OpenShell belongs to NemoClaw: choose the NemoClaw release (nemoclaw.version) and the OpenShell version follows from its pin; an openshell.version given there must be one that release accepts.","type":"object","additionalProperties":false,"properties":{"version":{"description":"Pinned OpenShell version, e.g. `0.0.116`. Versions up to 0.0.36 run the cluster-container gateway driver, 0.0.37 and later the host-process driver. Installed with OpenShell's own installer, which needs root or passwordless sudo on the host.","type":"string","pattern":"^v?[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.+-]+)?$","patternErrorMessage":"must be an OpenShell version like 0.0.72","examples":["0.0.116","0.0.72"]},"installer":{"description":"URL of the OpenShell installer script.","type":"string","format":"uri","default":"https://raw.githubusercontent.com/NVIDIA/OpenShell/main/install.sh"}}},"nemoclaw":{"title":"NemoClawRelease","description":"The NemoClaw release the host should run. It decides the OpenShell version too: each NemoClaw release pins one OpenShell release and installs it itself (see docs/releases.md).","type":"object","additionalProperties":false,"properties":{"version":{"description":"NemoClaw release, e.g. `0.0.124` (pins OpenShell 0.0.116). Releases from 0.0.25 (the OpenShell 0.0.36 cluster era) to 0.0.130 are supported.","type":"string","pattern":"^v?[0-9]+\\.[0-9]+\\.[0-9]+$","patternErrorMessage":"must be a NemoClaw release like 0.0.124","examples":["0.0.124","0.0.83"]}},"required":["version"]},"user":{"description":"SSH login user (default: the local user, as in Ansible).","type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_.-]{0,31}$","patternErrorMessage":"must be a user name (letters, digits, \".\", \"_\" and \"-\", starting with a letter or \"_\")","examples":["nvidia"]},"identityFile":{"description":"SSH private key file(s), tried in order after the agent.","type":["string","array"],"minLength":1,"items":{"type":"string","minLength":1},"examples":["~/.ssh/dgx_lab_ed25519"]},"agent":{"description":"SSH agent: `true` uses `$SSH_AUTH_SOCK`, a string is the agent socket path, `false` disables it.","type":["boolean","string"],"default":true},"passphrase":{"title":"Passphrase","description":"Passphrase of encrypted identity files, as a secret reference (`env:NAME` or `file:PATH`).","type":"string","pattern":"^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$","patternErrorMessage":"must be a secret reference: env:NAME or file:PATH"},"proxyJump":{"description":"Jump host(s) in order, as `host`, `user@host:port` or a comma-separated chain. A fleet host name reuses that host's connection settings; any other jump host is resolved as `ssh -J` resolves it, with its own `~/.ssh/config` settings (docs/ssh.md).","type":["string","array"],"minLength":1,"items":{"type":"string","minLength":1},"examples":["bastion","ops@bastion.lab.example:2222"]},"hostKeyChecking":{"description":"`strict` only accepts host keys already in known_hosts; `accept-new` records the key of a host seen for the first time.","type":"string","enum":["strict","accept-new"],"default":"strict"},"knownHostsFile":{"description":"known_hosts file(s); the first is where `accept-new` records keys.","type":["string","array"],"minLength":1,"items":{"type":"string","minLength":1},"default":"~/.ssh/known_hosts","examples":["~/.ssh/known_hosts"]},"connectTimeout":{"description":"Seconds to wait for the SSH connection.","type":"integer","minimum":1,"maximum":600,"default":10,"examples":[10]},"keepaliveInterval":{"description":"Seconds between SSH keepalives (0 turns them off).","type":"integer","minimum":0,"maximum":3600,"default":15,"examples":[15]},"identitiesOnly":{"description":"Of the SSH agent's keys, offer only those of `identityFile` (like OpenSSH's IdentitiesOnly); keeps an agent holding many keys from using up the host's MaxAuthTries. `IdentitiesOnly yes` in `~/.ssh/config` turns it on too.","type":"boolean","default":false},"sshConfig":{"description":"Let `~/.ssh/config` fill in HostName, User, Port, IdentityFile and ProxyJump.","type":"boolean","default":true},"connection":{"description":"`ssh`, or `local` to run commands on this machine. Local commands do not inherit nemoclaw's environment: they get PATH, HOME, USER, LOGNAME, LANG, LC_*, TERM, TMPDIR and the XDG base directories, then the host's `environment`.","type":"string","enum":["ssh","local"],"default":"ssh"},"environment":{"description":"Non-secret environment variables for every command on the host (like Ansible's `environment:`).","type":"object","propertyNames":{"$ref":"#/definitions/envName"},"additionalProperties":{"type":["string","number","boolean"]},"examples":[{"NO_COLOR":"1"}]},"labels":{"description":"Labels for selectors (`key=value` in patterns).","$ref":"#/definitions/stringMap","examples":[{"rack":"a","site":"sjc"}]},"vars":{"description":"Free-form variables kept with the host (like inventory variables).","type":"object","additionalProperties":true},"hostSettings":{"title":"HostSettings","description":"Connection and host settings. `defaults` applies them to every host, `groups.<name>` to the hosts of a group, and a `hosts` entry to one host.","type":"object","additionalProperties":false,"properties":{"user":{"$ref":"#/definitions/user"},"port":{"$ref":"#/definitions/sshPort"},"identityFile":{"$ref":"#/definitions/identityFile"},"agent":{"$ref":"#/definitions/agent"},"passphrase":{"$ref":"#/definitions/passphrase"},"proxyJump":{"$ref":"#/definitions/proxyJump"},"hostKeyChecking":{"$ref":"#/definitions/hostKeyChecking"},"knownHostsFile":{"$ref":"#/definitions/knownHostsFile"},"connectTimeout":{"$ref":"#/definitions/connectTimeout"},"keepaliveInterval":{"$ref":"#/definitions/keepaliveInterval"},"identitiesOnly":{"$ref":"#/definitions/identitiesOnly"},"sshConfig":{"$ref":"#/definitions/sshConfig"},"connection":{"$ref":"#/definitions/connection"},"environment":{"$ref":"#/definitions/environment"},"nemoclaw":{"$ref":"#/definitions/nemoclaw"},"openshell":{"$ref":"#/definitions/openshell"},"labels":{"$ref":"#/definitions/labels"},"vars":{"$ref":"#/definitions/vars"}}},"host":{"title":"Host","description":"A host. Any host setting may be given here too.","type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"$ref":"#/definitions/hostName"},"address":{"description":"Address to connect to (default: the name): the bare host name or IP address, without a port (set `port`), brackets or `user@`. Like Ansible's `ansible_host`.","type":"string","minLength":1,"examples":["10.20.0.11","spark-01.lab.example"]},"groups":{"description":"Groups the host is in, besides its inventory groups.","type":"array","items":{"$ref":"#/definitions/groupName"}},"user":{"$ref":"#/definitions/user"},"port":{"$ref":"#/definitions/sshPort"},"identityFile":{"$ref":"#/definitions/identityFile"},"agent":{"$ref":"#/definitions/agent"},"passphrase":{"$ref":"#/definitions/passphrase"},"proxyJump":{"$ref":"#/definitions/proxyJump"},"hostKeyChecking":{"$ref":"#/definitions/hostKeyChecking"},"knownHostsFile":{"$ref":"#/definitions/knownHostsFile"},"connectTimeout":{"$ref":"#/definitions/connectTimeout"},"keepaliveInterval":{"$ref":"#/definitions/keepaliveInterval"},"identitiesOnly":{"$ref":"#/definitions/identitiesOnly"},"sshConfig":{"$ref":"#/definitions/sshConfig"},"connection":{"$ref":"#/definitions/connection"},"environment":{"$ref":"#/definitions/environment"},"nemoclaw":{"$ref":"#/definitions/nemoclaw"},"openshell":{"$ref":"#/definitions/openshell"},"labels":{"$ref":"#/definitions/labels"},"vars":{"$ref":"#/definitions/vars"}}},"gateway":{"title":"Gateway","description":"An OpenShell gateway managed by NemoClaw. Its name follows from its port: 8080 is `nemoclaw`, any other port P is `nemoclaw-P`.","type":"object","additionalProperties":false,"properties":{"port":{"$ref":"#/definitions/gatewayPort"},"name":{"description":"Gateway name; optional, and must agree with the port.","type":"string","pattern":"^nemoclaw(-[1-9][0-9]{0,4})?$","patternErrorMessage":"gateway names are \"nemoclaw\" (port 8080) or \"nemoclaw-<port>\"","examples":["nemoclaw","nemoclaw-8081"]},"hosts":{"$ref":"#/definitions/selector","description":"Hosts that run this gateway (default: all hosts)."},"driver":{"description":"Gateway driver. Default: the one the pinned OpenShell version uses (up to 0.0.36 `cluster-container`, from 0.0.37 `host-process`).","type":"string","enum":["host-process","cluster-container"]},"bind":{"description":"Address the gateway listens on.","type":"string","default":"127.0.0.1","examples":["127.0.0.1","0.0.0.0"]}}},"sandbox":{"title":"Sandbox","description":"A NemoClaw sandbox: one agent in an OpenShell sandbox on a gateway. Place it with exactly one of `host` and `hosts`.","type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"description":"Sandbox name (NemoClaw's rule): 1-63 characters, lowercase letters, digits and `-`, starts with a letter, ends with a letter or digit, and not a NemoClaw command word such as `status` or `list`.","type":"string","pattern":"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$","patternErrorMessage":"sandbox names are 1-63 lowercase letters, digits and \"-\", starting with a letter and ending with a letter or digit","examples":["assistant","researcher"]},"host":{"$ref":"#/definitions/hostName","description":"The one host that runs this sandbox."},"hosts":{"$ref":"#/definitions/selector","description":"Run this sandbox on every host the selector matches."},"gateway":{"description":"Name of the gateway on that host.","type":"string","pattern":"^nemoclaw(-[1-9][0-9]{0,4})?$","patternErrorMessage":"gateway names are \"nemoclaw\" (port 8080) or \"nemoclaw-<port>\"","default":"nemoclaw","examples":["nemoclaw","nemoclaw-8081"]},"agent":{"description":"Agent runtime.","type":"string","enum":["openclaw","hermes","langchain-deepagents-code"],"default":"openclaw"},"provider":{"description":"NemoClaw inference provider (`NEMOCLAW_PROVIDER`): build, openai, anthropic, anthropicCompatible, gemini, openrouter, ollama, custom, vllm, nim-local, routed, hermes-provider, install-vllm, install-ollama (aliases: cloud = build, nim = nim-local).","type":"string","minLength":1,"examples":["build","openai","anthropic","anthropicCompatible","gemini","openrouter","ollama","vllm","nim-local","custom","routed","hermes-provider","install-vllm","install-ollama"]},"model":{"description":"Model name (`NEMOCLAW_MODEL`).","type":"string","minLength":1,"examples":["nvidia/nemotron-3-super-120b-a12b","gpt-5.1"]},"endpoint":{"description":"Inference endpoint URL (`NEMOCLAW_ENDPOINT_URL`).","type":"string","format":"uri","examples":["https://integrate.api.nvidia.com/v1","http://127.0.0.1:8000/v1"]},"credential":{"$ref":"#/definitions/secretRef","description":"The provider API key, as a secret reference (`env:NAME` or `file:PATH`). A literal key is an error."},"credentialEnv":{"$ref":"#/definitions/envName","description":"Environment variable NemoClaw reads the key from on the host (default per provider, e.g. `NVIDIA_INFERENCE_API_KEY` for build)."},"policy":{"description":"Network policy.","type":"object","additionalProperties":false,"properties":{"tier":{"description":"Policy tier (`NEMOCLAW_POLICY_TIER`).","type":"string","enum":["restricted","balanced","open"]},"presets":{"description":"Policy presets, the authoritative list (e.g. `pypi`, `npm`).","type":"array","items":{"type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9._-]*$","patternErrorMessage":"preset names may only contain letters, digits, \".\", \"_\" and \"-\"","examples":["pypi","npm","github","huggingface","brew","brave","claude-code","jira","local-inference","public-reference","tavily","weather","slack","discord","teams","telegram"]},"examples":[["pypi","npm"]]}}},"gpu":{"description":"GPU passthrough: `auto`, `on` or `off`.","type":"string","enum":["auto","on","off"],"default":"auto"},"gpuDevice":{"description":"GPU device for the sandbox (`NEMOCLAW_SANDBOX_GPU_DEVICE`), e.g. `0`.","type":"string","minLength":1,"examples":["0"]},"from":{"description":"Build the sandbox from this Dockerfile on the host (an absolute path; NemoClaw takes no image references): onboard --from <Dockerfile>.","type":"string","minLength":1,"examples":["/srv/agents/edge/Dockerfile"]},"resources":{"description":"CPU and memory for the sandbox.","type":"object","additionalProperties":false,"properties":{"cpu":{"description":"CPUs, e.g. `4` or `1500m`.","type":["string","number"],"examples":["4","1500m"]},"memory":{"description":"Memory, e.g. `16Gi`.","type":"string","examples":["16Gi","512Mi"]}}},"shields":{"description":"Config lockdown posture (`nemoclaw <name> shields up|down`).","type":"string","enum":["up","down"]},"protect":{"description":"Never remove or recreate this sandbox, even with `pruneUnmanaged`.","type":"boolean","default":false},"imageRefWorkaround":{"description":"Allow the arm64 image-upload workaround (local registry, recreate from the image reference) to be carried out, not only suggested.","type":"boolean","default":false}}},"backupPolicy":{"title":"BackupPolicy","description":"Which sandboxes to back up, when, where to, and how many backups to keep.","type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"description":"Policy name: letters, digits, `.`, `_`, `-`.","type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$","patternErrorMessage":"policy name may only contain letters, digits, \".\", \"_\" and \"-\" (at most 63 characters), starting with a letter or digit","examples":["nightly","weekly"]},"hosts":{"$ref":"#/definitions/selector","description":"Hosts whose sandboxes are backed up (default: all hosts)."},"sandboxes":{"description":"Sandbox names or globs (default: all).","type":"array","items":{"type":"string","minLength":1,"examples":["*","research-*"]}},"schedule":{"description":"Five-field cron expression (minute hour day-of-month month day-of-week), e.g. `0 2 * * *`, evaluated in UTC. One that never fires (`0 0 31 2 *`: February has no 31st) is an error.","type":"string","examples":["0 2 * * *","30 3 * * 0"]},"retention":{"description":"How many backups to keep; a backup is kept if any rule keeps it. Without retention, every backup is kept.","type":"object","additionalProperties":false,"properties":{"keepLast":{"type":"integer","minimum":0,"description":"The newest N backups.","examples":[7]},"keepDaily":{"type":"integer","minimum":0,"description":"The newest backup of each of the last N days.","examples":[7]},"keepWeekly":{"type":"integer","minimum":0,"description":"The newest backup of each of the last N weeks.","examples":[4]},"keepMonthly":{"type":"integer","minimum":0,"description":"The newest backup of each of the last N months.","examples":[6]}}},"destination":{"description":"Where backups are stored: a directory on this machine (relative to this file), or a directory on a fleet host reached over SSH (`host` + absolute `path`).","type":"object","additionalProperties":false,"required":["path"],"properties":{"path":{"description":"Directory for the backups: on this machine (relative to this file), or an absolute path on `host`.","type":"string","minLength":1,"default":"./backups","examples":["./backups","/srv/nemoclaw-backups"]},"host":{"$ref":"#/definitions/hostName","description":"A fleet host to keep the backups on, reached over SSH."}}},"verify":{"description":"Verify every backup after writing it (checksums and a test read).","type":"boolean","default":true},"beforeDisruptive":{"description":"Where the backup before a rebuild or recreate of a sandbox goes: with true (the default) into this policy's store; when no covering policy has it, NemoClaw's own snapshot on the host is taken instead, so that backup is never skipped. A release upgrade backs every sandbox up into its first covering policy whatever this says; restarting a sandbox's agent (`gateway restart`, to re-emit its guards) keeps its files and takes no backup.","type":"boolean","default":true},"strict":{"description":"Fail the run when a selected sandbox could not be backed up.","type":"boolean","default":false}}},"applySettings":{"title":"ApplySettings","description":"How `nemoclaw apply` rolls changes out.","type":"object","additionalProperties":false,"properties":{"concurrency":{"description":"Hosts worked on at once.","type":"integer","minimum":1,"maximum":1024,"default":32,"examples":[10,50]},"waves":{"description":"Batch sizes, as host counts or percentages of the selected hosts, like Ansible's `serial` (the last size repeats).","type":"array","minItems":1,"items":{"type":["integer","string"],"minimum":1,"pattern":"^[0-9]+(\\.[0-9]+)?%$","patternErrorMessage":"a wave is a host count like 5 or a percentage like 25%"},"default":["100%"],"examples":[[1,"25%","100%"]]},"maxFailPercentage":{"description":"Stop starting new waves once more than this percentage of hosts failed.","type":"number","minimum":0,"maximum":100,"default":0,"examples":[10]},"stepTimeout":{"description":"Seconds one step may take on a host, a week at most.","type":"integer","minimum":1,"maximum":604800,"default":900,"examples":[900]},"pruneUnmanaged":{"description":"Remove sandboxes found on hosts but not declared here (never protected ones).","type":"boolean","default":false},"lockTtl":{"description":"Seconds a host lock lasts, a day at most; an older lock whose holder is gone is taken over.","type":"integer","minimum":60,"maximum":86400,"default":3600,"examples":[3600]},"healthGate":{"description":"Gate each wave on the health of what it changed: after a host's steps, every sandbox they changed must be healthy by its NemoClaw release's own account within `timeout` — `nemoclaw <sandbox> status --json` (phase and, from v0.0.78, the in-sandbox inference route; from v0.0.56 its fields), or the phase `openshell sandbox list` reports on older releases and hosts without NemoClaw. A sandbox that is not fails its host, which stops later waves like any failed host (see `maxFailPercentage`). Without this setting apply checks each step's own effect only.","type":"object","additionalProperties":false,"required":["timeout"],"properties":{"timeout":{"description":"How long the changed sandboxes may take to become healthy: a duration (`90s`, `5m`, `1h30m`) or whole seconds. Checked at once, then again with growing pauses (2 s doubling to 30 s).","type":["string","integer"],"minimum":1,"pattern":"^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$","patternErrorMessage":"a duration such as 90s, 5m or 1h30m, or whole seconds","examples":["5m",300]}}}}},"notifySettings":{"title":"NotifySettings","description":"A webhook told about each run: at the end of every `nemoclaw apply` and `nemoclaw backup run` (as `when` says), and at once when a health gate stops a rollout. It receives hosts by outcome, preflight blocks verbatim and what is still pending — never a secret. A webhook that fails, or whose reference cannot be read, is a warning and never changes the run's result; the run's journal records it (notify-finished), and so does the metric nemoclaw_run_notify_failures.","type":"object","additionalProperties":false,"required":["webhook"],"properties":{"webhook":{"description":"Where to POST: a secret reference holding the URL (`env:NAME` or `file:PATH`), or the `https://` URL itself (`http://` only to this machine: `localhost`, `127.0.0.1`, `[::1]`). Webhook URLs carry their token, so either way the URL is treated as a secret: never printed, journaled or sent anywhere else (messages name its host only).","type":"string","pattern":"^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+|https?://[^\\s]+)$","patternErrorMessage":"must be a secret reference (env:NAME or file:PATH) or an http(s) URL","examples":["env:NEMOCLAW_WEBHOOK_URL","file:~/.config/nemoclaw/webhook.url"]},"format":{"description":"`json`: the run summary as JSON (`kind: nemoclaw-fleet-run`); `slack`: a Slack-compatible message (`{\"text\": …}`, also read by Mattermost and Rocket.Chat).","enum":["json","slack"],"default":"json"},"when":{"description":"Which runs are reported: `always`; `changes`: runs where a host changed something, or whose trouble changed (not runs where every host had nothing to do, nor runs whose only news is steps `--max-risk` still holds back, which would repeat every scheduled run); `problems`: runs whose trouble changed. A trouble (an exit code other than 0 and 2, with the hosts that ended badly) is told when it starts or becomes another, again while it lasts only if that notice did not arrive or `remindEvery` has passed since it was last told, and when a run of the same job ends well after it (recovered). A stopped rollout is always reported.","enum":["always","changes","problems"],"default":"changes"},"remindEvery":{"description":"How long a trouble that lasts goes untold before it is told again (a reminder, `\"state\": \"continuing\"`): a duration (`4h`, `1d`, `1h30m`) or whole seconds, at least 1m. A last notice whose time is later than now (the controller's clock was set back) counts as due, so a clock change never silences a reminder.","type":["string","integer"],"minimum":60,"pattern":"^([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+$","patternErrorMessage":"a duration such as 4h, 1d or 1h30m, or whole seconds","default":"1d","examples":["1d","4h"]}}}}};
const schema12 = {"title":"FleetMetadata","description":"Names the fleet in plans, journals and locks.","type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"description":"Fleet name: letters, digits, `.`, `_`, `-`.","type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$","patternErrorMessage":"fleet name may only contain letters, digits, \".\", \"_\" and \"-\" (at most 63 characters), starting with a letter or digit","examples":["dgx-lab"]},"description":{"type":"string"}}};
const schema33 = {"title":"GroupName","description":"Group name as in Ansible: letters, digits, `_`, `-`; starts with a letter or `_`.","type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_-]{0,127}$","patternErrorMessage":"group name may only contain letters, digits, \"_\" and \"-\", starting with a letter or \"_\"","examples":["spark","rack_a"]};
const schema64 = {"title":"ApplySettings","description":"How `nemoclaw apply` rolls changes out.","type":"object","additionalProperties":false,"properties":{"concurrency":{"description":"Hosts worked on at once.","type":"integer","minimum":1,"maximum":1024,"default":32,"examples":[10,50]},"waves":{"description":"Batch sizes, as host counts or percentages of the selected hosts, like Ansible's `serial` (the last size repeats).","type":"array","minItems":1,"items":{"type":["integer","string"],"minimum":1,"pattern":"^[0-9]+(\\.[0-9]+)?%$","patternErrorMessage":"a wave is a host count like 5 or a percentage like 25%"},"default":["100%"],"examples":[[1,"25%","100%"]]},"maxFailPercentage":{"description":"Stop starting new waves once more than this percentage of hosts failed.","type":"number","minimum":0,"maximum":100,"default":0,"examples":[10]},"stepTimeout":{"description":"Seconds one step may take on a host, a week at most.","type":"integer","minimum":1,"maximum":604800,"default":900,"examples":[900]},"pruneUnmanaged":{"description":"Remove sandboxes found on hosts but not declared here (never protected ones).","type":"boolean","default":false},"lockTtl":{"description":"Seconds a host lock lasts, a day at most; an older lock whose holder is gone is taken over.","type":"integer","minimum":60,"maximum":86400,"default":3600,"examples":[3600]},"healthGate":{"description":"Gate each wave on the health of what it changed: after a host's steps, every sandbox they changed must be healthy by its NemoClaw release's own account within `timeout` — `nemoclaw <sandbox> status --json` (phase and, from v0.0.78, the in-sandbox inference route; from v0.0.56 its fields), or the phase `openshell sandbox list` reports on older releases and hosts without NemoClaw. A sandbox that is not fails its host, which stops later waves like any failed host (see `maxFailPercentage`). Without this setting apply checks each step's own effect only.","type":"object","additionalProperties":false,"required":["timeout"],"properties":{"timeout":{"description":"How long the changed sandboxes may take to become healthy: a duration (`90s`, `5m`, `1h30m`) or whole seconds. Checked at once, then again with growing pauses (2 s doubling to 30 s).","type":["string","integer"],"minimum":1,"pattern":"^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$","patternErrorMessage":"a duration such as 90s, 5m or 1h30m, or whole seconds","examples":["5m",300]}}}}};
const schema65 = {"title":"NotifySettings","description":"A webhook told about each run: at the end of every `nemoclaw apply` and `nemoclaw backup run` (as `when` says), and at once when a health gate stops a rollout. It receives hosts by outcome, preflight blocks verbatim and what is still pending — never a secret. A webhook that fails, or whose reference cannot be read, is a warning and never changes the run's result; the run's journal records it (notify-finished), and so does the metric nemoclaw_run_notify_failures.","type":"object","additionalProperties":false,"required":["webhook"],"properties":{"webhook":{"description":"Where to POST: a secret reference holding the URL (`env:NAME` or `file:PATH`), or the `https://` URL itself (`http://` only to this machine: `localhost`, `127.0.0.1`, `[::1]`). Webhook URLs carry their token, so either way the URL is treated as a secret: never printed, journaled or sent anywhere else (messages name its host only).","type":"string","pattern":"^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+|https?://[^\\s]+)$","patternErrorMessage":"must be a secret reference (env:NAME or file:PATH) or an http(s) URL","examples":["env:NEMOCLAW_WEBHOOK_URL","file:~/.config/nemoclaw/webhook.url"]},"format":{"description":"`json`: the run summary as JSON (`kind: nemoclaw-fleet-run`); `slack`: a Slack-compatible message (`{\"text\": …}`, also read by Mattermost and Rocket.Chat).","enum":["json","slack"],"default":"json"},"when":{"description":"Which runs are reported: `always`; `changes`: runs where a host changed something, or whose trouble changed (not runs where every host had nothing to do, nor runs whose only news is steps `--max-risk` still holds back, which would repeat every scheduled run); `problems`: runs whose trouble changed. A trouble (an exit code other than 0 and 2, with the hosts that ended badly) is told when it starts or becomes another, again while it lasts only if that notice did not arrive or `remindEvery` has passed since it was last told, and when a run of the same job ends well after it (recovered). A stopped rollout is always reported.","enum":["always","changes","problems"],"default":"changes"},"remindEvery":{"description":"How long a trouble that lasts goes untold before it is told again (a reminder, `\"state\": \"continuing\"`): a duration (`4h`, `1d`, `1h30m`) or whole seconds, at least 1m. A last notice whose time is later than now (the controller's clock was set back) counts as due, so a clock change never silences a reminder.","type":["string","integer"],"minimum":60,"pattern":"^([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+$","patternErrorMessage":"a duration such as 4h, 1d or 1h30m, or whole seconds","default":"1d","examples":["1d","4h"]}}};
const func2 = Object.prototype.hasOwnProperty;
const func3 = require("ajv/dist/runtime/ucs2length").default;
const pattern0 = new RegExp("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", "u");
const pattern6 = new RegExp("^[A-Za-z_][A-Za-z0-9_-]{0,127}$", "u");
const pattern22 = new RegExp("^[0-9]+(\\.[0-9]+)?%$", "u");
const pattern23 = new RegExp("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$", "u");
const pattern24 = new RegExp("^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+|https?://[^\\s]+)$", "u");
const pattern25 = new RegExp("^([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+$", "u");
const schema13 = {"title":"HostSettings","description":"Connection and host settings. `defaults` applies them to every host, `groups.<name>` to the hosts of a group, and a `hosts` entry to one host.","type":"object","additionalProperties":false,"properties":{"user":{"$ref":"#/definitions/user"},"port":{"$ref":"#/definitions/sshPort"},"identityFile":{"$ref":"#/definitions/identityFile"},"agent":{"$ref":"#/definitions/agent"},"passphrase":{"$ref":"#/definitions/passphrase"},"proxyJump":{"$ref":"#/definitions/proxyJump"},"hostKeyChecking":{"$ref":"#/definitions/hostKeyChecking"},"knownHostsFile":{"$ref":"#/definitions/knownHostsFile"},"connectTimeout":{"$ref":"#/definitions/connectTimeout"},"keepaliveInterval":{"$ref":"#/definitions/keepaliveInterval"},"identitiesOnly":{"$ref":"#/definitions/identitiesOnly"},"sshConfig":{"$ref":"#/definitions/sshConfig"},"connection":{"$ref":"#/definitions/connection"},"environment":{"$ref":"#/definitions/environment"},"nemoclaw":{"$ref":"#/definitions/nemoclaw"},"openshell":{"$ref":"#/definitions/openshell"},"labels":{"$ref":"#/definitions/labels"},"vars":{"$ref":"#/definitions/vars"}}};
const schema14 = {"description":"SSH login user (default: the local user, as in Ansible).","type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_.-]{0,31}$","patternErrorMessage":"must be a user name (letters, digits, \".\", \"_\" and \"-\", starting with a letter or \"_\")","examples":["nvidia"]};
const schema15 = {"title":"SshPort","description":"SSH port.","type":"integer","minimum":1,"maximum":65535,"default":22,"examples":[22,2222]};
const schema16 = {"description":"SSH private key file(s), tried in order after the agent.","type":["string","array"],"minLength":1,"items":{"type":"string","minLength":1},"examples":["~/.ssh/dgx_lab_ed25519"]};
const schema17 = {"description":"SSH agent: `true` uses `$SSH_AUTH_SOCK`, a string is the agent socket path, `false` disables it.","type":["boolean","string"],"default":true};
const schema18 = {"title":"Passphrase","description":"Passphrase of encrypted identity files, as a secret reference (`env:NAME` or `file:PATH`).","type":"string","pattern":"^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$","patternErrorMessage":"must be a secret reference: env:NAME or file:PATH"};
const schema19 = {"description":"Jump host(s) in order, as `host`, `user@host:port` or a comma-separated chain. A fleet host name reuses that host's connection settings; any other jump host is resolved as `ssh -J` resolves it, with its own `~/.ssh/config` settings (docs/ssh.md).","type":["string","array"],"minLength":1,"items":{"type":"string","minLength":1},"examples":["bastion","ops@bastion.lab.example:2222"]};
const schema20 = {"description":"`strict` only accepts host keys already in known_hosts; `accept-new` records the key of a host seen for the first time.","type":"string","enum":["strict","accept-new"],"default":"strict"};
const schema21 = {"description":"known_hosts file(s); the first is where `accept-new` records keys.","type":["string","array"],"minLength":1,"items":{"type":"string","minLength":1},"default":"~/.ssh/known_hosts","examples":["~/.ssh/known_hosts"]};
const schema22 = {"description":"Seconds to wait for the SSH connection.","type":"integer","minimum":1,"maximum":600,"default":10,"examples":[10]};
const schema23 = {"description":"Seconds between SSH keepalives (0 turns them off).","type":"integer","minimum":0,"maximum":3600,"default":15,"examples":[15]};
const schema24 = {"description":"Of the SSH agent's keys, offer only those of `identityFile` (like OpenSSH's IdentitiesOnly); keeps an agent holding many keys from using up the host's MaxAuthTries. `IdentitiesOnly yes` in `~/.ssh/config` turns it on too.","type":"boolean","default":false};
const schema25 = {"description":"Let `~/.ssh/config` fill in HostName, User, Port, IdentityFile and ProxyJump.","type":"boolean","default":true};
const schema26 = {"description":"`ssh`, or `local` to run commands on this machine. Local commands do not inherit nemoclaw's environment: they get PATH, HOME, USER, LOGNAME, LANG, LC_*, TERM, TMPDIR and the XDG base directories, then the host's `environment`.","type":"string","enum":["ssh","local"],"default":"ssh"};
const schema29 = {"title":"NemoClawRelease","description":"The NemoClaw release the host should run. It decides the OpenShell version too: each NemoClaw release pins one OpenShell release and installs it itself (see docs/releases.md).","type":"object","additionalProperties":false,"properties":{"version":{"description":"NemoClaw release, e.g. `0.0.124` (pins OpenShell 0.0.116). Releases from 0.0.25 (the OpenShell 0.0.36 cluster era) to 0.0.130 are supported.","type":"string","pattern":"^v?[0-9]+\\.[0-9]+\\.[0-9]+$","patternErrorMessage":"must be a NemoClaw release like 0.0.124","examples":["0.0.124","0.0.83"]}},"required":["version"]};
const schema30 = {"title":"OpenShellPin","description":"The OpenShell release a host WITHOUT NemoClaw should run. On a NemoClaw host OpenShell belongs to NemoClaw: choose the NemoClaw release (nemoclaw.version) and the OpenShell version follows from its pin; an openshell.version given there must be one that release accepts.","type":"object","additionalProperties":false,"properties":{"version":{"description":"Pinned OpenShell version, e.g. `0.0.116`. Versions up to 0.0.36 run the cluster-container gateway driver, 0.0.37 and later the host-process driver. Installed with OpenShell's own installer, which needs root or passwordless sudo on the host.","type":"string","pattern":"^v?[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.+-]+)?$","patternErrorMessage":"must be an OpenShell version like 0.0.72","examples":["0.0.116","0.0.72"]},"installer":{"description":"URL of the OpenShell installer script.","type":"string","format":"uri","default":"https://raw.githubusercontent.com/NVIDIA/OpenShell/main/install.sh"}}};
const schema31 = {"title":"StringMap","type":"object","additionalProperties":{"type":["string","number","boolean"]}};
const schema32 = {"description":"Free-form variables kept with the host (like inventory variables).","type":"object","additionalProperties":true};
const pattern1 = new RegExp("^[A-Za-z_][A-Za-z0-9_.-]{0,31}$", "u");
const pattern2 = new RegExp("^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$", "u");
const pattern4 = new RegExp("^v?[0-9]+\\.[0-9]+\\.[0-9]+$", "u");
const pattern5 = new RegExp("^v?[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.+-]+)?$", "u");
const schema27 = {"description":"Non-secret environment variables for every command on the host (like Ansible's `environment:`).","type":"object","propertyNames":{"$ref":"#/definitions/envName"},"additionalProperties":{"type":["string","number","boolean"]},"examples":[{"NO_COLOR":"1"}]};
const schema28 = {"title":"EnvironmentVariableName","type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_]*$","patternErrorMessage":"must be an environment variable name (letters, digits and \"_\", not starting with a digit)","examples":["NVIDIA_INFERENCE_API_KEY","OPENAI_API_KEY"]};
const pattern3 = new RegExp("^[A-Za-z_][A-Za-z0-9_]*$", "u");

function validate12(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
for(const key0 in data){
const _errs1 = errors;
if(typeof key0 === "string"){
if(!pattern3.test(key0)){
const err0 = {instancePath,schemaPath:"#/definitions/envName/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]*$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]*$"+"\"",schema:"^[A-Za-z_][A-Za-z0-9_]*$",parentSchema:schema28,data:key0,propertyName:key0};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
}
else {
const err1 = {instancePath,schemaPath:"#/definitions/envName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema28.type,parentSchema:schema28,data:key0,propertyName:key0};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
var valid0 = _errs1 === errors;
if(!valid0){
const err2 = {instancePath,schemaPath:"#/propertyNames",keyword:"propertyNames",params:{propertyName: key0},message:"property name must be valid",schema:schema27.propertyNames,parentSchema:schema27,data};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
for(const key1 in data){
let data0 = data[key1];
if(((typeof data0 !== "string") && (!((typeof data0 == "number") && (isFinite(data0))))) && (typeof data0 !== "boolean")){
const err3 = {instancePath:instancePath+"/" + key1.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/additionalProperties/type",keyword:"type",params:{type: schema27.additionalProperties.type},message:"must be string,number,boolean",schema:schema27.additionalProperties.type,parentSchema:schema27.additionalProperties,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
}
else {
const err4 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema27.type,parentSchema:schema27,data};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
validate12.errors = vErrors;
return errors === 0;
}

const formats0 = require("ajv-formats/dist/formats").fullFormats.uri;

function validate11(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
for(const key0 in data){
if(!(func2.call(schema13.properties, key0))){
const err0 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema13,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
}
if(data.user !== undefined){
let data0 = data.user;
if(typeof data0 === "string"){
if(!pattern1.test(data0)){
const err1 = {instancePath:instancePath+"/user",schemaPath:"#/definitions/user/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_.-]{0,31}$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_.-]{0,31}$"+"\"",schema:"^[A-Za-z_][A-Za-z0-9_.-]{0,31}$",parentSchema:schema14,data:data0};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
else {
const err2 = {instancePath:instancePath+"/user",schemaPath:"#/definitions/user/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema14.type,parentSchema:schema14,data:data0};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
if(data.port !== undefined){
let data1 = data.port;
if(!(((typeof data1 == "number") && (!(data1 % 1) && !isNaN(data1))) && (isFinite(data1)))){
const err3 = {instancePath:instancePath+"/port",schemaPath:"#/definitions/sshPort/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema15.type,parentSchema:schema15,data:data1};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
if((typeof data1 == "number") && (isFinite(data1))){
if(data1 > 65535 || isNaN(data1)){
const err4 = {instancePath:instancePath+"/port",schemaPath:"#/definitions/sshPort/maximum",keyword:"maximum",params:{comparison: "<=", limit: 65535},message:"must be <= 65535",schema:65535,parentSchema:schema15,data:data1};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
if(data1 < 1 || isNaN(data1)){
const err5 = {instancePath:instancePath+"/port",schemaPath:"#/definitions/sshPort/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema15,data:data1};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
}
if(data.identityFile !== undefined){
let data2 = data.identityFile;
if((typeof data2 !== "string") && (!(Array.isArray(data2)))){
const err6 = {instancePath:instancePath+"/identityFile",schemaPath:"#/definitions/identityFile/type",keyword:"type",params:{type: schema16.type},message:"must be string,array",schema:schema16.type,parentSchema:schema16,data:data2};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
if(typeof data2 === "string"){
if(func3(data2) < 1){
const err7 = {instancePath:instancePath+"/identityFile",schemaPath:"#/definitions/identityFile/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema16,data:data2};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
if(Array.isArray(data2)){
const len0 = data2.length;
for(let i0=0; i0<len0; i0++){
let data3 = data2[i0];
if(typeof data3 === "string"){
if(func3(data3) < 1){
const err8 = {instancePath:instancePath+"/identityFile/" + i0,schemaPath:"#/definitions/identityFile/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema16.items,data:data3};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
else {
const err9 = {instancePath:instancePath+"/identityFile/" + i0,schemaPath:"#/definitions/identityFile/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema16.items.type,parentSchema:schema16.items,data:data3};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
}
}
if(data.agent !== undefined){
let data4 = data.agent;
if((typeof data4 !== "boolean") && (typeof data4 !== "string")){
const err10 = {instancePath:instancePath+"/agent",schemaPath:"#/definitions/agent/type",keyword:"type",params:{type: schema17.type},message:"must be boolean,string",schema:schema17.type,parentSchema:schema17,data:data4};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
if(data.passphrase !== undefined){
let data5 = data.passphrase;
if(typeof data5 === "string"){
if(!pattern2.test(data5)){
const err11 = {instancePath:instancePath+"/passphrase",schemaPath:"#/definitions/passphrase/pattern",keyword:"pattern",params:{pattern: "^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$"},message:"must match pattern \""+"^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$"+"\"",schema:"^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$",parentSchema:schema18,data:data5};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
else {
const err12 = {instancePath:instancePath+"/passphrase",schemaPath:"#/definitions/passphrase/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema18.type,parentSchema:schema18,data:data5};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
if(data.proxyJump !== undefined){
let data6 = data.proxyJump;
if((typeof data6 !== "string") && (!(Array.isArray(data6)))){
const err13 = {instancePath:instancePath+"/proxyJump",schemaPath:"#/definitions/proxyJump/type",keyword:"type",params:{type: schema19.type},message:"must be string,array",schema:schema19.type,parentSchema:schema19,data:data6};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
if(typeof data6 === "string"){
if(func3(data6) < 1){
const err14 = {instancePath:instancePath+"/proxyJump",schemaPath:"#/definitions/proxyJump/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema19,data:data6};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
if(Array.isArray(data6)){
const len1 = data6.length;
for(let i1=0; i1<len1; i1++){
let data7 = data6[i1];
if(typeof data7 === "string"){
if(func3(data7) < 1){
const err15 = {instancePath:instancePath+"/proxyJump/" + i1,schemaPath:"#/definitions/proxyJump/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema19.items,data:data7};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
else {
const err16 = {instancePath:instancePath+"/proxyJump/" + i1,schemaPath:"#/definitions/proxyJump/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema19.items.type,parentSchema:schema19.items,data:data7};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
}
}
if(data.hostKeyChecking !== undefined){
let data8 = data.hostKeyChecking;
if(typeof data8 !== "string"){
const err17 = {instancePath:instancePath+"/hostKeyChecking",schemaPath:"#/definitions/hostKeyChecking/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema20.type,parentSchema:schema20,data:data8};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
if(!((data8 === "strict") || (data8 === "accept-new"))){
const err18 = {instancePath:instancePath+"/hostKeyChecking",schemaPath:"#/definitions/hostKeyChecking/enum",keyword:"enum",params:{allowedValues: schema20.enum},message:"must be equal to one of the allowed values",schema:schema20.enum,parentSchema:schema20,data:data8};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
if(data.knownHostsFile !== undefined){
let data9 = data.knownHostsFile;
if((typeof data9 !== "string") && (!(Array.isArray(data9)))){
const err19 = {instancePath:instancePath+"/knownHostsFile",schemaPath:"#/definitions/knownHostsFile/type",keyword:"type",params:{type: schema21.type},message:"must be string,array",schema:schema21.type,parentSchema:schema21,data:data9};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
if(typeof data9 === "string"){
if(func3(data9) < 1){
const err20 = {instancePath:instancePath+"/knownHostsFile",schemaPath:"#/definitions/knownHostsFile/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema21,data:data9};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
if(Array.isArray(data9)){
const len2 = data9.length;
for(let i2=0; i2<len2; i2++){
let data10 = data9[i2];
if(typeof data10 === "string"){
if(func3(data10) < 1){
const err21 = {instancePath:instancePath+"/knownHostsFile/" + i2,schemaPath:"#/definitions/knownHostsFile/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema21.items,data:data10};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
}
else {
const err22 = {instancePath:instancePath+"/knownHostsFile/" + i2,schemaPath:"#/definitions/knownHostsFile/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema21.items.type,parentSchema:schema21.items,data:data10};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
}
}
if(data.connectTimeout !== undefined){
let data11 = data.connectTimeout;
if(!(((typeof data11 == "number") && (!(data11 % 1) && !isNaN(data11))) && (isFinite(data11)))){
const err23 = {instancePath:instancePath+"/connectTimeout",schemaPath:"#/definitions/connectTimeout/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema22.type,parentSchema:schema22,data:data11};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
if((typeof data11 == "number") && (isFinite(data11))){
if(data11 > 600 || isNaN(data11)){
const err24 = {instancePath:instancePath+"/connectTimeout",schemaPath:"#/definitions/connectTimeout/maximum",keyword:"maximum",params:{comparison: "<=", limit: 600},message:"must be <= 600",schema:600,parentSchema:schema22,data:data11};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
if(data11 < 1 || isNaN(data11)){
const err25 = {instancePath:instancePath+"/connectTimeout",schemaPath:"#/definitions/connectTimeout/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema22,data:data11};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
}
}
if(data.keepaliveInterval !== undefined){
let data12 = data.keepaliveInterval;
if(!(((typeof data12 == "number") && (!(data12 % 1) && !isNaN(data12))) && (isFinite(data12)))){
const err26 = {instancePath:instancePath+"/keepaliveInterval",schemaPath:"#/definitions/keepaliveInterval/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema23.type,parentSchema:schema23,data:data12};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
if((typeof data12 == "number") && (isFinite(data12))){
if(data12 > 3600 || isNaN(data12)){
const err27 = {instancePath:instancePath+"/keepaliveInterval",schemaPath:"#/definitions/keepaliveInterval/maximum",keyword:"maximum",params:{comparison: "<=", limit: 3600},message:"must be <= 3600",schema:3600,parentSchema:schema23,data:data12};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
if(data12 < 0 || isNaN(data12)){
const err28 = {instancePath:instancePath+"/keepaliveInterval",schemaPath:"#/definitions/keepaliveInterval/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema23,data:data12};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
}
}
if(data.identitiesOnly !== undefined){
let data13 = data.identitiesOnly;
if(typeof data13 !== "boolean"){
const err29 = {instancePath:instancePath+"/identitiesOnly",schemaPath:"#/definitions/identitiesOnly/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema24.type,parentSchema:schema24,data:data13};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
}
if(data.sshConfig !== undefined){
let data14 = data.sshConfig;
if(typeof data14 !== "boolean"){
const err30 = {instancePath:instancePath+"/sshConfig",schemaPath:"#/definitions/sshConfig/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema25.type,parentSchema:schema25,data:data14};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
}
if(data.connection !== undefined){
let data15 = data.connection;
if(typeof data15 !== "string"){
const err31 = {instancePath:instancePath+"/connection",schemaPath:"#/definitions/connection/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema26.type,parentSchema:schema26,data:data15};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
if(!((data15 === "ssh") || (data15 === "local"))){
const err32 = {instancePath:instancePath+"/connection",schemaPath:"#/definitions/connection/enum",keyword:"enum",params:{allowedValues: schema26.enum},message:"must be equal to one of the allowed values",schema:schema26.enum,parentSchema:schema26,data:data15};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
}
if(data.environment !== undefined){
if(!(validate12(data.environment, {instancePath:instancePath+"/environment",parentData:data,parentDataProperty:"environment",rootData}))){
vErrors = vErrors === null ? validate12.errors : vErrors.concat(validate12.errors);
errors = vErrors.length;
}
}
if(data.nemoclaw !== undefined){
let data17 = data.nemoclaw;
if(data17 && typeof data17 == "object" && !Array.isArray(data17)){
if(data17.version === undefined){
const err33 = {instancePath:instancePath+"/nemoclaw",schemaPath:"#/definitions/nemoclaw/required",keyword:"required",params:{missingProperty: "version"},message:"must have required property '"+"version"+"'",schema:schema29.required,parentSchema:schema29,data:data17};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
for(const key1 in data17){
if(!(key1 === "version")){
const err34 = {instancePath:instancePath+"/nemoclaw",schemaPath:"#/definitions/nemoclaw/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties",schema:false,parentSchema:schema29,data:data17};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
}
if(data17.version !== undefined){
let data18 = data17.version;
if(typeof data18 === "string"){
if(!pattern4.test(data18)){
const err35 = {instancePath:instancePath+"/nemoclaw/version",schemaPath:"#/definitions/nemoclaw/properties/version/pattern",keyword:"pattern",params:{pattern: "^v?[0-9]+\\.[0-9]+\\.[0-9]+$"},message:"must match pattern \""+"^v?[0-9]+\\.[0-9]+\\.[0-9]+$"+"\"",schema:"^v?[0-9]+\\.[0-9]+\\.[0-9]+$",parentSchema:schema29.properties.version,data:data18};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
}
}
else {
const err36 = {instancePath:instancePath+"/nemoclaw/version",schemaPath:"#/definitions/nemoclaw/properties/version/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema29.properties.version.type,parentSchema:schema29.properties.version,data:data18};
if(vErrors === null){
vErrors = [err36];
}
else {
vErrors.push(err36);
}
errors++;
}
}
}
else {
const err37 = {instancePath:instancePath+"/nemoclaw",schemaPath:"#/definitions/nemoclaw/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema29.type,parentSchema:schema29,data:data17};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
}
if(data.openshell !== undefined){
let data19 = data.openshell;
if(data19 && typeof data19 == "object" && !Array.isArray(data19)){
for(const key2 in data19){
if(!((key2 === "version") || (key2 === "installer"))){
const err38 = {instancePath:instancePath+"/openshell",schemaPath:"#/definitions/openshell/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key2},message:"must NOT have additional properties",schema:false,parentSchema:schema30,data:data19};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
}
if(data19.version !== undefined){
let data20 = data19.version;
if(typeof data20 === "string"){
if(!pattern5.test(data20)){
const err39 = {instancePath:instancePath+"/openshell/version",schemaPath:"#/definitions/openshell/properties/version/pattern",keyword:"pattern",params:{pattern: "^v?[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.+-]+)?$"},message:"must match pattern \""+"^v?[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.+-]+)?$"+"\"",schema:"^v?[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.+-]+)?$",parentSchema:schema30.properties.version,data:data20};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
}
else {
const err40 = {instancePath:instancePath+"/openshell/version",schemaPath:"#/definitions/openshell/properties/version/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema30.properties.version.type,parentSchema:schema30.properties.version,data:data20};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
}
}
if(data19.installer !== undefined){
let data21 = data19.installer;
if(typeof data21 === "string"){
if(!(formats0(data21))){
const err41 = {instancePath:instancePath+"/openshell/installer",schemaPath:"#/definitions/openshell/properties/installer/format",keyword:"format",params:{format: "uri"},message:"must match format \""+"uri"+"\"",schema:"uri",parentSchema:schema30.properties.installer,data:data21};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
}
else {
const err42 = {instancePath:instancePath+"/openshell/installer",schemaPath:"#/definitions/openshell/properties/installer/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema30.properties.installer.type,parentSchema:schema30.properties.installer,data:data21};
if(vErrors === null){
vErrors = [err42];
}
else {
vErrors.push(err42);
}
errors++;
}
}
}
else {
const err43 = {instancePath:instancePath+"/openshell",schemaPath:"#/definitions/openshell/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema30.type,parentSchema:schema30,data:data19};
if(vErrors === null){
vErrors = [err43];
}
else {
vErrors.push(err43);
}
errors++;
}
}
if(data.labels !== undefined){
let data22 = data.labels;
if(data22 && typeof data22 == "object" && !Array.isArray(data22)){
for(const key3 in data22){
let data23 = data22[key3];
if(((typeof data23 !== "string") && (!((typeof data23 == "number") && (isFinite(data23))))) && (typeof data23 !== "boolean")){
const err44 = {instancePath:instancePath+"/labels/" + key3.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/definitions/labels/additionalProperties/type",keyword:"type",params:{type: schema31.additionalProperties.type},message:"must be string,number,boolean",schema:schema31.additionalProperties.type,parentSchema:schema31.additionalProperties,data:data23};
if(vErrors === null){
vErrors = [err44];
}
else {
vErrors.push(err44);
}
errors++;
}
}
}
else {
const err45 = {instancePath:instancePath+"/labels",schemaPath:"#/definitions/labels/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.type,parentSchema:schema31,data:data22};
if(vErrors === null){
vErrors = [err45];
}
else {
vErrors.push(err45);
}
errors++;
}
}
if(data.vars !== undefined){
let data24 = data.vars;
if(data24 && typeof data24 == "object" && !Array.isArray(data24)){
}
else {
const err46 = {instancePath:instancePath+"/vars",schemaPath:"#/definitions/vars/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema32.type,parentSchema:schema32,data:data24};
if(vErrors === null){
vErrors = [err46];
}
else {
vErrors.push(err46);
}
errors++;
}
}
}
else {
const err47 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema13.type,parentSchema:schema13,data};
if(vErrors === null){
vErrors = [err47];
}
else {
vErrors.push(err47);
}
errors++;
}
validate11.errors = vErrors;
return errors === 0;
}

const schema34 = {"title":"Host","description":"A host. Any host setting may be given here too.","type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"$ref":"#/definitions/hostName"},"address":{"description":"Address to connect to (default: the name): the bare host name or IP address, without a port (set `port`), brackets or `user@`. Like Ansible's `ansible_host`.","type":"string","minLength":1,"examples":["10.20.0.11","spark-01.lab.example"]},"groups":{"description":"Groups the host is in, besides its inventory groups.","type":"array","items":{"$ref":"#/definitions/groupName"}},"user":{"$ref":"#/definitions/user"},"port":{"$ref":"#/definitions/sshPort"},"identityFile":{"$ref":"#/definitions/identityFile"},"agent":{"$ref":"#/definitions/agent"},"passphrase":{"$ref":"#/definitions/passphrase"},"proxyJump":{"$ref":"#/definitions/proxyJump"},"hostKeyChecking":{"$ref":"#/definitions/hostKeyChecking"},"knownHostsFile":{"$ref":"#/definitions/knownHostsFile"},"connectTimeout":{"$ref":"#/definitions/connectTimeout"},"keepaliveInterval":{"$ref":"#/definitions/keepaliveInterval"},"identitiesOnly":{"$ref":"#/definitions/identitiesOnly"},"sshConfig":{"$ref":"#/definitions/sshConfig"},"connection":{"$ref":"#/definitions/connection"},"environment":{"$ref":"#/definitions/environment"},"nemoclaw":{"$ref":"#/definitions/nemoclaw"},"openshell":{"$ref":"#/definitions/openshell"},"labels":{"$ref":"#/definitions/labels"},"vars":{"$ref":"#/definitions/vars"}}};
const schema35 = {"title":"HostName","description":"Host name as in the inventory: letters, digits, `.`, `_`, `-`.","type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$","patternErrorMessage":"host name may only contain letters, digits, \".\", \"_\" and \"-\", starting with a letter or digit","examples":["spark-01","station-01.lab.example"]};
const pattern7 = new RegExp("^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$", "u");

function validate16(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.name === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'",schema:schema34.required,parentSchema:schema34,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
for(const key0 in data){
if(!(func2.call(schema34.properties, key0))){
const err1 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema34,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
if(data.name !== undefined){
let data0 = data.name;
if(typeof data0 === "string"){
if(!pattern7.test(data0)){
const err2 = {instancePath:instancePath+"/name",schemaPath:"#/definitions/hostName/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$"},message:"must match pattern \""+"^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$"+"\"",schema:"^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$",parentSchema:schema35,data:data0};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
else {
const err3 = {instancePath:instancePath+"/name",schemaPath:"#/definitions/hostName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema35.type,parentSchema:schema35,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
if(data.address !== undefined){
let data1 = data.address;
if(typeof data1 === "string"){
if(func3(data1) < 1){
const err4 = {instancePath:instancePath+"/address",schemaPath:"#/properties/address/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema34.properties.address,data:data1};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
else {
const err5 = {instancePath:instancePath+"/address",schemaPath:"#/properties/address/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema34.properties.address.type,parentSchema:schema34.properties.address,data:data1};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
if(data.groups !== undefined){
let data2 = data.groups;
if(Array.isArray(data2)){
const len0 = data2.length;
for(let i0=0; i0<len0; i0++){
let data3 = data2[i0];
if(typeof data3 === "string"){
if(!pattern6.test(data3)){
const err6 = {instancePath:instancePath+"/groups/" + i0,schemaPath:"#/definitions/groupName/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_-]{0,127}$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_-]{0,127}$"+"\"",schema:"^[A-Za-z_][A-Za-z0-9_-]{0,127}$",parentSchema:schema33,data:data3};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
else {
const err7 = {instancePath:instancePath+"/groups/" + i0,schemaPath:"#/definitions/groupName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema33.type,parentSchema:schema33,data:data3};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
}
else {
const err8 = {instancePath:instancePath+"/groups",schemaPath:"#/properties/groups/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema34.properties.groups.type,parentSchema:schema34.properties.groups,data:data2};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
if(data.user !== undefined){
let data4 = data.user;
if(typeof data4 === "string"){
if(!pattern1.test(data4)){
const err9 = {instancePath:instancePath+"/user",schemaPath:"#/definitions/user/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_.-]{0,31}$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_.-]{0,31}$"+"\"",schema:"^[A-Za-z_][A-Za-z0-9_.-]{0,31}$",parentSchema:schema14,data:data4};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
else {
const err10 = {instancePath:instancePath+"/user",schemaPath:"#/definitions/user/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema14.type,parentSchema:schema14,data:data4};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
if(data.port !== undefined){
let data5 = data.port;
if(!(((typeof data5 == "number") && (!(data5 % 1) && !isNaN(data5))) && (isFinite(data5)))){
const err11 = {instancePath:instancePath+"/port",schemaPath:"#/definitions/sshPort/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema15.type,parentSchema:schema15,data:data5};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
if((typeof data5 == "number") && (isFinite(data5))){
if(data5 > 65535 || isNaN(data5)){
const err12 = {instancePath:instancePath+"/port",schemaPath:"#/definitions/sshPort/maximum",keyword:"maximum",params:{comparison: "<=", limit: 65535},message:"must be <= 65535",schema:65535,parentSchema:schema15,data:data5};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
if(data5 < 1 || isNaN(data5)){
const err13 = {instancePath:instancePath+"/port",schemaPath:"#/definitions/sshPort/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema15,data:data5};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
}
}
if(data.identityFile !== undefined){
let data6 = data.identityFile;
if((typeof data6 !== "string") && (!(Array.isArray(data6)))){
const err14 = {instancePath:instancePath+"/identityFile",schemaPath:"#/definitions/identityFile/type",keyword:"type",params:{type: schema16.type},message:"must be string,array",schema:schema16.type,parentSchema:schema16,data:data6};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
if(typeof data6 === "string"){
if(func3(data6) < 1){
const err15 = {instancePath:instancePath+"/identityFile",schemaPath:"#/definitions/identityFile/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema16,data:data6};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
if(Array.isArray(data6)){
const len1 = data6.length;
for(let i1=0; i1<len1; i1++){
let data7 = data6[i1];
if(typeof data7 === "string"){
if(func3(data7) < 1){
const err16 = {instancePath:instancePath+"/identityFile/" + i1,schemaPath:"#/definitions/identityFile/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema16.items,data:data7};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
else {
const err17 = {instancePath:instancePath+"/identityFile/" + i1,schemaPath:"#/definitions/identityFile/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema16.items.type,parentSchema:schema16.items,data:data7};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
}
}
if(data.agent !== undefined){
let data8 = data.agent;
if((typeof data8 !== "boolean") && (typeof data8 !== "string")){
const err18 = {instancePath:instancePath+"/agent",schemaPath:"#/definitions/agent/type",keyword:"type",params:{type: schema17.type},message:"must be boolean,string",schema:schema17.type,parentSchema:schema17,data:data8};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
if(data.passphrase !== undefined){
let data9 = data.passphrase;
if(typeof data9 === "string"){
if(!pattern2.test(data9)){
const err19 = {instancePath:instancePath+"/passphrase",schemaPath:"#/definitions/passphrase/pattern",keyword:"pattern",params:{pattern: "^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$"},message:"must match pattern \""+"^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$"+"\"",schema:"^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$",parentSchema:schema18,data:data9};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
}
else {
const err20 = {instancePath:instancePath+"/passphrase",schemaPath:"#/definitions/passphrase/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema18.type,parentSchema:schema18,data:data9};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
if(data.proxyJump !== undefined){
let data10 = data.proxyJump;
if((typeof data10 !== "string") && (!(Array.isArray(data10)))){
const err21 = {instancePath:instancePath+"/proxyJump",schemaPath:"#/definitions/proxyJump/type",keyword:"type",params:{type: schema19.type},message:"must be string,array",schema:schema19.type,parentSchema:schema19,data:data10};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
if(typeof data10 === "string"){
if(func3(data10) < 1){
const err22 = {instancePath:instancePath+"/proxyJump",schemaPath:"#/definitions/proxyJump/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema19,data:data10};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
if(Array.isArray(data10)){
const len2 = data10.length;
for(let i2=0; i2<len2; i2++){
let data11 = data10[i2];
if(typeof data11 === "string"){
if(func3(data11) < 1){
const err23 = {instancePath:instancePath+"/proxyJump/" + i2,schemaPath:"#/definitions/proxyJump/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema19.items,data:data11};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
}
else {
const err24 = {instancePath:instancePath+"/proxyJump/" + i2,schemaPath:"#/definitions/proxyJump/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema19.items.type,parentSchema:schema19.items,data:data11};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
}
}
}
if(data.hostKeyChecking !== undefined){
let data12 = data.hostKeyChecking;
if(typeof data12 !== "string"){
const err25 = {instancePath:instancePath+"/hostKeyChecking",schemaPath:"#/definitions/hostKeyChecking/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema20.type,parentSchema:schema20,data:data12};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
if(!((data12 === "strict") || (data12 === "accept-new"))){
const err26 = {instancePath:instancePath+"/hostKeyChecking",schemaPath:"#/definitions/hostKeyChecking/enum",keyword:"enum",params:{allowedValues: schema20.enum},message:"must be equal to one of the allowed values",schema:schema20.enum,parentSchema:schema20,data:data12};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
}
if(data.knownHostsFile !== undefined){
let data13 = data.knownHostsFile;
if((typeof data13 !== "string") && (!(Array.isArray(data13)))){
const err27 = {instancePath:instancePath+"/knownHostsFile",schemaPath:"#/definitions/knownHostsFile/type",keyword:"type",params:{type: schema21.type},message:"must be string,array",schema:schema21.type,parentSchema:schema21,data:data13};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
if(typeof data13 === "string"){
if(func3(data13) < 1){
const err28 = {instancePath:instancePath+"/knownHostsFile",schemaPath:"#/definitions/knownHostsFile/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema21,data:data13};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
}
if(Array.isArray(data13)){
const len3 = data13.length;
for(let i3=0; i3<len3; i3++){
let data14 = data13[i3];
if(typeof data14 === "string"){
if(func3(data14) < 1){
const err29 = {instancePath:instancePath+"/knownHostsFile/" + i3,schemaPath:"#/definitions/knownHostsFile/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema21.items,data:data14};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
}
else {
const err30 = {instancePath:instancePath+"/knownHostsFile/" + i3,schemaPath:"#/definitions/knownHostsFile/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema21.items.type,parentSchema:schema21.items,data:data14};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
}
}
}
if(data.connectTimeout !== undefined){
let data15 = data.connectTimeout;
if(!(((typeof data15 == "number") && (!(data15 % 1) && !isNaN(data15))) && (isFinite(data15)))){
const err31 = {instancePath:instancePath+"/connectTimeout",schemaPath:"#/definitions/connectTimeout/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema22.type,parentSchema:schema22,data:data15};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
if((typeof data15 == "number") && (isFinite(data15))){
if(data15 > 600 || isNaN(data15)){
const err32 = {instancePath:instancePath+"/connectTimeout",schemaPath:"#/definitions/connectTimeout/maximum",keyword:"maximum",params:{comparison: "<=", limit: 600},message:"must be <= 600",schema:600,parentSchema:schema22,data:data15};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
if(data15 < 1 || isNaN(data15)){
const err33 = {instancePath:instancePath+"/connectTimeout",schemaPath:"#/definitions/connectTimeout/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema22,data:data15};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
}
}
if(data.keepaliveInterval !== undefined){
let data16 = data.keepaliveInterval;
if(!(((typeof data16 == "number") && (!(data16 % 1) && !isNaN(data16))) && (isFinite(data16)))){
const err34 = {instancePath:instancePath+"/keepaliveInterval",schemaPath:"#/definitions/keepaliveInterval/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema23.type,parentSchema:schema23,data:data16};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
if((typeof data16 == "number") && (isFinite(data16))){
if(data16 > 3600 || isNaN(data16)){
const err35 = {instancePath:instancePath+"/keepaliveInterval",schemaPath:"#/definitions/keepaliveInterval/maximum",keyword:"maximum",params:{comparison: "<=", limit: 3600},message:"must be <= 3600",schema:3600,parentSchema:schema23,data:data16};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
}
if(data16 < 0 || isNaN(data16)){
const err36 = {instancePath:instancePath+"/keepaliveInterval",schemaPath:"#/definitions/keepaliveInterval/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema23,data:data16};
if(vErrors === null){
vErrors = [err36];
}
else {
vErrors.push(err36);
}
errors++;
}
}
}
if(data.identitiesOnly !== undefined){
let data17 = data.identitiesOnly;
if(typeof data17 !== "boolean"){
const err37 = {instancePath:instancePath+"/identitiesOnly",schemaPath:"#/definitions/identitiesOnly/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema24.type,parentSchema:schema24,data:data17};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
}
if(data.sshConfig !== undefined){
let data18 = data.sshConfig;
if(typeof data18 !== "boolean"){
const err38 = {instancePath:instancePath+"/sshConfig",schemaPath:"#/definitions/sshConfig/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema25.type,parentSchema:schema25,data:data18};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
}
if(data.connection !== undefined){
let data19 = data.connection;
if(typeof data19 !== "string"){
const err39 = {instancePath:instancePath+"/connection",schemaPath:"#/definitions/connection/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema26.type,parentSchema:schema26,data:data19};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
if(!((data19 === "ssh") || (data19 === "local"))){
const err40 = {instancePath:instancePath+"/connection",schemaPath:"#/definitions/connection/enum",keyword:"enum",params:{allowedValues: schema26.enum},message:"must be equal to one of the allowed values",schema:schema26.enum,parentSchema:schema26,data:data19};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
}
}
if(data.environment !== undefined){
if(!(validate12(data.environment, {instancePath:instancePath+"/environment",parentData:data,parentDataProperty:"environment",rootData}))){
vErrors = vErrors === null ? validate12.errors : vErrors.concat(validate12.errors);
errors = vErrors.length;
}
}
if(data.nemoclaw !== undefined){
let data21 = data.nemoclaw;
if(data21 && typeof data21 == "object" && !Array.isArray(data21)){
if(data21.version === undefined){
const err41 = {instancePath:instancePath+"/nemoclaw",schemaPath:"#/definitions/nemoclaw/required",keyword:"required",params:{missingProperty: "version"},message:"must have required property '"+"version"+"'",schema:schema29.required,parentSchema:schema29,data:data21};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
for(const key1 in data21){
if(!(key1 === "version")){
const err42 = {instancePath:instancePath+"/nemoclaw",schemaPath:"#/definitions/nemoclaw/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties",schema:false,parentSchema:schema29,data:data21};
if(vErrors === null){
vErrors = [err42];
}
else {
vErrors.push(err42);
}
errors++;
}
}
if(data21.version !== undefined){
let data22 = data21.version;
if(typeof data22 === "string"){
if(!pattern4.test(data22)){
const err43 = {instancePath:instancePath+"/nemoclaw/version",schemaPath:"#/definitions/nemoclaw/properties/version/pattern",keyword:"pattern",params:{pattern: "^v?[0-9]+\\.[0-9]+\\.[0-9]+$"},message:"must match pattern \""+"^v?[0-9]+\\.[0-9]+\\.[0-9]+$"+"\"",schema:"^v?[0-9]+\\.[0-9]+\\.[0-9]+$",parentSchema:schema29.properties.version,data:data22};
if(vErrors === null){
vErrors = [err43];
}
else {
vErrors.push(err43);
}
errors++;
}
}
else {
const err44 = {instancePath:instancePath+"/nemoclaw/version",schemaPath:"#/definitions/nemoclaw/properties/version/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema29.properties.version.type,parentSchema:schema29.properties.version,data:data22};
if(vErrors === null){
vErrors = [err44];
}
else {
vErrors.push(err44);
}
errors++;
}
}
}
else {
const err45 = {instancePath:instancePath+"/nemoclaw",schemaPath:"#/definitions/nemoclaw/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema29.type,parentSchema:schema29,data:data21};
if(vErrors === null){
vErrors = [err45];
}
else {
vErrors.push(err45);
}
errors++;
}
}
if(data.openshell !== undefined){
let data23 = data.openshell;
if(data23 && typeof data23 == "object" && !Array.isArray(data23)){
for(const key2 in data23){
if(!((key2 === "version") || (key2 === "installer"))){
const err46 = {instancePath:instancePath+"/openshell",schemaPath:"#/definitions/openshell/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key2},message:"must NOT have additional properties",schema:false,parentSchema:schema30,data:data23};
if(vErrors === null){
vErrors = [err46];
}
else {
vErrors.push(err46);
}
errors++;
}
}
if(data23.version !== undefined){
let data24 = data23.version;
if(typeof data24 === "string"){
if(!pattern5.test(data24)){
const err47 = {instancePath:instancePath+"/openshell/version",schemaPath:"#/definitions/openshell/properties/version/pattern",keyword:"pattern",params:{pattern: "^v?[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.+-]+)?$"},message:"must match pattern \""+"^v?[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.+-]+)?$"+"\"",schema:"^v?[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.+-]+)?$",parentSchema:schema30.properties.version,data:data24};
if(vErrors === null){
vErrors = [err47];
}
else {
vErrors.push(err47);
}
errors++;
}
}
else {
const err48 = {instancePath:instancePath+"/openshell/version",schemaPath:"#/definitions/openshell/properties/version/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema30.properties.version.type,parentSchema:schema30.properties.version,data:data24};
if(vErrors === null){
vErrors = [err48];
}
else {
vErrors.push(err48);
}
errors++;
}
}
if(data23.installer !== undefined){
let data25 = data23.installer;
if(typeof data25 === "string"){
if(!(formats0(data25))){
const err49 = {instancePath:instancePath+"/openshell/installer",schemaPath:"#/definitions/openshell/properties/installer/format",keyword:"format",params:{format: "uri"},message:"must match format \""+"uri"+"\"",schema:"uri",parentSchema:schema30.properties.installer,data:data25};
if(vErrors === null){
vErrors = [err49];
}
else {
vErrors.push(err49);
}
errors++;
}
}
else {
const err50 = {instancePath:instancePath+"/openshell/installer",schemaPath:"#/definitions/openshell/properties/installer/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema30.properties.installer.type,parentSchema:schema30.properties.installer,data:data25};
if(vErrors === null){
vErrors = [err50];
}
else {
vErrors.push(err50);
}
errors++;
}
}
}
else {
const err51 = {instancePath:instancePath+"/openshell",schemaPath:"#/definitions/openshell/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema30.type,parentSchema:schema30,data:data23};
if(vErrors === null){
vErrors = [err51];
}
else {
vErrors.push(err51);
}
errors++;
}
}
if(data.labels !== undefined){
let data26 = data.labels;
if(data26 && typeof data26 == "object" && !Array.isArray(data26)){
for(const key3 in data26){
let data27 = data26[key3];
if(((typeof data27 !== "string") && (!((typeof data27 == "number") && (isFinite(data27))))) && (typeof data27 !== "boolean")){
const err52 = {instancePath:instancePath+"/labels/" + key3.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/definitions/labels/additionalProperties/type",keyword:"type",params:{type: schema31.additionalProperties.type},message:"must be string,number,boolean",schema:schema31.additionalProperties.type,parentSchema:schema31.additionalProperties,data:data27};
if(vErrors === null){
vErrors = [err52];
}
else {
vErrors.push(err52);
}
errors++;
}
}
}
else {
const err53 = {instancePath:instancePath+"/labels",schemaPath:"#/definitions/labels/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.type,parentSchema:schema31,data:data26};
if(vErrors === null){
vErrors = [err53];
}
else {
vErrors.push(err53);
}
errors++;
}
}
if(data.vars !== undefined){
let data28 = data.vars;
if(data28 && typeof data28 == "object" && !Array.isArray(data28)){
}
else {
const err54 = {instancePath:instancePath+"/vars",schemaPath:"#/definitions/vars/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema32.type,parentSchema:schema32,data:data28};
if(vErrors === null){
vErrors = [err54];
}
else {
vErrors.push(err54);
}
errors++;
}
}
}
else {
const err55 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema34.type,parentSchema:schema34,data};
if(vErrors === null){
vErrors = [err55];
}
else {
vErrors.push(err55);
}
errors++;
}
validate16.errors = vErrors;
return errors === 0;
}

const schema54 = {"title":"Gateway","description":"An OpenShell gateway managed by NemoClaw. Its name follows from its port: 8080 is `nemoclaw`, any other port P is `nemoclaw-P`.","type":"object","additionalProperties":false,"properties":{"port":{"$ref":"#/definitions/gatewayPort"},"name":{"description":"Gateway name; optional, and must agree with the port.","type":"string","pattern":"^nemoclaw(-[1-9][0-9]{0,4})?$","patternErrorMessage":"gateway names are \"nemoclaw\" (port 8080) or \"nemoclaw-<port>\"","examples":["nemoclaw","nemoclaw-8081"]},"hosts":{"$ref":"#/definitions/selector","description":"Hosts that run this gateway (default: all hosts)."},"driver":{"description":"Gateway driver. Default: the one the pinned OpenShell version uses (up to 0.0.36 `cluster-container`, from 0.0.37 `host-process`).","type":"string","enum":["host-process","cluster-container"]},"bind":{"description":"Address the gateway listens on.","type":"string","default":"127.0.0.1","examples":["127.0.0.1","0.0.0.0"]}}};
const schema55 = {"title":"GatewayPort","description":"Gateway port.","type":"integer","minimum":1,"maximum":65535,"default":8080,"examples":[8080,8081]};
const pattern13 = new RegExp("^nemoclaw(-[1-9][0-9]{0,4})?$", "u");
const schema56 = {"title":"HostSelector","description":"Which hosts: an Ansible host pattern (`spark`, `spark-0*`, `~spark-0[13]`, `spark[0:1]`, `spark:&rack_a`, `all:!spark-03`, `site=sjc`; `,` or `:` unite, `&` intersects, `!` excludes; see docs/inventories.md) or `{ names, groups, labels }` (keys ANDed, entries within a key ORed).","type":["string","object"],"minLength":1,"additionalProperties":false,"properties":{"names":{"description":"Host names or globs.","type":"array","items":{"type":"string","minLength":1}},"groups":{"description":"Group names.","type":"array","items":{"type":"string","minLength":1}},"labels":{"$ref":"#/definitions/stringMap"}},"examples":["spark","spark-0*","spark:&rack_a","all:!spark-03",{"groups":["spark"],"labels":{"rack":"a"}}]};

function validate20(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if((typeof data !== "string") && (!(data && typeof data == "object" && !Array.isArray(data)))){
const err0 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: schema56.type},message:"must be string,object",schema:schema56.type,parentSchema:schema56,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(typeof data === "string"){
if(func3(data) < 1){
const err1 = {instancePath,schemaPath:"#/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema56,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
if(data && typeof data == "object" && !Array.isArray(data)){
for(const key0 in data){
if(!(((key0 === "names") || (key0 === "groups")) || (key0 === "labels"))){
const err2 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema56,data};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
if(data.names !== undefined){
let data0 = data.names;
if(Array.isArray(data0)){
const len0 = data0.length;
for(let i0=0; i0<len0; i0++){
let data1 = data0[i0];
if(typeof data1 === "string"){
if(func3(data1) < 1){
const err3 = {instancePath:instancePath+"/names/" + i0,schemaPath:"#/properties/names/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema56.properties.names.items,data:data1};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
else {
const err4 = {instancePath:instancePath+"/names/" + i0,schemaPath:"#/properties/names/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema56.properties.names.items.type,parentSchema:schema56.properties.names.items,data:data1};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
}
else {
const err5 = {instancePath:instancePath+"/names",schemaPath:"#/properties/names/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema56.properties.names.type,parentSchema:schema56.properties.names,data:data0};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
if(data.groups !== undefined){
let data2 = data.groups;
if(Array.isArray(data2)){
const len1 = data2.length;
for(let i1=0; i1<len1; i1++){
let data3 = data2[i1];
if(typeof data3 === "string"){
if(func3(data3) < 1){
const err6 = {instancePath:instancePath+"/groups/" + i1,schemaPath:"#/properties/groups/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema56.properties.groups.items,data:data3};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
else {
const err7 = {instancePath:instancePath+"/groups/" + i1,schemaPath:"#/properties/groups/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema56.properties.groups.items.type,parentSchema:schema56.properties.groups.items,data:data3};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
}
else {
const err8 = {instancePath:instancePath+"/groups",schemaPath:"#/properties/groups/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema56.properties.groups.type,parentSchema:schema56.properties.groups,data:data2};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
if(data.labels !== undefined){
let data4 = data.labels;
if(data4 && typeof data4 == "object" && !Array.isArray(data4)){
for(const key1 in data4){
let data5 = data4[key1];
if(((typeof data5 !== "string") && (!((typeof data5 == "number") && (isFinite(data5))))) && (typeof data5 !== "boolean")){
const err9 = {instancePath:instancePath+"/labels/" + key1.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/definitions/stringMap/additionalProperties/type",keyword:"type",params:{type: schema31.additionalProperties.type},message:"must be string,number,boolean",schema:schema31.additionalProperties.type,parentSchema:schema31.additionalProperties,data:data5};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
}
else {
const err10 = {instancePath:instancePath+"/labels",schemaPath:"#/definitions/stringMap/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.type,parentSchema:schema31,data:data4};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
}
validate20.errors = vErrors;
return errors === 0;
}


function validate19(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
for(const key0 in data){
if(!(((((key0 === "port") || (key0 === "name")) || (key0 === "hosts")) || (key0 === "driver")) || (key0 === "bind"))){
const err0 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema54,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
}
if(data.port !== undefined){
let data0 = data.port;
if(!(((typeof data0 == "number") && (!(data0 % 1) && !isNaN(data0))) && (isFinite(data0)))){
const err1 = {instancePath:instancePath+"/port",schemaPath:"#/definitions/gatewayPort/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema55.type,parentSchema:schema55,data:data0};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
if((typeof data0 == "number") && (isFinite(data0))){
if(data0 > 65535 || isNaN(data0)){
const err2 = {instancePath:instancePath+"/port",schemaPath:"#/definitions/gatewayPort/maximum",keyword:"maximum",params:{comparison: "<=", limit: 65535},message:"must be <= 65535",schema:65535,parentSchema:schema55,data:data0};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
if(data0 < 1 || isNaN(data0)){
const err3 = {instancePath:instancePath+"/port",schemaPath:"#/definitions/gatewayPort/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema55,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
}
if(data.name !== undefined){
let data1 = data.name;
if(typeof data1 === "string"){
if(!pattern13.test(data1)){
const err4 = {instancePath:instancePath+"/name",schemaPath:"#/properties/name/pattern",keyword:"pattern",params:{pattern: "^nemoclaw(-[1-9][0-9]{0,4})?$"},message:"must match pattern \""+"^nemoclaw(-[1-9][0-9]{0,4})?$"+"\"",schema:"^nemoclaw(-[1-9][0-9]{0,4})?$",parentSchema:schema54.properties.name,data:data1};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
else {
const err5 = {instancePath:instancePath+"/name",schemaPath:"#/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema54.properties.name.type,parentSchema:schema54.properties.name,data:data1};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
if(data.hosts !== undefined){
if(!(validate20(data.hosts, {instancePath:instancePath+"/hosts",parentData:data,parentDataProperty:"hosts",rootData}))){
vErrors = vErrors === null ? validate20.errors : vErrors.concat(validate20.errors);
errors = vErrors.length;
}
}
if(data.driver !== undefined){
let data3 = data.driver;
if(typeof data3 !== "string"){
const err6 = {instancePath:instancePath+"/driver",schemaPath:"#/properties/driver/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema54.properties.driver.type,parentSchema:schema54.properties.driver,data:data3};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
if(!((data3 === "host-process") || (data3 === "cluster-container"))){
const err7 = {instancePath:instancePath+"/driver",schemaPath:"#/properties/driver/enum",keyword:"enum",params:{allowedValues: schema54.properties.driver.enum},message:"must be equal to one of the allowed values",schema:schema54.properties.driver.enum,parentSchema:schema54.properties.driver,data:data3};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
if(data.bind !== undefined){
let data4 = data.bind;
if(typeof data4 !== "string"){
const err8 = {instancePath:instancePath+"/bind",schemaPath:"#/properties/bind/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema54.properties.bind.type,parentSchema:schema54.properties.bind,data:data4};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
}
else {
const err9 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema54.type,parentSchema:schema54,data};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
validate19.errors = vErrors;
return errors === 0;
}

const schema58 = {"title":"Sandbox","description":"A NemoClaw sandbox: one agent in an OpenShell sandbox on a gateway. Place it with exactly one of `host` and `hosts`.","type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"description":"Sandbox name (NemoClaw's rule): 1-63 characters, lowercase letters, digits and `-`, starts with a letter, ends with a letter or digit, and not a NemoClaw command word such as `status` or `list`.","type":"string","pattern":"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$","patternErrorMessage":"sandbox names are 1-63 lowercase letters, digits and \"-\", starting with a letter and ending with a letter or digit","examples":["assistant","researcher"]},"host":{"$ref":"#/definitions/hostName","description":"The one host that runs this sandbox."},"hosts":{"$ref":"#/definitions/selector","description":"Run this sandbox on every host the selector matches."},"gateway":{"description":"Name of the gateway on that host.","type":"string","pattern":"^nemoclaw(-[1-9][0-9]{0,4})?$","patternErrorMessage":"gateway names are \"nemoclaw\" (port 8080) or \"nemoclaw-<port>\"","default":"nemoclaw","examples":["nemoclaw","nemoclaw-8081"]},"agent":{"description":"Agent runtime.","type":"string","enum":["openclaw","hermes","langchain-deepagents-code"],"default":"openclaw"},"provider":{"description":"NemoClaw inference provider (`NEMOCLAW_PROVIDER`): build, openai, anthropic, anthropicCompatible, gemini, openrouter, ollama, custom, vllm, nim-local, routed, hermes-provider, install-vllm, install-ollama (aliases: cloud = build, nim = nim-local).","type":"string","minLength":1,"examples":["build","openai","anthropic","anthropicCompatible","gemini","openrouter","ollama","vllm","nim-local","custom","routed","hermes-provider","install-vllm","install-ollama"]},"model":{"description":"Model name (`NEMOCLAW_MODEL`).","type":"string","minLength":1,"examples":["nvidia/nemotron-3-super-120b-a12b","gpt-5.1"]},"endpoint":{"description":"Inference endpoint URL (`NEMOCLAW_ENDPOINT_URL`).","type":"string","format":"uri","examples":["https://integrate.api.nvidia.com/v1","http://127.0.0.1:8000/v1"]},"credential":{"$ref":"#/definitions/secretRef","description":"The provider API key, as a secret reference (`env:NAME` or `file:PATH`). A literal key is an error."},"credentialEnv":{"$ref":"#/definitions/envName","description":"Environment variable NemoClaw reads the key from on the host (default per provider, e.g. `NVIDIA_INFERENCE_API_KEY` for build)."},"policy":{"description":"Network policy.","type":"object","additionalProperties":false,"properties":{"tier":{"description":"Policy tier (`NEMOCLAW_POLICY_TIER`).","type":"string","enum":["restricted","balanced","open"]},"presets":{"description":"Policy presets, the authoritative list (e.g. `pypi`, `npm`).","type":"array","items":{"type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9._-]*$","patternErrorMessage":"preset names may only contain letters, digits, \".\", \"_\" and \"-\"","examples":["pypi","npm","github","huggingface","brew","brave","claude-code","jira","local-inference","public-reference","tavily","weather","slack","discord","teams","telegram"]},"examples":[["pypi","npm"]]}}},"gpu":{"description":"GPU passthrough: `auto`, `on` or `off`.","type":"string","enum":["auto","on","off"],"default":"auto"},"gpuDevice":{"description":"GPU device for the sandbox (`NEMOCLAW_SANDBOX_GPU_DEVICE`), e.g. `0`.","type":"string","minLength":1,"examples":["0"]},"from":{"description":"Build the sandbox from this Dockerfile on the host (an absolute path; NemoClaw takes no image references): onboard --from <Dockerfile>.","type":"string","minLength":1,"examples":["/srv/agents/edge/Dockerfile"]},"resources":{"description":"CPU and memory for the sandbox.","type":"object","additionalProperties":false,"properties":{"cpu":{"description":"CPUs, e.g. `4` or `1500m`.","type":["string","number"],"examples":["4","1500m"]},"memory":{"description":"Memory, e.g. `16Gi`.","type":"string","examples":["16Gi","512Mi"]}}},"shields":{"description":"Config lockdown posture (`nemoclaw <name> shields up|down`).","type":"string","enum":["up","down"]},"protect":{"description":"Never remove or recreate this sandbox, even with `pruneUnmanaged`.","type":"boolean","default":false},"imageRefWorkaround":{"description":"Allow the arm64 image-upload workaround (local registry, recreate from the image reference) to be carried out, not only suggested.","type":"boolean","default":false}}};
const schema60 = {"title":"SecretReference","description":"A reference to a secret, never the secret itself: `env:NAME` (an environment variable on the machine running nemoclaw) or `file:PATH` (a file there, relative to this file).","type":"string","pattern":"^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$","patternErrorMessage":"must be a secret reference: env:NAME or file:PATH","examples":["env:NVIDIA_API_KEY","file:~/.config/nemoclaw/nvidia.key"]};
const pattern14 = new RegExp("^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$", "u");
const pattern19 = new RegExp("^[A-Za-z0-9][A-Za-z0-9._-]*$", "u");

function validate23(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.name === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'",schema:schema58.required,parentSchema:schema58,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
for(const key0 in data){
if(!(func2.call(schema58.properties, key0))){
const err1 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema58,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
if(data.name !== undefined){
let data0 = data.name;
if(typeof data0 === "string"){
if(!pattern14.test(data0)){
const err2 = {instancePath:instancePath+"/name",schemaPath:"#/properties/name/pattern",keyword:"pattern",params:{pattern: "^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$"},message:"must match pattern \""+"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$"+"\"",schema:"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$",parentSchema:schema58.properties.name,data:data0};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
else {
const err3 = {instancePath:instancePath+"/name",schemaPath:"#/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema58.properties.name.type,parentSchema:schema58.properties.name,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
if(data.host !== undefined){
let data1 = data.host;
if(typeof data1 === "string"){
if(!pattern7.test(data1)){
const err4 = {instancePath:instancePath+"/host",schemaPath:"#/definitions/hostName/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$"},message:"must match pattern \""+"^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$"+"\"",schema:"^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$",parentSchema:schema35,data:data1};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
else {
const err5 = {instancePath:instancePath+"/host",schemaPath:"#/definitions/hostName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema35.type,parentSchema:schema35,data:data1};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
if(data.hosts !== undefined){
if(!(validate20(data.hosts, {instancePath:instancePath+"/hosts",parentData:data,parentDataProperty:"hosts",rootData}))){
vErrors = vErrors === null ? validate20.errors : vErrors.concat(validate20.errors);
errors = vErrors.length;
}
}
if(data.gateway !== undefined){
let data3 = data.gateway;
if(typeof data3 === "string"){
if(!pattern13.test(data3)){
const err6 = {instancePath:instancePath+"/gateway",schemaPath:"#/properties/gateway/pattern",keyword:"pattern",params:{pattern: "^nemoclaw(-[1-9][0-9]{0,4})?$"},message:"must match pattern \""+"^nemoclaw(-[1-9][0-9]{0,4})?$"+"\"",schema:"^nemoclaw(-[1-9][0-9]{0,4})?$",parentSchema:schema58.properties.gateway,data:data3};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
else {
const err7 = {instancePath:instancePath+"/gateway",schemaPath:"#/properties/gateway/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema58.properties.gateway.type,parentSchema:schema58.properties.gateway,data:data3};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
if(data.agent !== undefined){
let data4 = data.agent;
if(typeof data4 !== "string"){
const err8 = {instancePath:instancePath+"/agent",schemaPath:"#/properties/agent/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema58.properties.agent.type,parentSchema:schema58.properties.agent,data:data4};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
if(!(((data4 === "openclaw") || (data4 === "hermes")) || (data4 === "langchain-deepagents-code"))){
const err9 = {instancePath:instancePath+"/agent",schemaPath:"#/properties/agent/enum",keyword:"enum",params:{allowedValues: schema58.properties.agent.enum},message:"must be equal to one of the allowed values",schema:schema58.properties.agent.enum,parentSchema:schema58.properties.agent,data:data4};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
if(data.provider !== undefined){
let data5 = data.provider;
if(typeof data5 === "string"){
if(func3(data5) < 1){
const err10 = {instancePath:instancePath+"/provider",schemaPath:"#/properties/provider/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema58.properties.provider,data:data5};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
else {
const err11 = {instancePath:instancePath+"/provider",schemaPath:"#/properties/provider/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema58.properties.provider.type,parentSchema:schema58.properties.provider,data:data5};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
if(data.model !== undefined){
let data6 = data.model;
if(typeof data6 === "string"){
if(func3(data6) < 1){
const err12 = {instancePath:instancePath+"/model",schemaPath:"#/properties/model/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema58.properties.model,data:data6};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
else {
const err13 = {instancePath:instancePath+"/model",schemaPath:"#/properties/model/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema58.properties.model.type,parentSchema:schema58.properties.model,data:data6};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
}
if(data.endpoint !== undefined){
let data7 = data.endpoint;
if(typeof data7 === "string"){
if(!(formats0(data7))){
const err14 = {instancePath:instancePath+"/endpoint",schemaPath:"#/properties/endpoint/format",keyword:"format",params:{format: "uri"},message:"must match format \""+"uri"+"\"",schema:"uri",parentSchema:schema58.properties.endpoint,data:data7};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
else {
const err15 = {instancePath:instancePath+"/endpoint",schemaPath:"#/properties/endpoint/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema58.properties.endpoint.type,parentSchema:schema58.properties.endpoint,data:data7};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
if(data.credential !== undefined){
let data8 = data.credential;
if(typeof data8 === "string"){
if(!pattern2.test(data8)){
const err16 = {instancePath:instancePath+"/credential",schemaPath:"#/definitions/secretRef/pattern",keyword:"pattern",params:{pattern: "^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$"},message:"must match pattern \""+"^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$"+"\"",schema:"^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$",parentSchema:schema60,data:data8};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
else {
const err17 = {instancePath:instancePath+"/credential",schemaPath:"#/definitions/secretRef/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema60.type,parentSchema:schema60,data:data8};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
if(data.credentialEnv !== undefined){
let data9 = data.credentialEnv;
if(typeof data9 === "string"){
if(!pattern3.test(data9)){
const err18 = {instancePath:instancePath+"/credentialEnv",schemaPath:"#/definitions/envName/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]*$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]*$"+"\"",schema:"^[A-Za-z_][A-Za-z0-9_]*$",parentSchema:schema28,data:data9};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
else {
const err19 = {instancePath:instancePath+"/credentialEnv",schemaPath:"#/definitions/envName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema28.type,parentSchema:schema28,data:data9};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
}
if(data.policy !== undefined){
let data10 = data.policy;
if(data10 && typeof data10 == "object" && !Array.isArray(data10)){
for(const key1 in data10){
if(!((key1 === "tier") || (key1 === "presets"))){
const err20 = {instancePath:instancePath+"/policy",schemaPath:"#/properties/policy/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties",schema:false,parentSchema:schema58.properties.policy,data:data10};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
if(data10.tier !== undefined){
let data11 = data10.tier;
if(typeof data11 !== "string"){
const err21 = {instancePath:instancePath+"/policy/tier",schemaPath:"#/properties/policy/properties/tier/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema58.properties.policy.properties.tier.type,parentSchema:schema58.properties.policy.properties.tier,data:data11};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
if(!(((data11 === "restricted") || (data11 === "balanced")) || (data11 === "open"))){
const err22 = {instancePath:instancePath+"/policy/tier",schemaPath:"#/properties/policy/properties/tier/enum",keyword:"enum",params:{allowedValues: schema58.properties.policy.properties.tier.enum},message:"must be equal to one of the allowed values",schema:schema58.properties.policy.properties.tier.enum,parentSchema:schema58.properties.policy.properties.tier,data:data11};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
if(data10.presets !== undefined){
let data12 = data10.presets;
if(Array.isArray(data12)){
const len0 = data12.length;
for(let i0=0; i0<len0; i0++){
let data13 = data12[i0];
if(typeof data13 === "string"){
if(!pattern19.test(data13)){
const err23 = {instancePath:instancePath+"/policy/presets/" + i0,schemaPath:"#/properties/policy/properties/presets/items/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$"},message:"must match pattern \""+"^[A-Za-z0-9][A-Za-z0-9._-]*$"+"\"",schema:"^[A-Za-z0-9][A-Za-z0-9._-]*$",parentSchema:schema58.properties.policy.properties.presets.items,data:data13};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
}
else {
const err24 = {instancePath:instancePath+"/policy/presets/" + i0,schemaPath:"#/properties/policy/properties/presets/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema58.properties.policy.properties.presets.items.type,parentSchema:schema58.properties.policy.properties.presets.items,data:data13};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
}
}
else {
const err25 = {instancePath:instancePath+"/policy/presets",schemaPath:"#/properties/policy/properties/presets/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema58.properties.policy.properties.presets.type,parentSchema:schema58.properties.policy.properties.presets,data:data12};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
}
}
else {
const err26 = {instancePath:instancePath+"/policy",schemaPath:"#/properties/policy/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema58.properties.policy.type,parentSchema:schema58.properties.policy,data:data10};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
}
if(data.gpu !== undefined){
let data14 = data.gpu;
if(typeof data14 !== "string"){
const err27 = {instancePath:instancePath+"/gpu",schemaPath:"#/properties/gpu/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema58.properties.gpu.type,parentSchema:schema58.properties.gpu,data:data14};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
if(!(((data14 === "auto") || (data14 === "on")) || (data14 === "off"))){
const err28 = {instancePath:instancePath+"/gpu",schemaPath:"#/properties/gpu/enum",keyword:"enum",params:{allowedValues: schema58.properties.gpu.enum},message:"must be equal to one of the allowed values",schema:schema58.properties.gpu.enum,parentSchema:schema58.properties.gpu,data:data14};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
}
if(data.gpuDevice !== undefined){
let data15 = data.gpuDevice;
if(typeof data15 === "string"){
if(func3(data15) < 1){
const err29 = {instancePath:instancePath+"/gpuDevice",schemaPath:"#/properties/gpuDevice/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema58.properties.gpuDevice,data:data15};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
}
else {
const err30 = {instancePath:instancePath+"/gpuDevice",schemaPath:"#/properties/gpuDevice/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema58.properties.gpuDevice.type,parentSchema:schema58.properties.gpuDevice,data:data15};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
}
if(data.from !== undefined){
let data16 = data.from;
if(typeof data16 === "string"){
if(func3(data16) < 1){
const err31 = {instancePath:instancePath+"/from",schemaPath:"#/properties/from/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema58.properties.from,data:data16};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
}
else {
const err32 = {instancePath:instancePath+"/from",schemaPath:"#/properties/from/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema58.properties.from.type,parentSchema:schema58.properties.from,data:data16};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
}
if(data.resources !== undefined){
let data17 = data.resources;
if(data17 && typeof data17 == "object" && !Array.isArray(data17)){
for(const key2 in data17){
if(!((key2 === "cpu") || (key2 === "memory"))){
const err33 = {instancePath:instancePath+"/resources",schemaPath:"#/properties/resources/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key2},message:"must NOT have additional properties",schema:false,parentSchema:schema58.properties.resources,data:data17};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
}
if(data17.cpu !== undefined){
let data18 = data17.cpu;
if((typeof data18 !== "string") && (!((typeof data18 == "number") && (isFinite(data18))))){
const err34 = {instancePath:instancePath+"/resources/cpu",schemaPath:"#/properties/resources/properties/cpu/type",keyword:"type",params:{type: schema58.properties.resources.properties.cpu.type},message:"must be string,number",schema:schema58.properties.resources.properties.cpu.type,parentSchema:schema58.properties.resources.properties.cpu,data:data18};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
}
if(data17.memory !== undefined){
let data19 = data17.memory;
if(typeof data19 !== "string"){
const err35 = {instancePath:instancePath+"/resources/memory",schemaPath:"#/properties/resources/properties/memory/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema58.properties.resources.properties.memory.type,parentSchema:schema58.properties.resources.properties.memory,data:data19};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
}
}
}
else {
const err36 = {instancePath:instancePath+"/resources",schemaPath:"#/properties/resources/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema58.properties.resources.type,parentSchema:schema58.properties.resources,data:data17};
if(vErrors === null){
vErrors = [err36];
}
else {
vErrors.push(err36);
}
errors++;
}
}
if(data.shields !== undefined){
let data20 = data.shields;
if(typeof data20 !== "string"){
const err37 = {instancePath:instancePath+"/shields",schemaPath:"#/properties/shields/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema58.properties.shields.type,parentSchema:schema58.properties.shields,data:data20};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
if(!((data20 === "up") || (data20 === "down"))){
const err38 = {instancePath:instancePath+"/shields",schemaPath:"#/properties/shields/enum",keyword:"enum",params:{allowedValues: schema58.properties.shields.enum},message:"must be equal to one of the allowed values",schema:schema58.properties.shields.enum,parentSchema:schema58.properties.shields,data:data20};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
}
if(data.protect !== undefined){
let data21 = data.protect;
if(typeof data21 !== "boolean"){
const err39 = {instancePath:instancePath+"/protect",schemaPath:"#/properties/protect/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema58.properties.protect.type,parentSchema:schema58.properties.protect,data:data21};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
}
if(data.imageRefWorkaround !== undefined){
let data22 = data.imageRefWorkaround;
if(typeof data22 !== "boolean"){
const err40 = {instancePath:instancePath+"/imageRefWorkaround",schemaPath:"#/properties/imageRefWorkaround/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema58.properties.imageRefWorkaround.type,parentSchema:schema58.properties.imageRefWorkaround,data:data22};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
}
}
}
else {
const err41 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema58.type,parentSchema:schema58,data};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
validate23.errors = vErrors;
return errors === 0;
}

const schema62 = {"title":"BackupPolicy","description":"Which sandboxes to back up, when, where to, and how many backups to keep.","type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"description":"Policy name: letters, digits, `.`, `_`, `-`.","type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$","patternErrorMessage":"policy name may only contain letters, digits, \".\", \"_\" and \"-\" (at most 63 characters), starting with a letter or digit","examples":["nightly","weekly"]},"hosts":{"$ref":"#/definitions/selector","description":"Hosts whose sandboxes are backed up (default: all hosts)."},"sandboxes":{"description":"Sandbox names or globs (default: all).","type":"array","items":{"type":"string","minLength":1,"examples":["*","research-*"]}},"schedule":{"description":"Five-field cron expression (minute hour day-of-month month day-of-week), e.g. `0 2 * * *`, evaluated in UTC. One that never fires (`0 0 31 2 *`: February has no 31st) is an error.","type":"string","examples":["0 2 * * *","30 3 * * 0"]},"retention":{"description":"How many backups to keep; a backup is kept if any rule keeps it. Without retention, every backup is kept.","type":"object","additionalProperties":false,"properties":{"keepLast":{"type":"integer","minimum":0,"description":"The newest N backups.","examples":[7]},"keepDaily":{"type":"integer","minimum":0,"description":"The newest backup of each of the last N days.","examples":[7]},"keepWeekly":{"type":"integer","minimum":0,"description":"The newest backup of each of the last N weeks.","examples":[4]},"keepMonthly":{"type":"integer","minimum":0,"description":"The newest backup of each of the last N months.","examples":[6]}}},"destination":{"description":"Where backups are stored: a directory on this machine (relative to this file), or a directory on a fleet host reached over SSH (`host` + absolute `path`).","type":"object","additionalProperties":false,"required":["path"],"properties":{"path":{"description":"Directory for the backups: on this machine (relative to this file), or an absolute path on `host`.","type":"string","minLength":1,"default":"./backups","examples":["./backups","/srv/nemoclaw-backups"]},"host":{"$ref":"#/definitions/hostName","description":"A fleet host to keep the backups on, reached over SSH."}}},"verify":{"description":"Verify every backup after writing it (checksums and a test read).","type":"boolean","default":true},"beforeDisruptive":{"description":"Where the backup before a rebuild or recreate of a sandbox goes: with true (the default) into this policy's store; when no covering policy has it, NemoClaw's own snapshot on the host is taken instead, so that backup is never skipped. A release upgrade backs every sandbox up into its first covering policy whatever this says; restarting a sandbox's agent (`gateway restart`, to re-emit its guards) keeps its files and takes no backup.","type":"boolean","default":true},"strict":{"description":"Fail the run when a selected sandbox could not be backed up.","type":"boolean","default":false}}};

function validate26(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.name === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'",schema:schema62.required,parentSchema:schema62,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
for(const key0 in data){
if(!(func2.call(schema62.properties, key0))){
const err1 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema62,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
if(data.name !== undefined){
let data0 = data.name;
if(typeof data0 === "string"){
if(!pattern0.test(data0)){
const err2 = {instancePath:instancePath+"/name",schemaPath:"#/properties/name/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"},message:"must match pattern \""+"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"+"\"",schema:"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$",parentSchema:schema62.properties.name,data:data0};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
else {
const err3 = {instancePath:instancePath+"/name",schemaPath:"#/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema62.properties.name.type,parentSchema:schema62.properties.name,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
if(data.hosts !== undefined){
if(!(validate20(data.hosts, {instancePath:instancePath+"/hosts",parentData:data,parentDataProperty:"hosts",rootData}))){
vErrors = vErrors === null ? validate20.errors : vErrors.concat(validate20.errors);
errors = vErrors.length;
}
}
if(data.sandboxes !== undefined){
let data2 = data.sandboxes;
if(Array.isArray(data2)){
const len0 = data2.length;
for(let i0=0; i0<len0; i0++){
let data3 = data2[i0];
if(typeof data3 === "string"){
if(func3(data3) < 1){
const err4 = {instancePath:instancePath+"/sandboxes/" + i0,schemaPath:"#/properties/sandboxes/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema62.properties.sandboxes.items,data:data3};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
else {
const err5 = {instancePath:instancePath+"/sandboxes/" + i0,schemaPath:"#/properties/sandboxes/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema62.properties.sandboxes.items.type,parentSchema:schema62.properties.sandboxes.items,data:data3};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
}
else {
const err6 = {instancePath:instancePath+"/sandboxes",schemaPath:"#/properties/sandboxes/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema62.properties.sandboxes.type,parentSchema:schema62.properties.sandboxes,data:data2};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
if(data.schedule !== undefined){
let data4 = data.schedule;
if(typeof data4 !== "string"){
const err7 = {instancePath:instancePath+"/schedule",schemaPath:"#/properties/schedule/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema62.properties.schedule.type,parentSchema:schema62.properties.schedule,data:data4};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
if(data.retention !== undefined){
let data5 = data.retention;
if(data5 && typeof data5 == "object" && !Array.isArray(data5)){
for(const key1 in data5){
if(!((((key1 === "keepLast") || (key1 === "keepDaily")) || (key1 === "keepWeekly")) || (key1 === "keepMonthly"))){
const err8 = {instancePath:instancePath+"/retention",schemaPath:"#/properties/retention/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties",schema:false,parentSchema:schema62.properties.retention,data:data5};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
if(data5.keepLast !== undefined){
let data6 = data5.keepLast;
if(!(((typeof data6 == "number") && (!(data6 % 1) && !isNaN(data6))) && (isFinite(data6)))){
const err9 = {instancePath:instancePath+"/retention/keepLast",schemaPath:"#/properties/retention/properties/keepLast/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema62.properties.retention.properties.keepLast.type,parentSchema:schema62.properties.retention.properties.keepLast,data:data6};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
if((typeof data6 == "number") && (isFinite(data6))){
if(data6 < 0 || isNaN(data6)){
const err10 = {instancePath:instancePath+"/retention/keepLast",schemaPath:"#/properties/retention/properties/keepLast/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema62.properties.retention.properties.keepLast,data:data6};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
}
if(data5.keepDaily !== undefined){
let data7 = data5.keepDaily;
if(!(((typeof data7 == "number") && (!(data7 % 1) && !isNaN(data7))) && (isFinite(data7)))){
const err11 = {instancePath:instancePath+"/retention/keepDaily",schemaPath:"#/properties/retention/properties/keepDaily/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema62.properties.retention.properties.keepDaily.type,parentSchema:schema62.properties.retention.properties.keepDaily,data:data7};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
if((typeof data7 == "number") && (isFinite(data7))){
if(data7 < 0 || isNaN(data7)){
const err12 = {instancePath:instancePath+"/retention/keepDaily",schemaPath:"#/properties/retention/properties/keepDaily/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema62.properties.retention.properties.keepDaily,data:data7};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
}
if(data5.keepWeekly !== undefined){
let data8 = data5.keepWeekly;
if(!(((typeof data8 == "number") && (!(data8 % 1) && !isNaN(data8))) && (isFinite(data8)))){
const err13 = {instancePath:instancePath+"/retention/keepWeekly",schemaPath:"#/properties/retention/properties/keepWeekly/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema62.properties.retention.properties.keepWeekly.type,parentSchema:schema62.properties.retention.properties.keepWeekly,data:data8};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
if((typeof data8 == "number") && (isFinite(data8))){
if(data8 < 0 || isNaN(data8)){
const err14 = {instancePath:instancePath+"/retention/keepWeekly",schemaPath:"#/properties/retention/properties/keepWeekly/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema62.properties.retention.properties.keepWeekly,data:data8};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
}
if(data5.keepMonthly !== undefined){
let data9 = data5.keepMonthly;
if(!(((typeof data9 == "number") && (!(data9 % 1) && !isNaN(data9))) && (isFinite(data9)))){
const err15 = {instancePath:instancePath+"/retention/keepMonthly",schemaPath:"#/properties/retention/properties/keepMonthly/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema62.properties.retention.properties.keepMonthly.type,parentSchema:schema62.properties.retention.properties.keepMonthly,data:data9};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
if((typeof data9 == "number") && (isFinite(data9))){
if(data9 < 0 || isNaN(data9)){
const err16 = {instancePath:instancePath+"/retention/keepMonthly",schemaPath:"#/properties/retention/properties/keepMonthly/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema62.properties.retention.properties.keepMonthly,data:data9};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
}
}
else {
const err17 = {instancePath:instancePath+"/retention",schemaPath:"#/properties/retention/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema62.properties.retention.type,parentSchema:schema62.properties.retention,data:data5};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
if(data.destination !== undefined){
let data10 = data.destination;
if(data10 && typeof data10 == "object" && !Array.isArray(data10)){
if(data10.path === undefined){
const err18 = {instancePath:instancePath+"/destination",schemaPath:"#/properties/destination/required",keyword:"required",params:{missingProperty: "path"},message:"must have required property '"+"path"+"'",schema:schema62.properties.destination.required,parentSchema:schema62.properties.destination,data:data10};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
for(const key2 in data10){
if(!((key2 === "path") || (key2 === "host"))){
const err19 = {instancePath:instancePath+"/destination",schemaPath:"#/properties/destination/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key2},message:"must NOT have additional properties",schema:false,parentSchema:schema62.properties.destination,data:data10};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
}
if(data10.path !== undefined){
let data11 = data10.path;
if(typeof data11 === "string"){
if(func3(data11) < 1){
const err20 = {instancePath:instancePath+"/destination/path",schemaPath:"#/properties/destination/properties/path/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema62.properties.destination.properties.path,data:data11};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
else {
const err21 = {instancePath:instancePath+"/destination/path",schemaPath:"#/properties/destination/properties/path/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema62.properties.destination.properties.path.type,parentSchema:schema62.properties.destination.properties.path,data:data11};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
}
if(data10.host !== undefined){
let data12 = data10.host;
if(typeof data12 === "string"){
if(!pattern7.test(data12)){
const err22 = {instancePath:instancePath+"/destination/host",schemaPath:"#/definitions/hostName/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$"},message:"must match pattern \""+"^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$"+"\"",schema:"^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$",parentSchema:schema35,data:data12};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
else {
const err23 = {instancePath:instancePath+"/destination/host",schemaPath:"#/definitions/hostName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema35.type,parentSchema:schema35,data:data12};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
}
}
else {
const err24 = {instancePath:instancePath+"/destination",schemaPath:"#/properties/destination/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema62.properties.destination.type,parentSchema:schema62.properties.destination,data:data10};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
}
if(data.verify !== undefined){
let data13 = data.verify;
if(typeof data13 !== "boolean"){
const err25 = {instancePath:instancePath+"/verify",schemaPath:"#/properties/verify/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema62.properties.verify.type,parentSchema:schema62.properties.verify,data:data13};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
}
if(data.beforeDisruptive !== undefined){
let data14 = data.beforeDisruptive;
if(typeof data14 !== "boolean"){
const err26 = {instancePath:instancePath+"/beforeDisruptive",schemaPath:"#/properties/beforeDisruptive/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema62.properties.beforeDisruptive.type,parentSchema:schema62.properties.beforeDisruptive,data:data14};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
}
if(data.strict !== undefined){
let data15 = data.strict;
if(typeof data15 !== "boolean"){
const err27 = {instancePath:instancePath+"/strict",schemaPath:"#/properties/strict/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema62.properties.strict.type,parentSchema:schema62.properties.strict,data:data15};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
}
}
else {
const err28 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema62.type,parentSchema:schema62,data};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
validate26.errors = vErrors;
return errors === 0;
}


function validate10(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
/*# sourceURL="https://nemoclaw.dev/schemas/fleet.schema.json" */;
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.apiVersion === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "apiVersion"},message:"must have required property '"+"apiVersion"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.kind === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "kind"},message:"must have required property '"+"kind"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
for(const key0 in data){
if(!(func2.call(schema11.properties, key0))){
const err2 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
if(data.apiVersion !== undefined){
let data0 = data.apiVersion;
if(typeof data0 !== "string"){
const err3 = {instancePath:instancePath+"/apiVersion",schemaPath:"#/properties/apiVersion/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.apiVersion.type,parentSchema:schema11.properties.apiVersion,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
if(!(data0 === "nemoclaw.dev/v1")){
const err4 = {instancePath:instancePath+"/apiVersion",schemaPath:"#/properties/apiVersion/enum",keyword:"enum",params:{allowedValues: schema11.properties.apiVersion.enum},message:"must be equal to one of the allowed values",schema:schema11.properties.apiVersion.enum,parentSchema:schema11.properties.apiVersion,data:data0};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
if(data.kind !== undefined){
let data1 = data.kind;
if(typeof data1 !== "string"){
const err5 = {instancePath:instancePath+"/kind",schemaPath:"#/properties/kind/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.kind.type,parentSchema:schema11.properties.kind,data:data1};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
if(!(data1 === "Fleet")){
const err6 = {instancePath:instancePath+"/kind",schemaPath:"#/properties/kind/enum",keyword:"enum",params:{allowedValues: schema11.properties.kind.enum},message:"must be equal to one of the allowed values",schema:schema11.properties.kind.enum,parentSchema:schema11.properties.kind,data:data1};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
if(data.metadata !== undefined){
let data2 = data.metadata;
if(data2 && typeof data2 == "object" && !Array.isArray(data2)){
if(data2.name === undefined){
const err7 = {instancePath:instancePath+"/metadata",schemaPath:"#/definitions/metadata/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'",schema:schema12.required,parentSchema:schema12,data:data2};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
for(const key1 in data2){
if(!((key1 === "name") || (key1 === "description"))){
const err8 = {instancePath:instancePath+"/metadata",schemaPath:"#/definitions/metadata/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties",schema:false,parentSchema:schema12,data:data2};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
if(data2.name !== undefined){
let data3 = data2.name;
if(typeof data3 === "string"){
if(!pattern0.test(data3)){
const err9 = {instancePath:instancePath+"/metadata/name",schemaPath:"#/definitions/metadata/properties/name/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"},message:"must match pattern \""+"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"+"\"",schema:"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$",parentSchema:schema12.properties.name,data:data3};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
else {
const err10 = {instancePath:instancePath+"/metadata/name",schemaPath:"#/definitions/metadata/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema12.properties.name.type,parentSchema:schema12.properties.name,data:data3};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
if(data2.description !== undefined){
let data4 = data2.description;
if(typeof data4 !== "string"){
const err11 = {instancePath:instancePath+"/metadata/description",schemaPath:"#/definitions/metadata/properties/description/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema12.properties.description.type,parentSchema:schema12.properties.description,data:data4};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
}
else {
const err12 = {instancePath:instancePath+"/metadata",schemaPath:"#/definitions/metadata/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema12.type,parentSchema:schema12,data:data2};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
if(data.inventory !== undefined){
let data5 = data.inventory;
if((typeof data5 !== "string") && (!(Array.isArray(data5)))){
const err13 = {instancePath:instancePath+"/inventory",schemaPath:"#/properties/inventory/type",keyword:"type",params:{type: schema11.properties.inventory.type},message:"must be string,array",schema:schema11.properties.inventory.type,parentSchema:schema11.properties.inventory,data:data5};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
if(Array.isArray(data5)){
const len0 = data5.length;
for(let i0=0; i0<len0; i0++){
let data6 = data5[i0];
if(typeof data6 === "string"){
if(func3(data6) < 1){
const err14 = {instancePath:instancePath+"/inventory/" + i0,schemaPath:"#/properties/inventory/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.inventory.items,data:data6};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
else {
const err15 = {instancePath:instancePath+"/inventory/" + i0,schemaPath:"#/properties/inventory/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.inventory.items.type,parentSchema:schema11.properties.inventory.items,data:data6};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
}
}
if(data.defaults !== undefined){
if(!(validate11(data.defaults, {instancePath:instancePath+"/defaults",parentData:data,parentDataProperty:"defaults",rootData}))){
vErrors = vErrors === null ? validate11.errors : vErrors.concat(validate11.errors);
errors = vErrors.length;
}
}
if(data.groups !== undefined){
let data8 = data.groups;
if(data8 && typeof data8 == "object" && !Array.isArray(data8)){
for(const key2 in data8){
const _errs22 = errors;
if(typeof key2 === "string"){
if(!pattern6.test(key2)){
const err16 = {instancePath:instancePath+"/groups",schemaPath:"#/definitions/groupName/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_-]{0,127}$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_-]{0,127}$"+"\"",schema:"^[A-Za-z_][A-Za-z0-9_-]{0,127}$",parentSchema:schema33,data:key2,propertyName:key2};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
else {
const err17 = {instancePath:instancePath+"/groups",schemaPath:"#/definitions/groupName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema33.type,parentSchema:schema33,data:key2,propertyName:key2};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
var valid5 = _errs22 === errors;
if(!valid5){
const err18 = {instancePath:instancePath+"/groups",schemaPath:"#/properties/groups/propertyNames",keyword:"propertyNames",params:{propertyName: key2},message:"property name must be valid",schema:schema11.properties.groups.propertyNames,parentSchema:schema11.properties.groups,data:data8};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
for(const key3 in data8){
if(!(validate11(data8[key3], {instancePath:instancePath+"/groups/" + key3.replace(/~/g, "~0").replace(/\//g, "~1"),parentData:data8,parentDataProperty:key3,rootData}))){
vErrors = vErrors === null ? validate11.errors : vErrors.concat(validate11.errors);
errors = vErrors.length;
}
}
}
else {
const err19 = {instancePath:instancePath+"/groups",schemaPath:"#/properties/groups/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.groups.type,parentSchema:schema11.properties.groups,data:data8};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
}
if(data.hosts !== undefined){
let data10 = data.hosts;
if(Array.isArray(data10)){
const len1 = data10.length;
for(let i1=0; i1<len1; i1++){
if(!(validate16(data10[i1], {instancePath:instancePath+"/hosts/" + i1,parentData:data10,parentDataProperty:i1,rootData}))){
vErrors = vErrors === null ? validate16.errors : vErrors.concat(validate16.errors);
errors = vErrors.length;
}
}
}
else {
const err20 = {instancePath:instancePath+"/hosts",schemaPath:"#/properties/hosts/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.hosts.type,parentSchema:schema11.properties.hosts,data:data10};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
if(data.gateways !== undefined){
let data12 = data.gateways;
if(Array.isArray(data12)){
const len2 = data12.length;
for(let i2=0; i2<len2; i2++){
if(!(validate19(data12[i2], {instancePath:instancePath+"/gateways/" + i2,parentData:data12,parentDataProperty:i2,rootData}))){
vErrors = vErrors === null ? validate19.errors : vErrors.concat(validate19.errors);
errors = vErrors.length;
}
}
}
else {
const err21 = {instancePath:instancePath+"/gateways",schemaPath:"#/properties/gateways/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.gateways.type,parentSchema:schema11.properties.gateways,data:data12};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
}
if(data.sandboxes !== undefined){
let data14 = data.sandboxes;
if(Array.isArray(data14)){
const len3 = data14.length;
for(let i3=0; i3<len3; i3++){
if(!(validate23(data14[i3], {instancePath:instancePath+"/sandboxes/" + i3,parentData:data14,parentDataProperty:i3,rootData}))){
vErrors = vErrors === null ? validate23.errors : vErrors.concat(validate23.errors);
errors = vErrors.length;
}
}
}
else {
const err22 = {instancePath:instancePath+"/sandboxes",schemaPath:"#/properties/sandboxes/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.sandboxes.type,parentSchema:schema11.properties.sandboxes,data:data14};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
if(data.backupPolicies !== undefined){
let data16 = data.backupPolicies;
if(Array.isArray(data16)){
const len4 = data16.length;
for(let i4=0; i4<len4; i4++){
if(!(validate26(data16[i4], {instancePath:instancePath+"/backupPolicies/" + i4,parentData:data16,parentDataProperty:i4,rootData}))){
vErrors = vErrors === null ? validate26.errors : vErrors.concat(validate26.errors);
errors = vErrors.length;
}
}
}
else {
const err23 = {instancePath:instancePath+"/backupPolicies",schemaPath:"#/properties/backupPolicies/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.backupPolicies.type,parentSchema:schema11.properties.backupPolicies,data:data16};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
}
if(data.apply !== undefined){
let data18 = data.apply;
if(data18 && typeof data18 == "object" && !Array.isArray(data18)){
for(const key4 in data18){
if(!(((((((key4 === "concurrency") || (key4 === "waves")) || (key4 === "maxFailPercentage")) || (key4 === "stepTimeout")) || (key4 === "pruneUnmanaged")) || (key4 === "lockTtl")) || (key4 === "healthGate"))){
const err24 = {instancePath:instancePath+"/apply",schemaPath:"#/definitions/applySettings/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key4},message:"must NOT have additional properties",schema:false,parentSchema:schema64,data:data18};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
}
if(data18.concurrency !== undefined){
let data19 = data18.concurrency;
if(!(((typeof data19 == "number") && (!(data19 % 1) && !isNaN(data19))) && (isFinite(data19)))){
const err25 = {instancePath:instancePath+"/apply/concurrency",schemaPath:"#/definitions/applySettings/properties/concurrency/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema64.properties.concurrency.type,parentSchema:schema64.properties.concurrency,data:data19};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
if((typeof data19 == "number") && (isFinite(data19))){
if(data19 > 1024 || isNaN(data19)){
const err26 = {instancePath:instancePath+"/apply/concurrency",schemaPath:"#/definitions/applySettings/properties/concurrency/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1024},message:"must be <= 1024",schema:1024,parentSchema:schema64.properties.concurrency,data:data19};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
if(data19 < 1 || isNaN(data19)){
const err27 = {instancePath:instancePath+"/apply/concurrency",schemaPath:"#/definitions/applySettings/properties/concurrency/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema64.properties.concurrency,data:data19};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
}
}
if(data18.waves !== undefined){
let data20 = data18.waves;
if(Array.isArray(data20)){
if(data20.length < 1){
const err28 = {instancePath:instancePath+"/apply/waves",schemaPath:"#/definitions/applySettings/properties/waves/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema64.properties.waves,data:data20};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
const len5 = data20.length;
for(let i5=0; i5<len5; i5++){
let data21 = data20[i5];
if((!(((typeof data21 == "number") && (!(data21 % 1) && !isNaN(data21))) && (isFinite(data21)))) && (typeof data21 !== "string")){
const err29 = {instancePath:instancePath+"/apply/waves/" + i5,schemaPath:"#/definitions/applySettings/properties/waves/items/type",keyword:"type",params:{type: schema64.properties.waves.items.type},message:"must be integer,string",schema:schema64.properties.waves.items.type,parentSchema:schema64.properties.waves.items,data:data21};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
if((typeof data21 == "number") && (isFinite(data21))){
if(data21 < 1 || isNaN(data21)){
const err30 = {instancePath:instancePath+"/apply/waves/" + i5,schemaPath:"#/definitions/applySettings/properties/waves/items/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema64.properties.waves.items,data:data21};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
}
if(typeof data21 === "string"){
if(!pattern22.test(data21)){
const err31 = {instancePath:instancePath+"/apply/waves/" + i5,schemaPath:"#/definitions/applySettings/properties/waves/items/pattern",keyword:"pattern",params:{pattern: "^[0-9]+(\\.[0-9]+)?%$"},message:"must match pattern \""+"^[0-9]+(\\.[0-9]+)?%$"+"\"",schema:"^[0-9]+(\\.[0-9]+)?%$",parentSchema:schema64.properties.waves.items,data:data21};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
}
}
}
else {
const err32 = {instancePath:instancePath+"/apply/waves",schemaPath:"#/definitions/applySettings/properties/waves/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema64.properties.waves.type,parentSchema:schema64.properties.waves,data:data20};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
}
if(data18.maxFailPercentage !== undefined){
let data22 = data18.maxFailPercentage;
if((typeof data22 == "number") && (isFinite(data22))){
if(data22 > 100 || isNaN(data22)){
const err33 = {instancePath:instancePath+"/apply/maxFailPercentage",schemaPath:"#/definitions/applySettings/properties/maxFailPercentage/maximum",keyword:"maximum",params:{comparison: "<=", limit: 100},message:"must be <= 100",schema:100,parentSchema:schema64.properties.maxFailPercentage,data:data22};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
if(data22 < 0 || isNaN(data22)){
const err34 = {instancePath:instancePath+"/apply/maxFailPercentage",schemaPath:"#/definitions/applySettings/properties/maxFailPercentage/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema64.properties.maxFailPercentage,data:data22};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
}
else {
const err35 = {instancePath:instancePath+"/apply/maxFailPercentage",schemaPath:"#/definitions/applySettings/properties/maxFailPercentage/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema64.properties.maxFailPercentage.type,parentSchema:schema64.properties.maxFailPercentage,data:data22};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
}
}
if(data18.stepTimeout !== undefined){
let data23 = data18.stepTimeout;
if(!(((typeof data23 == "number") && (!(data23 % 1) && !isNaN(data23))) && (isFinite(data23)))){
const err36 = {instancePath:instancePath+"/apply/stepTimeout",schemaPath:"#/definitions/applySettings/properties/stepTimeout/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema64.properties.stepTimeout.type,parentSchema:schema64.properties.stepTimeout,data:data23};
if(vErrors === null){
vErrors = [err36];
}
else {
vErrors.push(err36);
}
errors++;
}
if((typeof data23 == "number") && (isFinite(data23))){
if(data23 > 604800 || isNaN(data23)){
const err37 = {instancePath:instancePath+"/apply/stepTimeout",schemaPath:"#/definitions/applySettings/properties/stepTimeout/maximum",keyword:"maximum",params:{comparison: "<=", limit: 604800},message:"must be <= 604800",schema:604800,parentSchema:schema64.properties.stepTimeout,data:data23};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
if(data23 < 1 || isNaN(data23)){
const err38 = {instancePath:instancePath+"/apply/stepTimeout",schemaPath:"#/definitions/applySettings/properties/stepTimeout/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema64.properties.stepTimeout,data:data23};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
}
}
if(data18.pruneUnmanaged !== undefined){
let data24 = data18.pruneUnmanaged;
if(typeof data24 !== "boolean"){
const err39 = {instancePath:instancePath+"/apply/pruneUnmanaged",schemaPath:"#/definitions/applySettings/properties/pruneUnmanaged/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema64.properties.pruneUnmanaged.type,parentSchema:schema64.properties.pruneUnmanaged,data:data24};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
}
if(data18.lockTtl !== undefined){
let data25 = data18.lockTtl;
if(!(((typeof data25 == "number") && (!(data25 % 1) && !isNaN(data25))) && (isFinite(data25)))){
const err40 = {instancePath:instancePath+"/apply/lockTtl",schemaPath:"#/definitions/applySettings/properties/lockTtl/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema64.properties.lockTtl.type,parentSchema:schema64.properties.lockTtl,data:data25};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
}
if((typeof data25 == "number") && (isFinite(data25))){
if(data25 > 86400 || isNaN(data25)){
const err41 = {instancePath:instancePath+"/apply/lockTtl",schemaPath:"#/definitions/applySettings/properties/lockTtl/maximum",keyword:"maximum",params:{comparison: "<=", limit: 86400},message:"must be <= 86400",schema:86400,parentSchema:schema64.properties.lockTtl,data:data25};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
if(data25 < 60 || isNaN(data25)){
const err42 = {instancePath:instancePath+"/apply/lockTtl",schemaPath:"#/definitions/applySettings/properties/lockTtl/minimum",keyword:"minimum",params:{comparison: ">=", limit: 60},message:"must be >= 60",schema:60,parentSchema:schema64.properties.lockTtl,data:data25};
if(vErrors === null){
vErrors = [err42];
}
else {
vErrors.push(err42);
}
errors++;
}
}
}
if(data18.healthGate !== undefined){
let data26 = data18.healthGate;
if(data26 && typeof data26 == "object" && !Array.isArray(data26)){
if(data26.timeout === undefined){
const err43 = {instancePath:instancePath+"/apply/healthGate",schemaPath:"#/definitions/applySettings/properties/healthGate/required",keyword:"required",params:{missingProperty: "timeout"},message:"must have required property '"+"timeout"+"'",schema:schema64.properties.healthGate.required,parentSchema:schema64.properties.healthGate,data:data26};
if(vErrors === null){
vErrors = [err43];
}
else {
vErrors.push(err43);
}
errors++;
}
for(const key5 in data26){
if(!(key5 === "timeout")){
const err44 = {instancePath:instancePath+"/apply/healthGate",schemaPath:"#/definitions/applySettings/properties/healthGate/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key5},message:"must NOT have additional properties",schema:false,parentSchema:schema64.properties.healthGate,data:data26};
if(vErrors === null){
vErrors = [err44];
}
else {
vErrors.push(err44);
}
errors++;
}
}
if(data26.timeout !== undefined){
let data27 = data26.timeout;
if((typeof data27 !== "string") && (!(((typeof data27 == "number") && (!(data27 % 1) && !isNaN(data27))) && (isFinite(data27))))){
const err45 = {instancePath:instancePath+"/apply/healthGate/timeout",schemaPath:"#/definitions/applySettings/properties/healthGate/properties/timeout/type",keyword:"type",params:{type: schema64.properties.healthGate.properties.timeout.type},message:"must be string,integer",schema:schema64.properties.healthGate.properties.timeout.type,parentSchema:schema64.properties.healthGate.properties.timeout,data:data27};
if(vErrors === null){
vErrors = [err45];
}
else {
vErrors.push(err45);
}
errors++;
}
if((typeof data27 == "number") && (isFinite(data27))){
if(data27 < 1 || isNaN(data27)){
const err46 = {instancePath:instancePath+"/apply/healthGate/timeout",schemaPath:"#/definitions/applySettings/properties/healthGate/properties/timeout/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema64.properties.healthGate.properties.timeout,data:data27};
if(vErrors === null){
vErrors = [err46];
}
else {
vErrors.push(err46);
}
errors++;
}
}
if(typeof data27 === "string"){
if(!pattern23.test(data27)){
const err47 = {instancePath:instancePath+"/apply/healthGate/timeout",schemaPath:"#/definitions/applySettings/properties/healthGate/properties/timeout/pattern",keyword:"pattern",params:{pattern: "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"},message:"must match pattern \""+"^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"+"\"",schema:"^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$",parentSchema:schema64.properties.healthGate.properties.timeout,data:data27};
if(vErrors === null){
vErrors = [err47];
}
else {
vErrors.push(err47);
}
errors++;
}
}
}
}
else {
const err48 = {instancePath:instancePath+"/apply/healthGate",schemaPath:"#/definitions/applySettings/properties/healthGate/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema64.properties.healthGate.type,parentSchema:schema64.properties.healthGate,data:data26};
if(vErrors === null){
vErrors = [err48];
}
else {
vErrors.push(err48);
}
errors++;
}
}
}
else {
const err49 = {instancePath:instancePath+"/apply",schemaPath:"#/definitions/applySettings/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema64.type,parentSchema:schema64,data:data18};
if(vErrors === null){
vErrors = [err49];
}
else {
vErrors.push(err49);
}
errors++;
}
}
if(data.notify !== undefined){
let data28 = data.notify;
if(data28 && typeof data28 == "object" && !Array.isArray(data28)){
if(data28.webhook === undefined){
const err50 = {instancePath:instancePath+"/notify",schemaPath:"#/definitions/notifySettings/required",keyword:"required",params:{missingProperty: "webhook"},message:"must have required property '"+"webhook"+"'",schema:schema65.required,parentSchema:schema65,data:data28};
if(vErrors === null){
vErrors = [err50];
}
else {
vErrors.push(err50);
}
errors++;
}
for(const key6 in data28){
if(!((((key6 === "webhook") || (key6 === "format")) || (key6 === "when")) || (key6 === "remindEvery"))){
const err51 = {instancePath:instancePath+"/notify",schemaPath:"#/definitions/notifySettings/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key6},message:"must NOT have additional properties",schema:false,parentSchema:schema65,data:data28};
if(vErrors === null){
vErrors = [err51];
}
else {
vErrors.push(err51);
}
errors++;
}
}
if(data28.webhook !== undefined){
let data29 = data28.webhook;
if(typeof data29 === "string"){
if(!pattern24.test(data29)){
const err52 = {instancePath:instancePath+"/notify/webhook",schemaPath:"#/definitions/notifySettings/properties/webhook/pattern",keyword:"pattern",params:{pattern: "^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+|https?://[^\\s]+)$"},message:"must match pattern \""+"^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+|https?://[^\\s]+)$"+"\"",schema:"^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+|https?://[^\\s]+)$",parentSchema:schema65.properties.webhook,data:data29};
if(vErrors === null){
vErrors = [err52];
}
else {
vErrors.push(err52);
}
errors++;
}
}
else {
const err53 = {instancePath:instancePath+"/notify/webhook",schemaPath:"#/definitions/notifySettings/properties/webhook/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema65.properties.webhook.type,parentSchema:schema65.properties.webhook,data:data29};
if(vErrors === null){
vErrors = [err53];
}
else {
vErrors.push(err53);
}
errors++;
}
}
if(data28.format !== undefined){
let data30 = data28.format;
if(!((data30 === "json") || (data30 === "slack"))){
const err54 = {instancePath:instancePath+"/notify/format",schemaPath:"#/definitions/notifySettings/properties/format/enum",keyword:"enum",params:{allowedValues: schema65.properties.format.enum},message:"must be equal to one of the allowed values",schema:schema65.properties.format.enum,parentSchema:schema65.properties.format,data:data30};
if(vErrors === null){
vErrors = [err54];
}
else {
vErrors.push(err54);
}
errors++;
}
}
if(data28.when !== undefined){
let data31 = data28.when;
if(!(((data31 === "always") || (data31 === "changes")) || (data31 === "problems"))){
const err55 = {instancePath:instancePath+"/notify/when",schemaPath:"#/definitions/notifySettings/properties/when/enum",keyword:"enum",params:{allowedValues: schema65.properties.when.enum},message:"must be equal to one of the allowed values",schema:schema65.properties.when.enum,parentSchema:schema65.properties.when,data:data31};
if(vErrors === null){
vErrors = [err55];
}
else {
vErrors.push(err55);
}
errors++;
}
}
if(data28.remindEvery !== undefined){
let data32 = data28.remindEvery;
if((typeof data32 !== "string") && (!(((typeof data32 == "number") && (!(data32 % 1) && !isNaN(data32))) && (isFinite(data32))))){
const err56 = {instancePath:instancePath+"/notify/remindEvery",schemaPath:"#/definitions/notifySettings/properties/remindEvery/type",keyword:"type",params:{type: schema65.properties.remindEvery.type},message:"must be string,integer",schema:schema65.properties.remindEvery.type,parentSchema:schema65.properties.remindEvery,data:data32};
if(vErrors === null){
vErrors = [err56];
}
else {
vErrors.push(err56);
}
errors++;
}
if((typeof data32 == "number") && (isFinite(data32))){
if(data32 < 60 || isNaN(data32)){
const err57 = {instancePath:instancePath+"/notify/remindEvery",schemaPath:"#/definitions/notifySettings/properties/remindEvery/minimum",keyword:"minimum",params:{comparison: ">=", limit: 60},message:"must be >= 60",schema:60,parentSchema:schema65.properties.remindEvery,data:data32};
if(vErrors === null){
vErrors = [err57];
}
else {
vErrors.push(err57);
}
errors++;
}
}
if(typeof data32 === "string"){
if(!pattern25.test(data32)){
const err58 = {instancePath:instancePath+"/notify/remindEvery",schemaPath:"#/definitions/notifySettings/properties/remindEvery/pattern",keyword:"pattern",params:{pattern: "^([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+$"},message:"must match pattern \""+"^([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+$"+"\"",schema:"^([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+$",parentSchema:schema65.properties.remindEvery,data:data32};
if(vErrors === null){
vErrors = [err58];
}
else {
vErrors.push(err58);
}
errors++;
}
}
}
}
else {
const err59 = {instancePath:instancePath+"/notify",schemaPath:"#/definitions/notifySettings/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema65.type,parentSchema:schema65,data:data28};
if(vErrors === null){
vErrors = [err59];
}
else {
vErrors.push(err59);
}
errors++;
}
}
}
else {
const err60 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.type,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err60];
}
else {
vErrors.push(err60);
}
errors++;
}
validate10.errors = vErrors;
return errors === 0;
}

