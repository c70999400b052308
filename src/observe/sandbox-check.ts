/**
 * The targeted check after a step that changes one sandbox only (docs/apply.md): the host as last
 * observed, with that gateway's sandbox list and that sandbox's inside read again. The steps that
 * use it (src/apply/host-run.ts) change nothing else, so the re-plan that checks their
 * postcondition sees what a full observation would, for a fraction of its cost.
 */
import { gatewayAnswers } from "../host/openshell/probe.js";
import { known, unknown } from "../host/output.js";
import type { ProbeOutput } from "../host/probe/sections.js";
import { listedSandboxes } from "./gateways.js";
import type { SandboxCheckTarget } from "./probe.js";
import type { Fact, ObservedHost, ObservedSandbox } from "./types.js";

/** Whether the host's last observation can carry a check of this sandbox (its gateway and the CLI's version known). */
export function checkTargetFor(previous: ObservedHost, gateway: string, sandbox: string): SandboxCheckTarget | null {
  if (previous.unreachable || previous.gateways.state !== "known" || previous.openshell.state !== "known") return null;
  const version = previous.openshell.value.installed ? previous.openshell.value.version : null;
  if (version === null || !previous.gateways.value.some((candidate) => candidate.name === gateway)) return null;
  return { gateway, sandbox, openshellVersion: version };
}

/** Whether the check read the sandbox's inside: if not, only a full observation can judge the step. */
export function checkedSandboxRead(observed: ObservedHost, target: SandboxCheckTarget): boolean {
  if (observed.unreachable || observed.gateways.state !== "known") return false;
  const sandboxes = observed.gateways.value.find((gateway) => gateway.name === target.gateway)?.sandboxes;
  return sandboxes?.state === "known" && sandboxes.value.some((sandbox) => sandbox.name === target.sandbox && sandbox.guards.state === "known");
}

export function withSandboxChecked(
  previous: ObservedHost,
  probe: ProbeOutput,
  target: SandboxCheckTarget,
  meta: Pick<ObservedHost, "observedAt" | "durationMs" | "unreachable">,
): ObservedHost {
  if (meta.unreachable) return { ...previous, ...meta };
  const answers = gatewayAnswers(probe, target.gateway);
  const fresh: Fact<ObservedSandbox[]> =
    answers.sandboxList === undefined ? unknown(`the check ended before listing sandboxes on ${target.gateway}`) : listedSandboxes(answers.sandboxList, answers.guards);
  if (previous.gateways.state !== "known") return { ...previous, ...meta };
  const gateways = previous.gateways.value.map((gateway) => (gateway.name === target.gateway ? { ...gateway, sandboxes: merged(gateway.sandboxes, fresh, target.sandbox) } : gateway));
  return { ...previous, ...meta, gateways: known(gateways) };
}

/** The fresh list; the checked sandbox as seen now, the others with the insides last seen. */
function merged(before: Fact<ObservedSandbox[]>, fresh: Fact<ObservedSandbox[]>, checked: string): Fact<ObservedSandbox[]> {
  if (fresh.state === "unknown") return fresh;
  const earlier = new Map(before.state === "known" ? before.value.map((sandbox) => [sandbox.name, sandbox]) : []);
  return known(
    fresh.value.map((sandbox) => {
      if (sandbox.name === checked) return sandbox;
      const last = earlier.get(sandbox.name);
      return { ...sandbox, guards: last ? last.guards : unknown(`the check did not enter sandbox ${sandbox.name}`) };
    }),
  );
}
