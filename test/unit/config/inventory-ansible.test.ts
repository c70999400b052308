/**
 * Inventories read as ansible-core 2.14 reads them: file kinds, directory rules, group_vars
 * lookup, precedence, priorities, loops, scripts, exported JSON, vaults, bounds and masking.
 * (test/integration/ansible-parity.test.ts compares the same kinds of input with the real tools.)
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { Vault } from "ansible-vault";
import { afterEach, describe, expect, it } from "vitest";
import { formatDiagnostics } from "../../../src/config/diagnostics.js";
import { hostVariables, inventoryList, MASK } from "../../../src/config/inventory/export.js";
import { pythonFloatRepr, pythonJson } from "../../../src/config/inventory/values.js";
import { inspectFleet } from "../../../src/config/load.js";
import { selectLimit } from "../../../src/config/selectors.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tree(files: Record<string, string | { text: string; mode: number }>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "nemoclaw-inv-"));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, typeof content === "string" ? content : content.text);
    if (typeof content !== "string") chmodSync(file, content.mode);
  }
  return dir;
}

async function inspect(dir: string, inventories: string[], vaultIds: { label: string; file: string }[] = []) {
  const inspection = await inspectFleet({ cwd: dir, inventories, vaultIds });
  const loaded = inspection.inventory!;
  const view = { inventory: loaded.inventory, sourceCount: loaded.sourceDirs.length };
  return {
    inspection,
    // (An inventory that fails to read also leaves the fleet without hosts; that follow-on error is not checked here.)
    errors: inspection.diagnostics.filter((d) => d.severity === "error" && !d.message.startsWith("the fleet has no hosts")).map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`),
    warnings: inspection.diagnostics.filter((d) => d.severity === "warning").map((d) => d.message),
    vars: (host: string) => hostVariables(view, host),
    list: (exportMode = false) => inventoryList(view, { export: exportMode, hosts: [...loaded.inventory.hosts.keys()] }),
  };
}

describe("which files of an inventory are read, and how", () => {
  it("recurses into directories, skips what Ansible skips, and reads extension-less files as YAML or INI", async () => {
    const dir = tree({
      "inv/main": "[spark]\ns2 x=1\n",
      "inv/hosts.ini": "[spark]\nskipped-because-ini\n",
      "inv/notes.txt": "[g]\nskipped\n",
      "inv/.hidden": "[g]\nskipped\n",
      "inv/sub/more.yaml": "all:\n  hosts:\n    s3:\n",
      "inv/yamlish": "all:\n  hosts:\n    s4:\n",
      "inv/group_vars/spark/a.yml": "v: fromdir\n",
      "inv/group_vars/spark.yml": "v: shadowed-by-the-directory\n",
    });
    const { errors, inspection, vars } = await inspect(dir, ["inv"]);
    expect(errors).toEqual([]);
    expect(inspection.fleet!.hosts.map((h) => h.name)).toEqual(["s2", "s3", "s4"]);
    expect(vars("s2")).toEqual({ v: "fromdir", x: 1 });
  });

  it("runs an executable inventory script with --list, and asks --host per host without _meta", async () => {
    const script = `#!/bin/sh
if [ "$1" = "--list" ]; then
  echo '{"web": {"hosts": ["w1", "w2"], "vars": {"tier": "front"}, "children": ["db"]}, "db": ["d1"], "solo": {"ansible_host": "10.0.0.9"}}'
else
  echo "{\\"asked\\": \\"$2\\"}"
fi
`;
    const dir = tree({ "inv.sh": { text: script, mode: 0o755 } });
    const { errors, vars, inspection } = await inspect(dir, ["inv.sh"]);
    expect(errors).toEqual([]);
    expect(inspection.fleet!.hosts.map((h) => h.name)).toEqual(["w1", "w2", "d1", "solo"]);
    expect(vars("w1")).toEqual({ asked: "w1", tier: "front" });
    // A mapping without hosts/vars/children is one host named like the group.
    expect(vars("solo")).toEqual({ ansible_host: "10.0.0.9", asked: "solo" });
  });

  it("reports a failing script with its status and last stderr line", async () => {
    const dir = tree({ "inv.sh": { text: "#!/bin/sh\necho 'cloud API said no' >&2\nexit 3\n", mode: 0o755 } });
    const { errors } = await inspect(dir, ["inv.sh"]);
    expect(errors).toEqual([expect.stringContaining("inv.sh --list exited with status 3: cloud API said no")]);
  });

  it("reads back what `ansible-inventory --list --export` writes", async () => {
    const dir = tree({ "hosts": "[spark]\ns1 ansible_port=2222\n[spark:vars]\nansible_group_priority=3\nsite='sjc'\n[dgx:children]\nspark\n" });
    const first = await inspect(dir, ["hosts"]);
    writeFileSync(path.join(dir, "exported.json"), pythonJson(first.list(true)));
    const again = await inspect(dir, ["exported.json"]);
    expect(again.errors).toEqual([]);
    expect(pythonJson(again.list(true))).toBe(pythonJson(first.list(true)));
    expect(again.vars("s1")).toEqual({ ansible_port: 2222, site: "sjc" });
  });

  it("says how to export a plugin inventory when ansible-inventory cannot be run", async () => {
    const dir = tree({ "aws_ec2.yml": "plugin: amazon.aws.aws_ec2\nregions: [us-east-1]\n" });
    const inspection = await inspectFleet({ cwd: dir, inventories: ["aws_ec2.yml"], run: async () => ({ code: null, stdout: Buffer.alloc(0), stderr: "", failure: "ENOENT" }) });
    expect(inspection.diagnostics.map((d) => d.message)).toContainEqual(expect.stringContaining("ansible-inventory -i aws_ec2.yml --list > inventory.json"));
  });
});

describe("values and precedence, as Ansible's", () => {
  it("reads YAML 1.1 scalars as PyYAML does", async () => {
    const dir = tree({
      "inv.yml": "all:\n  hosts:\n    h:\n      yn: y\n      e: 1e3\n      f: 1.0e+3\n      oct: 0755\n      sexa: 1:30\n      d: 2024-01-15\n      dt: 2001-12-14 21:59:43.10 -5\n      on_off: off\n      big: 12345678901234567890\n",
    });
    const { vars, errors } = await inspect(dir, ["inv.yml"]);
    expect(errors).toEqual([]);
    // As `ansible-inventory --host h` prints them.
    expect(pythonJson(vars("h"))).toBe(
      [
        "{",
        '    "big": 12345678901234567890,',
        '    "d": "2024-01-15",',
        '    "dt": "2001-12-14T21:59:43.100000-05:00",',
        '    "e": "1e3",',
        '    "f": 1000.0,',
        '    "oct": 493,',
        '    "on_off": false,',
        '    "sexa": 90,',
        '    "yn": "y"',
        "}",
      ].join("\n"),
    );
  });

  it("applies group variables inline first, then group_vars files, each by depth, priority and name", async () => {
    const dir = tree({
      hosts: "[spark]\ns1 h=inline\n[spark:vars]\na=spark_inline\nb=spark_inline\n[all:vars]\nc=all_inline\n[top:children]\nspark\n[top:vars]\nansible_group_priority=10\nd=top\n[other]\ns1\n[other:vars]\nd=other\nansible_group_priority=5\n",
      "group_vars/all.yml": "a: all_file\nc: all_file\n",
      "group_vars/spark.yml": "b: spark_file\nansible_group_priority: 100\n",
      "host_vars/s1": "h: host_file\n",
    });
    const { vars, errors } = await inspect(dir, ["hosts"]);
    expect(errors).toEqual([]);
    // The same as `ansible-inventory --host s1` prints for this inventory.
    expect(vars("s1")).toEqual({ a: "all_file", ansible_group_priority: 100, b: "spark_file", c: "all_file", d: "top", h: "host_file" });
  });

  it("refuses children loops with the position that closes them", async () => {
    const dir = tree({ "inv.yml": "all:\n  children:\n    a:\n      children:\n        b:\n          children:\n            a:\n" });
    const { errors } = await inspect(dir, ["inv.yml"]);
    // Like Ansible, the edge that closes the loop is the one from "a" to "b": children are read before their edge is added.
    expect(errors).toEqual([expect.stringMatching(/inv\.yml:5:9: adding "b" as a child of "a" creates a loop \(b → a → b\)/)]);
  });

  it("refuses an INI [p:children] group that is never declared, and accepts one declared further down", async () => {
    const dir = tree({ hosts: "[dgx:children]\nspark\nsprak\n[spark]\ns1\n" });
    const { errors } = await inspect(dir, ["hosts"]);
    expect(errors).toEqual([expect.stringMatching(/hosts:3:1: \[dgx:children\] names group "sprak", which this inventory never declares/)]);
  });
});

describe("vault", () => {
  const password = "correct horse";
  const encrypt = (text: string) => new Vault({ password }).encryptSync(text, "");

  it("skips an encrypted group_vars file with a warning without a password, and reads it with one", async () => {
    const dir = tree({
      hosts: "[spark]\ns1\n",
      "group_vars/spark/vault.yml": encrypt("ansible_user: vaulted\nansible_become_pass: s3cret\n"),
      "pass.txt": `${password}\n`,
    });
    const without = await inspect(dir, ["hosts"]);
    expect(without.errors).toEqual([]);
    expect(without.warnings).toContainEqual(expect.stringContaining("vault-encrypted and no vault password was given"));
    const withPassword = await inspect(dir, ["hosts"], [{ label: "default", file: path.join(dir, "pass.txt") }]);
    expect(withPassword.errors).toEqual([]);
    const s1 = withPassword.inspection.fleet!.hosts[0]!;
    expect(s1.connection.kind === "ssh" && s1.connection.user).toBe("vaulted");
    expect(withPassword.vars("s1")).toEqual({ ansible_user: MASK, ansible_become_pass: MASK });
  });

  it("decrypts an inline !vault value nemoclaw needs, and only names it when it cannot", async () => {
    const block = encrypt("10.1.2.3")
      .split("\n")
      .map((line) => `        ${line}`)
      .join("\n");
    const dir = tree({ "inv.yml": `all:\n  hosts:\n    s1:\n      ansible_host: !vault |\n${block}\n`, "pass.txt": password });
    const without = await inspect(dir, ["inv.yml"]);
    expect(without.errors).toEqual([expect.stringContaining("ansible_host is vault-encrypted; give --vault-password-file")]);
    const withPassword = await inspect(dir, ["inv.yml"], [{ label: "default", file: path.join(dir, "pass.txt") }]);
    expect(withPassword.errors).toEqual([]);
    const s1 = withPassword.inspection.fleet!.hosts[0]!;
    expect(s1.connection.kind === "ssh" && s1.connection.address).toBe("10.1.2.3");
  });

  it("reports a value the given password cannot open once, without asking for a password again", async () => {
    const block = encrypt("10.1.2.3")
      .split("\n")
      .map((line) => `        ${line}`)
      .join("\n");
    const dir = tree({ "inv.yml": `all:\n  hosts:\n    s1:\n      ansible_host: !vault |\n${block}\n`, "wrong.txt": "wrong\n" });
    const { errors } = await inspect(dir, ["inv.yml"], [{ label: "default", file: path.join(dir, "wrong.txt") }]);
    expect(errors).toEqual([`inv.yml:4:28: ansible_host: cannot decrypt this vault value: none of the vault passwords given (${path.join(dir, "wrong.txt")}) decrypts it`]);
  });

  it("refuses a directory as the password file instead of running it", async () => {
    const dir = tree({ "inv.yml": `all:\n  hosts:\n    s1:\n      ansible_host: !vault |\n${encrypt("x").split("\n").map((line) => `        ${line}`).join("\n")}\n` });
    const passwords = path.join(dir, "passwords");
    mkdirSync(passwords);
    const { errors } = await inspect(dir, ["inv.yml"], [{ label: "default", file: passwords }]);
    expect(errors).toEqual([`inv.yml:4:28: ansible_host: cannot decrypt this vault value: vault password file ${passwords} is a directory, not a file`]);
  });
});

describe("bounds", () => {
  it("refuses a huge range at its position, fast", async () => {
    const dir = tree({ hosts: "[spark]\nspark-[0:3000000]\n" });
    const started = Date.now();
    const { errors } = await inspect(dir, ["hosts"]);
    expect(errors).toEqual([expect.stringMatching(/^hosts:2:1: invalid host "spark-\[0:3000000\]" expands to 3000001 hosts/)]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("refuses a FIFO and a device without blocking", async () => {
    const dir = tree({});
    execFileSync("mkfifo", [path.join(dir, "fifo")]);
    const { errors } = await inspect(dir, ["fifo", "/dev/zero"]);
    expect(errors).toEqual(expect.arrayContaining([expect.stringContaining("is not a regular file or directory")]));
    expect(errors).toHaveLength(2);
  });

  it("refuses bytes that are not UTF-8 at their line and column", async () => {
    const dir = tree({});
    writeFileSync(path.join(dir, "hosts"), Buffer.concat([Buffer.from("[spark]\ns1\nspark-\xff".slice(0, 16), "latin1"), Buffer.from([0xff, 0x0a])]));
    const { errors } = await inspect(dir, ["hosts"]);
    expect(errors).toEqual([expect.stringMatching(/^hosts:3:\d+: inventory is not UTF-8 text: byte 0xff/)]);
  });

  it("refuses an alias bomb at the first alias", async () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]", ...["b", "c", "d", "e", "f", "g", "h"].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${"abcdefgh"[i]}`).join(", ")}]`), "all:\n  vars:\n    boom: *h"].join("\n");
    const dir = tree({ "inv.yml": bomb });
    const { errors } = await inspect(dir, ["inv.yml"]);
    expect(errors).toEqual([expect.stringMatching(/^inv\.yml:2:\d+: YAML aliases expand too far/)]);
  });
});

describe("secrets never shown", () => {
  it("masks password values in warning excerpts", async () => {
    const dir = tree({ hosts: "[spark]\ns1 ansible_password=hunter2 ansible_become_pass='two words'\n" });
    const { inspection } = await inspect(dir, ["hosts"]);
    const text = formatDiagnostics(inspection.diagnostics, { color: false });
    expect(text).toContain("ansible_password is ignored");
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("two words");
  });
});

describe("--limit", () => {
  it("reads @file lines as patterns and lists hosts in Ansible's order", async () => {
    const dir = tree({ hosts: "[b]\nb1\n[a]\na1\na2\n", "retry.txt": "a2\n\nb1\n" });
    const { inspection } = await inspect(dir, ["hosts"]);
    const selection = selectLimit(inspection.fleet!, `@${path.join(dir, "retry.txt")},nothing`);
    expect(selection.listed).toEqual(["b1", "a2"]);
    expect(selection.warnings).toEqual([`--limit '@${path.join(dir, "retry.txt")},nothing': "nothing" matches no host`]);
  });
});

describe("pythonFloatRepr", () => {
  it.each([
    [1000, "1000.0"],
    [1e16, "1e+16"],
    [1e15, "1000000000000000.0"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [1.5e-7, "1.5e-07"],
    [123456789012345678, "1.2345678901234568e+17"],
    [-0.5, "-0.5"],
    [Infinity, "Infinity"],
  ])("%s → %s", (value, text) => {
    expect(pythonFloatRepr(value)).toBe(text);
  });
});
