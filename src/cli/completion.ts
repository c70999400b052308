/**
 * `nemoclaw completion bash|zsh`: shell completion generated from the command definitions
 * themselves, so it can never drift from what the CLI accepts.
 */
import type { Command, Option } from "commander";

interface CommandShape {
  path: string[];
  options: string[];
  subcommands: string[];
}

function visibleOptions(command: Command): Option[] {
  return command.options.filter((option) => !option.hidden);
}

function optionWords(command: Command): string[] {
  const words = visibleOptions(command).flatMap((option) => [option.short, option.long].filter((w): w is string => Boolean(w)));
  return [...words, "--help"];
}

function collectShapes(command: Command, path: string[] = []): CommandShape[] {
  const subcommands = command.commands.filter((sub) => !(sub as unknown as { _hidden?: boolean })._hidden);
  const shape: CommandShape = { path, options: optionWords(command), subcommands: subcommands.map((sub) => sub.name()) };
  return [shape, ...subcommands.flatMap((sub) => collectShapes(sub, [...path, sub.name()]))];
}

export function bashCompletion(program: Command): string {
  const name = program.name();
  const shapes = collectShapes(program);
  const key = (shape: CommandShape) => `"${shape.path.join(" ")}"`;
  const descend = shapes
    .filter((shape) => shape.subcommands.length > 0)
    .map((shape) => `      ${key(shape)}) [[ " ${shape.subcommands.join(" ")} " == *" $word "* ]] && path="\${path:+$path }$word" ;;`)
    .join("\n");
  const candidates = shapes
    .map((shape) => `    ${key(shape)}) subcommands="${shape.subcommands.join(" ")}"; options="${shape.options.join(" ")}" ;;`)
    .join("\n");
  return `# bash completion for ${name}; install: ${name} completion bash > /etc/bash_completion.d/${name}
_${name}_complete() {
  local cur word path="" subcommands="" options="" i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ "$word" == -* ]] && continue
    case "$path" in
${descend}
    esac
  done
  case "$path" in
${candidates}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$options" -- "$cur"))
  elif [[ -n "$subcommands" ]]; then
    COMPREPLY=($(compgen -W "$subcommands" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _${name}_complete ${name}
`;
}

export function zshCompletion(program: Command): string {
  const name = program.name();
  return `#compdef ${name}
# zsh completion for ${name}; install: ${name} completion zsh > "\${fpath[1]}/_${name}"
autoload -U bashcompinit && bashcompinit
${bashCompletion(program)}`;
}

export function register(program: Command): void {
  program
    .command("completion")
    .description("print a shell completion script (bash or zsh)")
    .argument("<shell>", "bash or zsh")
    .addHelpText("after", "\nExamples:\n  nemoclaw completion bash > /etc/bash_completion.d/nemoclaw\n  nemoclaw completion zsh > \"${fpath[1]}/_nemoclaw\"")
    .action((shell: string) => {
      if (shell === "bash") process.stdout.write(bashCompletion(program));
      else if (shell === "zsh") process.stdout.write(zshCompletion(program));
      else {
        process.stderr.write(`nemoclaw completion: unknown shell '${shell}' (expected bash or zsh)\n`);
        process.exitCode = 1;
      }
    });
}
