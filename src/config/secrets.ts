/**
 * Secret references. The fleet file only ever names where a secret lives (`env:NAME`,
 * `file:PATH`); the value is read at apply time and handed to the host on stdin or in the
 * environment, never printed, planned, journaled or put in argv.
 */
import { readTextFile } from "./source.js";
import { ENV_NAME } from "./names.js";
import type { SecretRef } from "./types.js";

export function formatSecretRef(ref: SecretRef): string {
  return ref.kind === "env" ? `env:${ref.name}` : `file:${ref.path}`;
}

/** Parses `env:NAME` / `file:PATH`; undefined for anything else (literal values included). */
export function parseSecretRef(text: string): SecretRef | undefined {
  if (text.startsWith("env:")) {
    const name = text.slice(4);
    return ENV_NAME.test(name) ? { kind: "env", name } : undefined;
  }
  if (text.startsWith("file:") && text.length > 5) return { kind: "file", path: text.slice(5) };
  return undefined;
}

/** Prefixes of well-known API key formats, so a pasted key gets a pointed error. */
const KEY_SHAPES: { pattern: RegExp; what: string }[] = [
  { pattern: /^nvapi-[A-Za-z0-9_-]{8,}/, what: "an NVIDIA API key" },
  { pattern: /^sk-ant-[A-Za-z0-9_-]{8,}/, what: "an Anthropic API key" },
  { pattern: /^sk-or-[A-Za-z0-9_-]{8,}/, what: "an OpenRouter API key" },
  { pattern: /^sk-[A-Za-z0-9_-]{16,}/, what: "an OpenAI-style API key" },
  { pattern: /^AIza[0-9A-Za-z_-]{20,}/, what: "a Google API key" },
  { pattern: /^(ghp|gho|ghs|github_pat)_[A-Za-z0-9_]{16,}/, what: "a GitHub token" },
  { pattern: /^hf_[A-Za-z0-9]{20,}/, what: "a Hugging Face token" },
  { pattern: /^xai-[A-Za-z0-9]{16,}/, what: "an xAI API key" },
  { pattern: /^(AKIA|ASIA)[0-9A-Z]{16}$/, what: "an AWS access key" },
  { pattern: /^gsk_[A-Za-z0-9]{16,}/, what: "a Groq API key" },
];

/** Why a value is not an acceptable secret reference, or undefined when it is one. */
export function secretRefProblem(value: string): string | undefined {
  if (value.startsWith("env:")) {
    return ENV_NAME.test(value.slice(4))
      ? undefined
      : `${JSON.stringify(value)}: after env: comes an environment variable name (letters, digits and "_", not starting with a digit)`;
  }
  if (value.startsWith("file:")) return value.length > 5 ? undefined : `"file:" must be followed by a path`;
  // Where only a reference is allowed, a long unbroken token is a pasted key too.
  const shape = apiKeyShape(value) ?? (/^[A-Za-z0-9_\-.=+]{32,}$/.test(value) ? "a token" : undefined);
  if (shape !== undefined) return `looks like a literal API key (${shape}); ${KEEP_SECRETS_OUT}`;
  return `must be a secret reference (env:NAME or file:PATH), not a literal value; ${KEEP_SECRETS_OUT}`;
}

/** The text to mask in excerpts: a value not even shaped like a reference may be the secret itself. */
export function literalSecret(value: string): string | undefined {
  return value.startsWith("env:") || value.startsWith("file:") ? undefined : value;
}

export const KEEP_SECRETS_OUT =
  "keep the secret out of the file: put it in an environment variable and write env:NAME, or in a file and write file:PATH";

/** What kind of key a value looks like, judged by the prefixes of well-known key formats. */
export function apiKeyShape(value: string): string | undefined {
  return KEY_SHAPES.find((k) => k.pattern.test(value))?.what;
}

export interface SecretDeps {
  env?: NodeJS.ProcessEnv;
  readFile?: (p: string) => Promise<string>;
}

/**
 * The secret's value. A file's single trailing newline is dropped (editors add one). Errors name
 * the reference, never the value.
 */
export async function resolveSecret(ref: SecretRef, deps: SecretDeps = {}): Promise<string> {
  if (ref.kind === "env") {
    const value = (deps.env ?? process.env)[ref.name];
    if (value === undefined) throw new Error(`secret ${formatSecretRef(ref)}: environment variable ${ref.name} is not set`);
    if (value === "") throw new Error(`secret ${formatSecretRef(ref)}: environment variable ${ref.name} is empty`);
    return value;
  }
  // A secret is a line or a few of text: a FIFO, a device or a large file is refused, never waited on.
  const read = deps.readFile ?? ((p: string) => readTextFile(p, 64 * 1024));
  let text: string;
  try {
    text = await read(ref.path);
  } catch (error) {
    throw new Error(`secret ${formatSecretRef(ref)}: cannot read the file: ${(error as Error).message}`);
  }
  const value = text.replace(/\r?\n$/, "");
  if (value === "") throw new Error(`secret ${formatSecretRef(ref)}: the file is empty`);
  return value;
}
