/**
 * Ansible INI inventories, read as ansible-core 2.14's ini plugin reads them: hosts at the top
 * are `ungrouped`; `[group]`, `[group:vars]`, `[group:children]`; `host key=value …` lines split
 * like a shell command line; `#` and `;` comment lines. `[g:vars]` and `[p:children]` may name a
 * group declared further down; a group never declared by `[g]` or `[g:children]` is an error.
 */
import type { DiagnosticBag } from "../diagnostics.js";
import type { SourceFile } from "../source.js";
import type { SourceRef } from "../types.js";
import { parseHostEntry } from "./host-pattern.js";
import { IniValueTooDeep, parseIniValue, shlexSplit } from "./ini-values.js";
import type { Inventory } from "./model.js";

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const SECTION_LIKE = /^\[[^\]]*\]\s*(?:#.*)?$/;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/;

interface Pending {
  kind: "vars" | "children";
  at: SourceRef;
  /** For children: the groups that named it as a child, with where. */
  parents: { name: string; at: SourceRef }[];
}

export function readIniInventory(source: SourceFile, inventory: Inventory, bag: DiagnosticBag): void {
  let group: string | undefined = "ungrouped";
  let state: "hosts" | "vars" | "children" = "hosts";
  const pending = new Map<string, Pending>();

  const declare = (name: string): void => {
    const waiting = pending.get(name);
    if (waiting === undefined) return;
    pending.delete(name);
    for (const parent of waiting.parents) addChild(parent.name, name, parent.at);
  };
  const addChild = (parent: string, child: string, at: SourceRef): void => {
    const loop = inventory.addChild(parent, child, at);
    if (loop !== undefined) bag.error(at, loop);
  };

  source.lines.forEach((rawLine, index) => {
    const lineNumber = index + 1;
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) return;
    const column = rawLine.indexOf(line) + 1;
    const at = (col: number, pathText: string) => source.ref(lineNumber, col, pathText);

    const section = SECTION.exec(line);
    // A bracketed line is a section header, good or bad; `[fe80::1]:22` goes on after its bracket, so
    // Ansible reads it as a host with its port (ansible-core 2.14 plugins/inventory/ini.py `_parse`).
    if (section !== null || SECTION_LIKE.test(line)) {
      if (section === null) {
        bag.error(at(column, ""), `invalid section header ${JSON.stringify(line)}; expected [group], [group:vars] or [group:children] (no spaces)`);
        group = undefined;
        return;
      }
      const name = section[1]!;
      const kind = section[2] ?? "hosts";
      if (kind !== "hosts" && kind !== "vars" && kind !== "children") {
        bag.error(at(column, `[${line.slice(1, line.indexOf("]"))}]`), `unknown section type ":${kind}"; expected :vars or :children`);
        group = undefined;
        return;
      }
      group = name;
      state = kind;
      const headerAt = at(column + 1, `[${name}]`);
      if (!inventory.groups.has(name) && kind === "vars" && !pending.has(name)) pending.set(name, { kind: "vars", at: at(column + 1, `[${name}:vars]`), parents: [] });
      inventory.group(name, headerAt);
      if (kind !== "vars") declare(name);
      return;
    }
    if (group === undefined) return; // inside a section whose header was already reported

    if (state === "children") {
      const match = GROUP_NAME.exec(line);
      if (match === null) {
        bag.error(at(column, `[${group}:children]`), `expected a group name in [${group}:children], got ${JSON.stringify(line)}`);
        return;
      }
      const child = match[1]!;
      const childAt = at(column, `[${group}:children].${child}`);
      if (inventory.groups.has(child)) addChild(group, child, childAt);
      else {
        const waiting = pending.get(child) ?? { kind: "children" as const, at: childAt, parents: [] };
        waiting.parents.push({ name: group, at: childAt });
        pending.set(child, waiting);
      }
      return;
    }

    if (state === "vars") {
      const equals = line.indexOf("=");
      if (equals < 0) {
        bag.error(at(column, `[${group}:vars]`), `expected key=value in [${group}:vars], got ${JSON.stringify(line)}`);
        return;
      }
      const key = line.slice(0, equals).trim();
      const varAt = at(column, `[${group}:vars].${key}`);
      const value = readValue(line.slice(equals + 1).trim(), varAt, bag);
      if (value === UNREADABLE) return;
      const problem = inventory.setGroupVar(group, key, { value, source: varAt });
      if (problem !== undefined) bag.error(varAt, problem);
      return;
    }

    readHostLine(rawLine, line, column, group, { source, inventory, bag, at });
  });

  // Like Ansible, a group that was only ever given :vars, or only named as a child, is a typo.
  for (const [name, waiting] of pending) {
    if (waiting.kind === "vars") {
      bag.error(waiting.at, `[${name}:vars] sets variables for group "${name}", which this inventory never declares`);
    } else {
      for (const parent of waiting.parents) bag.error(parent.at, `[${parent.name}:children] names group "${name}", which this inventory never declares ([${name}] or [${name}:children])`);
    }
  }
}

interface LineContext {
  source: SourceFile;
  inventory: Inventory;
  bag: DiagnosticBag;
  at(column: number, pathText: string): SourceRef;
}

function readHostLine(rawLine: string, line: string, column: number, group: string, { inventory, bag, at }: LineContext): void {
  const tokens = shlexSplit(line);
  if (typeof tokens === "string") {
    bag.error(at(column, `[${group}]`), `cannot split host line: ${tokens}`);
    return;
  }
  const [pattern, ...assignments] = tokens;
  if (pattern === undefined) return;
  if (pattern.endsWith(":")) {
    bag.error(at(column, `[${group}]`), `invalid host "${pattern}": a trailing ":" must be followed by a port`);
    return;
  }
  if (pattern === "---") {
    bag.error(at(column, `[${group}]`), `invalid host "---": this looks like a YAML file; name it .yml or .yaml`);
    return;
  }
  const entry = parseHostEntry(pattern);
  if (typeof entry === "string") {
    bag.error(at(column, `[${group}]`), `invalid host ${entry}`);
    return;
  }
  const variables: [string, unknown, SourceRef][] = [];
  let cursor = column - 1 + pattern.length;
  for (const assignment of assignments) {
    const equals = assignment.indexOf("=");
    const assignmentColumn = locateToken(rawLine, assignment.split("=")[0]!, cursor);
    cursor = assignmentColumn;
    if (equals < 0) {
      bag.error(at(assignmentColumn, `[${group}]`), `expected key=value after the host name, got ${JSON.stringify(assignment)}`);
      return;
    }
    const key = assignment.slice(0, equals);
    const varAt = at(assignmentColumn, `[${group}].${pattern}.${key}`);
    const value = readValue(assignment.slice(equals + 1), varAt, bag);
    if (value !== UNREADABLE) variables.push([key, value, varAt]);
  }
  for (const name of entry.names) {
    const hostAt = at(column, `[${group}].${name}`);
    const isNew = !inventory.hosts.has(name);
    const host = inventory.host(name, hostAt);
    inventory.addHostToGroup(name, group, hostAt);
    // Ansible takes the port only from the entry that creates the host.
    if (isNew && entry.port !== undefined) host.vars.set("ansible_port", { value: entry.port, source: hostAt });
    for (const [key, value, source] of variables) host.vars.set(key, { value, source });
  }
}

const UNREADABLE = Symbol("unreadable value");

/** A variable's value as Ansible reads it, or UNREADABLE after reporting why. */
function readValue(text: string, at: SourceRef, bag: DiagnosticBag): unknown {
  try {
    return parseIniValue(text);
  } catch (error) {
    if (!(error instanceof IniValueTooDeep)) throw error;
    bag.error(at, error.message);
    return UNREADABLE;
  }
}

/** 1-based column of `text` in the raw line, searching from character offset `from`. */
function locateToken(rawLine: string, text: string, from: number): number {
  const found = rawLine.indexOf(text, from);
  return found < 0 ? from + 1 : found + 1;
}
