/**
 * Source files as read, and YAML documents that remember where every value came from, so a
 * problem found anywhere later (schema, cross-references, inventory merge) can name the exact
 * line and column.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import type { DiagnosticBag, SourceTexts } from "./diagnostics.js";
import type { SourceRef } from "./types.js";

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** `sandboxes[2].credential`; keys that are not plain words are quoted: `labels["nemoclaw.dev/site"]`. */
export function formatPath(segments: Path): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

export class SourceFile {
  readonly lines: string[];
  private readonly lineStarts: number[] = [0];

  /**
   * @param file how the file is shown to the user (relative to the working directory when inside it)
   * @param absPath where it is
   */
  constructor(
    readonly file: string,
    readonly absPath: string,
    readonly text: string,
  ) {
    this.lines = text.split(/\r?\n/);
    for (let i = 0; i < text.length; i++) if (text[i] === "\n") this.lineStarts.push(i + 1);
  }

  /** 1-based line and column of a character offset. */
  position(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - (this.lineStarts[low] ?? 0) + 1 };
  }

  ref(line: number, column: number, pathText: string): SourceRef {
    return { file: this.file, line, column, path: pathText };
  }
}

/** Every file read during one load, for excerpts and for the digest recorded in plans. */
export class SourceRegistry implements SourceTexts {
  private readonly files = new Map<string, SourceFile>();

  constructor(private readonly cwd: string) {}

  displayName(absPath: string): string {
    const relative = path.relative(this.cwd, absPath);
    return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : absPath;
  }

  async read(absPath: string): Promise<SourceFile> {
    const known = [...this.files.values()].find((f) => f.absPath === absPath);
    if (known !== undefined) return known;
    const text = await readFile(absPath, "utf8");
    const source = new SourceFile(this.displayName(absPath), absPath, text);
    this.files.set(source.file, source);
    return source;
  }

  /** Registers text that did not come from disk (tests, standard input). */
  add(source: SourceFile): SourceFile {
    this.files.set(source.file, source);
    return source;
  }

  lineText(file: string, line: number): string | undefined {
    return this.files.get(file)?.lines[line - 1];
  }

  /** The absolute path behind a displayed file name (relative paths in a file resolve against its directory). */
  absPath(file: string): string | undefined {
    return this.files.get(file)?.absPath;
  }

  all(): SourceFile[] {
    return [...this.files.values()];
  }
}

/** Where to point for a path: at the key (unknown field) or at the value (wrong value). */
export type Target = "key" | "value";

/** A parsed YAML file that can answer "where is `sandboxes[2].name`?". */
export class YamlSource {
  constructor(
    readonly source: SourceFile,
    readonly doc: Document,
  ) {}

  get file(): string {
    return this.source.file;
  }

  /** The document as plain data (YAML merge keys and aliases resolved). */
  toJS(): unknown {
    return this.doc.toJS({ maxAliasCount: 1000 });
  }

  /** The position of `segments`, or of its nearest ancestor present in the file. */
  ref(segments: Path, target: Target = "value"): SourceRef {
    const offset = this.offsetOf(segments, target);
    const { line, column } = this.source.position(offset);
    return { file: this.source.file, line, column, path: formatPath(segments) };
  }

  private offsetOf(segments: Path, target: Target): number {
    let node: unknown = this.doc.contents;
    let best = rangeStart(node) ?? 0;
    for (const [index, segment] of segments.entries()) {
      const child = this.child(node, segment);
      if (child === undefined) return best;
      const isLast = index === segments.length - 1;
      const keyStart = rangeStart(child.key);
      if (isLast && target === "key" && keyStart !== undefined) return keyStart;
      const valueStart = child.value === null ? undefined : rangeStart(child.value);
      best = valueStart ?? keyStart ?? best;
      node = child.value;
    }
    return best;
  }

  private child(node: unknown, segment: PathSegment): { key: unknown; value: unknown } | undefined {
    const resolved = isAlias(node) ? node.resolve(this.doc) : node;
    if (isMap(resolved)) {
      const pair = resolved.items.find((item) => keyText(item.key) === String(segment));
      return pair === undefined ? undefined : { key: pair.key, value: pair.value };
    }
    if (isSeq(resolved) && typeof segment === "number") {
      const item = resolved.items[segment];
      return item === undefined ? undefined : { key: undefined, value: item };
    }
    return undefined;
  }
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === "string" ? key : undefined;
}

function rangeStart(node: unknown): number | undefined {
  if (node !== null && typeof node === "object" && "range" in node) {
    const range = (node as { range?: [number, number, number] | null }).range;
    return range?.[0];
  }
  return undefined;
}

/**
 * Parses YAML, reporting syntax errors (and duplicate keys) at their position. `version` 1.1 is
 * what Ansible's PyYAML speaks (yes/no are booleans); fleet files use YAML 1.2.
 */
export function parseYaml(source: SourceFile, bag: DiagnosticBag, version: "1.1" | "1.2"): YamlSource | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source.text, { version, lineCounter, prettyErrors: false, merge: true, uniqueKeys: true });
  for (const warning of doc.warnings) {
    const { line, column } = source.position(warning.pos[0]);
    bag.warning(source.ref(line, column, ""), firstLine(warning.message));
  }
  if (doc.errors.length > 0) {
    // One error per position: the parser often reports a follow-on error at the same spot.
    const seen = new Set<number>();
    for (const error of doc.errors) {
      if (seen.has(error.pos[0])) continue;
      seen.add(error.pos[0]);
      const { line, column } = source.position(error.pos[0]);
      bag.error(source.ref(line, column, ""), `YAML syntax error: ${firstLine(error.message)}`);
    }
    return undefined;
  }
  return new YamlSource(source, doc);
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}
