// @ts-check
// NemoClaw's commands are strict oclif 4.10.5 commands (from ≈v0.0.34). This parses a command
// line against one command's flags and arguments the way oclif's parser does and raises its
// errors as NemoClaw prints them: the message with two spaces before its first line, then
// `See more help with --help`, exit 2 (NC@d50338aa:src/lib/cli/oclif-runner.ts:86-139; oclif
// 4.10.5 src/parser/errors.ts, validate.ts).

/**
 * @typedef {object} OclifFlag
 * @property {"boolean" | "option"} type
 * @property {string} [char]
 * @property {string[]} [options] allowed values
 * @property {boolean} [allowNo] `--no-<name>` sets it false
 * @property {boolean} [multiple]
 * @property {string[]} [exclusive]
 * @property {string[]} [dependsOn]
 * @property {(value: string) => string} [parse] throws an Error whose message oclif reports as `Parsing --<flag>`
 *
 * @typedef {{ name: string; required?: boolean; description?: string }} OclifArg
 * @typedef {{ flags: Record<string, OclifFlag>; args: OclifArg[] }} OclifCommand
 * @typedef {{ flags: Map<string, string | boolean | string[]>; args: Record<string, string | undefined>; argv: string[] }} OclifResult
 */

const HELP = "See more help with --help";

/** An oclif parse error as NemoClaw prints it, with its exit code. */
export class OclifError extends Error {
  /** @param {string} text @param {number} exitCode */
  constructor(text, exitCode) {
    super(text);
    this.text = text;
    this.exitCode = exitCode;
  }
}

/**
 * @param {string} message
 * @param {number} [exitCode]
 */
function printed(message, exitCode = 2) {
  return new OclifError(`  ${message}\n${HELP}\n`, exitCode);
}

/**
 * @param {string[]} argv
 * @param {OclifCommand} command
 * @param {{ validationPrinted: boolean }} options FailedFlagValidationError is printed only
 *   from ≈v0.0.51; before, it escaped as an unhandled rejection (exit 1)
 * @returns {OclifResult}
 */
export function parseOclif(argv, command, options) {
  /** @type {Map<string, string | boolean | string[]>} */
  const flags = new Map();
  /** @type {string[]} */
  const positionals = [];
  /** @type {string[]} */
  const unknown = [];
  const byChar = new Map(Object.entries(command.flags).filter(([, flag]) => flag.char).map(([name, flag]) => [flag.char, name]));
  let literal = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = /** @type {string} */ (argv[i]);
    if (literal || arg === "-" || !arg.startsWith("-")) {
      positionals.push(arg);
      continue;
    }
    if (arg === "--") {
      literal = true;
      continue;
    }
    let name;
    /** @type {string | undefined} */
    let inline;
    if (arg.startsWith("--")) {
      const body = arg.slice(2);
      [name, inline] = body.includes("=") ? [body.slice(0, body.indexOf("=")), body.slice(body.indexOf("=") + 1)] : [body, undefined];
      if (!command.flags[name] && name.startsWith("no-") && command.flags[name.slice(3)]?.allowNo) {
        flags.set(name.slice(3), false);
        continue;
      }
    } else {
      name = byChar.get(arg[1]);
      if (arg.length > 2) inline = arg.slice(2).replace(/^=/, "");
    }
    const flag = name ? command.flags[name] : undefined;
    if (!name || !flag) {
      unknown.push(arg.startsWith("--") ? arg.split("=")[0] ?? arg : arg.slice(0, 2));
      continue;
    }
    if (flag.type === "boolean") {
      flags.set(name, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new OclifError(`  Flag --${name} expects a value\n`, 2);
    if (flag.options && !flag.options.includes(value)) {
      // FlagInvalidOptionError is thrown before NemoClaw's handler can format it: it escapes as
      // an unhandled rejection (Node prints it with its stack, exit 1).
      throw new OclifError(unhandled("FlagInvalidOptionError", `Expected --${name}=${value} to be one of: ${flag.options.join(", ")}\n${HELP}`), 1);
    }
    let parsed = value;
    if (flag.parse) {
      try {
        parsed = flag.parse(value);
      } catch (error) {
        // A plain Error from a flag parser is reported as `Parsing --<flag> \n\t<reason>`; it
        // carries no oclif exit code, so NemoClaw exits 1.
        throw new OclifError(`  Parsing --${name} \n\t${error instanceof Error ? error.message : String(error)}\n${HELP}\n`, 1);
      }
    }
    if (flag.multiple) flags.set(name, [...(/** @type {string[]} */ (flags.get(name) ?? [])), parsed]);
    else flags.set(name, parsed);
  }
  if (unknown.length > 0) throw printed(`Nonexistent flag${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`);
  /** @type {Record<string, string | undefined>} */
  const args = {};
  command.args.forEach((spec, index) => {
    args[spec.name] = positionals[index];
  });
  const extra = positionals.slice(command.args.length);
  if (extra.length > 0) throw printed(`Unexpected argument${extra.length > 1 ? "s" : ""}: ${extra.join(", ")}`);
  const missing = command.args.filter((spec) => spec.required && args[spec.name] === undefined);
  if (missing.length > 0) {
    const lines = missing.map((spec) => `${spec.name}  ${spec.description ?? ""}`.trimEnd());
    throw printed(`Missing ${missing.length} required arg${missing.length > 1 ? "s" : ""}:\n${lines.join("\n")}`);
  }
  validateRelationships(command, flags, options);
  return { flags, args, argv: positionals };
}

/**
 * `exclusive` and `dependsOn`, reported together as FailedFlagValidationError.
 * @param {OclifCommand} command
 * @param {Map<string, string | boolean | string[]>} flags
 * @param {{ validationPrinted: boolean }} options
 */
function validateRelationships(command, flags, options) {
  /** @type {string[]} */
  const problems = [];
  for (const [name, flag] of Object.entries(command.flags)) {
    if (!flags.has(name)) continue;
    for (const other of flag.exclusive ?? []) {
      if (flags.has(other)) problems.push(`--${other}=${String(flags.get(other))} cannot also be provided when using --${name}`);
    }
    const absent = (flag.dependsOn ?? []).filter((other) => !flags.has(other));
    if (absent.length > 0) problems.push(`All of the following must be provided when using --${name}: ${absent.map((other) => `--${other}`).join(", ")}`);
  }
  if (problems.length === 0) return;
  const text = `The following error${problems.length > 1 ? "s" : ""} occurred:\n${problems.map((problem) => `  ${problem}`).join("\n")}`;
  if (!options.validationPrinted) throw new OclifError(unhandled("FailedFlagValidationError", `${text}\n${HELP}`), 1);
  throw printed(text);
}

/**
 * How Node reports an unhandled rejection of an oclif error: the error's name and message and
 * a stack (the frames are a stand-in; their paths depend on the install).
 * @param {string} name
 * @param {string} message
 */
export function unhandled(name, message) {
  return `${name}: ${message}\n    at Parser.parse (node_modules/@oclif/core/lib/parser/parse.js)\n\nNode.js ${process.version}\n`;
}

/** @param {OclifResult} result @param {string} name */
export function flag(result, name) {
  return result.flags.get(name);
}

/** @param {OclifResult} result @param {string} name @returns {string | undefined} */
export function option(result, name) {
  const value = result.flags.get(name);
  return typeof value === "string" ? value : undefined;
}
