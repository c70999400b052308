/**
 * Ansible's host patterns, evaluated the way ansible-core 2.14 does (lib/ansible/inventory/manager.py):
 *
 * - a pattern is split on `,` when it has one; otherwise it is one host (`spark-[01:04]`, an IPv6
 *   address) when it reads as one, else it is split on `:` and whitespace outside `[...]`;
 * - plain terms are united in the order written, then `&` terms intersect, then `!` terms
 *   exclude, wherever they stand; with no plain term the pattern starts from `all`;
 * - a term matches every group whose name it matches (all of that group's hosts), and host names
 *   when it matched no group or is a glob or regex (`*`, `?`, `[`, `.`, `~`); a term that is
 *   exactly a host name is that host;
 * - globs are fnmatch globs matched against the whole name; `~regex` is a Python regular
 *   expression matched from the start of the name (not anchored at its end);
 * - `group[0]`, `group[-1]`, `group[0:2]` (inclusive) and `group[1:]` pick hosts by position in
 *   the group's host list.
 *
 * `key=value` (a label of the host, the value a glob) is nemoclaw's own addition.
 */

import { parseAddress } from "./inventory/address.js";

export class PatternError extends Error {}

/** What patterns are evaluated against: the inventory's hosts and groups in Ansible's order. */
export interface PatternUniverse {
  /** Host names in the order the inventory declared them. */
  readonly hosts: readonly string[];
  /** Group names in declaration order, `all` and `ungrouped` first. */
  readonly groups: readonly string[];
  /** A group's hosts as Ansible lists them: its own, then its children's, level by level. */
  groupHosts(group: string): readonly string[];
  labels(host: string): Readonly<Record<string, string>>;
}

export type TermKind = "union" | "intersection" | "exclusion";

export interface PatternTerm {
  kind: TermKind;
  /** The term without its `&`/`!` prefix. */
  text: string;
}

export interface PatternResult {
  /** Selected hosts, in the order Ansible lists them. */
  hosts: string[];
  /** Terms that matched no host (Ansible warns "Could not match supplied host pattern"). */
  unmatched: PatternTerm[];
}

/** Ansible's split_host_pattern. Empty parts are dropped, as Ansible drops them. */
export function splitHostPattern(pattern: string): string[] {
  let parts: string[];
  if (pattern.includes(",")) parts = pattern.split(",");
  else if (parseAddress(pattern) !== undefined) parts = [pattern];
  else if (/\[[^\]]*$/.test(pattern)) throw new PatternError(`"${pattern.trim()}" has a "[" without a closing "]"`);
  else parts = pattern.match(/(?:[^\s:[\]]|\[[^\]]*\])+/g) ?? [];
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

/**
 * What is malformed in a `--limit` as written (null when nothing is), before any fleet is read:
 * its `@file` parts are read later, with the fleet.
 */
export function limitSyntaxProblem(limit: string): string | null {
  try {
    const parts = splitHostPattern(limit).filter((part) => !part.startsWith("@"));
    if (parts.length > 0 || !/@/.test(limit)) parseHostPattern(parts);
    return null;
  } catch (error) {
    if (error instanceof PatternError) return error.message;
    throw error;
  }
}

/** Splits and checks a pattern; throws PatternError when a term cannot be read. */
export function parseHostPattern(pattern: string | readonly string[]): PatternTerm[] {
  const parts = typeof pattern === "string" ? splitHostPattern(pattern) : pattern.flatMap(splitHostPattern);
  if (parts.length === 0) throw new PatternError("host pattern is empty");
  return parts.map((part) => {
    const kind: TermKind = part.startsWith("!") ? "exclusion" : part.startsWith("&") ? "intersection" : "union";
    const text = kind === "union" ? part : part.slice(1).trim();
    if (text === "") throw new PatternError(`"${part}" needs a host, group or label after "${part[0]}"`);
    compileTerm(text); // reports malformed globs, regexes and labels now, not at evaluation
    return { kind, text };
  });
}

/** Ansible's _evaluate_patterns: unions in order, then intersections, then exclusions. */
export function evaluatePattern(universe: PatternUniverse, terms: readonly PatternTerm[]): PatternResult {
  const ordered = [
    ...(terms.some((t) => t.kind === "union") ? [] : [{ kind: "union", text: "all" } as const]),
    ...terms.filter((t) => t.kind === "union"),
    ...terms.filter((t) => t.kind === "intersection"),
    ...terms.filter((t) => t.kind === "exclusion"),
  ];
  const hostSet = new Set(universe.hosts);
  const unmatched: PatternTerm[] = [];
  let hosts: string[] = [];
  for (const term of ordered) {
    if (term.kind === "union" && hostSet.has(term.text)) {
      hosts.push(term.text);
      continue;
    }
    const matched = matchTerm(universe, term.text);
    if (matched.length === 0 && term.text !== "all") unmatched.push(term);
    if (term.kind === "union") hosts.push(...matched);
    else {
      const that = new Set(matched);
      hosts = hosts.filter((h) => that.has(h) === (term.kind === "intersection"));
    }
  }
  return { hosts: [...new Set(hosts)], unmatched };
}

/** Ansible's _match_one_pattern: the hosts one term (without prefix) names, in order. */
function matchTerm(universe: PatternUniverse, text: string): string[] {
  const { expression, subscript } = splitSubscript(text);
  const term = compileTerm(expression);
  let results: string[];
  if (term.kind === "label") {
    results = universe.hosts.filter((h) => term.matches(universe.labels(h)[term.key]));
  } else {
    const groups = universe.groups.filter((g) => term.matches(g));
    results = groups.flatMap((g) => universe.groupHosts(g));
    if (groups.length === 0 || expression.startsWith("~") || /[.?*[]/.test(expression)) {
      results.push(...universe.hosts.filter((h) => term.matches(h)));
    }
    results = [...new Set(results)];
  }
  return applySubscript(results, subscript, text);
}

type Subscript = { index: number } | { start: number; end: number };

/** `expr[3]`, `expr[-1]`, `expr[1:3]`, `expr[2:]` (and the removed `expr[1-3]`, read as `[1:3]`). */
function splitSubscript(text: string): { expression: string; subscript?: Subscript } {
  if (text.startsWith("~")) return { expression: text };
  const match = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$/s.exec(text);
  if (match === null) return { expression: text };
  const [, expression, index, start, , end] = match;
  if (index !== undefined) return { expression: expression!, subscript: { index: Number(index) } };
  return { expression: expression!, subscript: { start: Number(start), end: end === "" ? -1 : Number(end) } };
}

/**
 * Ansible's _apply_subscript, quirks included: an end of 0 (`[2:0]`) picks the single host at
 * the start, and a single index past the end is an error.
 */
function applySubscript(hosts: string[], subscript: Subscript | undefined, text: string): string[] {
  if (subscript === undefined || hosts.length === 0) return hosts;
  if ("index" in subscript || subscript.end === 0) {
    const index = "index" in subscript ? subscript.index : subscript.start;
    const at = index < 0 ? hosts.length + index : index;
    if (at < 0 || at >= hosts.length) throw new PatternError(`no hosts matched the subscripted pattern '${text}' (it selects ${hosts.length} host${hosts.length === 1 ? "" : "s"})`);
    return [hosts[at]!];
  }
  const end = subscript.end === -1 ? hosts.length - 1 : subscript.end;
  return hosts.slice(subscript.start, end + 1);
}

type CompiledTerm = { kind: "name"; matches(name: string): boolean } | { kind: "label"; key: string; matches(value: string | undefined): boolean };

const compiled = new Map<string, CompiledTerm>();

function compileTerm(expression: string): CompiledTerm {
  let term = compiled.get(expression);
  if (term === undefined) {
    term = compileUncached(expression);
    if (compiled.size > 1000) compiled.clear();
    compiled.set(expression, term);
  }
  return term;
}

function compileUncached(expression: string): CompiledTerm {
  if (expression.startsWith("~")) {
    const regex = pythonRegex(expression.slice(1), expression);
    return { kind: "name", matches: (name) => regex.test(name) };
  }
  const equals = expression.indexOf("=");
  if (equals >= 0) {
    const key = expression.slice(0, equals).trim();
    if (key === "") throw new PatternError(`"${expression}" needs a label name before "="`);
    const value = fnmatchRegExp(expression.slice(equals + 1).trim());
    return { kind: "label", key, matches: (v) => v !== undefined && value.test(v) };
  }
  if (/\[[^\]]*$/.test(expression)) throw new PatternError(`"${expression}" has a "[" without a closing "]"`);
  const glob = fnmatchRegExp(expression);
  return { kind: "name", matches: (name) => glob.test(name) };
}

/**
 * Python's fnmatch.translate: `*`, `?`, `[seq]`, `[!seq]`, whole-name match, case-sensitive. An
 * unclosed `[` is a literal bracket there; nemoclaw refuses it before getting here.
 */
export function fnmatchRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === "*") source += "[\\s\\S]*";
    else if (ch === "?") source += "[\\s\\S]";
    else if (ch === "[") {
      let j = i + 1;
      if (glob[j] === "!") j++;
      if (glob[j] === "]") j++;
      while (j < glob.length && glob[j] !== "]") j++;
      if (j >= glob.length) {
        source += "\\[";
        continue;
      }
      let body = glob.slice(i + 1, j).replace(/\\/g, "\\\\");
      i = j;
      if (body === "") source += "(?!)";
      else if (body === "!") source += "[\\s\\S]";
      else {
        if (body.startsWith("!")) body = `^${body.slice(1)}`;
        else if (body.startsWith("^") || body.startsWith("[")) body = `\\${body}`;
        source += `[${body.replace(/\]/g, "\\]")}]`;
      }
    } else source += ch.replace(/[.+^${}()|\\/\]]/g, "\\$&");
  }
  return new RegExp(`^(?:${source})$`);
}

/**
 * A Python regular expression as JavaScript runs it, matched from the start of the name
 * (Python's re.match). Named groups `(?P<n>…)`, `(?P=n)`, `\A`, `\Z` and leading inline flags
 * are translated; anything JavaScript cannot compile is a PatternError.
 */
function pythonRegex(source: string, written: string): RegExp {
  let flags = "";
  let body = source;
  const inline = /^\(\?([aiLmsux]+)\)/.exec(body);
  if (inline !== null) {
    for (const flag of inline[1]!) if ("ims".includes(flag) && !flags.includes(flag)) flags += flag;
    body = body.slice(inline[0].length);
  }
  body = body
    .replace(/\(\?P<([A-Za-z_]\w*)>/g, "(?<$1>")
    .replace(/\(\?P=([A-Za-z_]\w*)\)/g, "\\k<$1>")
    .replace(/\\A/g, "^")
    .replace(/\\Z/g, "$");
  try {
    return new RegExp(`^(?:${body})`, flags);
  } catch (error) {
    throw new PatternError(`"${written}" is not a valid regular expression: ${(error as Error).message}`);
  }
}

