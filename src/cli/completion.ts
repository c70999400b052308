/**
 * `nemoclaw completion bash|zsh|fish`: a completion script for the shell. The scripts are small:
 * each asks `nemoclaw __complete` (hidden) for the word being typed, so they can never drift from
 * what the CLI accepts, and names — hosts and groups for `--limit`, policies, run ids — come from
 * the fleet file, its inventories and the journal (src/cli/complete.ts). File names are offered
 * only where a file is wanted.
 */
import type { Command } from "commander";
import type { Completion } from "./complete.js";

/** The longest a completion may take: a shell waits for it, so a slow inventory script gives nothing. */
const BUDGET_MS = 3_000;

export function bashCompletion(program: Command): string {
  const name = program.name();
  return `# bash completion for ${name}; install: ${name} completion bash > /etc/bash_completion.d/${name}
_${name}_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" output directive line IFS=$'\\n'
  COMPREPLY=()
  output="$(command ${name} __complete --line "\${COMP_LINE:0:COMP_POINT}" --cur "$cur" 2>/dev/null)" || return 0
  directive="\${output##*$'\\n'}"
  [[ "$output" == *$'\\n'* ]] && output="\${output%$'\\n'*}" || output=""
  if [[ "$directive" == ":files" ]]; then
    compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -f -- "$cur"))
  else
    for line in $output; do COMPREPLY+=("\${line%%$'\\t'*}"); done
  fi
}
complete -F _${name}_complete ${name}
`;
}

export function zshCompletion(program: Command): string {
  const name = program.name();
  return `#compdef ${name}
# zsh completion for ${name}; install: ${name} completion zsh > "\${fpath[1]}/_${name}" (then restart zsh)
_${name}() {
  local -a lines values shown
  local line directive
  lines=("\${(@f)$(command ${name} __complete -- "\${(@Q)words[2,CURRENT-1]}" "\${(Q)PREFIX}" 2>/dev/null)}")
  directive="\${lines[-1]}"
  for line in "\${(@)lines[1,-2]}"; do
    [[ -z "$line" ]] && continue
    values+=("\${line%%$'\\t'*}")
    if [[ "$line" == *$'\\t'* ]]; then shown+=("\${line%%$'\\t'*}  -- \${line#*$'\\t'}"); else shown+=("$line"); fi
  done
  if [[ "$directive" == ":files" ]]; then
    _files
  elif (( \${#values} )); then
    compadd -l -d shown -a values
  fi
}
if [[ "\${funcstack[1]}" == "_${name}" ]]; then _${name} "$@"; else compdef _${name} ${name}; fi
`;
}

export function fishCompletion(program: Command): string {
  const name = program.name();
  return `# fish completion for ${name}; install: ${name} completion fish > ~/.config/fish/completions/${name}.fish
function __${name}_complete
    set -l words (commandline -opc)
    set -l current (commandline -ct)
    set -l lines (command ${name} __complete -- $words[2..-1] "$current" 2>/dev/null)
    test (count $lines) -gt 0; or return
    if test "$lines[-1]" = ":files"
        __fish_complete_path "$current"
        return
    end
    set -e lines[-1]
    printf '%s\\n' $lines
end
complete -c ${name} -f -a '(__${name}_complete)'
`;
}

const SCRIPTS: Record<string, (program: Command) => string> = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion };

/** The words of a shell command line up to the cursor, unquoted as the shell would; the last one is being typed. */
export function shellWords(line: string): { words: string[]; current: string } {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index] as string;
    if (quote === "'") {
      if (char === "'") quote = null;
      else word += char;
    } else if (char === "\\" && index + 1 < line.length && (quote === null || /["\\$`]/.test(line[index + 1] as string))) {
      index += 1;
      word += line[index];
      inWord = true;
    } else if (quote === '"') {
      if (char === '"') quote = null;
      else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  return { words, current: word };
}

/** The protocol the scripts read: one candidate a line (`value<TAB>description`), then `:files` or `:none`. */
export function formatCompletion(completion: Completion, strip = ""): string {
  const lines = completion.candidates
    .filter((candidate) => candidate.value.startsWith(strip))
    .map((candidate) => `${candidate.value.slice(strip.length)}${candidate.description ? `\t${candidate.description}` : ""}`);
  return `${[...lines, `:${completion.directive}`].join("\n")}\n`;
}

interface CompleteOptions {
  line?: string;
  cur?: string;
}

export function register(program: Command): void {
  program
    .command("completion")
    .description("print a shell completion script (bash, zsh or fish)")
    .argument("<shell>", "bash, zsh or fish")
    .addHelpText(
      "after",
      `
Completes commands, options, hosts and groups after --limit (read from the fleet file and
inventories on the command line, or ./fleet.yaml), backup policies after --policy, run ids after
\`history\`, and file names only where a file is wanted.

Exit codes: 0 printed, 1 unknown shell.

Examples:
  nemoclaw completion bash > /etc/bash_completion.d/nemoclaw
  nemoclaw completion zsh > "\${fpath[1]}/_nemoclaw"
  nemoclaw completion fish > ~/.config/fish/completions/nemoclaw.fish
  source <(nemoclaw completion bash)                   # this shell only`,
    )
    .action((shell: string) => {
      const script = SCRIPTS[shell];
      if (script) process.stdout.write(script(program));
      else {
        process.stderr.write(`nemoclaw completion: unknown shell '${shell}' (expected bash, zsh or fish)\n`);
        process.exitCode = 1;
      }
    });

  // What the scripts call: `--line <text up to the cursor> --cur <bash's current word>` (bash
  // splits words at = and :), or `-- <words…> <current word>` (zsh, fish).
  program
    .command("__complete", { hidden: true })
    .option("--line <text>")
    .option("--cur <word>")
    .argument("[words...]")
    .action(async (args: string[], options: CompleteOptions) => {
      setTimeout(() => process.exit(0), BUDGET_MS).unref();
      try {
        const { complete, completionData } = await import("./complete.js");
        const { words, current } = options.line === undefined ? { words: args.slice(0, -1), current: args.at(-1) ?? "" } : shellWords(options.line);
        const completion = await complete(program, words.slice(options.line === undefined ? 0 : 1), current, completionData(process.cwd(), process.env));
        // bash replaces only its own current word, which ends the word read here.
        const strip = options.cur !== undefined && current.endsWith(options.cur) ? current.slice(0, current.length - options.cur.length) : "";
        process.stdout.write(formatCompletion(completion, strip));
      } catch {
        process.stdout.write(":none\n");
      }
    });
}
