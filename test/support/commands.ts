/** The CLI's commander program as the help tests walk it: every visible command, and its --help text. */
import type { Command } from "commander";

/** Every visible command and subcommand under `command`, with its path of names. */
export function commandsOf(command: Command, path: string[] = []): { path: string[]; command: Command }[] {
  const visible = command.commands.filter((sub) => !(sub as unknown as { _hidden?: boolean })._hidden);
  return visible.flatMap((sub) => [{ path: [...path, sub.name()], command: sub }, ...commandsOf(sub, [...path, sub.name()])]);
}

/** The command's --help, as it prints it. */
export function helpOf(command: Command): string {
  let text = "";
  command.configureOutput({ writeOut: (chunk) => (text += chunk) });
  command.outputHelp();
  return text;
}
