/**
 * DGX identity: DGX OS writes `/etc/dgx-release` (`DGX_NAME="DGX Spark"`, `DGX_PRETTY_NAME=…`);
 * the DMI product name (`/sys/class/dmi/id/product_name`) names the model on any OS.
 */
import { parseShellAssignments } from "./os-release.js";

const MODEL = /\bDGX[ _-]?([A-Za-z0-9]+(?:[ _-][A-Z0-9][A-Za-z0-9]*)?)/i;

/** `DGX Spark`, `DGX Station`, … or null when neither source names a DGX. */
export function parseDgxModel(dgxRelease: string | null, dmiProductName: string | null): string | null {
  if (dgxRelease !== null) {
    const values = parseShellAssignments(dgxRelease);
    for (const key of ["DGX_NAME", "DGX_PRETTY_NAME", "DGX_PLATFORM"]) {
      const model = modelIn(values.get(key) ?? "");
      if (model !== null) return model;
    }
  }
  return dmiProductName === null ? null : modelIn(dmiProductName);
}

function modelIn(text: string): string | null {
  const match = MODEL.exec(text.trim());
  return match ? `DGX ${match[1]!.replace(/[_-]/g, " ")}` : null;
}
