/**
 * How Ansible's INI inventory plugin reads values: host lines are split like a POSIX shell
 * (shlex, `#` starts a comment), and every `key=value` value goes through Python's
 * `ast.literal_eval`, falling back to the plain string. So `port=22` is a number, `x=True` a
 * boolean, `x='a b'` the string `a b`, `labels="{'site': 'sjc'}"` a dict, and `x=yes` or
 * `x=022` stay strings. Floats are kept as Python floats and big integers exactly (values.ts).
 */
import { MAX_NESTING } from "../source.js";
import { PyFloat } from "./values.js";

/** POSIX shell-like word splitting with `#` comments (Python's shlex.split(comments=True)). */
export function shlexSplit(line: string): string[] | string {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (ch === "#" && word === undefined) {
      break;
    } else if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return "no closing quotation";
      word = (word ?? "") + line.slice(i + 1, end);
      i = end;
    } else if (ch === '"') {
      let text = "";
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === "\\" && j + 1 < line.length && '\\"$`\n'.includes(line[j + 1]!)) j++;
        text += line[j];
      }
      if (j >= line.length) return "no closing quotation";
      word = (word ?? "") + text;
      i = j;
    } else if (ch === "\\" && i + 1 < line.length) {
      word = (word ?? "") + line[i + 1];
      i++;
    } else {
      word = (word ?? "") + ch;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** A value whose lists, tuples and dicts nest deeper than MAX_NESTING (the parser recurses per level). */
export class IniValueTooDeep extends Error {
  constructor() {
    super(`the value nests lists, tuples or dicts deeper than ${MAX_NESTING} levels`);
  }
}

/**
 * Ansible's `_parse_value`: a Python literal when the text is one, otherwise the text itself.
 * Throws IniValueTooDeep for a literal nested deeper than MAX_NESTING.
 */
export function parseIniValue(text: string): unknown {
  const parser = new LiteralParser(text);
  try {
    return parser.parseTop();
  } catch (error) {
    if (error === NOT_A_LITERAL) return text;
    throw error;
  }
}

/** Thrown (one shared instance, no stack trace to build) when the text is not a Python literal. */
const NOT_A_LITERAL = Symbol("not a literal");

class LiteralParser {
  private pos = 0;
  /** Lists, tuples and dicts open around the current position. */
  private depth = 0;

  constructor(private readonly text: string) {}

  parseTop(): unknown {
    this.skipSpace();
    if (this.pos >= this.text.length) throw NOT_A_LITERAL;
    const first = this.parseValue();
    this.skipSpace();
    // `1, 2` is a tuple to literal_eval.
    if (this.peek() === ",") {
      const items = [first];
      while (this.peek() === ",") {
        this.pos++;
        this.skipSpace();
        if (this.atEnd()) break;
        items.push(this.parseValue());
        this.skipSpace();
      }
      this.expectEnd();
      return items;
    }
    this.expectEnd();
    return first;
  }

  private expectEnd(): void {
    this.skipSpace();
    if (!this.atEnd()) throw NOT_A_LITERAL;
  }

  private atEnd(): boolean {
    return this.pos >= this.text.length || this.text[this.pos] === "#";
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private parseValue(): unknown {
    this.skipSpace();
    const ch = this.peek();
    if (ch === undefined) throw NOT_A_LITERAL;
    if (ch === "'" || ch === '"') return this.parseStrings();
    if (/[rRuU]/.test(ch) && (this.text[this.pos + 1] === "'" || this.text[this.pos + 1] === '"')) return this.parseStrings();
    if (ch === "[" || ch === "(" || ch === "{") {
      if (++this.depth > MAX_NESTING) throw new IniValueTooDeep();
      const value = ch === "{" ? this.parseBraces() : this.parseSequence(ch === "[" ? "]" : ")");
      this.depth--;
      return value;
    }
    if (ch === "-" || ch === "+" || /[0-9.]/.test(ch)) return this.parseNumber();
    for (const [word, value] of [
      ["True", true],
      ["False", false],
      ["None", null],
    ] as const) {
      if (this.text.startsWith(word, this.pos) && !/[A-Za-z0-9_]/.test(this.text[this.pos + word.length] ?? "")) {
        this.pos += word.length;
        return value;
      }
    }
    throw NOT_A_LITERAL;
  }

  /** Adjacent string literals concatenate in Python ('a' 'b' == 'ab'). */
  private parseStrings(): string {
    let out = this.parseString();
    for (;;) {
      const save = this.pos;
      this.skipSpace();
      const ch = this.peek();
      if (ch === "'" || ch === '"') out += this.parseString();
      else {
        this.pos = save;
        return out;
      }
    }
  }

  private parseString(): string {
    let raw = false;
    if (/[rR]/.test(this.peek()!)) {
      raw = true;
      this.pos++;
    } else if (/[uU]/.test(this.peek()!)) this.pos++;
    const quote = this.peek()!;
    const triple = this.text.startsWith(quote.repeat(3), this.pos);
    const delimiter = triple ? quote.repeat(3) : quote;
    this.pos += delimiter.length;
    let out = "";
    while (!this.text.startsWith(delimiter, this.pos)) {
      if (this.pos >= this.text.length) throw NOT_A_LITERAL;
      const ch = this.text[this.pos]!;
      if (ch === "\n" && !triple) throw NOT_A_LITERAL;
      if (ch === "\\" && !raw) {
        out += this.parseEscape();
        continue;
      }
      if (ch === "\\" && raw) {
        out += ch + (this.text[this.pos + 1] ?? "");
        this.pos += 2;
        continue;
      }
      out += ch;
      this.pos++;
    }
    this.pos += delimiter.length;
    return out;
  }

  private parseEscape(): string {
    const next = this.text[this.pos + 1];
    this.pos += 2;
    const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0", a: "\x07", b: "\b", f: "\f", v: "\v", "\n": "" };
    if (next !== undefined && simple[next] !== undefined) return simple[next];
    const hexLength = next === "x" ? 2 : next === "u" ? 4 : next === "U" ? 8 : 0;
    if (hexLength > 0) {
      const hex = this.text.slice(this.pos, this.pos + hexLength);
      if (!new RegExp(`^[0-9A-Fa-f]{${hexLength}}$`).test(hex)) throw NOT_A_LITERAL;
      this.pos += hexLength;
      return String.fromCodePoint(parseInt(hex, 16));
    }
    return `\\${next ?? ""}`;
  }

  private parseSequence(close: string): unknown[] {
    this.pos++;
    const items: unknown[] = [];
    this.skipSpace();
    let sawComma = false;
    while (this.peek() !== close) {
      items.push(this.parseValue());
      this.skipSpace();
      if (this.peek() === ",") {
        sawComma = true;
        this.pos++;
        this.skipSpace();
      } else if (this.peek() !== close) throw NOT_A_LITERAL;
    }
    this.pos++;
    // `(1)` is just 1 in Python; only a comma makes a tuple.
    return close === ")" && items.length === 1 && !sawComma ? (items[0] as unknown[]) : items;
  }

  /** `{k: v}` is a dict, `{a, b}` a set (kept as a list). */
  private parseBraces(): unknown {
    this.pos++;
    this.skipSpace();
    if (this.peek() === "}") {
      this.pos++;
      return {};
    }
    const first = this.parseValue();
    this.skipSpace();
    if (this.peek() !== ":") {
      const items: unknown[] = [first];
      while (this.peek() === ",") {
        this.pos++;
        this.skipSpace();
        if (this.peek() === "}") break;
        items.push(this.parseValue());
        this.skipSpace();
      }
      if (this.peek() !== "}") throw NOT_A_LITERAL;
      this.pos++;
      return items;
    }
    const dict: Record<string, unknown> = {};
    let key = first;
    for (;;) {
      this.pos++; // ":"
      dict[String(key)] = this.parseValue();
      this.skipSpace();
      if (this.peek() === ",") {
        this.pos++;
        this.skipSpace();
      }
      if (this.peek() === "}") {
        this.pos++;
        return dict;
      }
      key = this.parseValue();
      this.skipSpace();
      if (this.peek() !== ":") throw NOT_A_LITERAL;
    }
  }

  /** Python numbers: floats stay floats (`1e3` is 1000.0), integers stay exact (bigint past 2^53). */
  private parseNumber(): unknown {
    const match = /^[-+]?\s*(0[xX][0-9A-Fa-f_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*)?\.?[\d_]*(?:[eE][-+]?\d+)?)/.exec(this.text.slice(this.pos));
    const whole = match?.[0] ?? "";
    const body = match?.[1] ?? "";
    if (body === "" || body === "." || !/\d/.test(body) || /__|_$|^_|_\.|\._/.test(body.replace(/^0[xXoObB]_?/, "0"))) throw NOT_A_LITERAL;
    const negative = whole.trimStart().startsWith("-");
    const digits = body.replace(/_/g, "");
    this.pos += whole.length;
    if (/^0[xXoObB]/.test(digits)) return exactInteger(BigInt(`0${digits[1]!.toLowerCase()}${digits.slice(2)}`), negative);
    if (/[.eE]/.test(digits)) {
      const value = Number(digits);
      if (Number.isNaN(value)) throw NOT_A_LITERAL;
      return new PyFloat(negative ? -value : value);
    }
    // Python 3 rejects decimal integers with leading zeros (022), so they stay strings.
    if (/^0\d/.test(digits) && !/^0+$/.test(digits)) throw NOT_A_LITERAL;
    return exactInteger(BigInt(digits), negative);
  }
}

function exactInteger(value: bigint, negative: boolean): number | bigint {
  const signed = negative ? -value : value;
  return signed >= BigInt(Number.MIN_SAFE_INTEGER) && signed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(signed) : signed;
}
