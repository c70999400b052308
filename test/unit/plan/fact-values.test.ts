/** The fact values a plan records beside its fingerprints, masked, and the field-by-field change between two of them. */
import { describe, expect, it } from "vitest";
import { compactValue, factValues, fieldChanges, maskedFields, recordedFact } from "../../../src/plan/fact-values.js";
import { canonicalJson, factValue } from "../../../src/plan/fingerprint.js";
import { converged, guardFile, GUARD_PATHS, hostPlanOf, known, liveSandbox, registryEntries, safeGuards, unknown } from "./builders.js";

describe("recorded fact values", () => {
  it("are the fingerprinted values: canonical, volatile fields dropped", () => {
    const observed = converged().observed;
    expect(canonicalJson(recordedFact(observed, "registry:assistant"))).toBe(canonicalJson(factValue(observed, "registry:assistant")));
    expect(factValues(observed, ["sandbox:nemoclaw/assistant", "registry:assistant", "registry:assistant"])).toEqual({
      "registry:assistant": recordedFact(observed, "registry:assistant"),
      "sandbox:nemoclaw/assistant": recordedFact(observed, "sandbox:nemoclaw/assistant"),
    });
  });

  it("every host plan records one for each fingerprinted fact", () => {
    const scenario = converged();
    scenario.host.sandboxes[0]!.policy = { presets: ["pypi"] };
    const hostPlan = hostPlanOf(scenario);
    expect(Object.keys(hostPlan.factValues ?? {})).toEqual(Object.keys(hostPlan.fingerprints));
    expect(Object.keys(hostPlan.fingerprints).length).toBeGreaterThan(0);
  });

  it("never hold a secret: API keys, passwords in URLs and password-like assignments in output are masked", () => {
    const observed = converged().observed;
    registryEntries(observed)[0]!.endpointUrl = "https://svc:hunter2@llm.internal:8443/v1";
    registryEntries(observed)[0]!.model = "nvapi-0123456789abcdefABCDEF";
    observed.shields = unknown("shields state unreadable", "export NVIDIA_API_KEY=nvapi-0123456789abcdefABCDEF\nDB_PASSWORD=hunter2 retrying");
    const text = JSON.stringify([recordedFact(observed, "registry:assistant"), recordedFact(observed, "shields:assistant")]);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("nvapi-0123456789");
    expect(text).toContain("https://svc:<masked>@llm.internal:8443/v1");
    expect(text).toContain("DB_PASSWORD=<masked>");
    expect(maskedFields(recordedFact(observed, "registry:assistant"))).toEqual(["endpointUrl", "model"]);
  });
});

describe("field changes", () => {
  it("name each field that changed, old → new, and nothing else", () => {
    const before = converged().observed;
    const after = converged().observed;
    registryEntries(after)[0]!.policies = ["npm", "pypi"];
    registryEntries(after)[0]!.model = "nvidia/other-model";
    expect(fieldChanges(recordedFact(before, "registry:assistant"), recordedFact(after, "registry:assistant"))).toEqual([
      { field: "model", before: JSON.stringify(registryEntries(before)[0]!.model), after: '"nvidia/other-model"' },
      { field: "policies", before: JSON.stringify(registryEntries(before)[0]!.policies), after: '["npm","pypi"]' },
    ]);
    expect(fieldChanges(recordedFact(before, "registry:assistant"), recordedFact(before, "registry:assistant"))).toEqual([]);
  });

  it("reach into known facts and name list elements by their names", () => {
    const before = converged().observed;
    const after = converged().observed;
    liveSandbox(after).guards = known(safeGuards({ files: [guardFile(GUARD_PATHS.proxyEnv, { mode: "644" }), guardFile(GUARD_PATHS.safetyNet), guardFile(GUARD_PATHS.ciao)] }));
    expect(fieldChanges(recordedFact(before, "sandbox:nemoclaw/assistant"), recordedFact(after, "sandbox:nemoclaw/assistant"))).toEqual([
      { field: `guards.files[${GUARD_PATHS.proxyEnv}].mode`, before: '"444"', after: '"644"' },
    ]);
    registryEntries(after).push({ ...registryEntries(after)[0]!, name: "coder" });
    const changes = fieldChanges(recordedFact(before, "registry"), recordedFact(after, "registry"));
    expect(changes.map((change) => [change.field, change.before])).toEqual([["entries[coder]", null]]);
    expect(changes[0]?.after).toMatch(/^\{"agent":"openclaw",/);
  });

  it("show a fact that became unknown, or a resource that went away, as one change", () => {
    const before = converged().observed;
    const after = converged().observed;
    after.registry = unknown("sandboxes.json is not valid JSON", "{");
    expect(fieldChanges(recordedFact(before, "registry:assistant"), recordedFact(after, "registry:assistant"))).toEqual([
      { field: "", before: compactValue(recordedFact(before, "registry:assistant")), after: "unknown (sandboxes.json is not valid JSON)" },
    ]);
    const gone = converged().observed;
    registryEntries(gone).splice(0);
    expect(fieldChanges(recordedFact(before, "registry:assistant"), recordedFact(gone, "registry:assistant"))).toEqual([
      { field: "", before: compactValue(recordedFact(before, "registry:assistant")), after: "null" },
    ]);
  });

  it("shorten long values", () => {
    expect(compactValue("x".repeat(500))).toHaveLength(200);
    expect(compactValue(["npm"])).toBe('["npm"]');
  });
});
