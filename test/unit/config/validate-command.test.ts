/** `nemoclaw validate`: output, JSON shape and exit codes, on the shipped example and on broken files. */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runValidateCommand, type ValidateCommandOptions } from "../../../src/cli/validate.js";
import { validateFleet } from "../../../src/config/validate.js";
import { ExitCode } from "../../../src/exit-codes.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const INVALID = "test/fixtures/fleet/invalid";

async function run(fleetFile: string | undefined, options: Partial<ValidateCommandOptions> = {}, cwd = ROOT) {
  let stdout = "";
  let stderr = "";
  const code = await runValidateCommand(
    fleetFile,
    { inventory: [], json: false, color: false, ...options },
    {
      validate: (request) => validateFleet({ ...request, cwd }),
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      env: {},
    },
  );
  return { code, stdout, stderr };
}

describe("nemoclaw validate", () => {
  it("accepts the dgx-lab example and summarises it", async () => {
    const { code, stdout, stderr } = await run("playbooks/dgx-lab.yaml");
    expect(code).toBe(ExitCode.Ok);
    expect(stderr).toBe("");
    expect(stdout).toBe("✓ playbooks/dgx-lab.yaml is valid: 6 hosts, 7 gateways, 9 sandboxes, 2 backup policies\n");
  });

  it("prints every error with its position and exits with the validation error code", async () => {
    const { code, stdout, stderr } = await run(`${INVALID}/sandbox-name-command-word.yaml`);
    expect(code).toBe(ExitCode.ValidationError);
    expect(stdout).toBe("");
    expect(stderr).toContain(`${INVALID}/sandbox-name-command-word.yaml:6:11: sandboxes[0].name: "status" is a NemoClaw command word`);
    expect(stderr).toContain(`${INVALID}/sandbox-name-command-word.yaml:8:11: sandboxes[1].name: "backup-all" is a NemoClaw command word`);
    expect(stderr).toContain("  - name: status\n            ^\n");
    expect(stderr).toMatch(/✗ .* is invalid: 2 errors\n$/);
  });

  it("prints { valid, errors, warnings, summary } with --json", async () => {
    const { code, stdout } = await run(`${INVALID}/v1alpha1-hosts.yaml`, { json: true });
    expect(code).toBe(ExitCode.ValidationError);
    const report = JSON.parse(stdout) as { valid: boolean; errors: { line: number; column: number; path: string; severity: string }[]; warnings: unknown[]; summary: unknown };
    expect(report.valid).toBe(false);
    expect(report.errors.map((e) => [e.line, e.column, e.path, e.severity])).toEqual([
      [7, 5, "sandboxes[0].hosts", "error"],
      [8, 5, "sandboxes[0].credentialEnv", "error"],
      [10, 1, "backups", "error"],
    ]);
    expect(report.warnings).toHaveLength(1);
    expect(report.summary).toEqual({ hosts: 1, gateways: 1, sandboxes: 1, backupPolicies: 1 });
  });

  it("checks --limit against the fleet", async () => {
    const ok = await run("playbooks/dgx-lab.yaml", { limit: "spark:&rack_a" });
    expect(ok.stdout).toContain("; --limit selects 2 hosts");
    const bad = await run("playbooks/dgx-lab.yaml", { limit: "gpu-*" });
    expect(bad.code).toBe(ExitCode.ValidationError);
    // The option is named, not a position on the command line.
    expect(bad.stderr).toMatch(/^--limit 'gpu-\*' matches no host/m);
    expect(bad.stderr).not.toContain("<command line>");
  });

  it("checks inventories alone with -i", async () => {
    const { code, stdout } = await run(undefined, { inventory: ["inventory/dgx-lab.yaml"] });
    expect(code).toBe(ExitCode.Ok);
    expect(stdout).toBe("✓ inventory/dgx-lab.yaml is valid: 6 hosts, 0 gateways, 0 sandboxes, 0 backup policies\n");
  });

  it("reads ./fleet.yaml when neither a fleet file nor -i is given", async () => {
    expect(await run(undefined, {}, `${ROOT}test/fixtures/fleet/default-dir`)).toEqual({
      code: ExitCode.Ok,
      stdout: "✓ fleet.yaml is valid: 1 host, 1 gateway, 0 sandboxes, 0 backup policies\n",
      stderr: "",
    });
  });

  it("says that Ansible's comma-separated host list is not an inventory here", async () => {
    const { code, stderr } = await run(undefined, { inventory: ["spark-01,spark-02,"] });
    expect(code).toBe(ExitCode.ValidationError);
    expect(stderr).toContain("-i spark-01,spark-02,: inventory spark-01,spark-02, does not exist; a comma-separated host list (Ansible's -i 'a,b,') is not read: list the hosts in an INI file, or under hosts: in the fleet file");
  });

  it("says that ./fleet.yaml was read when it is missing", async () => {
    const { code, stderr } = await run(undefined);
    expect(code).toBe(ExitCode.ValidationError);
    expect(stderr).toContain("fleet.yaml:1:1: fleet file does not exist");
    expect(stderr).toContain("(no fleet file was named, so ./fleet.yaml was read; name one, or give inventories with -i to work from them alone)");
  });
});
