/**
 * Reading `nemoclaw.dev/v1alpha1` files. The differences are rewritten in the YAML document
 * itself (keys renamed, scalars changed in place), so positions stay those of the file as
 * written and every later error still points at the right line.
 *
 * v1alpha1 → v1:
 *   `backups:`                          → `backupPolicies:`
 *   `sandboxes[].credentialEnv: NAME`   → `credential: env:NAME` (v1's credentialEnv means the
 *                                         variable NemoClaw reads on the host)
 *   `sandboxes[].gpu: true | false`     → `gpu: on | off`
 *   `sandboxes[].host` was the only placement (`hosts:` selectors are v1 only)
 */
import { isMap, isScalar, isSeq, type Pair, type YAMLMap } from "yaml";
import type { DiagnosticBag } from "./diagnostics.js";
import type { YamlSource } from "./source.js";

export const API_V1 = "nemoclaw.dev/v1";
export const API_V1ALPHA1 = "nemoclaw.dev/v1alpha1";

export function migrateV1alpha1(yaml: YamlSource, bag: DiagnosticBag): void {
  const root = yaml.doc.contents;
  if (!isMap(root)) return;
  const apiVersion = pairOf(root, "apiVersion");
  if (apiVersion !== undefined && isScalar(apiVersion.value)) apiVersion.value.value = API_V1;
  bag.warning(
    yaml.ref(["apiVersion"]),
    `${API_V1ALPHA1} is deprecated; the file was read as ${API_V1}. Update apiVersion and the fields flagged below`,
  );

  const backups = pairOf(root, "backups");
  if (backups !== undefined) {
    if (pairOf(root, "backupPolicies") !== undefined) {
      bag.error(yaml.ref(["backups"], "key"), "both backups (v1alpha1) and backupPolicies are present; keep only backupPolicies");
    } else {
      renameKey(backups, "backupPolicies");
      bag.warning(yaml.ref(["backupPolicies"], "key"), "backups: is now backupPolicies:");
    }
  }

  const sandboxes = pairOf(root, "sandboxes")?.value;
  if (!isSeq(sandboxes)) return;
  sandboxes.items.forEach((item, index) => {
    if (!isMap(item)) return;
    const at = ["sandboxes", index];
    if (pairOf(item, "hosts") !== undefined) {
      bag.error(yaml.ref([...at, "hosts"], "key"), `hosts: selectors need apiVersion ${API_V1}; in ${API_V1ALPHA1} a sandbox names its one host:`);
    }
    const credentialEnv = pairOf(item, "credentialEnv");
    if (credentialEnv !== undefined && isScalar(credentialEnv.value) && typeof credentialEnv.value.value === "string") {
      if (pairOf(item, "credential") !== undefined) {
        bag.error(yaml.ref([...at, "credentialEnv"], "key"), "both credentialEnv (v1alpha1: the key's variable) and credential are present; keep only credential: env:NAME");
      } else {
        const name = credentialEnv.value.value;
        renameKey(credentialEnv, "credential");
        credentialEnv.value.value = `env:${name}`;
        bag.warning(yaml.ref([...at, "credential"], "key"), `credentialEnv: ${name} is now credential: env:${name}`);
      }
    }
    const gpu = pairOf(item, "gpu");
    if (gpu !== undefined && isScalar(gpu.value) && typeof gpu.value.value === "boolean") {
      const mode = gpu.value.value ? "on" : "off";
      bag.warning(yaml.ref([...at, "gpu"]), `gpu: ${String(gpu.value.value)} is now gpu: ${mode}`);
      gpu.value.value = mode;
    }
  });
}

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((pair) => isScalar(pair.key) && pair.key.value === key);
}

function renameKey(pair: Pair, key: string): void {
  if (isScalar(pair.key)) pair.key.value = key;
}
