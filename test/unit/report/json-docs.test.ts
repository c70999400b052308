/** docs/json-output.md's table names every field the backup commands' --json documents carry. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { BackupRecord } from "../../../src/backup/record.js";
import { pruneJson, verifyJson } from "../../../src/report/backup-json.js";

const table = readFileSync(new URL("../../../docs/json-output.md", import.meta.url), "utf8");

/** The field names the table's row for a command gives, `name?` for an optional one. */
function documented(command: string): string[] {
  const row = table.split("\n").find((line) => line.startsWith(`| \`${command}\` |`)) ?? "";
  return [...row.matchAll(/([A-Za-z]+\??)(?=\s*[,:}\]])/g)].map((match) => match[1]!);
}

/** The field names of the documents' objects, nested ones included; `name?` when only some have it. */
function fieldsOf(documents: string[]): string[] {
  const seen = new Map<string, number>();
  const counts = new Map<string, number>();
  const walk = (value: unknown, at: string) => {
    if (Array.isArray(value)) return value.forEach((item) => walk(item, at));
    if (value === null || typeof value !== "object") return;
    counts.set(at, (counts.get(at) ?? 0) + 1);
    for (const [key, inner] of Object.entries(value)) {
      seen.set(`${at}.${key}`, (seen.get(`${at}.${key}`) ?? 0) + 1);
      if (key !== "record") walk(inner, `${at}.${key}`);
    }
  };
  for (const document of documents) walk(JSON.parse(document), "");
  return [...seen].map(([path, count]) => {
    const name = path.slice(path.lastIndexOf(".") + 1);
    return count < counts.get(path.slice(0, path.lastIndexOf(".")))! ? `${name}?` : name;
  });
}

const record = { id: "spark-01/alice/2026-07-10T02-00-00-123Z", location: "/srv/backups/spark-01/alice/2026-07-10T02-00-00-123Z" } as BackupRecord;

describe("docs/json-output.md", () => {
  it("backup verify: every field of a result", () => {
    const documents = [verifyJson([{ record, problems: [] }, { record, problems: [], notRecorded: "the result could not be recorded in manifest.json: ENOSPC" }])];
    expect(documented("backup verify").sort()).toEqual([...new Set(["results", ...fieldsOf(documents)])].sort());
  });

  it("backup prune: every top-level field", () => {
    const plan = { series: [], remove: [], skipped: [], leftovers: [] };
    expect(documented("backup prune").sort()).toEqual(Object.keys(JSON.parse(pruneJson(plan, null))).sort());
  });
});
