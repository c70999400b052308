// @ts-check
// OpenShell parses its command line with clap 4.6 (derive API). This is a re-implementation of
// the parts of clap's parser and error rendering a CLI call can reach: subcommands and aliases,
// long/short flags (`--x=v`, `-xv`, `-x=v`, clustered shorts), value counts, `last` and
// trailing positionals, `--`, env fallbacks, possible values, conflicts, overrides, required
// arguments, and clap's error texts with their "did you mean" tips and usage lines. Exit code 2
// for every parse error, as clap's `Error::exit` does. Commands are described by plain data
// (openshell-cli.mjs holds OpenShell's, per release).

/**
 * @typedef {"set" | "append" | "setTrue" | "count" | "help" | "version"} ArgAction
 *
 * @typedef {object} ArgSpec
 * @property {string} id clap's arg id (the Rust field name)
 * @property {string} [long]
 * @property {string} [short]
 * @property {number} [index] 1-based position of a positional
 * @property {ArgAction} action
 * @property {[number, number]} [numArgs] min and max values (Infinity for `1..`); default [1,1] for values, [0,0] for flags
 * @property {string} [valueName]
 * @property {string[]} [values] possible values
 * @property {"u16" | "u32" | "u64"} [integer] a numeric value parser
 * @property {(value: string) => string | null} [check] a custom value parser: the reason a value is refused
 * @property {string[]} [conflicts]
 * @property {string[]} [overrides] `overrides_with`: the later of the two wins
 * @property {boolean} [required]
 * @property {string[]} [requiredUnlessPresent]
 * @property {string[]} [requires] args that must be given with this one
 * @property {boolean} [global]
 * @property {boolean} [hidden]
 * @property {boolean} [last]
 * @property {boolean} [trailingVarArg]
 * @property {boolean} [allowHyphenValues]
 * @property {string} [env]
 * @property {string} [defaultValue]
 *
 * @typedef {object} CommandSpec
 * @property {string} name
 * @property {string} usageName e.g. `openshell sandbox create`
 * @property {string[]} aliases
 * @property {boolean} hidden
 * @property {ArgSpec[]} args
 * @property {CommandSpec[]} subcommands
 * @property {boolean} [opaque] not parsed further (the simulator does not implement it)
 *
 * @typedef {object} Matches
 * @property {CommandSpec} command
 * @property {Map<string, string[]>} values explicit values by arg id (flags: ["true"], counts: one per use)
 * @property {Map<string, "cli" | "env" | "default">} sources
 * @property {Matches | null} subcommand
 * @property {string[]} [unparsed] the arguments of an opaque command
 */

/** A clap parse error: the exact text clap prints on stderr, and its exit code. */
export class ClapError extends Error {
  /** @param {string} text */
  constructor(text) {
    super(text);
    this.text = text;
    this.exitCode = 2;
  }
}

const FOOTER = "For more information, try '--help'.\n";

/** @param {ArgSpec} arg */
function takesValue(arg) {
  return arg.action === "set" || arg.action === "append";
}

/** @param {ArgSpec} arg @returns {[number, number]} */
function numArgs(arg) {
  if (arg.numArgs) return arg.numArgs;
  return takesValue(arg) || arg.index !== undefined ? [1, 1] : [0, 0];
}

/** @param {ArgSpec} arg */
function valueName(arg) {
  return arg.valueName ?? arg.id.toUpperCase();
}

/**
 * `Arg::render_arg_val`: `<NAME>`, `[NAME]` for an optional positional, `...` for more values.
 * @param {ArgSpec} arg
 * @param {boolean} required
 */
function renderValue(arg, required) {
  const [min, max] = numArgs(arg);
  const positional = arg.index !== undefined;
  const name = valueName(arg);
  const count = Math.max(min, 1);
  const one = positional && (min === 0 || !required) ? `[${name}]` : `<${name}>`;
  let rendered = Array.from({ length: count }, () => one).join(" ");
  if (count < max || (positional && arg.action === "append")) rendered += "...";
  return rendered;
}

/**
 * `Arg::stylized` (styles off): `--name <NAME>`, `--gpu [<COUNT>]`, `--ids`, `-v...`, `<NAME>`.
 * @param {ArgSpec} arg
 * @param {boolean | undefined} required
 */
export function renderArg(arg, required) {
  let text = arg.long ? `--${arg.long}` : arg.short ? `-${arg.short}` : "";
  if (takesValue(arg) && arg.index === undefined) {
    const optional = numArgs(arg)[0] === 0;
    text += optional ? ` [${renderValue(arg, required ?? Boolean(arg.required))}]` : ` ${renderValue(arg, required ?? Boolean(arg.required))}`;
  } else if (arg.index !== undefined) {
    text += renderValue(arg, required ?? Boolean(arg.required));
  } else if (arg.action === "count") {
    text += "...";
  }
  return text;
}

/** The args in effect for a command: its own, then the globals propagated from its parents. */
/** @param {CommandSpec} command */
function positionals(command) {
  return command.args.filter((arg) => arg.index !== undefined).sort((a, b) => /** @type {number} */ (a.index) - /** @type {number} */ (b.index));
}

/**
 * clap's usage line. Without `used` arguments it is the help usage (`bin [OPTIONS] <REQ> [POS]
 * [COMMAND]`); with them, the "smart" usage that names the required and used arguments.
 * @param {CommandSpec} command
 * @param {string[]} used arg ids
 * @param {string[]} [required] ids clap's required graph holds at this point
 */
export function usage(command, used = [], required = command.args.filter((arg) => arg.required).map((arg) => arg.id)) {
  let text = command.usageName;
  const smart = used.length > 0;
  if (!smart && needsOptionsTag(command)) text += " [OPTIONS]";
  text += writeArgs(command, smart ? used : [], required);
  if (!smart && command.subcommands.some((sub) => !sub.hidden)) text += " [COMMAND]";
  return `Usage: ${text}`;
}

/** @param {CommandSpec} command */
function needsOptionsTag(command) {
  return command.args.some(
    (arg) => arg.index === undefined && arg.action !== "help" && arg.action !== "version" && !arg.hidden && !arg.required,
  );
}

/**
 * `Usage::write_args`: required options and the used ones, then every positional in order
 * (required or used as `<X>`, others `[X]`; a `last` positional behind `--`).
 * @param {CommandSpec} command
 * @param {string[]} used
 * @param {string[]} requiredIds
 */
function writeArgs(command, used, requiredIds) {
  /** @type {string[]} */
  const options = [];
  /** @type {(string | undefined)[]} */
  const slots = [];
  for (const id of [...requiredIds, ...used]) {
    const arg = command.args.find((candidate) => candidate.id === id);
    if (!arg) continue;
    const rendered = renderArg(arg, true);
    if (arg.index !== undefined) slots[arg.index] = rendered;
    else if (!options.includes(rendered)) options.push(rendered);
  }
  for (const arg of positionals(command)) {
    if (arg.hidden) continue;
    const index = /** @type {number} */ (arg.index);
    const present = slots[index];
    if (present !== undefined) {
      if (arg.last) slots[index] = `-- ${present}`;
    } else {
      slots[index] = arg.last ? `[-- ${renderArg(arg, true)}]` : renderArg(arg, false);
    }
  }
  return [...options, ...slots.filter((slot) => slot !== undefined)].map((part) => ` ${part}`).join("");
}

/**
 * strsim's Jaro similarity, which clap's suggestions use (a candidate needs > 0.7).
 * @param {string} a
 * @param {string} b
 */
export function jaro(a, b) {
  const left = [...a];
  const right = [...b];
  if (left.length === 0 && right.length === 0) return 1;
  if (left.length === 0 || right.length === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(left.length, right.length) / 2) - 1);
  const leftMatched = new Array(left.length).fill(false);
  const rightMatched = new Array(right.length).fill(false);
  let matches = 0;
  for (let i = 0; i < left.length; i++) {
    const start = Math.max(0, i - window);
    const end = Math.min(right.length - 1, i + window);
    for (let j = start; j <= end; j++) {
      if (!rightMatched[j] && left[i] === right[j]) {
        leftMatched[i] = true;
        rightMatched[j] = true;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < left.length; i++) {
    if (!leftMatched[i]) continue;
    while (!rightMatched[k]) k++;
    if (left[i] !== right[k]) transpositions++;
    k++;
  }
  const m = matches;
  return (m / left.length + m / right.length + (m - transpositions / 2) / m) / 3;
}

/**
 * clap's `did_you_mean`: candidates above 0.7, best last; returns them best-first… clap keeps
 * the stable sort by confidence and reports them in ascending order.
 * @param {string} value
 * @param {string[]} candidates
 */
function didYouMean(value, candidates) {
  const scored = candidates.map((candidate) => ({ candidate, confidence: jaro(value, candidate) })).filter((entry) => entry.confidence > 0.7);
  scored.sort((x, y) => x.confidence - y.confidence);
  return scored.map((entry) => entry.candidate);
}

/** @param {string[]} tips */
function tipBlock(tips) {
  return tips.length > 0 ? `\n${tips.map((tip) => `  tip: ${tip}\n`).join("")}` : "";
}

/**
 * @param {string} message
 * @param {{ tips?: string[]; usage?: string | null; after?: string }} [options]
 */
function errorText(message, options = {}) {
  let text = `error: ${message}\n${options.after ?? ""}`;
  text += tipBlock(options.tips ?? []);
  if (options.usage) text += `\n${options.usage}\n`;
  return `${text}\n${FOOTER}`;
}

/**
 * Parse argv against a command tree. Returns the matches of the root (with nested
 * subcommand matches) or throws ClapError.
 * @param {CommandSpec} root
 * @param {string[]} argv
 * @param {NodeJS.ProcessEnv} env
 * @returns {Matches}
 */
export function parse(root, argv, env) {
  return parseCommand(root, argv, env, []);
}

/**
 * @param {CommandSpec} command
 * @param {string[]} argv
 * @param {NodeJS.ProcessEnv} env
 * @param {ArgSpec[]} inheritedGlobals
 * @returns {Matches}
 */
function parseCommand(command, argv, env, inheritedGlobals) {
  if (command.opaque) return { command, values: new Map(), sources: new Map(), subcommand: null, unparsed: argv };
  const globals = [...command.args.filter((arg) => arg.global), ...inheritedGlobals.filter((g) => !command.args.some((a) => a.id === g.id))];
  const effective = { ...command, args: [...command.args, ...inheritedGlobals.filter((g) => !command.args.some((a) => a.id === g.id))] };
  /** @type {Map<string, string[]>} */
  const values = new Map();
  /** @type {Map<string, "cli" | "env" | "default">} */
  const sources = new Map();
  /** @type {Matches | null} */
  let subcommand = null;
  const positionalArgs = positionals(effective);
  let positionalIndex = 0;
  let trailing = false;
  /** @type {ArgSpec | null} */
  let pending = null;
  /** @type {string[]} */
  let pendingValues = [];
  /** @type {ArgSpec | null} a trailing_var_arg positional that has started: everything is its value */
  let swallowing = null;

  /** @param {ArgSpec} arg @param {string} value */
  const checkValue = (arg, value) => {
    if (arg.values && !arg.values.includes(value)) {
      const similar = didYouMean(value, arg.values);
      const tips = similar.length > 0 ? [`a similar value exists: '${similar[similar.length - 1]}'`] : [];
      throw new ClapError(
        errorText(`invalid value '${value}' for '${renderArg(arg, undefined)}'`, { after: `  [possible values: ${arg.values.join(", ")}]\n`, tips }),
      );
    }
    const refused = arg.check?.(value);
    if (refused) throw new ClapError(errorText(`invalid value '${value}' for '${renderArg(arg, undefined)}': ${refused}`));
    if (arg.integer) {
      const reason = integerProblem(value, { u16: "65535", u32: "4294967295", u64: "18446744073709551615" }[arg.integer]);
      if (reason) throw new ClapError(errorText(`invalid value '${value}' for '${renderArg(arg, undefined)}': ${reason}`));
    }
  };

  /**
   * `react`: record one occurrence of an arg with its values.
   * @param {ArgSpec} arg
   * @param {string[]} given
   */
  const record = (arg, given) => {
    const seen = values.has(arg.id) && sources.get(arg.id) === "cli";
    if (seen && (arg.action === "set" || arg.action === "setTrue")) {
      throw new ClapError(errorText(`the argument '${renderArg(arg, undefined)}' cannot be used multiple times`, { usage: usage(effective) }));
    }
    for (const other of arg.overrides ?? []) {
      values.delete(other);
      sources.delete(other);
    }
    if (!seen) {
      values.delete(arg.id);
      sources.delete(arg.id);
    }
    for (const value of given) checkValue(arg, value);
    const stored = arg.action === "setTrue" ? ["true"] : arg.action === "count" ? ["1"] : given;
    values.set(arg.id, [...(values.get(arg.id) ?? []), ...stored]);
    sources.set(arg.id, "cli");
  };

  /** Finish an option waiting for its value(s). */
  const resolvePending = () => {
    if (!pending) return;
    const arg = pending;
    const given = pendingValues;
    pending = null;
    pendingValues = [];
    if (given.length < numArgs(arg)[0]) {
      const possible = arg.values ? `  [possible values: ${arg.values.join(", ")}]\n` : "";
      throw new ClapError(errorText(`a value is required for '${renderArg(arg, undefined)}' but none was supplied`, { after: possible }));
    }
    record(arg, given);
  };

  /** The next positional takes values that look like flags (an unknown flag starts it). */
  const hyphenPositional = () => {
    const next = positionalArgs[positionalIndex];
    return pending === null && Boolean(next?.allowHyphenValues && !next.last);
  };

  /** ids given on the command line, in order, for usage lines */
  const usedIds = () => [...values.keys()].filter((id) => sources.get(id) === "cli" && !effective.args.find((a) => a.id === id)?.hidden);

  /**
   * @param {string} shown the argument as typed (`--foo`, `-o`, `foo`)
   * @param {string[]} rest
   * @param {string | null} suggestion
   */
  const unknownArgument = (shown, rest, suggestion) => {
    const tips = [];
    if (suggestion) tips.push(`a similar argument exists: '${suggestion}'`);
    const captures = positionalArgs.some((arg) => arg.last || arg.trailingVarArg);
    if ((suggestion === null || captures) && !trailing && positionalArgs.length > 0) tips.push(`to pass '${shown}' as a value, use '-- ${shown}'`);
    void rest;
    const suggested = suggestion ? effective.args.find((a) => `--${a.long}` === suggestion) : undefined;
    const used = [...usedIds(), ...(suggested && !usedIds().includes(suggested.id) ? [suggested.id] : [])];
    return new ClapError(errorText(`unexpected argument '${shown}' found`, { tips, usage: usage(effective, used) }));
  };

  for (let i = 0; i < argv.length; i++) {
    const raw = /** @type {string} */ (argv[i]);
    if (swallowing) {
      values.get(swallowing.id)?.push(raw);
      continue;
    }
    if (!trailing) {
      if (pending === null) {
        const sub = command.subcommands.find((candidate) => candidate.name === raw || candidate.aliases.includes(raw));
        if (sub && positionalIndex === 0) {
          subcommand = parseCommand(sub, argv.slice(i + 1), env, globals);
          break;
        }
      }
      if (raw === "--") {
        resolvePending();
        trailing = true;
        // `--` skips to a `last` positional when the earlier ones are optional.
        continue;
      }
      if (raw.startsWith("--")) {
        const [name, inline] = raw.includes("=") ? [raw.slice(2, raw.indexOf("=")), raw.slice(raw.indexOf("=") + 1)] : [raw.slice(2), undefined];
        if (pending?.allowHyphenValues) {
          pendingValues.push(raw);
          continue;
        }
        const arg = effective.args.find((candidate) => candidate.long === name);
        if (!arg) {
          if (hyphenPositional()) {
            // A trailing command that allows hyphen values takes this as its first word.
          } else {
            try {
              resolvePending();
            } catch {
              // clap ignores the pending option's error and reports the unknown argument.
            }
            const longs = effective.args.filter((candidate) => candidate.long).map((candidate) => /** @type {string} */ (candidate.long));
            const similar = didYouMean(name, longs);
            const suggestion = similar.length > 0 ? `--${similar[similar.length - 1]}` : null;
            throw unknownArgument(`--${name}`, argv.slice(i + 1), suggestion);
          }
        } else {
          resolvePending();
          if (arg.action === "help" || arg.action === "version") throw new HelpRequested(arg.action, command.usageName);
          if (takesValue(arg)) {
            if (inline !== undefined) record(arg, [inline]);
            else if (numArgs(arg)[0] === 0 && (i + 1 >= argv.length || argv[i + 1]?.startsWith("-"))) record(arg, []);
            else {
              pending = arg;
              pendingValues = [];
            }
          } else {
            if (inline !== undefined) {
              throw new ClapError(
                errorText(`unexpected value '${inline}' for '${renderArg(arg, undefined)}' found; no more were expected`, { usage: usage(effective, [...usedIds(), arg.id]) }),
              );
            }
            record(arg, []);
          }
          continue;
        }
      } else if (raw.startsWith("-") && raw !== "-" && !pending?.allowHyphenValues && !(hyphenPositional() && !effective.args.some((a) => a.short === raw[1]))) {
        let j = 1;
        while (j < raw.length) {
          const letter = /** @type {string} */ (raw[j]);
          const arg = effective.args.find((candidate) => candidate.short === letter);
          if (!arg) {
            try {
              resolvePending();
            } catch {
              // As for long arguments.
            }
            const captures = !trailing && positionalArgs.length > 0;
            throw new ClapError(
              errorText(`unexpected argument '-${letter}' found`, { tips: captures ? [`to pass '-${letter}' as a value, use '-- -${letter}'`] : [], usage: usage(effective) }),
            );
          }
          resolvePending();
          if (arg.action === "help" || arg.action === "version") throw new HelpRequested(arg.action, command.usageName);
          if (takesValue(arg)) {
            const rest = raw.slice(j + 1);
            if (rest !== "") record(arg, [rest.startsWith("=") ? rest.slice(1) : rest]);
            else {
              pending = arg;
              pendingValues = [];
            }
            break;
          }
          record(arg, []);
          j++;
        }
        continue;
      }
      if (pending) {
        pendingValues.push(raw);
        if (pendingValues.length >= numArgs(pending)[1]) resolvePending();
        continue;
      }
    }
    // A positional value (or anything after `--`).
    let arg = positionalArgs[positionalIndex];
    if (trailing) {
      const last = positionalArgs.find((candidate) => candidate.last);
      if (last && !values.has(last.id)) {
        arg = last;
        positionalIndex = positionalArgs.indexOf(last);
      }
    } else if (arg?.last) {
      arg = undefined;
    }
    if (!arg) {
      if (!trailing && command.subcommands.length > 0 && positionalArgs.length === 0) {
        const names = command.subcommands.flatMap((sub) => [sub.name, ...sub.aliases]);
        const similar = didYouMean(raw, names);
        const tip = similar.length === 1 ? [`a similar subcommand exists: '${similar[0]}'`] : similar.length > 1 ? [`some similar subcommands exist: ${similar.map((s) => `'${s}'`).join(", ")}`] : [];
        throw new ClapError(errorText(`unrecognized subcommand '${raw}'`, { tips: tip, usage: usage(effective) }));
      }
      throw new ClapError(errorText(`unexpected argument '${raw}' found`, { usage: usage(effective) }));
    }
    record(arg, [raw]);
    if (arg.trailingVarArg) swallowing = arg;
    else if (numArgs(arg)[1] === Infinity) {
      // Stays on this positional for more values.
    } else positionalIndex++;
  }
  resolvePending();
  if (subcommand) return { command, values, sources, subcommand };

  // Environment and defaults fill what the command line left out.
  for (const arg of effective.args) {
    if (values.has(arg.id)) continue;
    const fromEnv = arg.env ? env[arg.env] : undefined;
    if (fromEnv !== undefined && fromEnv !== "") {
      values.set(arg.id, [fromEnv]);
      sources.set(arg.id, "env");
    }
  }
  validate(effective, values, sources, usedIds);
  return { command, values, sources, subcommand };
}

/**
 * Conflicts first (in the order the arguments were given), then missing required arguments.
 * @param {CommandSpec} command
 * @param {Map<string, string[]>} values
 * @param {Map<string, "cli" | "env" | "default">} sources
 * @param {() => string[]} usedIds
 */
function validate(command, values, sources, usedIds) {
  const explicit = [...values.keys()].filter((id) => sources.get(id) === "cli");
  const byId = (/** @type {string} */ id) => /** @type {ArgSpec} */ (command.args.find((arg) => arg.id === id));
  for (const id of explicit) {
    const arg = byId(id);
    const conflicting = explicit.filter(
      (other) => other !== id && ((arg.conflicts ?? []).includes(other) || (byId(other).conflicts ?? []).includes(id)),
    );
    if (conflicting.length === 0) continue;
    const rendered = conflicting.map((other) => `'${renderArg(byId(other), undefined)}'`);
    const message =
      rendered.length === 1
        ? `the argument '${renderArg(arg, undefined)}' cannot be used with ${rendered[0]}`
        : `the argument '${renderArg(arg, undefined)}' cannot be used with:\n${conflicting.map((other) => `  ${renderArg(byId(other), undefined)}`).join("\n")}`;
    const used = usedIds().filter((other) => !conflicting.includes(other));
    throw new ClapError(errorText(message, { usage: usage(command, used) }));
  }
  const required = [
    ...command.args.filter((arg) => arg.required || (arg.requiredUnlessPresent && !arg.requiredUnlessPresent.some((id) => values.has(id)))).map((arg) => arg.id),
    ...explicit.flatMap((id) => byId(id).requires ?? []),
  ].filter((id, index, all) => all.indexOf(id) === index);
  const missing = required.filter((id) => !values.has(id)).map(byId);
  if (missing.length > 0) {
    const list = missing.map((arg) => `  ${renderArg(arg, true)}`).join("\n");
    throw new ClapError(
      errorText(`the following required arguments were not provided:\n${list}`, {
        usage: usage(command, [...usedIds(), ...missing.map((arg) => arg.id)], required),
      }),
    );
  }
}

/**
 * clap's ranged integer parser (`value_parser!(u32)` and friends): Rust's parse errors, then
 * the range check.
 * @param {string} value
 * @param {string} max
 */
function integerProblem(value, max) {
  if (value === "") return "cannot parse integer from empty string";
  if (!/^\+?\d+$/.test(value)) return "invalid digit found in string";
  if (BigInt(value) > BigInt(max)) return `${value.replace(/^\+/, "")} is not in 0..=${max}`;
  return null;
}

/** `-h/--help` or `-V/--version` anywhere: clap prints help or the version and exits 0. */
export class HelpRequested extends Error {
  /** @param {"help" | "version"} kind @param {string} usageName the command it was given to */
  constructor(kind, usageName) {
    super(kind);
    this.kind = kind;
    this.usageName = usageName;
  }
}

/**
 * The deepest subcommand's matches, with the path of command names leading to it.
 * @param {Matches} matches
 */
export function leaf(matches) {
  /** @type {string[]} */
  const path = [];
  let current = matches;
  while (current.subcommand) {
    current = current.subcommand;
    path.push(current.command.name);
  }
  return { path, matches: current };
}

/**
 * A value as given (or from env/default), looking through parent matches for globals.
 * @param {Matches} matches
 * @param {string} id
 */
export function lastValue(matches, id) {
  const values = matches.values.get(id);
  return values ? values[values.length - 1] : undefined;
}

/** @param {Matches} matches @param {string} id */
export function valueOf(matches, id) {
  return lastValue(matches, id);
}

/** @param {Matches} matches @param {string} id */
export function valuesOf(matches, id) {
  return matches.values.get(id) ?? [];
}

/** @param {Matches} matches @param {string} id */
export function isPresent(matches, id) {
  return matches.values.has(id);
}

/**
 * A global argument's value after clap propagates globals: the highest-precedence source
 * (command line over environment) anywhere on the path; on a tie the deepest wins.
 * @param {Matches} root
 * @param {string} id
 */
export function globalValue(root, id) {
  const rank = { cli: 2, env: 1, default: 0 };
  /** @type {string | undefined} */
  let best;
  let bestRank = -1;
  for (let current = /** @type {Matches | null} */ (root); current; current = current.subcommand) {
    const source = current.sources.get(id);
    if (source === undefined) continue;
    if (rank[source] >= bestRank) {
      best = lastValue(current, id);
      bestRank = rank[source];
    }
  }
  return best;
}
