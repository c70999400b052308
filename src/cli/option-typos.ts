/**
 * Single-dash long options, the Terraform and Go habit (`-out=plan.json`, `-limit spark`), read by
 * any POSIX-style parser — commander included — as a one-letter option with the rest as its value:
 * `-out=plan.json` is `-o 'ut=plan.json'` and would silently write a file named `ut=plan.json`.
 * So are `-o=plan.json` (the value `=plan.json`). These are refused before commander sees them,
 * with the spelling that was meant.
 */
import type { Command, Option } from "commander";

function longName(option: Option): string | undefined {
  return option.long?.replace(/^--/, "");
}

function takesValue(option: Option): boolean {
  return option.required || option.optional;
}

function argumentName(option: Option): string {
  return option.flags.match(/[<[]([^>\]]+)[>\]]/)?.[1] ?? "value";
}

/** The spelling meant by a single-dash word, e.g. `-o plan.json` for `-out=plan.json`. */
function meant(option: Option, value: string | undefined): string {
  if (!takesValue(option)) return option.long ?? option.flags;
  const shown = value === undefined || value === "" ? `<${argumentName(option)}>` : /[\s'"$`\\!*?]/.test(value) ? `'${value.replace(/'/g, "'\\''")}'` : value;
  return option.short ? `${option.short} ${shown}` : `${option.long} ${shown}`;
}

/**
 * The first single-dash word of `args` (the words after `nemoclaw`) that is a long option written
 * with one dash, or a short option joined to its value by `=`; null when there is none. The message
 * names the word, what it would have meant, and what to write instead.
 */
export function optionTypo(program: Command, args: readonly string[]): string | null {
  // The command the words select so far (`backup run …` → run), and the options in scope there.
  let command = program;
  const path = ["nemoclaw"];
  let options = [...program.options];
  for (let index = 0; index < args.length; index += 1) {
    const word = args[index] as string;
    if (word === "--") return null;
    if (word.startsWith("--")) {
      const option = options.find((candidate) => candidate.long === word);
      if (option && takesValue(option) && option.required) index += 1;
      continue;
    }
    if (word.startsWith("-") && word.length > 1 && !/^-\d/.test(word)) {
      const body = word.slice(1);
      const equals = body.indexOf("=");
      const name = equals < 0 ? body : body.slice(0, equals);
      const value = equals < 0 ? undefined : body.slice(equals + 1);
      const where = path.join(" ");
      if (name.length > 1) {
        const long = options.find((candidate) => longName(candidate) === name) ?? uniquePrefix(options, name);
        if (long) {
          const valueNext = value === undefined && takesValue(long) && index + 1 < args.length ? args[index + 1] : value;
          const short = body[0] as string;
          const misread = options.find((candidate) => candidate.short === `-${short}`);
          const reading = misread ? ` (one dash takes one letter: it would be read as -${short} '${body.slice(1)}')` : "";
          return `${where}: ${word} is not an option${reading}; write ${meant(long, valueNext)}${takesValue(long) ? ` or ${long.long}=${valueNext ?? `<${argumentName(long)}>`}` : ""}`;
        }
      } else if (value !== undefined) {
        const short = options.find((candidate) => candidate.short === `-${name}`);
        if (short && takesValue(short)) {
          return `${where}: ${word} would give -${name} the value '=${value}'; write ${meant(short, value)}${short.long ? ` or ${short.long}=${value}` : ""}`;
        }
      }
      const short = options.find((candidate) => candidate.short === `-${body[0]}`);
      if (short && takesValue(short) && short.required && body.length === 1) index += 1;
      continue;
    }
    const sub = command.commands.find((candidate) => candidate.name() === word || candidate.aliases().includes(word));
    if (sub) {
      command = sub;
      path.push(sub.name());
      options = [...sub.options, ...options];
    }
  }
  return null;
}

/** A long option that `name` (at least three letters) is the start of, when only one is. */
function uniquePrefix(options: Option[], name: string): Option | undefined {
  if (name.length < 3) return undefined;
  const matches = options.filter((option) => longName(option)?.startsWith(name) && !option.negate);
  return matches.length === 1 ? matches[0] : undefined;
}
