/**
 * `--replace <sandbox>@<host>` and `--target <sandbox>@<host>` (Terraform's -replace and -target):
 * each names a sandbox the fleet file puts on a selected host, checked before anything is observed.
 * `--target` also narrows the hosts to those it names.
 */
import { InvalidArgumentError, type Command } from "commander";
import type { DesiredFleet } from "../config/types.js";
import { closest } from "../config/suggest.js";
import { parseSandboxAddress } from "../plan/rules/targets.js";
import { isRisk } from "../plan/risk-ceiling.js";
import type { Risk, SandboxAddress } from "../plan/types.js";

/** Commander's collector for a repeatable `<sandbox>@<host>` option: one that is not is bad usage. */
function collectAddress(value: string, previous: string[] = []): string[] {
  const address = parseSandboxAddress(value);
  if ("problem" in address) throw new InvalidArgumentError(`expected <sandbox>@<host>, such as coder@spark-02`);
  return [...previous, value];
}

/** `--max-risk safe|disruptive|destructive`: the riskiest step that may run. */
export function riskCeiling(value: string): Risk {
  if (!isRisk(value)) throw new InvalidArgumentError("expected safe, disruptive or destructive");
  return value;
}

/** What plan and apply may change beyond the fleet file's differences: --prune, --replace, --target, --max-risk. */
export function withScopeOptions(command: Command, verb: "plan" | "apply"): Command {
  return command
    .option("--prune", "also delete sandboxes that are not in the fleet file (never a protected name)", false)
    .option("--replace <sandbox@host>", "recreate this sandbox although its settings match, verified backup first (repeatable)", collectAddress)
    .option("--target <sandbox@host>", `${verb} only this sandbox's steps and the steps they need (repeatable)`, collectAddress)
    .option("--max-risk <risk>", "run only steps at or below this risk (safe, disruptive, destructive) and the steps they need; the rest are held back as pending", riskCeiling);
}

export interface AddressedSelection {
  replace: SandboxAddress[];
  /** Undefined without --target. */
  targets?: SandboxAddress[];
  /** The selected hosts, narrowed to the targets' hosts with --target. */
  hosts: string[];
}

export function resolveSandboxAddresses(fleet: DesiredFleet, selected: string[], flags: { replace?: string[]; target?: string[] }): AddressedSelection | { problems: string[] } {
  const problems: string[] = [];
  const resolve = (flag: string, texts: string[]) =>
    texts.flatMap((text) => {
      const address = parseSandboxAddress(text);
      const problem = "problem" in address ? address.problem : addressProblem(fleet, selected, address);
      if (problem === undefined) return [address as SandboxAddress];
      problems.push(`--${flag} ${text}: ${problem}`);
      return [];
    });
  const replace = resolve("replace", flags.replace ?? []);
  const targets = flags.target === undefined || flags.target.length === 0 ? undefined : resolve("target", flags.target);
  if (problems.length > 0) return { problems };
  const hosts = targets === undefined ? selected : selected.filter((host) => targets.some((address) => address.host === host));
  return { replace, ...(targets ? { targets } : {}), hosts };
}

function addressProblem(fleet: DesiredFleet, selected: string[], address: SandboxAddress): string | undefined {
  const host = fleet.hosts.find((candidate) => candidate.name === address.host);
  if (!host) {
    const suggestion = closest(address.host, fleet.hosts.map((candidate) => candidate.name));
    return `host ${address.host} is not in the fleet${suggestion ? `; did you mean ${suggestion}?` : ""}`;
  }
  if (!selected.includes(host.name)) return `host ${host.name} is not selected (--limit)`;
  if (!host.sandboxes.some((sandbox) => sandbox.name === address.sandbox)) {
    const suggestion = closest(address.sandbox, host.sandboxes.map((sandbox) => sandbox.name));
    return `the fleet file puts no sandbox ${address.sandbox} on ${host.name}${suggestion ? `; did you mean ${suggestion}@${host.name}?` : ""}`;
  }
  return undefined;
}
