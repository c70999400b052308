/**
 * Naming rules for everything from the fleet file that ends up on a host's command line.
 * Commands are argument lists (never shell text), but names still must not smuggle in control
 * characters or look like options, and sandbox and gateway names must follow NemoClaw's own rules
 * or NemoClaw would refuse them half-way through an apply.
 */

/**
 * Words a sandbox may not be called, because `nemoclaw <name> …` would run the global command
 * instead: NemoClaw's RESERVED_SANDBOX_NAMES plus the other global commands of its CLI in any
 * supported release (its dispatcher routes those first: NC@d50338aa:src/lib/cli/public-dispatch.ts
 * GLOBAL_COMMANDS, with `version` from root:version's route aliases in public-route-metadata.ts;
 * `completion` from v0.0.79 and `profiles` later, real-cli-2026-12 §2), whatever the release
 * accepts as a name at onboard.
 */
export const NEMOCLAW_COMMAND_WORDS: ReadonlySet<string> = new Set([
  "onboard",
  "list",
  "deploy",
  "setup",
  "setup-spark",
  "start",
  "stop",
  "status",
  "debug",
  "uninstall",
  "update",
  "credentials",
  "help",
  "sandbox",
  "use",
  "backup-all",
  "upgrade-sandboxes",
  "gc",
  "inference",
  "agents",
  "resources",
  "tunnel",
  "internal",
  "version",
  "completion",
  "profiles",
]);

/** Why a sandbox name breaks NemoClaw's rule, or undefined when it is fine. */
export function sandboxNameProblem(name: string): string | undefined {
  if (name.length === 0) return "sandbox name is empty";
  if (name.length > 63) return `sandbox name is ${name.length} characters long; NemoClaw allows at most 63`;
  if (/[A-Z]/.test(name) && /^[A-Za-z0-9-]+$/.test(name)) return `sandbox names are lowercase (try "${name.toLowerCase()}")`;
  if (!/^[a-z]/.test(name)) return "sandbox name must start with a lowercase letter";
  const bad = name.match(/[^a-z0-9-]/);
  if (bad !== null) return `sandbox name may only contain lowercase letters, digits and "-" (found ${describeChar(bad[0])})`;
  if (name.endsWith("-")) return "sandbox name must end with a letter or digit";
  if (NEMOCLAW_COMMAND_WORDS.has(name)) return `"${name}" is a NemoClaw command word and cannot name a sandbox`;
  return undefined;
}

export function isValidSandboxName(name: string): boolean {
  return sandboxNameProblem(name) === undefined;
}

export const DEFAULT_GATEWAY_PORT = 8080;
export const DEFAULT_GATEWAY_NAME = "nemoclaw";

/** NemoClaw's rule: port 8080 is `nemoclaw`, any other port P is `nemoclaw-P`. */
export function gatewayNameForPort(port: number): string {
  return port === DEFAULT_GATEWAY_PORT ? DEFAULT_GATEWAY_NAME : `${DEFAULT_GATEWAY_NAME}-${port}`;
}

/**
 * The port a gateway name stands for, or undefined when NemoClaw would reject the name
 * (`nemoclaw-8080` included: 8080's name is plain `nemoclaw`).
 */
export function portForGatewayName(name: string): number | undefined {
  if (name === DEFAULT_GATEWAY_NAME) return DEFAULT_GATEWAY_PORT;
  const match = /^nemoclaw-([1-9][0-9]{0,4})$/.exec(name);
  if (match === null) return undefined;
  const port = Number(match[1]);
  return port <= 65535 && port !== DEFAULT_GATEWAY_PORT ? port : undefined;
}

export type NameKind = "host" | "group" | "policy" | "preset" | "fleet" | "label";

const SIMPLE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const GROUP_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Why a host, group, policy or preset name is unsafe, or undefined when it is fine. */
export function nameProblem(kind: NameKind, name: string): string | undefined {
  const control = controlCharProblem(name);
  if (control !== undefined) return `${kind} name ${control}`;
  if (name.length === 0) return `${kind} name is empty`;
  const rule = kind === "group" ? GROUP_NAME : SIMPLE_NAME;
  if (rule.test(name)) return undefined;
  const allowed =
    kind === "group"
      ? "letters, digits, \"_\" and \"-\", starting with a letter or \"_\""
      : "letters, digits, \".\", \"_\" and \"-\", starting with a letter or digit";
  const bad = [...name].find((ch, i) => !rule.test(i === 0 ? ch : `a${ch}`));
  return `${kind} name "${name}" may only contain ${allowed}${bad === undefined ? "" : ` (found ${describeChar(bad)})`}`;
}

/**
 * For free-form values passed as one argument (model names, paths, GPU devices): no control
 * characters, and no leading "-" that a command would read as an option.
 */
export function argumentProblem(what: string, value: string): string | undefined {
  const control = controlCharProblem(value);
  if (control !== undefined) return `${what} ${control}`;
  if (value.startsWith("-")) return `${what} must not start with "-" (it would be read as an option)`;
  return undefined;
}

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** For text that is not passed as an argument (labels): only control characters are refused. */
export function controlCharacterProblem(what: string, value: string): string | undefined {
  const problem = controlCharProblem(value);
  return problem === undefined ? undefined : `${what} ${problem}`;
}

function controlCharProblem(value: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  const control = value.match(/[\u0000-\u001f\u007f]/);
  return control === null ? undefined : `contains a control character (${describeChar(control[0])})`;
}

function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (ch === "\n") return "a newline";
  if (ch === "\t") return "a tab";
  if (ch === " ") return "a space";
  if (code < 0x20 || code === 0x7f) return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  return `"${ch}"`;
}
