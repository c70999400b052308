/**
 * Host selectors: Ansible host patterns (src/config/patterns.ts) and the object form
 * `{ names, groups, labels }`. The same code evaluates `--limit`, gateway and sandbox placement
 * and backup policies.
 */
import { readFileSync } from "node:fs";
import { COMMAND_LINE, FleetValidationError } from "./diagnostics.js";
import { evaluatePattern, parseHostPattern, PatternError, splitHostPattern, type PatternTerm, type PatternUniverse } from "./patterns.js";
import { closest } from "./suggest.js";
import type { DesiredBackupPolicy, DesiredFleet, DesiredHost, FleetGroup, HostSelector } from "./types.js";

export { parseHostPattern, PatternError, type PatternTerm } from "./patterns.js";

/**
 * The hosts and groups patterns are evaluated against. With the inventory's group tree (what the
 * loader records), groups list their hosts in Ansible's order; without it, each group is the hosts
 * that name it, in fleet order.
 */
type PatternHost = Pick<DesiredHost, "name" | "labels"> & { groups?: readonly string[] };

export function universeOf(hosts: readonly PatternHost[], groups?: readonly FleetGroup[]): PatternUniverse {
  const byName = new Map(hosts.map((h) => [h.name, h]));
  const tree = new Map((groups ?? derivedGroups(hosts)).map((g) => [g.name, g]));
  const memo = new Map<string, string[]>();
  const groupHosts = (name: string): string[] => {
    let listed = memo.get(name);
    if (listed === undefined) {
      listed = [...new Set(descendants(name, tree).flatMap((g) => tree.get(g)?.hosts ?? []))].filter((h) => byName.has(h));
      memo.set(name, listed);
    }
    return listed;
  };
  return {
    hosts: hosts.map((h) => h.name),
    groups: [...tree.keys()],
    groupHosts,
    labels: (host) => byName.get(host)?.labels ?? {},
  };
}

/** A group and the groups below it, level by level, each level in declaration order (Ansible's get_descendants). */
function descendants(name: string, tree: ReadonlyMap<string, FleetGroup>): string[] {
  const ordered = [name];
  const seen = new Set(ordered);
  let level = [name];
  while (level.length > 0) {
    const next: string[] = [];
    for (const group of level) {
      for (const child of tree.get(group)?.children ?? []) {
        if (seen.has(child)) continue;
        seen.add(child);
        ordered.push(child);
        next.push(child);
      }
    }
    level = next;
  }
  return ordered;
}

function derivedGroups(hosts: readonly PatternHost[]): FleetGroup[] {
  const groups = new Map<string, FleetGroup>([["all", { name: "all", hosts: hosts.map((h) => h.name), children: [] }]]);
  for (const host of hosts) {
    for (const group of host.groups ?? []) {
      let entry = groups.get(group);
      if (entry === undefined) groups.set(group, (entry = { name: group, hosts: [], children: [] }));
      entry.hosts.push(host.name);
    }
  }
  return [...groups.values()];
}

/**
 * Whether a host is selected. A pattern selector resolved when the fleet was loaded is a lookup;
 * otherwise the pattern is evaluated against this host alone (enough for names, groups, globs
 * and labels, not for subscripts).
 */
export function hostMatches(host: DesiredHost, selector: HostSelector): boolean {
  return compileSelector(selector)(host);
}

export function compileSelector(selector: HostSelector): (host: DesiredHost) => boolean {
  if (selector.kind === "pattern") {
    if (selector.hosts !== undefined) {
      const selected = new Set(selector.hosts);
      return (host) => selected.has(host.name);
    }
    const terms = parseHostPattern(selector.pattern);
    return (host) => evaluatePattern(universeOf([host]), terms).hosts.length > 0;
  }
  const names = selector.names?.map(globToRegExp);
  const groups = selector.groups?.map(globToRegExp);
  const labels = Object.entries(selector.labels ?? {}).map(([key, value]) => [key, globToRegExp(value)] as const);
  return (host) =>
    (names === undefined || names.some((n) => n.test(host.name))) &&
    (groups === undefined || groups.some((g) => host.groups.some((hostGroup) => g.test(hostGroup)))) &&
    labels.every(([key, value]) => host.labels[key] !== undefined && value.test(host.labels[key]));
}

/** Host names a selector picks, in fleet order. */
export function selectWith(hosts: readonly DesiredHost[], selector: HostSelector, universe: PatternUniverse = universeOf(hosts)): string[] {
  if (selector.kind === "pattern") {
    const selected = new Set(evaluatePattern(universe, parseHostPattern(selector.pattern)).hosts);
    return hosts.filter((h) => selected.has(h.name)).map((h) => h.name);
  }
  const matches = compileSelector(selector);
  return hosts.filter((h) => matches(h)).map((h) => h.name);
}

/** Shell-style glob (`*`, `?`, `[abc]`, `[!a-c]`) to an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === "*") source += ".*";
    else if (ch === "?") source += ".";
    else if (ch === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) throw new PatternError(`"${glob}" has a "[" without a closing "]"`);
      let body = glob.slice(i + 1, end);
      if (body.startsWith("!")) body = `^${body.slice(1)}`;
      source += `[${body.replace(/\\/g, "\\\\")}]`;
      i = end;
    } else source += ch.replace(/[.+^${}()|\\/]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

/** What `--limit` selects, how Ansible lists it, and the parts of it that matched nothing. */
export interface LimitSelection {
  /** Selected hosts in fleet order (the order runs work in). */
  hosts: string[];
  /** The same hosts in the order `ansible --list-hosts` prints them. */
  listed: string[];
  warnings: string[];
}

/**
 * `--limit`, as Ansible's subset: the pattern (with `@file` parts replaced by the file's lines,
 * one pattern each, like a .retry file) narrows `all`. Throws FleetValidationError when the
 * pattern is malformed or selects nothing.
 */
export function selectLimit(fleet: DesiredFleet, limit: string | undefined, readText: (path: string) => string = (p) => readFileSync(p, "utf8")): LimitSelection {
  const universe = universeOf(fleet.hosts, fleet.groups);
  const all = universe.groupHosts("all");
  if (limit === undefined) return { hosts: fleet.hosts.map((h) => h.name), listed: [...all], warnings: [] };
  const fail = (message: string): never => {
    throw new FleetValidationError([{ file: COMMAND_LINE, line: 1, column: 1, path: "--limit", message, severity: "error" }], message);
  };
  let result;
  try {
    result = evaluatePattern(universe, parseHostPattern(limitParts(limit, readText, fail)));
  } catch (error) {
    if (error instanceof PatternError) return fail(`--limit '${limit}': ${error.message}`);
    throw error;
  }
  const selected = new Set(result.hosts);
  const hosts = fleet.hosts.filter((h) => selected.has(h.name)).map((h) => h.name);
  if (hosts.length === 0) fail(`--limit '${limit}' matches no host${hintFor(result.unmatched, universe)}`);
  const warnings = result.unmatched.map((term) => `--limit '${limit}': "${term.text}" matches no host${suggestionFor(term.text, universe)}`);
  return { hosts, listed: all.filter((h) => selected.has(h)), warnings };
}

/** What selectLimit warns about; nothing when the limit cannot be evaluated (that error is reported elsewhere). */
export function limitWarnings(fleet: DesiredFleet, limit: string | undefined): string[] {
  try {
    return selectLimit(fleet, limit).warnings;
  } catch {
    return [];
  }
}

/** `--limit`: every host when no limit is given; a limit that selects nothing is an error. */
export function selectHosts(fleet: DesiredFleet, limit: string | undefined): string[] {
  return selectLimit(fleet, limit).hosts;
}

function limitParts(limit: string, readText: (path: string) => string, fail: (message: string) => never): string[] {
  return splitHostPattern(limit).flatMap((part) => {
    if (!part.startsWith("@")) return [part];
    const file = part.slice(1);
    let text: string;
    try {
      text = readText(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return fail(code === "ENOENT" ? `--limit ${part}: no such file` : code === "EISDIR" ? `--limit ${part}: is a directory, not a file of host names` : `--limit ${part}: cannot read it (${code ?? String(error)})`);
    }
    return text.split("\n").map((line) => line.trim()).filter((line) => line !== "");
  });
}

/** Union and intersection terms that match no host at all: almost always a typo. */
export function termsMatchingNothing(hosts: readonly DesiredHost[], pattern: string, universe: PatternUniverse = universeOf(hosts)): PatternTerm[] {
  return evaluatePattern(universe, parseHostPattern(pattern)).unmatched.filter((t) => t.kind !== "exclusion");
}

function hintFor(unmatched: readonly PatternTerm[], universe: PatternUniverse): string {
  return unmatched.map((t) => suggestionFor(t.text, universe)).find((s) => s !== "") ?? "";
}

/** "; did you mean …?" for a plain name that is close to a host or group name. */
export function suggestionFor(text: string, universe: PatternUniverse): string {
  if (/[=*?[~@]/.test(text)) return "";
  const match = closest(text, [...universe.hosts, ...universe.groups.filter((g) => g !== "all" && g !== "ungrouped")]);
  return match === undefined ? "" : `; did you mean "${match}"?`;
}

export function describeSelector(selector: HostSelector): string {
  if (selector.kind === "pattern") return `'${selector.pattern}'`;
  return JSON.stringify({ names: selector.names, groups: selector.groups, labels: selector.labels });
}

/**
 * Does a backup policy cover a sandbox of this name? (Its host side is `hostMatches` on
 * `policy.hosts`.) `toRegExp` lets a caller that checks many names reuse compiled globs.
 */
export function policyCoversName(policy: DesiredBackupPolicy, sandbox: string, toRegExp: (glob: string) => RegExp = globToRegExp): boolean {
  return policy.sandboxNames.some((glob) => toRegExp(glob).test(sandbox));
}

/** Does a backup policy cover this sandbox on this host? The one definition plan and backup share. */
export function policyCovers(policy: DesiredBackupPolicy, host: DesiredHost, sandbox: string): boolean {
  return hostMatches(host, policy.hosts) && policyCoversName(policy, sandbox);
}
