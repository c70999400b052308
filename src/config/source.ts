/**
 * Source files as read, and YAML documents that remember where every value came from, so a
 * problem found anywhere later (schema, cross-references, inventory merge) can name the exact
 * line and column.
 */
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import { Composer, isAlias, isMap, isScalar, isSeq, Lexer, Parser, visit, YAMLParseError, type CST, type Document, type DocumentOptions, type ParseOptions, type SchemaOptions } from "yaml";
import { pythonJsonTags, pyyamlTags } from "./inventory/yaml-schema.js";
import { PyFloat } from "./inventory/values.js";
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

/** Fleet files, inventories and ssh configs are read whole; anything larger is refused. */
export const MAX_SOURCE_BYTES = 32 * 1024 * 1024;

/** A file that cannot be read as text, with where the problem is when it is inside the file. */
export class SourceReadError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly position?: { line: number; column: number },
  ) {
    super(message);
  }
}

/**
 * A regular file of at most `maxBytes`, as UTF-8 text. FIFOs, devices and directories are refused
 * without blocking (the file is opened non-blocking and checked before any read); bytes that are
 * not UTF-8 are refused with their line and column, never replaced.
 */
export async function readTextFile(absPath: string, maxBytes = MAX_SOURCE_BYTES): Promise<string> {
  return decodeUtf8(await readRegularFile(absPath, maxBytes));
}

/** The bytes of a regular file of at most `maxBytes` (what readTextFile refuses, this refuses too). */
export async function readRegularFile(absPath: string, maxBytes: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(absPath, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "EIO";
    throw new SourceReadError(code === "ENOENT" ? "does not exist" : code === "EACCES" ? "cannot be read: permission denied" : `cannot be opened (${code})`, code);
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw new SourceReadError("is a directory, not a file", "EISDIR");
    if (!info.isFile()) throw new SourceReadError(`is not a regular file (${kindOf(info)}); refusing to read it`, "ENOTREG");
    if (info.size > maxBytes) throw new SourceReadError(`is ${info.size} bytes; files over ${maxBytes} bytes are refused`, "EFBIG");
    const bytes = Buffer.alloc(info.size);
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return bytes.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

function kindOf(info: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (info.isFIFO()) return "a FIFO";
  if (info.isCharacterDevice()) return "a character device";
  if (info.isBlockDevice()) return "a block device";
  if (info.isSocket()) return "a socket";
  return "not a file";
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** UTF-8 text (a leading BOM dropped), or a SourceReadError at the first byte that is not UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const before = new TextDecoder().decode(bytes.subarray(0, bad));
    const lines = before.split("\n");
    throw new SourceReadError(
      `is not UTF-8 text: byte 0x${bytes[bad]!.toString(16).padStart(2, "0")} at line ${lines.length}, column ${lines[lines.length - 1]!.length + 1}`,
      "EILSEQ",
      { line: lines.length, column: lines[lines.length - 1]!.length + 1 },
    );
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    try {
      strictUtf8.decode(bytes.subarray(i, i + length));
    } catch {
      return i;
    }
    i += length;
  }
  return 0;
}

export class SourceFile {
  readonly lines: string[];
  private readonly lineStarts: number[] = [0];

  /**
   * @param file how the file is shown to the user (relative to the working directory when inside it)
   * @param absPath where it is
   * @param secret text that must never be shown (a decrypted vault): no excerpts of it
   */
  constructor(
    readonly file: string,
    readonly absPath: string,
    readonly text: string,
    readonly secret = false,
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

  /** Reads a file once (see readTextFile for what is refused); throws SourceReadError. */
  async read(absPath: string): Promise<SourceFile> {
    const known = [...this.files.values()].find((f) => f.absPath === absPath);
    if (known !== undefined) return known;
    const text = await readTextFile(absPath);
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
    const source = this.files.get(file);
    return source === undefined || source.secret ? undefined : source.lines[line - 1];
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

  /** The document as plain data (YAML merge keys and aliases resolved; parseYaml checked it converts). */
  toJS(): unknown {
    return this.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  }

  /** The position of `segments`, or of its nearest ancestor present in the file. */
  ref(segments: Path, target: Target = "value"): SourceRef {
    const offset = this.offsetOf(segments, target);
    const { line, column } = this.source.position(offset);
    return { file: this.source.file, line, column, path: formatPath(segments) };
  }

  /** The key of the mapping entry at `segments` as written and as the YAML schema read it (a number for `10:`); undefined when it is no scalar. */
  keyAt(segments: Path): { written: string; value: unknown } | undefined {
    let node: unknown = this.doc.contents;
    let key: unknown;
    for (const segment of segments) {
      const child = this.child(node, segment);
      if (child === undefined) return undefined;
      ({ key, value: node } = child);
    }
    return isScalar(key) ? { written: key.source ?? String(key.value), value: key.value } : undefined;
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
      const pair = resolved.items.find((item) => !isMergeKey(item.key) && keyText(item.key) === String(segment));
      if (pair !== undefined) return { key: pair.key, value: pair.value };
      // Not written here: a merge key (`<<: *anchor`) may bring it in, and then the error belongs
      // where the anchor wrote it. Keys written in the mapping win over merged ones, and of several
      // merged mappings the first that has the key wins (YAML 1.1 merge key type).
      for (const merge of resolved.items) {
        if (!isMergeKey(merge.key)) continue;
        const value = isAlias(merge.value) ? merge.value.resolve(this.doc) : merge.value;
        for (const source of isSeq(value) ? value.items : [value]) {
          const found = this.child(source, segment);
          if (found !== undefined) return found;
        }
      }
      return undefined;
    }
    if (isSeq(resolved) && typeof segment === "number") {
      const item = resolved.items[segment];
      return item === undefined ? undefined : { key: undefined, value: item };
    }
    return undefined;
  }
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === "symbol" && key.value.description === "<<";
}

function keyText(key: unknown): string | undefined {
  // As toJS names it: a null key (`~:` or an empty one) is "".
  if (isScalar(key)) return key.value === null ? "" : String(key.value);
  return typeof key === "string" ? key : undefined;
}

function rangeStart(node: unknown): number | undefined {
  if (node !== null && typeof node === "object" && "range" in node) {
    const range = (node as { range?: [number, number, number] | null }).range;
    return range?.[0];
  }
  return undefined;
}

/** Alias expansion beyond this is refused (an alias bomb would otherwise take all memory). */
export const MAX_ALIAS_COUNT = 1000;

/**
 * Lists and mappings nested deeper than this are refused. The YAML reader, and much that handles
 * the data after it, recurses once per level: far deeper input would exhaust the stack (or abort
 * Node outright) instead of being reported. Real fleet files and inventories nest a handful of
 * levels.
 */
export const MAX_NESTING = 100;

const NESTING_PROBLEM = `nesting deeper than ${MAX_NESTING} levels (lists and mappings inside each other); refusing to read further`;

/** Whether a diagnostic from parseYaml is the nesting limit (the file could not be read far enough to tell its shape). */
export function isNestingProblem(message: string): boolean {
  return message === NESTING_PROBLEM;
}

/**
 * Parses YAML, reporting syntax errors at their position. Fleet files are YAML 1.2 and refuse
 * duplicate keys. Inventories (`version` 1.1) are read as Ansible reads them (yaml-schema.ts): a
 * duplicate key is a warning and the last value wins. `json` reads JSON as Python's json module.
 * Nesting deeper than MAX_NESTING is refused before the document is built; merge keys (`<<`)
 * must take mappings; and any other problem turning the document into data is reported at a
 * position, never thrown.
 */
export function parseYaml(source: SourceFile, bag: DiagnosticBag, version: "1.1" | "1.2" | "json"): YamlSource | undefined {
  const options =
    version === "1.2"
      ? { version, uniqueKeys: true }
      : version === "1.1"
        ? { version, schema: "yaml-1.1", customTags: pyyamlTags, uniqueKeys: false }
        : { version: "1.2" as const, schema: "json", customTags: pythonJsonTags, uniqueKeys: false };
  const parsed = parseDocumentWithinDepth(source.text, { ...options, prettyErrors: false, merge: version !== "json" });
  if (typeof parsed === "number") {
    const { line, column } = source.position(parsed);
    bag.error(source.ref(line, column, ""), NESTING_PROBLEM);
    return undefined;
  }
  const doc = parsed;
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
  // A `%YAML 1.1` directive would turn `yes` into true: a fleet file is YAML 1.2, whatever it says.
  if (version === "1.2" && doc.directives?.yaml.explicit === true && doc.directives.yaml.version !== "1.2") {
    const directive = /^%YAML\b/m.exec(source.text);
    const { line, column } = source.position(directive?.index ?? 0);
    bag.error(source.ref(line, column, ""), `%YAML ${doc.directives.yaml.version}: a fleet file is YAML 1.2 (\`yes\` and \`no\` are strings; write true and false); remove the directive`);
    return undefined;
  }
  if (version !== "1.2") warnAboutDuplicateKeys(doc, source, bag);
  if (refuseComplexKeys(doc, source, bag)) return undefined;
  if (refuseBadMerges(doc, source, bag)) return undefined;
  const yaml = new YamlSource(source, doc);
  const at = (offset: number): SourceRef => {
    const { line, column } = source.position(offset);
    return source.ref(line, column, "");
  };
  let data: unknown;
  try {
    data = yaml.toJS();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unresolved = error instanceof ReferenceError && !/alias count/i.test(message) ? firstUnresolvedAlias(doc) : undefined;
    if (error instanceof ReferenceError && /alias count/i.test(message)) {
      bag.error(at(firstAliasOffset(doc)), `YAML aliases expand too far (over ${MAX_ALIAS_COUNT} nodes): refusing what looks like an alias bomb`);
    } else if (unresolved !== undefined) {
      bag.error(at(unresolved.offset), `YAML alias *${unresolved.name} names no anchor: set &${unresolved.name} on a value before it (an alias only refers back)`);
    } else if (error instanceof RangeError) {
      bag.error(at(firstAliasOffset(doc)), `YAML aliases nest too deep once expanded (over ${MAX_NESTING} levels, or an alias inside its own anchor)`);
    } else {
      bag.error(at(rangeStart(doc.contents) ?? 0), `cannot read this YAML: ${firstLine(message)}`);
    }
    return undefined;
  }
  const expanded = expandedNesting(data);
  if (expanded !== undefined) {
    bag.error(
      at(firstAliasOffset(doc)),
      expanded === "cycle"
        ? "a YAML alias refers to the anchor it is inside, so the value would contain itself"
        : `YAML aliases nest deeper than ${MAX_NESTING} levels once expanded`,
    );
    return undefined;
  }
  return yaml;
}

type ParseDocumentOptions = ParseOptions & DocumentOptions & SchemaOptions;

/**
 * What yaml's parseDocument does (first document; later ones are an error), with nesting measured
 * before anything is composed, because composing recurses: the parser is fed one token at a time
 * and stops at the first collection opened deeper than MAX_NESTING (so a file of nothing but `[`
 * costs no more than its first hundred), and each document's syntax tree is measured again before
 * it is composed. The offset of the first collection nested too deep, or the document.
 */
function parseDocumentWithinDepth(text: string, options: ParseDocumentOptions): Document.Parsed | number {
  let tooDeep: number | undefined;
  const parser = new Parser();
  function* measured(): Generator<CST.Token> {
    for (const lexeme of new Lexer().lex(text)) {
      for (const token of parser.next(lexeme)) {
        tooDeep = firstTooDeep(token);
        if (tooDeep !== undefined) return;
        yield token;
      }
      // The parser's stack holds the open nodes; it exceeds MAX_NESTING only when collections might.
      if (parser.stack.length > MAX_NESTING) {
        tooDeep = openTooDeep(parser.stack);
        if (tooDeep !== undefined) return;
      }
    }
    for (const token of parser.end()) {
      tooDeep = firstTooDeep(token);
      if (tooDeep !== undefined) return;
      yield token;
    }
  }
  const composer = new Composer(options);
  let doc: Document.Parsed | undefined;
  for (const next of composer.compose(measured(), true, text.length)) {
    if (tooDeep !== undefined) break;
    if (doc === undefined) doc = next;
    else {
      doc.errors.push(new YAMLParseError([next.range[0], next.range[1]], "MULTIPLE_DOCS", "a second YAML document starts here; the file must hold one (remove this --- and what follows, or move it to a file of its own)"));
      break;
    }
  }
  return tooDeep ?? doc!;
}

function isCollection(token: CST.Token): token is CST.BlockMap | CST.BlockSequence | CST.FlowCollection {
  return token.type === "block-map" || token.type === "block-seq" || token.type === "flow-collection";
}

/** Offset of the collection opened past MAX_NESTING among the parser's open nodes, if any. */
function openTooDeep(stack: readonly CST.Token[]): number | undefined {
  let depth = 0;
  for (const token of stack) {
    if (isCollection(token) && ++depth > MAX_NESTING) return token.offset;
  }
  return undefined;
}

/** Offset of the first collection nested deeper than MAX_NESTING in a syntax tree (walked without recursion). */
function firstTooDeep(root: CST.Token): number | undefined {
  const stack: [CST.Token, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [token, depth] = stack.pop()!;
    if (token.type === "document") {
      if (token.value !== undefined) stack.push([token.value, depth]);
    } else if (isCollection(token)) {
      if (depth + 1 > MAX_NESTING) return token.offset;
      // Pushed last-first, so the tree is walked in document order and the first offset found is the earliest.
      for (let i = token.items.length - 1; i >= 0; i--) {
        const item = token.items[i]!;
        if (item.value !== undefined) stack.push([item.value, depth + 1]);
        if ("key" in item && item.key !== undefined && item.key !== null) stack.push([item.key, depth + 1]);
      }
    }
  }
  return undefined;
}

/**
 * Whether data with aliases expanded nests deeper than MAX_NESTING, or contains itself (an alias
 * inside its own anchor). Aliases share objects, so each is measured once (walked without recursion).
 */
function expandedNesting(root: unknown): "deep" | "cycle" | undefined {
  const depthOf = new Map<object, number>();
  const open = new Set<object>();
  const children = (value: object): object[] => Object.values(value).filter((child): child is object => child !== null && typeof child === "object");
  if (root === null || typeof root !== "object") return undefined;
  const stack: { node: object; entered: boolean }[] = [{ node: root, entered: false }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (!top.entered) {
      if (depthOf.has(top.node)) {
        stack.pop();
        continue;
      }
      top.entered = true;
      open.add(top.node);
      for (const child of children(top.node)) {
        if (open.has(child)) return "cycle";
        if (!depthOf.has(child)) stack.push({ node: child, entered: false });
      }
      continue;
    }
    stack.pop();
    open.delete(top.node);
    let depth = 1;
    for (const child of children(top.node)) depth = Math.max(depth, 1 + (depthOf.get(child) ?? 0));
    if (depth > MAX_NESTING) return "deep";
    depthOf.set(top.node, depth);
  }
  return undefined;
}

/**
 * A merge key (`<<`) takes a mapping, an alias of one, or a list of those; anything else is an
 * error at the merge key (the YAML library would throw while converting). Returns whether there was one.
 */
function refuseBadMerges(doc: Document, source: SourceFile, bag: DiagnosticBag): boolean {
  let found = false;
  const resolve = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);
  const describe = (node: unknown): string => {
    if (isSeq(node)) return "a list";
    if (!isScalar(node) || node.value === null || node.value === undefined) return "nothing";
    return typeof node.value === "number" || typeof node.value === "bigint" ? "a number" : `a ${typeof node.value}`;
  };
  visit(doc, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || typeof pair.key.value !== "symbol" || pair.key.value.description !== "<<") return;
      const value = resolve(pair.value);
      const sources = isSeq(value) ? value.items.map(resolve) : [value];
      const bad = sources.find((item) => !isMap(item));
      if (bad === undefined) return;
      found = true;
      const { line, column } = source.position(rangeStart(pair.key) ?? 0);
      bag.error(
        source.ref(line, column, ""),
        `a merge key (<<) takes a mapping, an alias of one, or a list of those; this one is given ${isSeq(value) && bad !== undefined ? `a list holding ${describe(bad)}` : describe(bad)}`,
      );
    },
  });
  return found;
}

/**
 * A key that is itself a list or mapping (`? [a, b]`) names nothing a fleet file or inventory has,
 * and plain data cannot hold it (converting would stringify it, with a warning on stderr). Each is
 * an error at the key; returns whether there was one.
 */
function refuseComplexKeys(doc: Document, source: SourceFile, bag: DiagnosticBag): boolean {
  let found = false;
  visit(doc, {
    Pair(_, pair) {
      const key = isAlias(pair.key) ? pair.key.resolve(doc) : pair.key;
      // A scalar read as an object (an inventory's Python float, a !vault value) would become the key "[object Object]".
      const objectScalar = isScalar(key) && typeof key.value === "object" && key.value !== null;
      if (!isMap(key) && !isSeq(key) && !objectScalar) return;
      found = true;
      const { line, column } = source.position(rangeStart(pair.key) ?? 0);
      bag.error(
        source.ref(line, column, ""),
        objectScalar
          ? `the key ${key.source} is not read as text${key.value instanceof PyFloat ? " (it is a number)" : ""}; put it in quotes`
          : `a key must be a plain value, not a ${isMap(key) ? "mapping" : "list"} (YAML complex keys are not supported)`,
      );
    },
  });
  return found;
}

/** PyYAML keeps the last of duplicate keys; Ansible warns about each. */
function warnAboutDuplicateKeys(doc: Document, source: SourceFile, bag: DiagnosticBag): void {
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = keyText(pair.key);
        if (key === undefined) continue;
        if (seen.has(key)) {
          const { line, column } = source.position(rangeStart(pair.key) ?? 0);
          bag.warning(source.ref(line, column, ""), `duplicate key "${key}": the last value is used (as in Ansible)`);
        }
        seen.add(key);
      }
    },
  });
}

function firstAliasOffset(doc: Document): number {
  let offset = 0;
  visit(doc, {
    Alias(_, alias) {
      offset = rangeStart(alias) ?? 0;
      return visit.BREAK;
    },
  });
  return offset;
}

/** The first alias whose anchor is not set before it (yaml reports it only when converting, at no position). */
function firstUnresolvedAlias(doc: Document): { name: string; offset: number } | undefined {
  let found: { name: string; offset: number } | undefined;
  visit(doc, {
    Alias(_, alias) {
      if (alias.resolve(doc) !== undefined) return undefined;
      found = { name: alias.source, offset: rangeStart(alias) ?? 0 };
      return visit.BREAK;
    },
  });
  return found;
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}
