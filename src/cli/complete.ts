/**
 * What a shell completes for the word being typed (`nemoclaw __complete`, called by the scripts
 * `nemoclaw completion bash|zsh|fish` prints): subcommands and options from the command
 * definitions, and for the values that name things — `--limit` patterns, hosts, groups, backup
 * policies, run ids — the names in the fleet file, its inventories and the journal. File names only
 * where a file is wanted. Reading is quiet (no diagnostics) and never contacts a host.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import type { Argument, Command, Option } from "commander";
import { journalDir, listJournalFiles } from "../apply/journal.js";
import { optionNamed, readWords, takesValue, type ReadWords } from "./command-words.js";
import { fleetFileFor } from "./fleet-default.js";

export type ValueKind = "files" | "none" | "limit" | "hosts" | "groups" | "policies" | "runs" | "shells";

/**
 * The values options take that name things; any other option whose value its help calls a file,
 * directory or path (`<file>`, `<dir>`, `<path>`, `<[label@]file>`) takes file names, and the
 * rest take a value that is not completed. Read from the placeholder, so a new file option
 * completes file names without being listed here.
 */
const OPTION_VALUES: Record<string, ValueKind> = {
  "--limit": "limit",
  "--host": "hosts",
  "--policy": "policies",
};
const FILE_PLACEHOLDER = /<[^>]*\b(file|dir|path)>/;

/** The values positional arguments take, by argument name; any other argument is a file. */
const ARGUMENT_VALUES: Record<string, ValueKind> = {
  run: "runs",
  hosts: "hosts",
  shell: "shells",
  group: "groups",
  backup: "none",
};

export const SHELLS = ["bash", "zsh", "fish"] as const;

export interface Candidate {
  value: string;
  description?: string;
}

export interface Completion {
  candidates: Candidate[];
  /** `files`: let the shell complete file names (the candidates are empty then). */
  directive: "files" | "none";
}

/** The names completion offers, read from the fleet file and inventories, and the journal. */
export interface CompletionData {
  hosts(fleetFile: string | undefined, inventories: string[]): Promise<string[]>;
  groups(fleetFile: string | undefined, inventories: string[]): Promise<{ name: string; hosts: number }[]>;
  policies(fleetFile: string | undefined, inventories: string[]): Promise<string[]>;
  /** Run ids, newest first. */
  runs(): string[];
  /** Whether ./fleet.yaml exists (the default fleet file). */
  defaultFleetExists(): boolean;
  /** The fleet file a saved plan was made from, when `file` is a plan file. */
  planFleet(file: string): string | undefined;
}

const FILES: Completion = { candidates: [], directive: "files" };
const NOTHING: Completion = { candidates: [], directive: "none" };

function describe(text: string): string {
  const first = text.split(/[;:(]/, 1)[0]?.trim() ?? "";
  return first.length > 60 ? `${first.slice(0, 59)}…` : first;
}

/**
 * Completions for `current`, the word being typed after `words` (the words after `nemoclaw`).
 */
export async function complete(program: Command, words: readonly string[], current: string, data: CompletionData): Promise<Completion> {
  const read = readWords(program, words);
  const last = read.words.at(-1);
  // `--limit <TAB>`: the option before the cursor takes this word as its value.
  const awaited = last?.kind === "option" && last.option?.required && !/^--.*=|^-[^-]./.test(last.text) ? last.option : undefined;
  if (awaited) return values(valueKind(awaited), current, "", read, data);
  if (current.startsWith("--") && current.includes("=")) {
    const option = optionNamed(read.options, current);
    const prefix = current.slice(0, current.indexOf("=") + 1);
    return option && takesValue(option) ? values(valueKind(option), current.slice(prefix.length), prefix, read, data) : NOTHING;
  }
  if (current.startsWith("-")) return { candidates: optionCandidates(read.command, current), directive: "none" };
  const subcommands = visibleCommands(read.command)
    .filter((sub) => sub.name().startsWith(current))
    .map((sub) => ({ value: sub.name(), description: describe(sub.description()) }));
  const argument = argumentAt(read.command, read.words.filter((word) => word.kind === "positional").length);
  // A command with subcommands takes no file; one with an argument too (`history [run]`, `history prune`) offers both.
  if (visibleCommands(read.command).length > 0) {
    const named = argument === undefined ? [] : (await values(ARGUMENT_VALUES[argument.name()] ?? "none", current, "", read, data)).candidates;
    return { candidates: [...named, ...subcommands], directive: "none" };
  }
  if (argument === undefined) return NOTHING;
  return values(ARGUMENT_VALUES[argument.name()] ?? "files", current, "", read, data);
}

function valueKind(option: Option): ValueKind {
  return (option.long && OPTION_VALUES[option.long]) || (FILE_PLACEHOLDER.test(option.flags) ? "files" : "none");
}

function visibleCommands(command: Command): Command[] {
  return command.commands.filter((sub) => !(sub as unknown as { _hidden?: boolean })._hidden);
}

function optionCandidates(command: Command, current: string): Candidate[] {
  const flags = command.options
    .filter((option) => !option.hidden)
    .flatMap((option) => [option.long, current.startsWith("--") ? undefined : option.short].filter((flag): flag is string => flag !== undefined).map((flag) => ({ value: flag, description: describe(option.description) })));
  return [...flags, { value: "--help", description: "show this command's help" }].filter((candidate) => candidate.value.startsWith(current));
}

/** The argument the next positional word fills; a variadic last argument fills the rest. */
function argumentAt(command: Command, index: number): Argument | undefined {
  const list = command.registeredArguments;
  const lastArgument = list.at(-1);
  return list[index] ?? (lastArgument?.variadic ? lastArgument : undefined);
}

/** The fleet file and inventories the command line names, as the command itself would read them. */
function context(read: ReadWords, data: CompletionData): { fleetFile: string | undefined; inventories: string[] } {
  const inventories = read.words.flatMap((word) => {
    if (word.kind === "value" && word.option.long === "--inventory") return [word.text];
    if (word.kind !== "option" || word.option?.long !== "--inventory") return [];
    // Joined to its option: `--inventory=hosts.ini`, `-ihosts.ini`.
    const joined = word.text.startsWith("--") ? word.text.slice(word.text.indexOf("=") + 1) : word.text.slice(2);
    return word.text === "--inventory" || joined === "" ? [] : [joined];
  });
  const fleetOption = read.words.find((word): word is Extract<typeof word, { kind: "value" }> => word.kind === "value" && word.option.long === "--fleet")?.text;
  const positionals = read.words.filter((word) => word.kind === "positional").map((word) => word.text);
  const index = read.command.registeredArguments.findIndex((argument) => argument.name() === "fleet" || argument.name() === "source");
  const named = fleetOption ?? (index >= 0 ? positionals[index] : undefined);
  const planFleet = named === undefined ? undefined : data.planFleet(named);
  const fleetFile = fleetFileFor(planFleet ?? named, inventories);
  return { fleetFile: fleetFile !== undefined && named === undefined && !data.defaultFleetExists() ? undefined : fleetFile, inventories };
}

async function values(kind: ValueKind, current: string, prefix: string, read: ReadWords, data: CompletionData): Promise<Completion> {
  if (kind === "files") return FILES;
  if (kind === "none") return NOTHING;
  const matching = (candidates: Candidate[], head = "") =>
    candidates.filter((candidate) => candidate.value.startsWith(current.slice(head.length))).map((candidate) => ({ ...candidate, value: `${prefix}${head}${candidate.value}` }));
  if (kind === "shells") return { candidates: matching(SHELLS.map((shell) => ({ value: shell }))), directive: "none" };
  if (kind === "runs") return { candidates: matching([{ value: "last", description: "the latest run" }, ...data.runs().map((run) => ({ value: run }))]), directive: "none" };
  const { fleetFile, inventories } = context(read, data);
  if (kind === "policies") return { candidates: matching((await data.policies(fleetFile, inventories)).map((name) => ({ value: name, description: "backup policy" }))), directive: "none" };
  const hosts = (await data.hosts(fleetFile, inventories)).map((name) => ({ value: name, description: "host" }));
  if (kind === "hosts") return { candidates: matching(hosts), directive: "none" };
  const groups = (await data.groups(fleetFile, inventories)).map((group) => ({ value: group.name, description: `group of ${group.hosts} host${group.hosts === 1 ? "" : "s"}` }));
  if (kind === "groups") return { candidates: matching(groups), directive: "none" };
  // A --limit pattern: complete its last part (after `,` or `:`), keeping `&`, `!` and what came before.
  const head = /^(.*[,:])?[&!]?/.exec(current)?.[0] ?? "";
  return { candidates: matching([...groups, ...hosts], head), directive: "none" };
}

/** The names, read quietly from the files named and the journal; anything unreadable offers nothing. */
export function completionData(cwd: string, env: NodeJS.ProcessEnv): CompletionData {
  const inspections = new Map<string, Promise<import("../config/load.js").FleetInspection | undefined>>();
  const inspect = (fleetFile: string | undefined, inventories: string[]) => {
    const key = JSON.stringify([fleetFile, inventories]);
    let inspection = inspections.get(key);
    if (inspection === undefined) {
      inspection = import("../config/load.js")
        .then(({ inspectFleet }) => inspectFleet({ ...(fleetFile === undefined ? {} : { fleetFile }), inventories, cwd }))
        .catch(() => undefined);
      inspections.set(key, inspection);
    }
    return inspection;
  };
  const hostNames = async (fleetFile: string | undefined, inventories: string[]): Promise<string[]> => {
    const inspection = await inspect(fleetFile, inventories);
    return inspection?.fleet?.hosts.map((host) => host.name) ?? [...(inspection?.inventory?.inventory.hosts.keys() ?? [])];
  };
  return {
    hosts: hostNames,
    async groups(fleetFile, inventories) {
      const inspection = await inspect(fleetFile, inventories);
      const tree = inspection?.fleet?.groups ?? inspection?.inventory?.inventory.tree() ?? [];
      const { universeOf } = await import("../config/selectors.js");
      const universe = universeOf((await hostNames(fleetFile, inventories)).map((name) => ({ name, labels: {} })), tree);
      return tree.filter((group) => group.name !== "ungrouped" || universe.groupHosts(group.name).length > 0).map((group) => ({ name: group.name, hosts: universe.groupHosts(group.name).length }));
    },
    async policies(fleetFile, inventories) {
      return (await inspect(fleetFile, inventories))?.fleet?.backupPolicies.map((policy) => policy.name) ?? [];
    },
    runs() {
      // The journals `history` lists, so no other file in the directory (notes.jsonl) is offered as a run.
      try {
        return listJournalFiles(journalDir(env))
          .map((path) => basename(path, ".jsonl"))
          .reverse();
      } catch {
        return [];
      }
    },
    defaultFleetExists: () => existsSync(resolve(cwd, "fleet.yaml")),
    planFleet(file) {
      try {
        const text = readFileSync(resolve(cwd, file), "utf8");
        if (!text.trimStart().startsWith("{")) return undefined;
        const plan = JSON.parse(text) as { kind?: unknown; fleet?: { file?: unknown } };
        return plan.kind === "nemoclaw-fleet-plan" && typeof plan.fleet?.file === "string" && !plan.fleet.file.startsWith("<") ? plan.fleet.file : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
