// The simulated `openshell` prints what each OpenShell release prints: raw ANSI tables even when
// piped, JSON only from the releases that have it, and clap's own refusal (text and exit 2) for
// every command or flag a release does not have. The expected clap texts are the real parser's
// output for these command lines (OpenShell's clap definitions per tag, built against clap 4.6).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimHost, startHost, stripAnsi } from "./harness.js";

const B = (s: string) => `\x1b[1m${s}\x1b[0m`;
const DIM = (s: string) => `\x1b[2m${s}\x1b[0m`;
const GREEN = (s: string) => `\x1b[32m${s}\x1b[39m`;
const TITLE = (s: string) => `\x1b[1m\x1b[36m${s}\x1b[39m\x1b[0m`;
const CREATED = "2026-04-20T10:00:00Z";

describe("OpenShell 0.0.36 (cluster-container era)", { timeout: 120_000 }, () => {
  let host: SimHost;
  beforeAll(async () => {
    host = await startHost({ openshell: { version: "0.0.36" }, gateways: [{ port: 8080, sandboxes: [{ name: "alpha", createdAt: CREATED }] }] });
  }, 120_000);
  afterAll(() => host.stop());

  it("prints its version like clap", async () => {
    expect((await host.run("openshell", ["--version"])).stdout).toBe("openshell 0.0.36\n");
  });

  it("lists sandboxes with the NAMESPACE column and raw colour codes", async () => {
    const result = await host.run("openshell", ["sandbox", "list"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `${B("NAME ")}  ${B("NAMESPACE")}  ${B("CREATED            ")}  ${B("PHASE")}\nalpha  openshell  2026-04-20 10:00:00  ${GREEN("Ready")}\n`,
    );
  });

  it("has no -o on sandbox list yet", async () => {
    const result = await host.run("openshell", ["sandbox", "list", "-o", "json"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("error: unexpected argument '-o' found\n\nUsage: openshell sandbox list [OPTIONS]\n\nFor more information, try '--help'.\n");
  });

  it("has no gateway list", async () => {
    const result = await host.run("openshell", ["gateway", "list"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("error: unrecognized subcommand 'list'\n\nUsage: openshell gateway [OPTIONS] [COMMAND]\n\nFor more information, try '--help'.\n");
  });

  it("takes the create command without `--` and has --no-bootstrap, but no --cpu", async () => {
    const result = await host.run("openshell", ["sandbox", "create", "--name", "beta", "--cpu", "2", "--", "env"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "error: unexpected argument '--cpu' found\n\n  tip: a similar argument exists: '--gpu'\n  tip: to pass '--cpu' as a value, use '-- --cpu'\n\nUsage: openshell sandbox create --name <NAME> --gpu [COMMAND]...\n\nFor more information, try '--help'.\n",
    );
  });

  it("prints the legacy status block before connecting, on stdout", async () => {
    const result = await host.run("openshell", ["status"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `${TITLE("Server Status")}\n\n  ${DIM("Gateway:")} nemoclaw\n  ${DIM("Server:")} https://127.0.0.1:8080\n  ${DIM("Status:")} ${GREEN("Connected")}\n  ${DIM("Version:")} 0.0.36\n`,
    );
  });

  it("shows local gateway metadata in gateway info", async () => {
    const result = await host.run("openshell", ["gateway", "info", "-g", "nemoclaw"]);
    expect(result.stdout).toBe(`${TITLE("Gateway Info")}\n\n  ${DIM("Gateway:")} nemoclaw\n  ${DIM("Gateway endpoint:")} https://127.0.0.1:8080\n`);
  });

  it("prints Namespace in sandbox get", async () => {
    const text = stripAnsi((await host.run("openshell", ["sandbox", "get", "alpha"])).stdout);
    expect(text).toMatch(/^Sandbox:\n\n {2}Id: [0-9a-f-]{36}\n {2}Name: alpha\n {2}Namespace: openshell\n {2}Phase: Ready\n {2}Policy source: sandbox\n/);
    expect(text).not.toContain("Resource version");
  });

  it("answers docker inspect of the cluster container", async () => {
    const result = await host.run("docker", [
      "inspect",
      "--type",
      "container",
      "--format",
      "{{.Config.Image}} {{.State.Running}} {{.State.Health.Status}} {{json .NetworkSettings.Ports}}",
      "openshell-cluster-nemoclaw",
    ]);
    expect(result.stdout).toBe('ghcr.io/nvidia/openshell/cluster:0.0.36 true healthy {"30051/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}]}\n');
  });

  it("execs into a sandbox pod through kubectl in the cluster container", async () => {
    const result = await host.run("docker", ["exec", "openshell-cluster-nemoclaw", "kubectl", "-n", "openshell", "exec", "alpha", "--", "cat", "/sandbox/.openclaw/workspace/AGENTS.md"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("# AGENTS.md");
  });

  it("reaches the agent container with or without -c agent (the pod has no other), and refuses other containers", async () => {
    const kubectl = (...args: string[]) => host.run("docker", ["exec", "openshell-cluster-nemoclaw", "kubectl", "exec", "-n", "openshell", ...args]);
    expect((await kubectl("-c", "agent", "alpha", "--", "id", "-u")).stdout).toBe("0\n");
    expect((await kubectl("alpha", "--", "id", "-u")).stdout).toBe("0\n");
    expect(await kubectl("-c", "sidecar", "alpha", "--", "true")).toMatchObject({ code: 1, stderr: "Error from server (BadRequest): container sidecar is not valid for pod alpha\n" });
  });

  it("starts an already running gateway as a no-op and destroys it with its sandboxes", async () => {
    const start = await host.run("openshell", ["gateway", "start", "--name", "nemoclaw"]);
    expect(start.code).toBe(0);
    expect(start.stderr).toBe(`\x1b[1m\x1b[32m✓\x1b[39m\x1b[0m Gateway 'nemoclaw' is already running.\n`);
    const destroy = await host.run("openshell", ["gateway", "destroy", "-g", "nemoclaw"]);
    expect(destroy.code).toBe(0);
    expect(destroy.stderr).toBe(`• Destroying gateway nemoclaw...\n\x1b[1m\x1b[32m✓\x1b[39m\x1b[0m Gateway nemoclaw destroyed.\n`);
    const inspect = await host.run("docker", ["inspect", "--type", "container", "openshell-cluster-nemoclaw"]);
    expect(inspect.code).toBe(1);
    expect(inspect.stderr).toBe("Error: No such container: openshell-cluster-nemoclaw\n");
    expect((await host.run("openshell", ["sandbox", "list", "--no-bootstrap"])).stderr).toContain("unexpected argument '--no-bootstrap'");
    const noGateway = await host.run("openshell", ["sandbox", "list"]);
    expect(noGateway.code).toBe(1);
    expect(noGateway.stderr).toBe(
      "Error:   × No active gateway.\n  │ Set one with: openshell gateway select <name>\n  │ Or deploy a new gateway: openshell gateway start\n\n",
    );
    const status = await host.run("openshell", ["status"]);
    expect(status.code).toBe(0);
    expect(status.stdout).toBe(`${TITLE("Gateway Status")}\n\n  ${DIM("Status:")} No gateway configured.\n\nDeploy a gateway with: ${DIM("openshell gateway start")}\n`);
  });

  it("gives a gateway the GPU only when gateway start creates its container with --gpu; a resume keeps what the container has", async () => {
    const requests = async () => (await host.run("docker", ["inspect", "--type", "container", "--format", "{{json .HostConfig.DeviceRequests}}", "openshell-cluster-gpu"])).stdout;
    expect((await host.run("openshell", ["gateway", "start", "--name", "gpu", "--port", "8090", "--gpu"])).code).toBe(0);
    expect(await requests()).toBe('[{"Driver":"nvidia","Count":-1,"DeviceIDs":null,"Capabilities":[["gpu","utility","compute"]],"Options":null}]\n');
    expect((await host.run("openshell", ["gateway", "stop", "--name", "gpu"])).code).toBe(0);
    expect((await host.run("openshell", ["gateway", "start", "--name", "gpu", "--port", "8090"])).code).toBe(0);
    expect(await requests()).not.toBe("null\n");
    expect((await host.run("openshell", ["gateway", "destroy", "--name", "gpu"])).code).toBe(0);
    expect((await host.run("openshell", ["gateway", "start", "--name", "gpu", "--port", "8090"])).code).toBe(0);
    expect(await requests()).toBe("null\n");
  });
});

describe("OpenShell 0.0.72 (host-process era)", { timeout: 120_000 }, () => {
  let host: SimHost;
  beforeAll(async () => {
    host = await startHost({
      openshell: { version: "0.0.72" },
      gateways: [{ port: 8080, sandboxes: [{ name: "alpha", createdAt: CREATED }, { name: "plain", managed: false, phase: "Provisioning", createdAt: CREATED }] }],
    });
  }, 120_000);
  afterAll(() => host.stop());

  it("lists sandboxes without NAMESPACE and colours phases", async () => {
    const result = await host.run("openshell", ["sandbox", "list"]);
    expect(result.stdout).toBe(
      `${B("NAME ")}  ${B("CREATED            ")}  ${B("PHASE")}\nalpha  2026-04-20 10:00:00  ${GREEN("Ready")}\nplain  2026-04-20 10:00:00  \x1b[33mProvisioning\x1b[39m\n`,
    );
  });

  it("shows a remote gateway's host or its external registration in local gateway info, and nothing of the kind for a local one", async () => {
    const register = (name: string, metadata: object) =>
      host.sh(`mkdir -p "$HOME/.config/openshell/gateways/${name}" && printf '%s' '${JSON.stringify({ name, gateway_endpoint: "https://10.0.0.5:8443", ...metadata })}' > "$HOME/.config/openshell/gateways/${name}/metadata.json"`);
    await register("external", { is_remote: true });
    await register("tunnelled", { is_remote: true, remote_host: "ops@10.0.0.5", resolved_host: "10.0.0.5" });
    await register("stray", { is_remote: false, remote_host: "ops@10.0.0.5" });
    try {
      const info = async (name: string) => stripAnsi((await host.run("openshell", ["gateway", "info", "--name", name])).stdout);
      expect(await info("external")).toBe("Gateway Info\n\n  Gateway: external\n  Gateway endpoint: https://10.0.0.5:8443\n  Type: External registration\n");
      expect(await info("tunnelled")).toBe("Gateway Info\n\n  Gateway: tunnelled\n  Gateway endpoint: https://10.0.0.5:8443\n  Remote host: ops@10.0.0.5\n  Resolved host: 10.0.0.5\n");
      expect(await info("stray")).toBe("Gateway Info\n\n  Gateway: stray\n  Gateway endpoint: https://10.0.0.5:8443\n");
    } finally {
      await host.sh('cd "$HOME/.config/openshell/gateways" && rm -r external tunnelled stray');
    }
  });

  it("emits the v0.0.44–0.0.91 JSON fields, keys sorted", async () => {
    const result = await host.run("openshell", ["sandbox", "list", "-o", "json"]);
    const rows = JSON.parse(result.stdout);
    expect(Object.keys(rows[0])).toEqual(["created_at", "current_policy_version", "id", "labels", "name", "phase", "resource_version"]);
    expect(rows[0]).toMatchObject({ name: "alpha", created_at: "2026-04-20 10:00:00", phase: "Ready", labels: {} });
    expect(result.stdout.startsWith("[\n  {\n    \"created_at\"")).toBe(true);
  });

  it("refuses the removed gateway lifecycle commands with clap's error", async () => {
    const result = await host.run("openshell", ["gateway", "destroy", "-g", "nemoclaw"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("error: unrecognized subcommand 'destroy'\n\nUsage: openshell gateway [OPTIONS] [COMMAND]\n\nFor more information, try '--help'.\n");
    const start = await host.run("openshell", ["gateway", "start", "--name", "nemoclaw"]);
    expect(start.code).toBe(2);
    expect(start.stderr).toBe("error: unrecognized subcommand 'start'\n\nUsage: openshell gateway [OPTIONS] [COMMAND]\n\nFor more information, try '--help'.\n");
  });

  it("lists gateways with the active one marked and green", async () => {
    const result = await host.run("openshell", ["gateway", "list"]);
    expect(result.stdout).toBe(
      `  ${B("NAME    ")}  ${B("ENDPOINT             ")}  ${B("TYPE ")}  ${B("SOURCE")}  ${B("AUTH")}\n${GREEN("* nemoclaw  http://127.0.0.1:8080  local  user    plaintext")}\n`,
    );
    const json = JSON.parse((await host.run("openshell", ["gateway", "list", "-o", "json"])).stdout);
    expect(json).toEqual([{ active: true, auth: "plaintext", endpoint: "http://127.0.0.1:8080", name: "nemoclaw", source: "user", type: "local" }]);
  });

  it("has no status -o before 0.0.92, and no --workspace before 0.0.88", async () => {
    const status = await host.run("openshell", ["status", "-o", "json"]);
    expect(status.code).toBe(2);
    expect(status.stderr).toBe("error: unexpected argument '-o' found\n\nUsage: openshell status [OPTIONS]\n\nFor more information, try '--help'.\n");
    const workspace = await host.run("openshell", ["sandbox", "list", "--workspace", "default"]);
    expect(workspace.code).toBe(2);
    expect(workspace.stderr).toBe("error: unexpected argument '--workspace' found\n\nUsage: openshell sandbox list [OPTIONS]\n\nFor more information, try '--help'.\n");
  });

  it("takes an unknown flag after `sandbox exec -n` as the start of the command, like clap", async () => {
    const result = await host.run("openshell", ["sandbox", "exec", "-n", "alpha", "--workspace", "default", "--", "true"]);
    expect(result.code).toBe(127);
  });

  it("has no sandbox stop before 0.0.105", async () => {
    const result = await host.run("openshell", ["sandbox", "stop", "alpha"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("error: unrecognized subcommand 'stop'\n\nUsage: openshell sandbox [OPTIONS] [COMMAND]\n\nFor more information, try '--help'.\n");
  });

  it("reports a missing sandbox as a gRPC NotFound and a missing delete as a warning", async () => {
    const get = await host.run("openshell", ["sandbox", "get", "ghost"]);
    expect(get.code).toBe(1);
    // tonic 0.14 (OpenShell ≥ 0.0.61) prints the code's description.
    expect(get.stderr).toBe(`Error:   × code: 'Some requested entity was not found', message: "sandbox not found"\n\n`);
    const del = await host.run("openshell", ["sandbox", "delete", "ghost"]);
    expect(del.code).toBe(0);
    expect(del.stdout).toBe("\x1b[33m!\x1b[39m Sandbox ghost not found\n");
  });

  it("propagates the exit code of sandbox exec and refuses a sandbox that is not Ready", async () => {
    const exec = await host.run("openshell", ["sandbox", "exec", "-n", "alpha", "--", "sh", "-c", "echo out; echo err >&2; exit 7"]);
    expect(exec).toMatchObject({ code: 7, stdout: "out\n", stderr: "err\n" });
    const refused = await host.run("openshell", ["sandbox", "exec", "-n", "plain", "--", "true"]);
    expect(refused.code).toBe(1);
    // miette wraps at 78 columns.
    expect(refused.stderr).toBe("Error:   × sandbox 'plain' is not ready (phase: Provisioning); wait for it to reach\n  │ Ready state\n\n");
  });

  it("passes stdin to sandbox exec", async () => {
    const result = await host.run("openshell", ["sandbox", "exec", "-n", "alpha", "--", "cat"], { input: "hello from stdin" });
    expect(result.stdout).toBe("hello from stdin");
  });

  it("restricts sandbox download to /sandbox from 0.0.41", async () => {
    const result = await host.run("openshell", ["sandbox", "download", "alpha", "/etc/hostname", "/tmp"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Error:   × sandbox source path '/etc/hostname' resolves to '/etc/hostname', outside\n  │ the sandbox workspace (/sandbox)\n");
  });

  it("prints ssh-config without a workspace suffix before 0.0.88", async () => {
    const result = await host.run("openshell", ["sandbox", "ssh-config", "alpha"]);
    expect(result.stdout).toBe(
      `Host openshell-alpha\n  User sandbox\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  GlobalKnownHostsFile /dev/null\n  LogLevel ERROR\n  ServerAliveInterval 15\n  ServerAliveCountMax 3\n  ProxyCommand ${host.home}/.local/bin/openshell ssh-proxy --gateway-name nemoclaw --name alpha\n`,
    );
  });

  it("finds Docker-driver sandbox containers by label", async () => {
    const result = await host.run("docker", [
      "ps",
      "-a",
      "--no-trunc",
      "--filter",
      "label=openshell.ai/managed-by=openshell",
      "--filter",
      "label=openshell.ai/sandbox-name=alpha",
      "--format",
      "{{.ID}}\\t{{.Names}}\\t{{.Status}}",
    ]);
    expect(result.stdout).toMatch(/^[0-9a-f]{64}\topenshell-alpha-[0-9a-f-]{36}\tUp .+\n$/);
  });
});

describe("OpenShell 0.0.101 (JSON everywhere, workspaces)", { timeout: 120_000 }, () => {
  let host: SimHost;
  beforeAll(async () => {
    host = await startHost({ openshell: { version: "0.0.101" }, gateways: [{ port: 8080, sandboxes: [{ name: "alpha", createdAt: CREATED, presets: ["npm"] }] }] });
  }, 120_000);
  afterAll(() => host.stop());

  it("adds annotations and workspace to the sandbox JSON", async () => {
    const rows = JSON.parse((await host.run("openshell", ["sandbox", "list", "-o", "json"])).stdout);
    expect(Object.keys(rows[0])).toEqual(["annotations", "created_at", "current_policy_version", "id", "labels", "name", "phase", "resource_version", "workspace"]);
    expect(rows[0]).toMatchObject({ workspace: "default", current_policy_version: 2 });
  });

  it("prints sandbox get as JSON with the policy", async () => {
    const detail = JSON.parse((await host.run("openshell", ["sandbox", "get", "alpha", "-o", "json"])).stdout);
    expect(detail).toMatchObject({ name: "alpha", policy_source: "sandbox", revision: 2 });
    expect(Object.keys(detail.policy.network_policies)).toEqual(["npm"]);
  });

  it("prints status as JSON", async () => {
    const result = await host.run("openshell", ["status", "-o", "json"]);
    expect(JSON.parse(result.stdout)).toEqual({
      authentication: { mode: "gateway", status: "not_required" },
      gateway: "nemoclaw",
      server: "http://127.0.0.1:8080",
      status: "connected",
      version: "0.0.101",
    });
  });

  it("answers gateway info from the live gateway", async () => {
    const text = await host.run("openshell", ["gateway", "info"]);
    expect(stripAnsi(text.stdout)).toBe(
      "Gateway Info\n\n  Gateway: nemoclaw\n  Server: http://127.0.0.1:8080\n  Status: healthy\n  Version: 0.0.101\n  Compute drivers:\n    docker\n      Driver version: 28.3.2\n",
    );
    const json = JSON.parse((await host.run("openshell", ["gateway", "info", "-o", "json"])).stdout);
    expect(json.compute_drivers).toEqual([{ capabilities: { driver_name: "docker", driver_version: "28.3.2" }, name: "docker" }]);
  });

  it("names Docker containers and SSH aliases by workspace", async () => {
    const names = (await host.run("docker", ["ps", "--format", "{{.Names}}"])).stdout;
    expect(names).toMatch(/^openshell-default--alpha-[0-9a-f-]{36}\n$/);
    expect((await host.run("openshell", ["sandbox", "ssh-config", "alpha"])).stdout).toContain("Host openshell-alpha.default\n");
  });

  it("validates sandbox names on the gateway from 0.0.88", async () => {
    const long = await host.run("openshell", ["sandbox", "create", "--name", "a-very-long-sandbox-name", "--", "true"]);
    expect(long.code).toBe(1);
    expect(long.stderr).toBe(`Error:   × code: 'Client specified an invalid argument', message: "name exceeds\n  │ maximum length (24 > 19)"\n\n`);
    const hyphens = await host.run("openshell", ["sandbox", "create", "--name", "my--box", "--", "true"]);
    expect(hyphens.stderr).toBe(`Error:   × code: 'Client specified an invalid argument', message: "name must not\n  │ contain consecutive hyphens"\n\n`);
  });

  it("reports no configured gateway as JSON", async () => {
    const result = await host.run("openshell", ["status", "-o", "json"], { env: { OPENSHELL_GATEWAY: "" } });
    expect(result.code).toBe(0);
    await host.run("rm", ["-f", `${host.home}/.config/openshell/active_gateway`]);
    const none = await host.run("openshell", ["status", "-o", "json"]);
    expect(none).toMatchObject({ code: 0, stdout: '{\n  "status": "not_configured"\n}\n' });
  });
});

describe("OpenShell 0.0.111 (stop and start)", { timeout: 120_000 }, () => {
  let host: SimHost;
  beforeAll(async () => {
    host = await startHost({ openshell: { version: "0.0.111" }, gateways: [{ port: 8080, sandboxes: [{ name: "alpha", createdAt: CREATED }] }] });
  }, 120_000);
  afterAll(() => host.stop());

  it("prints a stopped sandbox's phase without colour, as it prints every phase but Ready, Error, Provisioning and Deleting", async () => {
    expect((await host.run("openshell", ["sandbox", "stop", "alpha"])).code).toBe(0);
    const table = await host.run("openshell", ["sandbox", "list"]);
    expect(table.stdout).toMatch(/\nalpha +\S+ \S+ +Stopped\n$/);
  });

  it("adds a padded AUTH and a REMOTE column to the gateway table once a registration names a remote host (from 0.0.85)", async () => {
    const add = await host.run("openshell", ["gateway", "add", "http://10.0.0.5:8080", "--remote", "ops@dgx-7", "--name", "far"]);
    expect(add.code).toBe(0);
    await host.run("openshell", ["gateway", "select", "nemoclaw"]);
    // OS@v0.0.111:crates/openshell-cli/src/commands/gateway.rs:1301-1348 (AUTH padded to 9, REMOTE to its widest label).
    expect((await host.run("openshell", ["gateway", "list"])).stdout).toBe(
      `  ${B("NAME    ")}  ${B("ENDPOINT             ")}  ${B("TYPE  ")}  ${B("SOURCE")}  ${B("AUTH     ")}  ${B("REMOTE".padEnd(18))}\n` +
        "  far       http://10.0.0.5:8080   remote  user    plaintext  ops@dgx-7 -> dgx-7\n" +
        `${GREEN(`* nemoclaw  http://127.0.0.1:8080  local   user    plaintext  ${"-".padEnd(18)}`)}\n`,
    );
  });
});
