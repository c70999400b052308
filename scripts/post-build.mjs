// Make the compiled CLI executable (npm also does this on install; this covers `node dist/...` users and tests).
import { chmodSync } from "node:fs";
chmodSync(new URL("../dist/cli/main.js", import.meta.url), 0o755);
