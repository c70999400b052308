// Start every build from an empty dist/: a module removed or moved in src/ must not survive as a stale copy.
import { rmSync } from "node:fs";
rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
