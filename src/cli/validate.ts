/**
 * `nemoclaw validate [fleet.yaml] [-i inv]… [--limit …] [--json]`: checks the fleet file and its
 * inventories (schema, names, references, secrets, schedules) and contacts no host.
 * Heavy modules load inside the action so `--help` and `--version` stay fast.
 */
import type { Command } from "commander";
import type { ValidationReport } from "../config/validate.js";
import type { ExitCodeValue } from "../exit-codes.js";
import { type CommonOptions, withCommonOptions } from "./common.js";
import { DEFAULTED_HINT, FLEET_ARGUMENT_HELP, fleetFileFor } from "./fleet-default.js";

export interface ValidateCommandOptions extends CommonOptions {
  /** False with --no-color. */
  color: boolean;
}

export interface ValidateCommandDeps {
  validate(options: { fleetFile?: string; inventories: string[]; limit?: string }): Promise<ValidationReport>;
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

const HELP_AFTER = `
Checks, reporting every problem at once as file:line:col: path: message:
  - the schema (schemas/fleet.schema.json): unknown fields (with suggestions), types, allowed values
  - names that reach NemoClaw: sandbox names (NemoClaw's rule, no command words), gateway names
    and ports (8080 is "nemoclaw", P is "nemoclaw-P"), hosts, groups, presets, policies
  - references: sandbox → host and gateway, proxyJump → host, backup destination → host,
    selectors that match no host, duplicates, one gateway per port per host
  - secrets are references (env:NAME, file:PATH), never literal keys
  - OpenShell pins and gateway drivers, cron schedules, waves and percentages, ports
  - Ansible inventories (INI and YAML, group_vars/, host_vars/); their errors name the inventory file

Exit codes: 0 valid (warnings allowed), 3 invalid (see docs/exit-codes.md).

Examples:
  nemoclaw validate                                    # ./fleet.yaml
  nemoclaw validate playbooks/dgx-lab.yaml
  nemoclaw validate fleet.yaml -i inventory/prod.ini --limit 'spark:&rack_a'
  nemoclaw validate -i inventory/dgx-lab.yaml          # inventories only
  nemoclaw validate fleet.yaml --json | jq .errors`;

export function register(program: Command): void {
  withCommonOptions(
    program
      .command("validate")
      .argument("[fleet]", FLEET_ARGUMENT_HELP)
      .description("check a fleet file and its inventories for every error at once, without contacting any host"),
  )
    .option("--no-color", "no colours in the output")
    .addHelpText("after", HELP_AFTER)
    .action(async (fleetFile: string | undefined, options: ValidateCommandOptions) => {
      process.exitCode = await runValidateCommand(fleetFile, options, await defaultDeps());
    });
}

export async function runValidateCommand(named: string | undefined, options: ValidateCommandOptions, deps: ValidateCommandDeps): Promise<ExitCodeValue> {
  const [{ ExitCode }, { formatDiagnostics }, { colorsFor }] = await Promise.all([
    import("../exit-codes.js"),
    import("../config/diagnostics.js"),
    import("../report/color.js"),
  ]);
  const fleetFile = fleetFileFor(named, options.inventory);
  const report = await deps.validate({
    ...(fleetFile === undefined ? {} : { fleetFile }),
    inventories: options.inventory,
    ...(options.limit === undefined ? {} : { limit: options.limit }),
  });
  if (options.json) {
    deps.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const colors = colorsFor(deps.stderr, options.color, deps.env);
    const diagnostics = formatDiagnostics([...report.errors, ...report.warnings], { color: colors.enabled });
    if (diagnostics !== "") deps.stderr.write(diagnostics);
    const subject = fleetFile ?? options.inventory.join(", ");
    if (report.valid) {
      const out = colorsFor(deps.stdout, options.color, deps.env);
      deps.stdout.write(`${out.green("✓")} ${subject} is valid: ${describeSummary(report)}${countOf(report.warnings.length, "warning", " (", ")")}\n`);
    } else {
      deps.stderr.write(`${colors.red("✗")} ${subject} is invalid: ${countOf(report.errors.length, "error")}${countOf(report.warnings.length, "warning", ", ")}\n`);
      if (named === undefined && fleetFile !== undefined) deps.stderr.write(DEFAULTED_HINT);
    }
  }
  return report.valid ? ExitCode.Ok : ExitCode.ValidationError;
}

function describeSummary({ summary }: ValidationReport): string {
  const parts = [
    countOf(summary.hosts, "host"),
    countOf(summary.gateways, "gateway"),
    countOf(summary.sandboxes, "sandbox", "", "", "sandboxes"),
    countOf(summary.backupPolicies, "backup policy", "", "", "backup policies"),
  ];
  const selected = summary.selectedHosts === undefined ? "" : `; --limit selects ${countOf(summary.selectedHosts, "host")}`;
  return `${parts.join(", ")}${selected}`;
}

function countOf(n: number, singular: string, before = "", after = "", plural = `${singular}s`): string {
  if (before !== "" && n === 0) return "";
  return `${before}${n} ${n === 1 ? singular : plural}${after}`;
}

async function defaultDeps(): Promise<ValidateCommandDeps> {
  const [{ validateFleet }, { NEMOCLAW_RELEASE_RULES }] = await Promise.all([import("../config/validate.js"), import("../host/nemoclaw/release-rules.js")]);
  return { validate: (options) => validateFleet({ ...options, releaseRules: NEMOCLAW_RELEASE_RULES }), stdout: process.stdout, stderr: process.stderr, env: process.env };
}
