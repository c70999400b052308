/**
 * The words after `nemoclaw` read against the command definitions, the way commander reads them:
 * which words select a (sub)command, which are options, which are an option's value, which are
 * positional arguments. Shared by the single-dash typo check and by shell completion, which must
 * know what is being typed without running anything. Light: `--help` loads it.
 */
import type { Command, Option } from "commander";

export type Word =
  | { kind: "command"; text: string }
  | { kind: "option"; text: string; option: Option | undefined }
  | { kind: "value"; text: string; option: Option }
  | { kind: "positional"; text: string }
  /** After `--`: never an option. */
  | { kind: "rest"; text: string };

export interface ReadWords {
  /** The (sub)command the words select, and its path (`["backup", "run"]`). */
  command: Command;
  path: string[];
  /** Options in scope there: the command's own, then its parents'. */
  options: Option[];
  words: Word[];
}

export function takesValue(option: Option): boolean {
  return option.required || option.optional;
}

/** The option a word names: `--limit`, `--limit=x`, `-l`, `-lx` (a short one joined to its value). */
export function optionNamed(options: readonly Option[], text: string): Option | undefined {
  if (text.startsWith("--")) {
    const name = text.split("=", 1)[0];
    return options.find((option) => option.long === name);
  }
  return options.find((option) => option.short === text.slice(0, 2));
}

export function readWords(program: Command, args: readonly string[]): ReadWords {
  let command = program;
  const path: string[] = [];
  let options = [...program.options];
  const words: Word[] = [];
  let rest = false;
  for (let index = 0; index < args.length; index += 1) {
    const text = args[index] as string;
    if (rest) {
      words.push({ kind: "rest", text });
      continue;
    }
    if (text === "--") {
      rest = true;
      words.push({ kind: "rest", text });
      continue;
    }
    if (text.startsWith("-") && text.length > 1 && !/^-\d/.test(text)) {
      const option = optionNamed(options, text);
      words.push({ kind: "option", text, option });
      // `--out x` and `-o x` take the next word; `--out=x` and `-ox` carry their value.
      const joined = text.startsWith("--") ? text.includes("=") : text.length > 2;
      if (option && option.required && !joined && index + 1 < args.length) {
        index += 1;
        words.push({ kind: "value", text: args[index] as string, option });
      }
      continue;
    }
    const sub = command.commands.find((candidate) => candidate.name() === text || candidate.aliases().includes(text));
    if (sub) {
      command = sub;
      path.push(sub.name());
      // Options are positional (run.ts): after a command word only that command's own are read.
      options = [...sub.options];
      words.push({ kind: "command", text });
    } else {
      words.push({ kind: "positional", text });
    }
  }
  return { command, path, options, words };
}
