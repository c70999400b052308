/**
 * Single-dash long options, the Terraform and Go habit (`-out=plan.json`, `-limit spark`), read by
 * any POSIX-style parser — commander included — as a one-letter option with the rest as its value:
 * `-out=plan.json` is `-o 'ut=plan.json'` and would silently write a file named `ut=plan.json`.
 * So are `-o=plan.json` (the value `=plan.json`). These are refused before commander sees them,
 * with the spelling that was meant.
 */
import type { Command, Option } from "commander";
import { readWords, takesValue } from "./command-words.js";

function longName(option: Option): string | undefined {
  return option.long?.replace(/^--/, "");
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
 * Options of Terraform and Ansible that users coming from them type, and what nemoclaw has
 * instead; only said when the command has no option of that name.
 */
const concurrency = (where: string) =>
  where === "nemoclaw apply" || where === "nemoclaw backup run" ? "write --concurrency" : "`apply --concurrency` and `backup run --concurrency` set how many hosts are worked on at once";

const HABITS: Record<string, { from: string; instead: (where: string) => string }> = {
  "auto-approve": { from: "Terraform's", instead: () => "apply asks unless given --yes (-y): write --yes" },
  check: { from: "Ansible's dry-run", instead: () => "`nemoclaw plan` shows what apply would change, in order and why, and changes nothing" },
  diff: { from: "Ansible's", instead: () => "`nemoclaw plan` shows each change with its reason and exact command lines (and the fields that differ)" },
  forks: { from: "Ansible's", instead: concurrency },
  parallelism: { from: "Terraform's", instead: concurrency },
  ...Object.fromEntries(
    ["v", "vv", "vvv", "vvvv", "verbose"].map((name) => [
      name,
      { from: "Ansible's verbosity", instead: () => "nemoclaw has no verbosity levels: every step shows its command lines, and a failed one its output tail and hint; the journal keeps them all (`nemoclaw history last`, docs/journal.md)" },
    ]),
  ),
};

/** A Terraform or Ansible option the command does not have, with what to write instead; null otherwise. */
function habit(where: string, options: readonly Option[], text: string): string | null {
  const name = text.replace(/^--?/, "").replace(/=.*$/, "");
  const known = HABITS[name];
  if (!Object.hasOwn(HABITS, name) || !known || options.some((option) => longName(option) === name)) return null;
  return `${where}: ${text} is ${known.from} option, not nemoclaw's; ${known.instead(where)}`;
}

/**
 * The first single-dash word of `args` (the words after `nemoclaw`) that is a long option written
 * with one dash, or a short option joined to its value by `=`; null when there is none. The message
 * names the word, what it would have meant, and what to write instead.
 */
export function optionTypo(program: Command, args: readonly string[]): string | null {
  const { path, options, words } = readWords(program, args);
  const where = ["nemoclaw", ...path].join(" ");
  for (const [index, word] of words.entries()) {
    if (word.kind !== "option") continue;
    const habitual = word.option ? null : habit(where, options, word.text);
    if (habitual !== null) return habitual;
    if (word.text.startsWith("--")) continue;
    const body = word.text.slice(1);
    const equals = body.indexOf("=");
    const name = equals < 0 ? body : body.slice(0, equals);
    const value = equals < 0 ? undefined : body.slice(equals + 1);
    if (name.length > 1) {
      const long = options.find((candidate) => longName(candidate) === name) ?? uniquePrefix(options, name);
      if (!long) continue;
      const next = words[index + 1];
      const valueNext = value === undefined && takesValue(long) && next !== undefined && next.kind !== "option" ? next.text : value;
      const short = body[0] as string;
      const misread = options.find((candidate) => candidate.short === `-${short}`);
      const reading = misread ? ` (one dash takes one letter: it would be read as -${short} '${body.slice(1)}')` : "";
      return `${where}: ${word.text} is not an option${reading}; write ${meant(long, valueNext)}${takesValue(long) ? ` or ${long.long}=${valueNext ?? `<${argumentName(long)}>`}` : ""}`;
    }
    if (value !== undefined) {
      const short = options.find((candidate) => candidate.short === `-${name}`);
      if (short && takesValue(short)) return `${where}: ${word.text} would give -${name} the value '=${value}'; write ${meant(short, value)}${short.long ? ` or ${short.long}=${value}` : ""}`;
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
