/** What the builders of gateways, sandboxes, backup policies and apply settings share. */
import type { DiagnosticBag } from "../diagnostics.js";
import type { CheckedFleet } from "../schema.js";
import type { PatternUniverse } from "../patterns.js";
import { describeSelector, globToRegExp, parseHostPattern, PatternError, selectWith, suggestionFor, termsMatchingNothing } from "../selectors.js";
import type { Path, YamlSource } from "../source.js";
import { closest } from "../suggest.js";
import type { ReleaseRules, SettingProblem, TargetRelease } from "../release-rules.js";
import type { DesiredHost, HostSelector } from "../types.js";
import type { HostSelector as RawSelector } from "../fleet-file.generated.js";

export interface BuildContext {
  yaml: YamlSource;
  checked: CheckedFleet;
  bag: DiagnosticBag;
  hosts: DesiredHost[];
  hostsByName: Map<string, DesiredHost>;
  /** The hosts and groups patterns are evaluated against. */
  universe: PatternUniverse;
  /** Directory of the fleet file. */
  baseDir: string;
  /** What the hosts' releases allow; absent when the caller checks nothing release-specific. */
  releaseRules?: ReleaseRules;
  /** The releases each host is to run, for hosts whose fleet file names a usable NemoClaw release. */
  targets: Map<string, TargetRelease>;
}

/**
 * Report a setting's release problems at its field, once per message: an entry placed on many
 * hosts of the same release is told once. What no release would take is checked only where a host
 * names no release: where every host does, each release says it more precisely.
 */
export function reportSettingProblems(ctx: BuildContext, at: Path, check: (target: TargetRelease | undefined) => SettingProblem[], hosts: DesiredHost[]): void {
  if (ctx.releaseRules === undefined) return;
  const seen = new Set<string>();
  const targets = new Map<string, TargetRelease | undefined>();
  for (const host of hosts) {
    const target = ctx.targets.get(host.name);
    targets.set(target === undefined ? "" : `${target.nemoclaw}/${target.openshell}`, target);
  }
  if (targets.size === 0) targets.set("", undefined);
  for (const target of targets.values()) {
    for (const found of check(target)) {
      const key = `${found.field.join(".")}\0${found.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const ref = ctx.yaml.ref([...at, ...found.field]);
      if (found.severity === "error") ctx.bag.error(ref, found.message);
      else ctx.bag.warning(ref, found.message);
    }
  }
}

export const ALL_HOSTS: HostSelector = { kind: "pattern", pattern: "all" };

/**
 * A selector from the file, checked: it must parse, and it must select at least one host
 * (a selector that selects nothing is a typo or a stale name). Terms that match nothing inside
 * a selector that does select hosts get a warning.
 */
export function resolveSelector(raw: RawSelector | undefined, at: Path, ctx: BuildContext): { selector: HostSelector; hosts: DesiredHost[] } | undefined {
  if (raw === undefined) return { selector: ALL_HOSTS, hosts: ctx.hosts };
  const selector: HostSelector =
    typeof raw === "string"
      ? { kind: "pattern", pattern: raw }
      : {
          kind: "match",
          ...(raw.names === undefined ? {} : { names: raw.names }),
          ...(raw.groups === undefined ? {} : { groups: raw.groups }),
          ...(raw.labels === undefined ? {} : { labels: Object.fromEntries(Object.entries(raw.labels).map(([k, v]) => [k, String(v)])) }),
        };
  let names: string[];
  try {
    names = selectWith(ctx.hosts, selector, ctx.universe);
  } catch (error) {
    if (!(error instanceof PatternError)) throw error;
    ctx.bag.error(ctx.yaml.ref(at), error.message);
    return undefined;
  }
  if (names.length === 0) {
    ctx.bag.error(ctx.yaml.ref(at), `selector ${describeSelector(selector)} matches no host${selectorHint(selector, ctx)}`);
    return undefined;
  }
  if (selector.kind === "pattern") {
    for (const term of termsMatchingNothing(ctx.hosts, selector.pattern, ctx.universe)) {
      ctx.bag.warning(ctx.yaml.ref(at), `"${term.text}" in selector '${selector.pattern}' matches no host${suggestionFor(term.text, ctx.universe)}`);
    }
  }
  const selected = new Set(names);
  // Pattern selectors keep what they selected: later stages check one host at a time, and a
  // subscript (`spark[0]`) only means something against the whole inventory.
  return { selector: selector.kind === "pattern" ? { ...selector, hosts: names } : selector, hosts: ctx.hosts.filter((h) => selected.has(h.name)) };
}

function selectorHint(selector: HostSelector, ctx: BuildContext): string {
  if (selector.kind !== "pattern") return "";
  const terms = parseHostPattern(selector.pattern).filter((t) => t.kind !== "exclusion");
  return terms.map((t) => suggestionFor(t.text, ctx.universe)).find((s) => s !== "") ?? "";
}

/** Whether a glob (sandbox names in backup policies) is well-formed. */
export function globProblem(glob: string): string | undefined {
  try {
    globToRegExp(glob);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
