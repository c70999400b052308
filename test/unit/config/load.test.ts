/** loadFleet: layering, jump hosts, placement, migration, defaults and failure reporting. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FleetValidationError } from "../../../src/config/diagnostics.js";
import { inspectFleet, loadFleet } from "../../../src/config/load.js";
import type { DesiredFleet, DesiredHost, SshConnectionSettings } from "../../../src/config/types.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temporary directory holding the given files (paths relative to it). */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "nemoclaw-config-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const HEADER = "apiVersion: nemoclaw.dev/v1\nkind: Fleet\n";

function host(fleet: DesiredFleet, name: string): DesiredHost {
  const found = fleet.hosts.find((h) => h.name === name);
  if (found === undefined) throw new Error(`no host ${name}`);
  return found;
}

function ssh(fleet: DesiredFleet, name: string): SshConnectionSettings {
  const { connection } = host(fleet, name);
  if (connection.kind !== "ssh") throw new Error(`${name} is not an ssh host`);
  return connection;
}

describe("host settings precedence", () => {
  // Each host stops the chain at a different layer, so each layer is shown to beat the one below.
  const dir = () =>
    tree({
      "hosts.ini": [
        "[all:vars]",
        "ansible_user=from-all",
        "[dgx:children]",
        "spark",
        "[dgx:vars]",
        "ansible_user=from-parent-group",
        "ansible_port=2001",
        "[spark]",
        "s-defaults-vs-all",
        "s-group-order",
        "s-inventory-host ansible_user=from-inventory-host",
        "s-fleet-host ansible_user=from-inventory-host",
        "[spark:vars]",
        "ansible_user=from-child-group",
        "[rack_a]",
        "s-group-order",
        "[rack_a:vars]",
        "ansible_port=3001",
        "[rack_b]",
        "s-group-order",
        "[rack_b:vars]",
        "ansible_port=3002",
      ].join("\n"),
    });

  it("applies defaults < all < groups (parents first, then by name) < fleet groups < host vars < fleet hosts", async () => {
    const base = dir();
    writeFileSync(path.join(base, "fleet.yaml"), `${HEADER}inventory: [hosts.ini]
defaults: { user: from-defaults, port: 1001, keepaliveInterval: 5 }
groups:
  spark: { user: from-fleet-group }
hosts:
  - name: s-fleet-host
    user: from-fleet-host
  - name: standalone
`);
    const { fleet } = await loadFleet({ fleetFile: "fleet.yaml", cwd: base });
    expect(ssh(fleet, "standalone").user).toBe("from-all"); // all beats defaults
    expect(ssh(fleet, "standalone").port).toBe(1001); // defaults where nothing else sets it
    expect(ssh(fleet, "s-group-order").port).toBe(3002); // depth 1 groups by name: dgx, rack_a, then rack_b
    expect(ssh(fleet, "s-defaults-vs-all").port).toBe(2001); // parent group dgx beats defaults
    expect(ssh(fleet, "s-defaults-vs-all").user).toBe("from-fleet-group"); // fleet groups beat inventory groups
    expect(ssh(fleet, "s-inventory-host").user).toBe("from-inventory-host"); // host vars beat fleet groups
    expect(ssh(fleet, "s-fleet-host").user).toBe("from-fleet-host"); // fleet hosts beat everything
    expect(ssh(fleet, "s-fleet-host").keepaliveIntervalMs).toBe(5000);
  });

  it("orders a host's groups parents first, then by name, and adds fleet-file memberships", async () => {
    const base = dir();
    writeFileSync(path.join(base, "fleet.yaml"), `${HEADER}inventory: [hosts.ini]
hosts:
  - name: s-group-order
    groups: [zeta]
`);
    const { fleet } = await loadFleet({ fleetFile: "fleet.yaml", cwd: base });
    expect(host(fleet, "s-group-order").groups).toEqual(["dgx", "rack_a", "rack_b", "zeta", "spark"]);
  });

  it("uses child group vars over parent group vars", async () => {
    const base = dir();
    writeFileSync(path.join(base, "fleet.yaml"), `${HEADER}inventory: [hosts.ini]\n`);
    const { fleet } = await loadFleet({ fleetFile: "fleet.yaml", cwd: base });
    expect(ssh(fleet, "s-group-order").user).toBe("from-child-group");
  });
});

describe("jump hosts", () => {
  it("resolves a fleet host used as a jump to its own settings, and never makes a host jump through itself", async () => {
    const base = tree({
      "fleet.yaml": `${HEADER}defaults:
  proxyJump: bastion
  identityFile: keys/lab
hosts:
  - name: bastion
    address: 203.0.113.10
    port: 2022
    user: jump
    identityFile: ~/.ssh/bastion
  - name: spark-01
  - name: spark-02
    proxyJump: admin@bastion:22
`,
    });
    const { fleet } = await loadFleet({ fleetFile: "fleet.yaml", cwd: base });
    expect(ssh(fleet, "bastion").proxyJump).toEqual([]);
    expect(ssh(fleet, "spark-01").identityFiles).toEqual([path.join(base, "keys/lab")]);
    // Nothing wrote spark-01's port or user, so ~/.ssh/config may supply them; the bastion's were written.
    expect(ssh(fleet, "spark-01").explicit).toMatchObject({ port: false, user: false });
    expect(ssh(fleet, "bastion").explicit).toMatchObject({ port: true, user: true });
    expect(ssh(fleet, "spark-01").proxyJump).toEqual([
      { host: "bastion", address: "203.0.113.10", port: 2022, user: "jump", identityFiles: [path.join(os.homedir(), ".ssh/bastion")], fleetHost: "bastion", explicit: { port: true, user: true } },
    ]);
    expect(ssh(fleet, "spark-02").proxyJump).toMatchObject([{ fleetHost: "bastion", user: "admin", port: 22 }]);
  });

  it("goes through a jump host's own jumps first, and takes raw addresses as they are", async () => {
    const base = tree({
      "fleet.yaml": `${HEADER}hosts:
  - name: inner-gw
    address: 10.1.0.1
    proxyJump: ops@gw.example.com:2222
  - name: spark-01
    user: nvidia
    proxyJump: [inner-gw]
`,
    });
    const { fleet } = await loadFleet({ fleetFile: "fleet.yaml", cwd: base });
    expect(ssh(fleet, "spark-01").proxyJump.map((hop) => [hop.host, hop.address, hop.port, hop.user])).toEqual([
      ["gw.example.com", "gw.example.com", 2222, "ops"],
      ["inner-gw", "10.1.0.1", 22, expect.any(String)],
    ]);
  });

  it("dials a bare name that is no fleet host as ssh -J would (a ~/.ssh/config alias), and refuses only a near miss of a fleet host", async () => {
    const base = tree({
      "fleet.yaml": `${HEADER}hosts:
  - name: spark-01
    proxyJump: jumpbox
`,
    });
    const { fleet } = await loadFleet({ fleetFile: "fleet.yaml", cwd: base });
    expect(ssh(fleet, "spark-01").proxyJump).toMatchObject([{ host: "jumpbox", address: "jumpbox", port: 22 }]);
    expect(ssh(fleet, "spark-01").proxyJump[0]).not.toHaveProperty("fleetHost");
  });

  it("reads IdentitiesOnly from Ansible's ssh arguments and identitiesOnly from the fleet file", async () => {
    const base = tree({
      "hosts.ini": ["a ansible_ssh_common_args='-o IdentitiesOnly=yes'", "b ansible_ssh_common_args='-o IdentitiesOnly=maybe'", "c"].join("\n"),
      "fleet.yaml": `${HEADER}inventory: [hosts.ini]\nhosts:\n  - { name: c, identitiesOnly: true }\n`,
    });
    const { fleet, warnings } = await loadFleet({ fleetFile: "fleet.yaml", cwd: base });
    expect(["a", "b", "c"].map((name) => ssh(fleet, name).identitiesOnly)).toEqual([true, false, true]);
    expect(warnings.map((warning) => warning.message)).toEqual(["ansible_ssh_common_args: ignoring -o IdentitiesOnly=maybe (nemoclaw uses its own SSH client)"]);
  });

  it("reads UserKnownHostsFile from Ansible's ssh arguments, none as no file", async () => {
    const base = tree({
      "hosts.ini": ["a ansible_ssh_common_args='-o UserKnownHostsFile=none'", "b ansible_ssh_common_args='-o UserKnownHostsFile=\"kh /etc/kh\"'"].join("\n"),
    });
    const { fleet } = await loadFleet({ inventories: ["hosts.ini"], cwd: base });
    expect(ssh(fleet, "a").knownHostsFiles).toEqual([]);
    expect(ssh(fleet, "b").knownHostsFiles).toEqual([path.join(base, "kh"), "/etc/kh"]);
  });

  it("keeps the first value of each ssh option, as ssh does with the command line Ansible builds", async () => {
    const base = tree({
      "hosts.ini": [
        "a ansible_ssh_common_args='-o User=first -o User=second -p 2201 -p 2202 -o StrictHostKeyChecking=yes -o StrictHostKeyChecking=accept-new'",
        // ansible_user and ansible_port go before the ssh arguments (-o User=, -o Port=), wherever they are written.
        "b ansible_ssh_common_args='-l cmd -o Port=2400' ansible_user=inv ansible_port=2300 ansible_ssh_private_key_file=/k/inv",
        "c ansible_ssh_extra_args='-J second.example.com -i /k/extra' ansible_ssh_common_args='-o ProxyJump=first.example.com -i /k/common'",
      ].join("\n"),
    });
    const { fleet } = await loadFleet({ inventories: ["hosts.ini"], cwd: base });
    expect([ssh(fleet, "a").user, ssh(fleet, "a").port, ssh(fleet, "a").hostKeyChecking]).toEqual(["first", 2201, "strict"]);
    expect([ssh(fleet, "b").user, ssh(fleet, "b").port, ssh(fleet, "b").identityFiles]).toEqual(["inv", 2300, ["/k/inv"]]);
    expect(ssh(fleet, "c").proxyJump.map((hop) => hop.address)).toEqual(["first.example.com"]);
    expect(ssh(fleet, "c").identityFiles).toEqual(["/k/common", "/k/extra"]);
  });

  it("takes a host's ssh arguments instead of its groups', as Ansible takes the most specific variable", async () => {
    const base = tree({
      "hosts.ini": [
        "[all:vars]",
        "ansible_ssh_common_args='-J ops@bastion.example.com -o ConnectTimeout=5'",
        "[dgx]",
        // An empty value is the usual way to take a host out of a group-wide jump.
        "outside.example.com ansible_ssh_common_args=''",
        "spark-01 ansible_ssh_common_args='-o ServerAliveInterval=30 -p 2400'",
        "spark-02 ansible_ssh_extra_args='-J other.example.com -o ConnectTimeout=9'",
        "[dgx:vars]",
        "ansible_port=2300",
      ].join("\n"),
    });
    const { fleet } = await loadFleet({ inventories: ["hosts.ini"], cwd: base });
    expect(ssh(fleet, "outside.example.com")).toMatchObject({ proxyJump: [], connectTimeoutMs: 10_000, port: 2300 });
    // ansible_port, from a group, still goes before the host's -p on ssh's command line.
    expect(ssh(fleet, "spark-01")).toMatchObject({ proxyJump: [], keepaliveIntervalMs: 30_000, port: 2300 });
    // The group's common arguments come before the host's extra ones: their -J and ConnectTimeout win.
    expect(ssh(fleet, "spark-02")).toMatchObject({ proxyJump: [{ address: "bastion.example.com" }], connectTimeoutMs: 5_000 });
  });

  it("reads StrictHostKeyChecking values as ssh does, without case", async () => {
    const base = tree({
      "hosts.ini": ["a ansible_ssh_common_args='-o StrictHostKeyChecking=Accept-New'", "b ansible_ssh_common_args='-o StrictHostKeyChecking=true'"].join("\n"),
    });
    const { fleet, warnings } = await loadFleet({ inventories: ["hosts.ini"], cwd: base });
    expect([ssh(fleet, "a").hostKeyChecking, ssh(fleet, "b").hostKeyChecking, ssh(fleet, "b").explicit?.hostKeyChecking]).toEqual(["accept-new", "strict", true]);
    expect(warnings).toEqual([]);
  });

  it("reads -J and ProxyCommand jump hosts from Ansible's ssh arguments", async () => {
    const base = tree({
      "hosts.ini": [
        "a ansible_ssh_common_args='-J ops@gw.example.com:2200'",
        "b ansible_ssh_common_args='-o ProxyCommand=\"ssh -W %h:%p -q -p 2201 ops@gw.example.com\"'",
        // ssh's getopt: bundled flags and arguments glued to their option.
        "c ansible_ssh_common_args='-o ProxyCommand=\"ssh -p2202 -lops -qW %h:%p gw.example.com\"'",
        // The jump's own key: ssh -i for the bastion, relative to the working directory as the host's own are.
        "d ansible_ssh_private_key_file=keys/host.pem ansible_ssh_common_args='-o ProxyCommand=\"ssh -W %h:%p -q -i keys/bastion.pem ubuntu@gw.example.com\"'",
      ].join("\n"),
    });
    const { fleet } = await loadFleet({ inventories: ["hosts.ini"], cwd: base });
    expect(ssh(fleet, "a").proxyJump).toMatchObject([{ address: "gw.example.com", port: 2200, user: "ops" }]);
    expect(ssh(fleet, "b").proxyJump).toMatchObject([{ address: "gw.example.com", port: 2201, user: "ops" }]);
    expect(ssh(fleet, "c").proxyJump).toMatchObject([{ address: "gw.example.com", port: 2202, user: "ops" }]);
    expect(ssh(fleet, "d").proxyJump).toMatchObject([{ address: "gw.example.com", user: "ubuntu", identityFiles: [path.join(base, "keys/bastion.pem")] }]);
    // A jump host gets none of the target's keys (ansible_ssh_private_key_file is the target's -o IdentityFile).
    expect(ssh(fleet, "a").proxyJump[0]!.identityFiles).toEqual([]);
  });

  it("reads relative key and known_hosts paths from the working directory, as Ansible hands them to ssh as written", async () => {
    const base = tree({
      "inv/hosts.ini": [
        "a ansible_ssh_private_key_file=keys/id ansible_ssh_common_args='-i keys/extra -o UserKnownHostsFile=kh'",
        "b ansible_ssh_common_args='-o ProxyCommand=\"ssh -W %h:%p -i keys/jump gw.example.com\"'",
      ].join("\n"),
      // Only beside the inventory: where nemoclaw used to look, and where it now points.
      "inv/keys/id": "",
    });
    const { fleet, warnings } = await loadFleet({ inventories: ["inv/hosts.ini"], cwd: base });
    expect(ssh(fleet, "a").identityFiles).toEqual([path.join(base, "keys/id"), path.join(base, "keys/extra")]);
    expect(ssh(fleet, "a").knownHostsFiles).toEqual([path.join(base, "kh")]);
    expect(ssh(fleet, "b").proxyJump[0]!.identityFiles).toEqual([path.join(base, "keys/jump")]);
    expect(warnings.map((w) => `${w.file}:${w.line}: ${w.message}`)).toEqual([
      `inv/hosts.ini:1: ansible_ssh_private_key_file keys/id is relative to the working directory, as Ansible reads it, and ${path.join(base, "keys/id")} does not exist (${path.join(base, "inv/keys/id")} beside the inventory does); write the path from the working directory, or an absolute one`,
    ]);
  });

  it("takes a ProxyCommand jump host's user as its ssh does: the first given, -l or -o User before the destination, else its user@", async () => {
    const base = tree({
      "hosts.ini": [
        "a ansible_ssh_common_args='-o ProxyCommand=\"ssh -W %h:%p ubuntu@gw.example.com -l ops\"'",
        "b ansible_ssh_common_args='-o ProxyCommand=\"ssh -l ops -W %h:%p ubuntu@gw.example.com\"'",
        "c ansible_ssh_common_args='-o ProxyCommand=\"ssh -o User=ops -W %h:%p ubuntu@gw.example.com\"'",
        "d ansible_ssh_common_args='-o ProxyCommand=\"ssh -W %h:%p gw.example.com -l ops\"'",
      ].join("\n"),
    });
    const { fleet } = await loadFleet({ inventories: ["hosts.ini"], cwd: base });
    // As `ssh -G -l ops ubuntu@gw` (ops) and `ssh -G ubuntu@gw -l ops` (ubuntu) print it (OpenSSH 9.2).
    expect(["a", "b", "c", "d"].map((host) => ssh(fleet, host).proxyJump[0]!.user)).toEqual(["ubuntu", "ops", "ops", "ops"]);
  });

  it("gives a ProxyCommand's jump host the options of its own ssh, and names those it cannot honour", async () => {
    const base = tree({
      "hosts.ini": [
        "a ansible_ssh_common_args='-o ProxyCommand=\"ssh -q -F cfg -o UserKnownHostsFile=kh -o StrictHostKeyChecking=accept-new -o IdentitiesOnly=yes -o User=ops -o Port=2200 -o IdentityFile=keys/j -o BatchMode=yes -W %h:%p gw.example.com\"'",
        "b ansible_ssh_common_args='-o ProxyCommand=\"ssh -4 -c aes128-ctr -o Ciphers=aes256-ctr -W %h:%p gw.example.com\"'",
      ].join("\n"),
    });
    const { fleet, warnings } = await loadFleet({ inventories: ["hosts.ini"], cwd: base });
    expect(ssh(fleet, "a").proxyJump).toEqual([
      {
        host: "gw.example.com",
        address: "gw.example.com",
        port: 2200,
        user: "ops",
        identityFiles: [path.join(base, "keys/j")],
        knownHostsFiles: [path.join(base, "kh")],
        hostKeyChecking: "accept-new",
        identitiesOnly: true,
        configFile: path.join(base, "cfg"),
        explicit: { port: true, user: true },
      },
    ]);
    // The target's own settings are untouched by its jump host's.
    expect([ssh(fleet, "a").hostKeyChecking, ssh(fleet, "a").identitiesOnly]).toEqual(["strict", false]);
    expect(warnings.map((w) => `${w.file}:${w.line}: ${w.message}`)).toEqual([
      "hosts.ini:2: ansible_ssh_common_args: ProxyCommand: ignoring -4 -c aes128-ctr -o Ciphers=aes256-ctr for jump host gw.example.com (nemoclaw uses its own SSH client)",
    ]);
  });

  it("refuses a ProxyCommand that forwards somewhere other than the host itself", async () => {
    const base = tree({
      "hosts.ini": [
        "a ansible_ssh_common_args='-o ProxyCommand=\"ssh -W 10.0.0.5:22 gw.example.com\"'",
        "b ansible_ssh_common_args='-o ProxyCommand=\"ssh gw.example.com nc 10.0.0.5 22\"'",
        "c ansible_ssh_common_args='-o ProxyCommand=\"ssh gw.example.com nc -w 120 %h %p\"'",
        "d ansible_ssh_common_args='-o ProxyCommand=\"ssh -W [%h]:%p gw.example.com\"'",
      ].join("\n"),
    });
    const error = (await loadFleet({ inventories: ["hosts.ini"], cwd: base }).catch((e: unknown) => e)) as FleetValidationError;
    expect(error.diagnostics.map((d) => d.message)).toEqual([
      expect.stringContaining(`ProxyCommand "ssh -W 10.0.0.5:22 gw.example.com" does not forward to the host's own address (%h:%p)`),
      expect.stringContaining(`ProxyCommand "ssh gw.example.com nc 10.0.0.5 22" does not forward to the host's own address (%h:%p)`),
    ]);
  });
});

describe("placement", () => {
  it("puts a sandbox with a selector on every matching host, and gateways where their selector says", async () => {
    const base = tree({
      "fleet.yaml": `${HEADER}hosts:
  - { name: spark-01, groups: [spark], labels: { rack: a } }
  - { name: spark-02, groups: [spark], labels: { rack: b } }
  - { name: station-01, groups: [station], openshell: { version: "0.0.36" } }
gateways:
  - port: 8080
  - name: nemoclaw-9000
    hosts: { groups: [station] }
sandboxes:
  - name: assistant
    hosts: "spark:!rack=b"
  - name: coder
    host: station-01
    gateway: nemoclaw-9000
`,
    });
    const { fleet } = await loadFleet({ fleetFile: "fleet.yaml", cwd: base });
    expect(host(fleet, "spark-01").sandboxes.map((s) => [s.name, s.host, s.gateway])).toEqual([["assistant", "spark-01", "nemoclaw"]]);
    expect(host(fleet, "spark-02").sandboxes).toEqual([]);
    expect(host(fleet, "station-01").gateways.map((g) => [g.name, g.port, g.driver])).toEqual([
      ["nemoclaw", 8080, "cluster-container"],
      ["nemoclaw-9000", 9000, "cluster-container"],
    ]);
    expect(host(fleet, "spark-01").gateways[0]?.driver).toBeUndefined();
  });

  it("gives hosts with sandboxes the default gateway when the file has no gateways: key", async () => {
    const base = tree({
      "fleet.yaml": `${HEADER}hosts: [{ name: spark-01 }, { name: spark-02 }]
sandboxes:
  - { name: assistant, host: spark-01 }
`,
    });
    const { fleet } = await loadFleet({ fleetFile: "fleet.yaml", cwd: base });
    expect(host(fleet, "spark-01").gateways).toMatchObject([{ name: "nemoclaw", port: 8080, bind: "127.0.0.1" }]);
    expect(host(fleet, "spark-02").gateways).toEqual([]);
  });

  it("a backup policy over hosts whose sandboxes the file does not declare warns without claiming the hosts run none", async () => {
    // backup run covers what the hosts run, declared or not (docs/backups.md); validate cannot see that.
    const base = tree({ "fleet.yaml": `${HEADER}hosts: [{ name: spark-01 }]\nbackupPolicies:\n  - name: nightly\n` });
    const { warnings } = await loadFleet({ fleetFile: "fleet.yaml", cwd: base });
    expect(warnings.map((warning) => warning.message)).toEqual([
      'backup policy "nightly" covers no sandbox this file declares on its hosts; backup run will back up only the sandboxes they are found running',
    ]);
  });

  it("fills in defaults for sandboxes, backup policies and apply settings", async () => {
    const base = tree({
      "fleet.yaml": `${HEADER}hosts: [{ name: spark-01 }]
sandboxes:
  - { name: assistant, host: spark-01, credential: "file:keys/nvidia" }
backupPolicies:
  - name: nightly
apply:
  waves: [1, "25%"]
  stepTimeout: 60
`,
    });
    const { fleet } = await loadFleet({ fleetFile: "fleet.yaml", cwd: base });
    expect(host(fleet, "spark-01").sandboxes[0]).toMatchObject({
      agent: "openclaw",
      gateway: "nemoclaw",
      gpu: "auto",
      protect: false,
      imageRefWorkaround: false,
      policy: { presets: [] },
      credential: { kind: "file", path: path.join(base, "keys/nvidia") },
      // Where apply reports the secret when it cannot be read.
      credentialSource: { line: 5, column: 52, path: "sandboxes[0].credential" },
    });
    expect(fleet.backupPolicies[0]).toMatchObject({
      hosts: { kind: "pattern", pattern: "all" },
      sandboxNames: ["*"],
      retention: {},
      destination: { kind: "local", path: path.join(base, "backups") },
      verify: true,
      beforeDisruptive: true,
      strict: false,
    });
    expect(fleet.apply).toEqual({
      concurrency: 32,
      waves: [
        { size: 1, unit: "hosts" },
        { size: 25, unit: "percent" },
      ],
      maxFailPercentage: 0,
      stepTimeoutMs: 60_000,
      pruneUnmanaged: false,
      lockTtlMs: 3_600_000,
      healthGate: null,
    });
    expect(fleet.notify).toBeNull();
    expect(fleet.name).toBe("fleet");
  });
});

describe("health gates and notifications", () => {
  it("reads a health gate's timeout as a duration or whole seconds, and the webhook as a reference or a URL", async () => {
    const base = tree({
      "a.yaml": `${HEADER}hosts: [{ name: spark-01 }]\napply: { healthGate: { timeout: 2m30s } }\nnotify: { webhook: "env:HOOK_URL", format: slack }\n`,
      "b.yaml": `${HEADER}hosts: [{ name: spark-01 }]\napply: { healthGate: { timeout: 45 } }\nnotify:\n  webhook: https://hooks.example.com/services/T000/B000/abc123\n  when: problems\n`,
    });
    const a = (await loadFleet({ fleetFile: "a.yaml", cwd: base })).fleet;
    expect(a.apply.healthGate).toEqual({ timeoutMs: 150_000 });
    expect(a.notify).toMatchObject({ webhook: { ref: { kind: "env", name: "HOOK_URL" } }, format: "slack", when: "changes" });
    const b = (await loadFleet({ fleetFile: "b.yaml", cwd: base })).fleet;
    expect(b.apply.healthGate).toEqual({ timeoutMs: 45_000 });
    expect(b.notify).toMatchObject({ webhook: { url: "https://hooks.example.com/services/T000/B000/abc123" }, format: "json", when: "problems" });
  });

  it("refuses a step timeout over a week and a lock lease over a day, which no timer could keep", async () => {
    const base = tree({ "fleet.yaml": `${HEADER}hosts: [{ name: spark-01 }]\napply:\n  stepTimeout: 3000000\n  lockTtl: 90000\n` });
    const error = (await loadFleet({ fleetFile: "fleet.yaml", cwd: base }).catch((e: unknown) => e)) as FleetValidationError;
    expect(error).toBeInstanceOf(FleetValidationError);
    expect(error.diagnostics.map((d) => `${d.file}:${d.line}: ${d.path}: ${d.message}`)).toEqual([
      "fleet.yaml:5: apply.stepTimeout: 3000000 is out of range 1-604800",
      "fleet.yaml:6: apply.lockTtl: 90000 is out of range 60-86400",
    ]);
  });

  it("refuses a timeout without a unit or too short, and a webhook that is neither, at their lines, never echoing the URL", async () => {
    const base = tree({
      "fleet.yaml": `${HEADER}hosts: [{ name: spark-01 }]\napply:\n  healthGate: { timeout: 500ms }\nnotify:\n  webhook: "ftp://user:hunter2@example.com/hook"\n`,
      "unit.yaml": `${HEADER}hosts: [{ name: spark-01 }]\napply:\n  healthGate: { timeout: "5" }\n`,
    });
    const error = (await loadFleet({ fleetFile: "fleet.yaml", cwd: base }).catch((e: unknown) => e)) as FleetValidationError;
    expect(error).toBeInstanceOf(FleetValidationError);
    expect(error.diagnostics.map((d) => `${d.file}:${d.line}: ${d.path}: ${d.message}`)).toEqual([
      "fleet.yaml:5: apply.healthGate.timeout: 500ms is too short: give the sandboxes at least 1s to become healthy",
      "fleet.yaml:7: notify.webhook: must be a secret reference (env:NAME or file:PATH) or an http(s) URL",
    ]);
    expect(JSON.stringify(error.diagnostics)).not.toContain("hunter2");
    const unit = (await loadFleet({ fleetFile: "unit.yaml", cwd: base }).catch((e: unknown) => e)) as FleetValidationError;
    expect(unit.diagnostics.map((d) => d.message)).toEqual([`"5": give a unit: 5s, 5m or 5h`]);
  });

  it("reads notify.remindEvery as a duration or whole seconds (a day without it), and refuses one too short or without a unit at its line", async () => {
    const fleet = (remind: string) => `${HEADER}hosts: [{ name: spark-01 }]\nnotify:\n  webhook: "env:HOOK"\n${remind}`;
    const base = tree({
      "default.yaml": fleet(""),
      "hours.yaml": fleet("  remindEvery: 4h\n"),
      "seconds.yaml": fleet("  remindEvery: 7200\n"),
      "short.yaml": fleet("  remindEvery: 30s\n"),
      "unit.yaml": fleet('  remindEvery: "12"\n'),
      "few.yaml": fleet("  remindEvery: 30\n"),
    });
    const remindAfterMs = async (file: string) => (await loadFleet({ fleetFile: file, cwd: base })).fleet.notify?.remindAfterMs;
    expect(await remindAfterMs("default.yaml")).toBe(86_400_000);
    expect(await remindAfterMs("hours.yaml")).toBe(4 * 3_600_000);
    expect(await remindAfterMs("seconds.yaml")).toBe(7_200_000);
    const refused = async (file: string) => {
      const error = (await loadFleet({ fleetFile: file, cwd: base }).catch((e: unknown) => e)) as FleetValidationError;
      expect(error).toBeInstanceOf(FleetValidationError);
      return error.diagnostics.map((d) => `${d.file}:${d.line}: ${d.path}: ${d.message}`);
    };
    expect(await refused("short.yaml")).toEqual(["short.yaml:6: notify.remindEvery: 30s is too short: remind at most every 1m (`when: always` tells every run)"]);
    expect(await refused("unit.yaml")).toEqual([`unit.yaml:6: notify.remindEvery: "12": give a unit: 12s, 12m or 12h`]);
    expect(await refused("few.yaml")).toEqual([expect.stringMatching(/^few\.yaml:6: notify\.remindEvery: .*60/)]);
  });

  it("takes an http:// webhook only to this machine: anywhere else its token and the run's summary would cross the network in clear", async () => {
    const fleet = (webhook: string) => `${HEADER}hosts: [{ name: spark-01 }]\nnotify:\n  webhook: "${webhook}"\n`;
    const base = tree({
      "remote.yaml": fleet("http://hooks.example.com/services/T000/B000/hunter2"),
      "v4.yaml": fleet("http://127.0.0.1:9093/hook"),
      "name.yaml": fleet("http://localhost:8080/hook"),
      "v6.yaml": fleet("http://[::1]:8080/hook"),
    });
    const error = (await loadFleet({ fleetFile: "remote.yaml", cwd: base }).catch((e: unknown) => e)) as FleetValidationError;
    expect(error).toBeInstanceOf(FleetValidationError);
    expect(error.diagnostics.map((d) => `${d.file}:${d.line}: ${d.path}: ${d.message}`)).toEqual([
      "remote.yaml:5: notify.webhook: the webhook URL must be https (http only to this machine: localhost, 127.0.0.1 or [::1]), not http to another machine",
    ]);
    expect(JSON.stringify(error.diagnostics)).not.toContain("hunter2");
    for (const file of ["v4.yaml", "name.yaml", "v6.yaml"]) expect((await loadFleet({ fleetFile: file, cwd: base })).fleet.notify?.webhook).toHaveProperty("url");
  });
});

describe("nemoclaw.dev/v1alpha1", () => {
  it("is migrated with a warning per change, keeping positions of the file as written", async () => {
    const base = tree({
      "old.yaml": `apiVersion: nemoclaw.dev/v1alpha1
kind: Fleet
hosts:
  - name: spark-01
sandboxes:
  - name: assistant
    host: spark-01
    credentialEnv: NVIDIA_API_KEY
    gpu: true
backups:
  - name: nightly
    schedule: "0 2 * * *"
`,
    });
    const { fleet, warnings } = await loadFleet({ fleetFile: "old.yaml", cwd: base });
    expect(fleet.apiVersion).toBe("nemoclaw.dev/v1");
    expect(host(fleet, "spark-01").sandboxes[0]).toMatchObject({ credential: { kind: "env", name: "NVIDIA_API_KEY" }, gpu: "on" });
    expect(host(fleet, "spark-01").sandboxes[0]?.credentialEnv).toBeUndefined();
    expect(fleet.backupPolicies.map((p) => [p.name, p.source.line, p.source.path])).toEqual([["nightly", 11, "backupPolicies[0]"]]);
    expect(warnings.map((w) => `${w.line}:${w.column} ${w.message}`)).toEqual([
      "1:13 nemoclaw.dev/v1alpha1 is deprecated; the file was read as nemoclaw.dev/v1. Update apiVersion and the fields flagged below",
      "10:1 backups: is now backupPolicies:",
      "8:5 credentialEnv: NVIDIA_API_KEY is now credential: env:NVIDIA_API_KEY",
      "9:10 gpu: true is now gpu: on",
    ]);
  });
});

describe("loading without a fleet file", () => {
  it("takes hosts from the inventories only, relative to the working directory", async () => {
    const base = tree({ "inv/lab.yaml": "all:\n  hosts:\n    spark-01:\n      ansible_connection: local\n" });
    const { fleet } = await loadFleet({ inventories: ["inv/lab.yaml"], cwd: base });
    expect(fleet).toMatchObject({ name: "inventory", sourceFile: "<inventory>", backupPolicies: [] });
    expect(fleet.hosts.map((h) => [h.name, h.connection.kind, h.groups])).toEqual([["spark-01", "local", ["ungrouped"]]]);
  });

  it("reads group_vars and host_vars beside the inventory, overriding inline variables", async () => {
    const base = tree({
      "inv/hosts.ini": "[spark]\nspark-01 ansible_port=2000\nspark-02\n[spark:vars]\nansible_user=inline\n",
      "inv/group_vars/spark.yml": "ansible_user: from-group-vars\n",
      "inv/host_vars/spark-01/10-port.yaml": "ansible_port: 2222\n",
      "inv/host_vars/spark-01/20-labels.yaml": "nemoclaw_labels: { rack: a }\n",
    });
    const { fleet } = await loadFleet({ inventories: ["inv/hosts.ini"], cwd: base });
    expect(ssh(fleet, "spark-01")).toMatchObject({ user: "from-group-vars", port: 2222 });
    expect(host(fleet, "spark-01").labels).toEqual({ rack: "a" });
    expect(ssh(fleet, "spark-02")).toMatchObject({ user: "from-group-vars", port: 22 });
  });
});

describe("failures", () => {
  it("throws one FleetValidationError carrying every problem", async () => {
    const base = tree({
      "fleet.yaml": `${HEADER}hosts: [{ name: spark-01 }]
sandboxes:
  - { name: Bad, host: spark-01 }
  - { name: fine, host: spark-09 }
`,
    });
    const error = await loadFleet({ fleetFile: "fleet.yaml", cwd: base }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FleetValidationError);
    const diagnostics = (error as FleetValidationError).diagnostics;
    expect(diagnostics.map((d) => `${d.file}:${d.line}:${d.column}`)).toEqual(["fleet.yaml:5:13", "fleet.yaml:6:25"]);
    expect((error as Error).message).toMatch(/^fleet\.yaml:5:13: sandboxes\[0\]\.name: sandbox names are lowercase.*\(and 1 more error\)$/);
  });

  it("reports a missing fleet file and an empty fleet", async () => {
    const base = tree({ "empty.yaml": `${HEADER}` });
    expect((await inspectFleet({ fleetFile: "nope.yaml", cwd: base })).diagnostics.map((d) => d.message)).toEqual(["fleet file does not exist"]);
    expect((await inspectFleet({ fleetFile: "empty.yaml", cwd: base })).diagnostics.map((d) => d.message)).toEqual([
      "the fleet has no hosts: list inventories under inventory: (or pass -i), or declare hosts:",
    ]);
  });

  it("refuses YAML complex keys at their position, without a warning from Node", async () => {
    const base = tree({
      "fleet.yaml": `${HEADER}hosts:\n  - name: spark-01\n    labels:\n      ? [a, b]\n      : x\n? { x: 1 }\n: 2\n`,
      "inv.yml": "all:\n  hosts:\n    ? [s1, s2]\n    :\n",
    });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on("warning", onWarning);
    try {
      const fleet = await inspectFleet({ fleetFile: "fleet.yaml", cwd: base });
      expect(fleet.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`)).toEqual([
        "fleet.yaml:6:9: a key must be a plain value, not a list (YAML complex keys are not supported)",
        "fleet.yaml:8:3: a key must be a plain value, not a mapping (YAML complex keys are not supported)",
      ]);
      const inventory = await inspectFleet({ inventories: ["inv.yml"], cwd: base });
      expect(inventory.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`)).toContain(
        "inv.yml:3:7: a key must be a plain value, not a list (YAML complex keys are not supported)",
      );
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings).toEqual([]);
  });

  it("records a digest of everything read, which changes when an inventory changes", async () => {
    const base = tree({ "fleet.yaml": `${HEADER}inventory: [hosts.ini]\n`, "hosts.ini": "spark-01\n" });
    const first = (await loadFleet({ fleetFile: "fleet.yaml", cwd: base })).fleet.sourceDigest;
    expect((await loadFleet({ fleetFile: "fleet.yaml", cwd: base })).fleet.sourceDigest).toBe(first);
    writeFileSync(path.join(base, "hosts.ini"), "spark-01 ansible_port=2222\n");
    expect((await loadFleet({ fleetFile: "fleet.yaml", cwd: base })).fleet.sourceDigest).not.toBe(first);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
  });
});
