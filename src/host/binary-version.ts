/**
 * `--version` output of openshell, openshell-gateway and nemoclaw. clap prints `<bin> <version>`
 * (`openshell 0.0.72`, `openshell-gateway 0.0.86-dev.3+g2bf9969`); NemoClaw's regex is
 * `openshell\s+(\d+.\d+.\d+)`, its fallback the first x.y.z after the executable token. Dev
 * suffixes are kept so a report shows exactly what is installed.
 */
import type { Fact } from "./output.js";
import { type Captured, describeExit, known, stripAnsi, unknown } from "./output.js";

export interface BinaryFacts {
  installed: boolean;
  /** Parsed version (`0.0.72`, `0.0.86-dev.3+g2bf9969`), null when installed but unparseable. */
  version: string | null;
  path: string | null;
}

const VERSION = String.raw`v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)`;
const ANY_VERSION = new RegExp(String.raw`(?:^|[\s/@])${VERSION}(?=$|[\s,;)])`, "m");

/** The version a tool reports for itself, or null when the text has none. */
export function versionFromText(text: string, tool: string): string | null {
  const clean = stripAnsi(text);
  const named = new RegExp(String.raw`(?:^|[\s/])${escapeRegExp(tool)}[\s/]+${VERSION}`, "m").exec(clean);
  if (named) return named[1]!;
  return ANY_VERSION.exec(clean)?.[1] ?? null;
}

/** A binary found at `path` and its `--version` run. */
export function parseBinaryVersion(run: Captured, tool: string, path: string): Fact<BinaryFacts> {
  const version = run.exitCode === 0 ? versionFromText(run.output, tool) : null;
  if (version === null) {
    const why = run.exitCode === 0 ? "printed no version" : describeExit(run.exitCode);
    return unknown(`${tool} at ${path}: \`--version\` ${why}`, run.output);
  }
  return known({ installed: true, version, path });
}

export const NOT_INSTALLED: BinaryFacts = { installed: false, version: null, path: null };

/** Version of a running gateway image or binary: only the openshell-gateway/-server names count. */
export function gatewayVersionFromText(text: string): string | null {
  const match = new RegExp(String.raw`(?:^|[\s/])openshell-(?:gateway|server)\s+${VERSION}`, "m").exec(stripAnsi(text));
  return match ? match[1]! : null;
}

/**
 * Cluster-era gateway version from the `openshell-cluster-<gw>` image, with NemoClaw's two
 * regexes (reference §4): the upstream image and NemoClaw's patched one.
 */
export function clusterImageVersion(image: string): string | null {
  const upstream = /openshell\/cluster:([0-9]+\.[0-9]+\.[0-9]+)/.exec(image);
  if (upstream) return upstream[1]!;
  const patched = /(?:^|\/)nemoclaw-cluster:([0-9]+\.[0-9]+\.[0-9]+)(?:[-@]|$)/.exec(image);
  return patched ? patched[1]! : null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
