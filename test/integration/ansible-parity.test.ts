/**
 * nemoclaw against the real Ansible on the same inventories: `nemoclaw inventory --list / --export
 * / --graph / --host` must print what `ansible-inventory` prints, and `--limit … --list-hosts`
 * must select what `ansible all --limit … --list-hosts` selects. scripts/install-test-deps.sh
 * installs Ansible (Debian's ansible-core); without it these tests fail and say so.
 */
import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLI = path.join(ROOT, "dist/cli/main.js");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, env: { ...process.env, ANSIBLE_NOCOLOR: "1", ANSIBLE_LOCALHOST_WARNING: "0", NO_COLOR: "1" } }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== "number") reject(error);
      else resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
    });
  });
}

async function requireTool(name: string): Promise<void> {
  const found = await run("sh", ["-c", `command -v ${name}`], ROOT);
  if (found.code !== 0) throw new Error(`${name} is not installed: run scripts/install-test-deps.sh (as root), which installs Debian's ansible-core`);
}

const ansibleInventory = (dir: string, args: string[]) => run("ansible-inventory", args, dir);
const nemoclaw = (dir: string, args: string[]) => run("node", [CLI, ...args], dir);

let dir: string;

const INVENTORIES: Record<string, string | { text: string; mode: number }> = {
  "ini/hosts": [
    "solo ansible_host=10.0.0.5",
    "[spark]",
    "spark-[01:04] ansible_user=nvidia",
    "spark-05:2222 x=1.5 big=12345678901234567890 flag=True",
    "[station]",
    "station-[a:b] labels=\"{'site': 'sjc'}\"",
    "[rack_a]",
    "spark-0[1:2]",
    "station-a",
    "[spark:vars]",
    "ansible_group_priority=5",
    "tier=gpu",
    "[rack_a:vars]",
    "tier=rack",
    "[dgx:children]",
    "spark",
    "station",
    "[dgx:vars]",
    "ansible_port=22",
    "tier=dgx",
    "",
  ].join("\n"),
  "ini/group_vars/all.yml": "site: default\ntier: all_file\n",
  "ini/group_vars/spark/10-conn.yml": "ansible_become: yes\n",
  "ini/host_vars/spark-01": "role: leader\n",
  "yaml/inv.yml": [
    "all:",
    "  vars:",
    "    yn: y",
    "    onoff: off",
    "    e: 1e3",
    "    f: 1.0e+3",
    "    oct: 0755",
    "    sexa: 1:30",
    "    d: 2024-01-15",
    "    dt: 2001-12-14 21:59:43.10 -5",
    "    nested: {a: [1, 2.5, null, true]}",
    "  hosts:",
    "    lonely:",
    "  children:",
    "    web:",
    "      hosts:",
    "        web-[1:3]:",
    "        web-9:4022:",
    "          ansible_host: 10.1.0.9",
    "      vars:",
    "        ansible_group_priority: 20",
    "        role: web",
    "      children:",
    "        canary:",
    "          hosts: web-1",
    "    db:",
    "      hosts:",
    "        db-1: { role: db }",
    "        web-2:",
    "      vars: { role: database }",
    "",
  ].join("\n"),
  "dir/a-hosts": "[left]\nl1\nl2\n",
  "dir/b.yaml": "right:\n  hosts:\n    r1:\n  children:\n    left:\n",
  "dir/c.ini": "[ignored]\nnever-read\n",
  "dir/d.retry": "never-read\n",
  "dir/sub/more": "[deep]\nd1 depth=2\n",
  "dir/group_vars/left.yml": "side: left\n",
  "dir/group_vars/right/main.yml": "side: right\n",
  "script/inv.py": {
    text: [
      "#!/usr/bin/env python3",
      "import json, sys",
      "data = {'app': {'hosts': ['a1', 'a2'], 'vars': {'port': 8080}, 'children': ['cache']}, 'cache': ['c1'],",
      "        '_meta': {'hostvars': {'a1': {'ansible_host': '10.2.0.1', 'weight': 1.0}, 'c1': {'mem': 64}}}}",
      "print(json.dumps(data) if sys.argv[1] == '--list' else '{}')",
      "",
    ].join("\n"),
    mode: 0o755,
  },
};

beforeAll(async () => {
  await requireTool("ansible-inventory");
  await requireTool("ansible");
  dir = mkdtempSync(path.join(os.tmpdir(), "nemoclaw-ansible-parity-"));
  for (const [name, content] of Object.entries(INVENTORIES)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, typeof content === "string" ? content : content.text);
    if (typeof content !== "string") chmodSync(file, content.mode);
  }
}, 60_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe.each(["ini/hosts", "yaml/inv.yml", "dir", "script/inv.py"])("%s: nemoclaw inventory prints what ansible-inventory prints", (inventory) => {
  it.each([["--list"], ["--list", "--export"], ["--graph"]])("%s %s", async (...args) => {
    const flags = args.filter((a): a is string => typeof a === "string");
    const [ours, theirs] = await Promise.all([nemoclaw(dir, ["inventory", "-i", inventory, ...flags]), ansibleInventory(dir, ["-i", inventory, ...flags])]);
    expect(theirs.code, theirs.stderr).toBe(0);
    expect(ours.code, ours.stderr).toBe(0);
    expect(ours.stdout).toBe(theirs.stdout);
  });
});

describe("--output", () => {
  it.each([["--list"], ["--graph"], ["--host", "spark-05"]])("%s %s writes the file ansible-inventory writes, and nothing on stdout", async (...args) => {
    const flags = args.filter((a): a is string => typeof a === "string");
    const [ours, theirs] = await Promise.all([
      nemoclaw(dir, ["inventory", "-i", "ini/hosts", ...flags, "--output", "ours.out"]),
      ansibleInventory(dir, ["-i", "ini/hosts", ...flags, "--output", "theirs.out"]),
    ]);
    expect(theirs.code, theirs.stderr).toBe(0);
    expect(ours.code, ours.stderr).toBe(0);
    expect(ours.stdout).toBe("");
    // ansible-inventory leaves the file without its final line break; ours ends in one.
    expect(readFileSync(path.join(dir, "ours.out"), "utf8")).toBe(`${readFileSync(path.join(dir, "theirs.out"), "utf8")}\n`);
  });
});

describe("--host and the exported JSON read back", () => {
  it.each([
    ["ini/hosts", "spark-05"],
    ["ini/hosts", "station-a"],
    ["yaml/inv.yml", "web-2"],
    ["dir", "l1"],
  ])("%s --host %s", async (inventory, host) => {
    const [ours, theirs] = await Promise.all([nemoclaw(dir, ["inventory", "-i", inventory, "--host", host]), ansibleInventory(dir, ["-i", inventory, "--host", host])]);
    expect(ours.stdout).toBe(theirs.stdout);
  });

  it.each([["--list"], ["--list", "--export"]])("reads the JSON ansible-inventory %s %s writes as Ansible reads it", async (...args) => {
    const flags = args.filter((a): a is string => typeof a === "string");
    mkdirSync(path.join(dir, "exported"), { recursive: true });
    const exported = await ansibleInventory(dir, ["-i", "ini/hosts", ...flags, "--output", "exported/inventory.json"]);
    expect(exported.code, exported.stderr).toBe(0);
    // Ansible reads that JSON only from a script, so it gets one that prints the file.
    writeFileSync(path.join(dir, "exported/cat.sh"), `#!/bin/sh\n[ "$1" = --list ] && cat "${path.join(dir, "exported/inventory.json")}" || echo '{}'\n`);
    chmodSync(path.join(dir, "exported/cat.sh"), 0o755);
    const [fromJson, ansible] = await Promise.all([nemoclaw(dir, ["inventory", "-i", "exported/inventory.json", "--list"]), ansibleInventory(dir, ["-i", "exported/cat.sh", "--list"])]);
    expect(fromJson.stdout).toBe(ansible.stdout);
  });

  it("masks passwords where ansible-inventory prints them, and differs in nothing else", async () => {
    writeFileSync(path.join(dir, "secret.ini"), "[g]\nh1 ansible_password=hunter2 ansible_user=ops\n");
    const [ours, theirs] = await Promise.all([nemoclaw(dir, ["inventory", "-i", "secret.ini", "--list"]), ansibleInventory(dir, ["-i", "secret.ini", "--list"])]);
    expect(ours.stdout).not.toContain("hunter2");
    expect(ours.stdout).toBe(theirs.stdout.replace('"hunter2"', '"<masked>"'));
  });
});

describe("--limit selects what ansible --limit selects", () => {
  const patterns = [
    "all",
    "spark",
    "spark:!spark-03",
    "spark:&rack_a",
    "dgx:!rack_a",
    "spark-0*",
    "spark-0[!1]*",
    "~spark-0[13]",
    "~park",
    "~(station|solo)",
    "spark[0]",
    "spark[-1]",
    "spark[1:3]",
    "spark[2:]",
    "station,solo,nothing",
    "rack_a:spark-05",
    "&spark",
    "!dgx",
    "ungrouped",
  ];
  it.each(patterns)("%s", async (pattern) => {
    const [ours, theirs] = await Promise.all([
      nemoclaw(dir, ["validate", "-i", "ini/hosts", "--limit", pattern, "--list-hosts"]),
      run("ansible", ["-i", "ini/hosts", "all", "--limit", pattern, "--list-hosts"], dir),
    ]);
    if (theirs.code !== 0) {
      // Ansible selects nothing: nemoclaw refuses the limit (exit 3) instead of doing nothing.
      expect(theirs.stderr + theirs.stdout).toMatch(/no hosts|leaves us with no hosts/i);
      expect(ours.code).toBe(3);
      return;
    }
    expect(ours.code, ours.stderr).toBe(0);
    expect(ours.stdout).toBe(theirs.stdout);
    const unmatched = [...theirs.stderr.matchAll(/Could not match supplied host pattern, ignoring: (\S+)/g)].map((m) => m[1]);
    for (const term of unmatched) expect(ours.stderr).toContain(`"${term}" matches no host`);
  });

  it("@file: one pattern per line, like a .retry file", async () => {
    writeFileSync(path.join(dir, "retry.txt"), "spark-02\nstation-b\n\n");
    const [ours, theirs] = await Promise.all([
      nemoclaw(dir, ["validate", "-i", "ini/hosts", "--limit", "@retry.txt", "--list-hosts"]),
      run("ansible", ["-i", "ini/hosts", "all", "--limit", "@retry.txt", "--list-hosts"], dir),
    ]);
    expect(ours.stdout).toBe(theirs.stdout);
  });
});
