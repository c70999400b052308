/** Raw outputs quoted in the reference files, stored under test/fixtures/outputs/. */
import { readFileSync } from "node:fs";

export function fixture(path: string): string {
  return readFileSync(new URL(`../../fixtures/outputs/${path}`, import.meta.url), "utf8");
}

export function ran(path: string, exitCode: number | null = 0): { output: string; exitCode: number | null } {
  return { output: fixture(path), exitCode };
}
