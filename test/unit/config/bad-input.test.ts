/**
 * Hostile or mistaken input in fleet files and inventories is reported at its file, line and
 * column, as a validation error: never a crash, a stack overflow or a bare library message.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runValidateCommand } from "../../../src/cli/validate.js";
import { hostVariables } from "../../../src/config/inventory/export.js";
import { inspectFleet } from "../../../src/config/load.js";
import { validateFleet } from "../../../src/config/validate.js";
import { ExitCode } from "../../../src/exit-codes.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "nemoclaw-bad-"));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return dir;
}

const FLEET_HEAD = "apiVersion: nemoclaw.dev/v1\nkind: Fleet\nmetadata: { name: t }\n";

async function inspect(dir: string, options: { fleetFile?: string; inventories?: string[] }) {
  const inspection = await inspectFleet({ cwd: dir, vaultIds: [], ...options });
  const loaded = inspection.inventory;
  return {
    inspection,
    // An inventory that fails to read leaves the fleet without hosts; that follow-on error is not checked here.
    errors: inspection.diagnostics.filter((d) => d.severity === "error" && !d.message.startsWith("the fleet has no hosts")).map((d) => `${d.file}:${d.line}:${d.column}: ${d.path ? `${d.path}: ` : ""}${d.message}`),
    vars: (host: string) => hostVariables({ inventory: loaded!.inventory, sourceCount: loaded!.sourceDirs.length }, host),
  };
}

async function validate(dir: string, fleetFile: string, inventory: string[] = [], json = false) {
  let stdout = "";
  let stderr = "";
  const code = await runValidateCommand(
    fleetFile,
    { inventory, json, color: false },
    {
      validate: (request) => validateFleet({ ...request, cwd: dir }),
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      env: {},
    },
  );
  return { code, stdout, stderr };
}

const nested = (depth: number, inner = ""): string => "[".repeat(depth) + inner + "]".repeat(depth);

describe("nesting deeper than 100 levels", () => {
  // `{"g":{"hosts":["h1"],"vars":{"x":` opens 3 mappings; the 101st collection is the 98th "[".
  const JSON_HEAD = '{"g":{"hosts":["h1"],"vars":{"x":';

  it("is refused in a JSON inventory at the first collection too deep, instead of aborting Node", async () => {
    const dir = tree({ "deep.json": `${JSON_HEAD}${nested(1000)}}}}` });
    const { errors } = await inspect(dir, { inventories: ["deep.json"] });
    expect(errors).toEqual([`deep.json:1:${JSON_HEAD.length + 98}: nesting deeper than 100 levels (lists and mappings inside each other); refusing to read further`]);
  });

  it("is refused in an extension-less inventory rather than read as INI", async () => {
    const dir = tree({ deep: `${JSON_HEAD}${nested(1000)}}}}` });
    const { errors } = await inspect(dir, { inventories: ["deep"] });
    expect(errors).toEqual([expect.stringMatching(/^deep:1:\d+: nesting deeper than 100 levels/)]);
  });

  it("is refused in a fleet file (flow and block nesting) with exit code 3", async () => {
    const flow = tree({ "fleet.yaml": `${FLEET_HEAD}defaults:\n  vars:\n    x: ${nested(3000)}\n` });
    const result = await validate(flow, "fleet.yaml");
    expect(result.code).toBe(ExitCode.ValidationError);
    // defaults, vars, then the lists: the 101st collection is the 98th "[".
    expect(result.stderr).toContain(`fleet.yaml:6:${"    x: ".length + 98}: nesting deeper than 100 levels`);
    expect(result.stderr).not.toContain("call stack");

    const block = tree({ "fleet.yaml": `${FLEET_HEAD}defaults:\n  vars:\n    x:\n      ${"- ".repeat(3000)}leaf\n` });
    const { errors } = await inspect(block, { fleetFile: "fleet.yaml" });
    expect(errors).toEqual([expect.stringMatching(/^fleet\.yaml:7:\d+: nesting deeper than 100 levels/)]);
  });

  it("is refused in YAML inventories and group_vars/host_vars files", async () => {
    const dir = tree({
      "inv/hosts.yml": `all:\n  hosts:\n    h1:\n      x: ${nested(500)}\n`,
      "inv/more": "h1\n",
      "inv/group_vars/all.yml": `y:\n${"  ".repeat(1)}${"- ".repeat(500)}z\n`,
      "inv/host_vars/h1.json": `{"z": ${nested(500)}}`,
    });
    const { errors } = await inspect(dir, { inventories: ["inv"] });
    expect(errors).toEqual([
      expect.stringMatching(/^inv\/hosts\.yml:4:\d+: nesting deeper than 100 levels/),
      expect.stringMatching(/^inv\/group_vars\/all\.yml:2:\d+: nesting deeper than 100 levels/),
      expect.stringMatching(/^inv\/host_vars\/h1\.json:1:\d+: nesting deeper than 100 levels/),
    ]);
  });

  it("stops reading at the limit, so a file of brackets costs no more than its first hundred", async () => {
    const dir = tree({ "deep.json": `${JSON_HEAD}${nested(2_000_000)}}}}` });
    const started = Date.now();
    const { errors } = await inspect(dir, { inventories: ["deep.json"] });
    expect(errors).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("reads nesting up to the limit", async () => {
    // 3 mappings + 97 lists = 100 levels.
    const dir = tree({ "ok.json": `${JSON_HEAD}${nested(97, "1")}}}}` });
    const { errors, vars } = await inspect(dir, { inventories: ["ok.json"] });
    expect(errors).toEqual([]);
    let x = vars("h1").x;
    for (let i = 0; i < 97; i++) x = (x as unknown[])[0];
    expect(x).toBe(1);
  });

  it("refuses an alias inside its own anchor (a value containing itself) instead of overflowing the stack", async () => {
    const dir = tree({ "inv.yml": "all:\n  hosts:\n    h1:\n      x: &a [*a]\n" });
    const { errors } = await inspect(dir, { inventories: ["inv.yml"] });
    expect(errors).toEqual(["inv.yml:4:14: a YAML alias refers to the anchor it is inside, so the value would contain itself"]);
  });

  it("is refused in an INI value at its line and variable, instead of overflowing the stack", async () => {
    const dir = tree({ hosts: `h1 x=${nested(3000)}\n[g]\nh2\n[g:vars]\ny=${"(".repeat(150)}1${")".repeat(150)}\n` });
    const { errors } = await inspect(dir, { inventories: ["hosts"] });
    expect(errors).toEqual([
      "hosts:1:4: [ungrouped].h1.x: the value nests lists, tuples or dicts deeper than 100 levels",
      "hosts:5:1: [g:vars].y: the value nests lists, tuples or dicts deeper than 100 levels",
    ]);
  });

  it("reads an INI value nested up to the limit", async () => {
    const dir = tree({ hosts: `h1 x=${nested(100, "1")}\n` });
    const { errors, vars } = await inspect(dir, { inventories: ["hosts"] });
    expect(errors).toEqual([]);
    expect(JSON.stringify(vars("h1").x)).toBe(nested(100, "1"));
  });
});

describe("a %YAML directive", () => {
  it("other than 1.2 is refused at its line in a fleet file (exit 3): %YAML 1.1 would make yes a boolean", async () => {
    const dir = tree({
      "fleet.yaml": `# a fleet\n%YAML 1.1\n---\n${FLEET_HEAD}hosts: [{ name: a, labels: { gpu: yes } }]\n`,
      "plain.yaml": `%YAML 1.2\n---\n${FLEET_HEAD}hosts: [{ name: a, labels: { gpu: yes } }]\n`,
    });
    const { errors } = await inspect(dir, { fleetFile: "fleet.yaml" });
    expect(errors).toEqual(["fleet.yaml:2:1: %YAML 1.1: a fleet file is YAML 1.2 (`yes` and `no` are strings; write true and false); remove the directive"]);
    expect((await validate(dir, "fleet.yaml")).code).toBe(ExitCode.ValidationError);
    const plain = await inspect(dir, { fleetFile: "plain.yaml" });
    expect(plain.errors).toEqual([]);
    expect(plain.inspection.fleet?.hosts[0]?.labels).toEqual({ gpu: "yes" });
  });
});

describe("a YAML alias without its anchor", () => {
  it("is refused at the alias, in fleet files and inventories", async () => {
    const dir = tree({
      "fleet.yaml": `${FLEET_HEAD}hosts:\n  - name: h1\n    labels: { rack: *rack }\n  - name: h2\n    labels: { rack: &rack a }\n`,
      "inv.yml": "all:\n  hosts:\n    h3:\n      x: *nope\n",
    });
    expect((await inspect(dir, { fleetFile: "fleet.yaml" })).errors).toEqual(["fleet.yaml:6:21: YAML alias *rack names no anchor: set &rack on a value before it (an alias only refers back)"]);
    expect((await inspect(dir, { inventories: ["inv.yml"] })).errors).toContain("inv.yml:4:10: YAML alias *nope names no anchor: set &nope on a value before it (an alias only refers back)");
  });
});

describe("an INI line that starts with a bracket", () => {
  it("is a host with its port when the bracket closes before the end, as Ansible reads it, and a section header otherwise", async () => {
    const dir = tree({ hosts: "[g]\n[fe80::1]:2222\n[bad group] # comment\n" });
    const { errors } = await inspect(dir, { inventories: ["hosts"] });
    expect(errors).toEqual([
      'hosts:3:1: invalid section header "[bad group] # comment"; expected [group], [group:vars] or [group:children] (no spaces)',
      'hosts:2:1: [g].fe80::1: host name "fe80::1" may only contain letters, digits, ".", "_" and "-", starting with a letter or digit (found ":")',
    ]);
  });
});

describe("an inventory that cannot be read", () => {
  it("is the one error, not followed by the fleet having no hosts", async () => {
    const dir = tree({ "inv.yml": "all:\n  hosts:\n    h1:\n      x: *nope\n", "empty.yml": "all:\n" });
    const messages = async (inventories: string[]) => (await inspectFleet({ cwd: dir, vaultIds: [], inventories })).diagnostics.map((d) => d.message);
    expect(await messages(["inv.yml"])).toEqual(["YAML alias *nope names no anchor: set &nope on a value before it (an alias only refers back)"]);
    expect(await messages(["missing.ini"])).toEqual(["inventory missing.ini does not exist"]);
    expect(await messages(["empty.yml"])).toEqual([expect.stringContaining("the fleet has no hosts")]);
  });
});

describe("YAML inventory keys that are not text", () => {
  it("refuses host names YAML reads as numbers, booleans or null, as Ansible does, at the key", async () => {
    const dir = tree({ "inv.yml": 'all:\n  hosts:\n    10:\n    yes:\n    ~:\n    "11":\n' });
    const { errors } = await inspect(dir, { inventories: ["inv.yml"] });
    expect(errors).toEqual([
      "inv.yml:3:5: all.hosts.10: host name 10 is read as the number 10; put it in quotes (Ansible requires host names to be text)",
      "inv.yml:4:5: all.hosts.true: host name yes is read as the boolean true; put it in quotes (Ansible requires host names to be text)",
      'inv.yml:5:5: all.hosts[""]: host name ~ is read as null (no name); put it in quotes (Ansible requires host names to be text)',
    ]);
  });

  it("refuses a key read as a Python float instead of naming it [object Object]", async () => {
    const dir = tree({ "inv.yml": "all:\n  hosts:\n    h1:\n      1.5: x\n" });
    const { errors } = await inspect(dir, { inventories: ["inv.yml"] });
    expect(errors).toContain("inv.yml:4:7: the key 1.5 is not read as text (it is a number); put it in quotes");
  });
});

describe("YAML merge keys (<<) that are not mappings", () => {
  it("are errors at the merge key in a fleet file, exit 3, with a JSON report on stdout", async () => {
    const dir = tree({
      "fleet.yaml": `${FLEET_HEAD}x: &five 5\ndefaults:\n  <<: *five\nhosts:\n  - name: a\n    <<: [{ user: bob }, 3]\n  - name: b\n    <<: 5\n`,
    });
    const { errors } = await inspect(dir, { fleetFile: "fleet.yaml" });
    expect(errors).toEqual([
      "fleet.yaml:6:3: a merge key (<<) takes a mapping, an alias of one, or a list of those; this one is given a number",
      "fleet.yaml:9:5: a merge key (<<) takes a mapping, an alias of one, or a list of those; this one is given a list holding a number",
      "fleet.yaml:11:5: a merge key (<<) takes a mapping, an alias of one, or a list of those; this one is given a number",
    ]);
    const result = await validate(dir, "fleet.yaml", [], true);
    expect(result.code).toBe(ExitCode.ValidationError);
    const report = JSON.parse(result.stdout) as { valid: boolean; errors: { line: number; column: number }[] };
    expect(report.valid).toBe(false);
    expect(report.errors.map((e) => [e.line, e.column])).toEqual([
      [6, 3],
      [9, 5],
      [11, 5],
    ]);
  });

  it("are errors at the merge key in a YAML inventory and in group_vars/host_vars files", async () => {
    const dir = tree({
      "inv/hosts.yml": "all:\n  hosts:\n    h1:\n      <<: 5\n",
      "inv/more": "h2\n",
      "inv/group_vars/all.yml": "s: &s text\n<<: *s\n",
      "inv/host_vars/h2.yml": "<<:\n",
    });
    const { errors } = await inspect(dir, { inventories: ["inv"] });
    expect(errors).toEqual([
      "inv/hosts.yml:4:7: a merge key (<<) takes a mapping, an alias of one, or a list of those; this one is given a number",
      "inv/group_vars/all.yml:2:1: a merge key (<<) takes a mapping, an alias of one, or a list of those; this one is given a string",
      "inv/host_vars/h2.yml:1:1: a merge key (<<) takes a mapping, an alias of one, or a list of those; this one is given nothing",
    ]);
  });

  it("still merge mappings, aliases of them and lists of those", async () => {
    const dir = tree({
      "inv.yml": "all:\n  vars:\n    base: &base { a: 1 }\n    more: &more { b: 2 }\n  hosts:\n    h1:\n      <<: *base\n    h2:\n      <<: [*base, *more, { c: 3 }]\n",
    });
    const { errors, vars } = await inspect(dir, { inventories: ["inv.yml"] });
    expect(errors).toEqual([]);
    expect(vars("h1")).toMatchObject({ a: 1 });
    expect(vars("h2")).toMatchObject({ a: 1, b: 2, c: 3 });
  });
});

describe("errors in values a merge key (<<) brings in", () => {
  it("point where the anchor wrote the value, not at the mapping that merges it", async () => {
    const dir = tree({
      "fleet.yaml": [
        FLEET_HEAD.trimEnd(),
        "hosts: [{ name: h1 }]",
        "sandboxes:",
        "  - &base",
        "    name: one",
        "    host: h1",
        "    gpu: sometimes",
        "  - <<: *base",
        "    name: two",
        "  - <<: [{ gpuu: on }, *base]",
        "    name: three",
        "    gpu: off",
        "",
      ].join("\n"),
    });
    const { errors } = await inspect(dir, { fleetFile: "fleet.yaml" });
    expect(errors).toEqual([
      // sandboxes[1] inherits the same bad value from line 9; one error, where it is written.
      'fleet.yaml:9:10: sandboxes[0].gpu: "sometimes" is not one of "auto", "on", "off"',
      'fleet.yaml:12:12: sandboxes[2].gpuu: unknown field "gpuu"; did you mean "gpu"?',
    ]);
  });
});

describe("host addresses and key files", () => {
  const SETTINGS = "give the port as ansible_port";

  it("refuses empty, blank and decorated addresses and empty key files in an INI inventory, at the variable", async () => {
    const dir = tree({
      hosts: [
        "h1 ansible_host=[2001:db8::5]:22",
        "h2 ansible_host=",
        'h3 ansible_host="  "',
        "h4 ansible_ssh_private_key_file=",
        "h5 ansible_host=10.0.0.1:2222",
        "h6 ansible_host=root@10.0.0.1",
        "h7 ansible_host=2001:db8::5 ansible_private_key_file=' '",
        "h8 ansible_host=[2001:db8::5]",
        "",
      ].join("\n"),
    });
    const { errors } = await inspect(dir, { inventories: ["hosts"] });
    expect(errors).toEqual([
      `hosts:1:4: [ungrouped].h1.ansible_host: ansible_host "[2001:db8::5]:22" has brackets and a port glued on; write the bare address (2001:db8::5) and ${SETTINGS}`,
      "hosts:2:4: [ungrouped].h2.ansible_host: ansible_host must not be empty (leave it out to connect to the host's name)",
      "hosts:3:4: [ungrouped].h3.ansible_host: ansible_host must not be blank (leave it out to connect to the host's name)",
      "hosts:4:4: [ungrouped].h4.ansible_ssh_private_key_file: ansible_ssh_private_key_file must not be empty",
      `hosts:5:4: [ungrouped].h5.ansible_host: ansible_host "10.0.0.1:2222" has a port glued on; write the bare host name or address (10.0.0.1) and ${SETTINGS}`,
      'hosts:6:4: [ungrouped].h6.ansible_host: ansible_host "root@10.0.0.1" has a user glued on; write the bare host name or address and give the user as ansible_user',
      "hosts:7:29: [ungrouped].h7.ansible_private_key_file: ansible_private_key_file must not be blank",
      `hosts:8:4: [ungrouped].h8.ansible_host: ansible_host "[2001:db8::5]" has brackets glued on; write the bare address (2001:db8::5) and ${SETTINGS}`,
    ]);
  });

  it("refuses an ansible_host with characters ssh refuses in a host name, which a shell would act on", async () => {
    const dir = tree({ hosts: ["h1 ansible_host='$(touch /tmp/x)'", "h2 ansible_host=a;b", "h3 ansible_host=a`id`", "h4 ansible_host=spark-04.lab.example", "h5 ansible_host=fe80::1%eth0", ""].join("\n") });
    const { errors } = await inspect(dir, { inventories: ["hosts"] });
    expect(errors).toEqual([
      'hosts:1:4: [ungrouped].h1.ansible_host: ansible_host "$(touch /tmp/x)" contains a space; write the bare host name or address',
      'hosts:2:4: [ungrouped].h2.ansible_host: ansible_host "a;b" contains ";", which no host name or address has (ssh refuses it too)',
      'hosts:3:4: [ungrouped].h3.ansible_host: ansible_host "a`id`" contains "`", which no host name or address has (ssh refuses it too)',
    ]);
  });

  it("refuses the same in a YAML inventory", async () => {
    const dir = tree({ "inv.yml": 'all:\n  hosts:\n    h1:\n      ansible_ssh_host: "  "\n    h2:\n      ansible_host: "[::1]:22"\n' });
    const { errors } = await inspect(dir, { inventories: ["inv.yml"] });
    expect(errors).toEqual([
      "inv.yml:4:25: all.hosts.h1.ansible_ssh_host: ansible_ssh_host must not be blank (leave it out to connect to the host's name)",
      `inv.yml:6:21: all.hosts.h2.ansible_host: ansible_host "[::1]:22" has brackets and a port glued on; write the bare address (::1) and ${SETTINGS}`,
    ]);
  });

  it("refuses the same in the fleet file, naming port and user as the fleet file spells them", async () => {
    const dir = tree({
      "fleet.yaml": `${FLEET_HEAD}hosts:\n  - name: a\n    address: "  "\n  - name: b\n    address: "[::1]:22"\n  - name: c\n    address: spark:22\n    identityFile: " "\n  - name: d\n    identityFile: [~/.ssh/k, "  "]\n`,
    });
    const { errors } = await inspect(dir, { fleetFile: "fleet.yaml" });
    expect(errors).toEqual([
      "fleet.yaml:6:14: hosts[0].address: address must not be blank (leave it out to connect to the host's name)",
      'fleet.yaml:8:14: hosts[1].address: address "[::1]:22" has brackets and a port glued on; write the bare address (::1) and give the port as port',
      'fleet.yaml:10:14: hosts[2].address: address "spark:22" has a port glued on; write the bare host name or address (spark) and give the port as port',
      "fleet.yaml:11:19: hosts[2].identityFile: identityFile must not be blank",
      "fleet.yaml:13:30: hosts[3].identityFile[1]: identityFile must not be blank",
    ]);
  });

  it("accepts host names, IPv4 and IPv6 addresses (with a zone) as they are", async () => {
    const dir = tree({ hosts: "h1 ansible_host=spark-01.lab.example\nh2 ansible_host=10.0.0.1\nh3 ansible_host=2001:db8::5\nh4 ansible_host=fe80::1%eth0\n" });
    const { errors } = await inspect(dir, { inventories: ["hosts"] });
    expect(errors).toEqual([]);
  });
});

describe("symlink loops in group_vars/ and host_vars/", () => {
  it("reports a directory symlink leading back to a directory being read once, and does not follow it", async () => {
    const dir = tree({ "inv/hosts": "[g]\nh1\n", "inv/group_vars/g/a.yml": "a: 1\n" });
    symlinkSync("..", path.join(dir, "inv/group_vars/g/up"));
    const { errors, vars } = await inspect(dir, { inventories: ["inv"] });
    expect(errors).toEqual(["inv/group_vars/g/up:1:1: this path leads back to inv/group_vars, a directory already being read (a symlink loop); it is not followed"]);
    expect(vars("h1")).toMatchObject({ a: 1 });
  });

  it("reports a variables file that is a symlink to itself instead of skipping it silently", async () => {
    const dir = tree({ "inv/hosts": "[g]\nh1\n" });
    mkdirSync(path.join(dir, "inv/group_vars"));
    symlinkSync("g.yml", path.join(dir, "inv/group_vars/g.yml"));
    const { errors } = await inspect(dir, { inventories: ["inv"] });
    expect(errors).toEqual(["inv/group_vars/g.yml:1:1: this symlink loops back to itself; its variables cannot be read"]);
  });
});

describe("a fleet file beside its inventory", () => {
  it("is not read as an inventory when the fleet file lists its own directory", async () => {
    const dir = tree({ "fleet.yaml": `${FLEET_HEAD}inventory: [.]\n`, hosts: "[g]\nh1\n" });
    const { errors, inspection } = await inspect(dir, { fleetFile: "fleet.yaml" });
    expect(errors).toEqual([]);
    expect(inspection.fleet?.hosts.map((h) => h.name)).toEqual(["h1"]);
  });

  it("is an error at the entry when listed as an inventory itself", async () => {
    const dir = tree({ "fleet.yaml": `${FLEET_HEAD}inventory: [fleet.yaml]\n` });
    const { errors } = await inspect(dir, { fleetFile: "fleet.yaml" });
    expect(errors).toEqual(["fleet.yaml:4:13: inventory[0]: inventory fleet.yaml is this fleet file, not an inventory; list the inventory file or directory"]);
  });
});

describe("a second YAML document", () => {
  it("is refused at its ---, saying what to do, not with the YAML library's advice to its programmer", async () => {
    const dir = tree({ "fleet.yaml": `${FLEET_HEAD}hosts: [{ name: a, connection: local }]\n---\nhosts: []\n` });
    const { errors } = await inspect(dir, { fleetFile: "fleet.yaml" });
    expect(errors).toEqual(["fleet.yaml:5:1: YAML syntax error: a second YAML document starts here; the file must hold one (remove this --- and what follows, or move it to a file of its own)"]);
  });
});
