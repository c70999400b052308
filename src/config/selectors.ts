/**
 * Host selectors: Ansible-style patterns (`spark,station`, `spark:&rack_a:!spark-03`,
 * `site=sjc`, `spark-0[1-3]`, `~regex`) and the object form `{ names, groups, labels }`.
 * The same code evaluates `--limit`, gateway and sandbox placement and backup policies.
 */
import { FleetValidationError } from "./diagnostics.js";
import type { DesiredBackupPolicy, DesiredFleet, DesiredHost, HostSelector } from "./types.js";

export type TermKind = "union" | "intersection" | "exclusion";

export interface PatternTerm {
  kind: TermKind;
  /** The term as written, without its `&`/`!` prefix. */
  text: string;
  matches(host: DesiredHost): boolean;
}

export class PatternError extends Error {}

/** Splits and compiles a pattern; throws PatternError with a readable message when it is malformed. */
export function parseHostPattern(pattern: string): PatternTerm[] {
  const trimmed = pattern.trim();
  if (trimmed === "") throw new PatternError("host pattern is empty");
  return splitTerms(trimmed).map((raw) => {
    const text = raw.trim();
    if (text === "") throw new PatternError(`host pattern "${pattern}" has an empty term`);
    const kind: TermKind = text.startsWith("!") ? "exclusion" : text.startsWith("&") ? "intersection" : "union";
    const atom = kind === "union" ? text : text.slice(1).trim();
    if (atom === "") throw new PatternError(`"${text}" needs a host, group or label after "${text[0]}"`);
    return { kind, text: atom, matches: compileAtom(atom) };
  });
}

/**
 * Ansible splits on "," when the pattern has one, otherwise on ":" (not inside a `[..]` class
 * such as `spark-[01:04]`).
 */
function splitTerms(pattern: string): string[] {
  if (pattern.includes(",")) return pattern.split(",");
  const terms: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of pattern) {
    if (ch === "[") depth++;
    if (ch === "]") depth = Math.max(0, depth - 1);
    if (ch === ":" && depth === 0) {
      terms.push(current);
      current = "";
    } else current += ch;
  }
  terms.push(current);
  return terms;
}

function compileAtom(atom: string): (host: DesiredHost) => boolean {
  if (atom === "all" || atom === "*") return () => true;
  if (atom.startsWith("~")) {
    let regex: RegExp;
    try {
      regex = new RegExp(atom.slice(1));
    } catch (error) {
      throw new PatternError(`"${atom}" is not a valid regular expression: ${(error as Error).message}`);
    }
    return (host) => regex.test(host.name) || host.groups.some((g) => regex.test(g));
  }
  const equals = atom.indexOf("=");
  if (equals >= 0) {
    const key = atom.slice(0, equals).trim();
    if (key === "") throw new PatternError(`"${atom}" needs a label name before "="`);
    const value = globToRegExp(atom.slice(equals + 1).trim());
    return (host) => host.labels[key] !== undefined && value.test(host.labels[key]);
  }
  const glob = globToRegExp(atom);
  return (host) => glob.test(host.name) || host.groups.some((g) => glob.test(g));
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

/**
 * Ansible's order of evaluation: unions first (`all` when there are none), then
 * intersections, then exclusions, whatever their position in the pattern.
 */
function patternMatches(terms: PatternTerm[], host: DesiredHost): boolean {
  const unions = terms.filter((t) => t.kind === "union");
  const inUnion = unions.length === 0 || unions.some((t) => t.matches(host));
  return (
    inUnion &&
    terms.filter((t) => t.kind === "intersection").every((t) => t.matches(host)) &&
    !terms.filter((t) => t.kind === "exclusion").some((t) => t.matches(host))
  );
}

/** Whether a host is selected. Selectors need only the host's own name, groups and labels. */
export function hostMatches(host: DesiredHost, selector: HostSelector): boolean {
  return compileSelector(selector)(host);
}

export function compileSelector(selector: HostSelector): (host: DesiredHost) => boolean {
  if (selector.kind === "pattern") {
    const terms = parseHostPattern(selector.pattern);
    return (host) => patternMatches(terms, host);
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
export function selectWith(hosts: readonly DesiredHost[], selector: HostSelector): string[] {
  const matches = compileSelector(selector);
  return hosts.filter((h) => matches(h)).map((h) => h.name);
}

/** `--limit`: every host when no limit is given; a limit that selects nothing is an error. */
export function selectHosts(fleet: DesiredFleet, limit: string | undefined): string[] {
  if (limit === undefined) return fleet.hosts.map((h) => h.name);
  const fail = (message: string): never => {
    throw new FleetValidationError(
      [{ file: "<command line>", line: 1, column: 1, path: "--limit", message, severity: "error" }],
      message,
    );
  };
  let selected: string[] = [];
  try {
    selected = selectWith(fleet.hosts, { kind: "pattern", pattern: limit });
  } catch (error) {
    if (error instanceof PatternError) fail(`--limit '${limit}': ${error.message}`);
    throw error;
  }
  if (selected.length === 0) fail(`--limit '${limit}' matches no host`);
  return selected;
}

/** Union and intersection terms that match no host at all: almost always a typo. */
export function termsMatchingNothing(hosts: readonly DesiredHost[], pattern: string): PatternTerm[] {
  return parseHostPattern(pattern).filter((t) => t.kind !== "exclusion" && !hosts.some((h) => t.matches(h)));
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
