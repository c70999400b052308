// @ts-check
/**
 * `npm run bench`: runs every bench/*.bench.mjs in turn (after `npm run build`), each printing its
 * own timings. Speed is measured here, never asserted in tests.
 */
import { readdirSync } from "node:fs";

const dir = new URL(".", import.meta.url);
const benches = readdirSync(dir).filter((name) => name.endsWith(".bench.mjs")).sort();
for (const name of benches) {
  process.stdout.write(`\n## ${name}\n`);
  await import(new URL(name, dir).href);
}
