/**
 * What a run needs around the planned commands it runs (src/host/command.ts runs them): the secret
 * references its steps use, and a bounded, secret-free excerpt of what a command printed.
 */

import { formatSecretRef } from "../config/secrets.js";
import type { SecretRef } from "../config/types.js";
import type { Step } from "../plan/types.js";
import { stripAnsi } from "../host/output.js";
import type { Redactor } from "./redact.js";

export function secretRefsOf(steps: readonly Step[]): SecretRef[] {
  const refs = new Map<string, SecretRef>();
  for (const step of steps) {
    for (const command of step.commands) {
      for (const value of Object.values(command.env ?? {})) {
        if ("secret" in value) refs.set(formatSecretRef(value.secret), value.secret);
      }
    }
  }
  return [...refs.values()];
}


export const OUTPUT_EXCERPT_CHARS = 4_000;

/** The tail of the output (where errors are), without colour codes or secrets, at most `limit` characters. */
export function outputExcerpt(text: string, redactor: Redactor, limit = OUTPUT_EXCERPT_CHARS): string {
  // Scrub before cutting, so a secret split by the cut cannot survive as a fragment.
  const clean = redactor.scrub(stripAnsi(text).replace(/\r\n?/g, "\n")).trimEnd();
  if (clean.length <= limit) return clean;
  return `…${clean.slice(clean.length - limit + 1)}`;
}
