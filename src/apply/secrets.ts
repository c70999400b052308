/**
 * The secrets a run's steps need, read once before any host is touched: a reference that cannot be
 * read refuses the whole run up front, where the fleet file wrote it, instead of failing each host
 * that needs it half-way through (docs/security.md#secrets). The values stay in this process and
 * reach a host only on a step's stdin or environment.
 */

import { formatSecretRef } from "../config/secrets.js";
import type { DesiredFleet, SecretRef, SourceRef } from "../config/types.js";
import type { Plan } from "../plan/types.js";
import { secretRefsOf } from "./command.js";

/** A secret that could not be read: where the fleet file names it (when it still does) and why. */
export interface SecretProblem {
  at?: SourceRef;
  message: string;
}

export type RunSecrets = { values: Map<string, string> } | { problems: SecretProblem[] };

/**
 * Reads every secret the plan's steps (those that will run: held-back steps are not in `steps`)
 * refer to. A reference is located in the fleet file by the sandbox that writes it, on the host
 * whose step needs it first.
 */
export async function readRunSecrets(plan: Plan, fleet: DesiredFleet, resolve: (ref: SecretRef) => Promise<string>): Promise<RunSecrets> {
  const users = new Map<string, { ref: SecretRef; steps: { host: string; id: string }[] }>();
  for (const hostPlan of plan.hosts) {
    for (const step of hostPlan.steps) {
      for (const ref of secretRefsOf([step])) {
        const key = formatSecretRef(ref);
        const entry = users.get(key) ?? { ref, steps: [] };
        entry.steps.push({ host: hostPlan.host, id: step.id });
        users.set(key, entry);
      }
    }
  }
  const values = new Map<string, string>();
  const problems: SecretProblem[] = [];
  for (const [key, { ref, steps }] of users) {
    let problem: string;
    try {
      const value = await resolve(ref);
      // Step secrets reach the host one per line on stdin (src/transport/shell.ts encodeSecretLines).
      if (!/[\r\n]/.test(value)) {
        values.set(key, value);
        continue;
      }
      problem = `secret ${key}: the value holds more than one line; a provider key is one line`;
    } catch (error) {
      problem = (error as Error).message;
    }
    const at = writtenAt(fleet, key, steps.map((step) => step.host));
    problems.push({ ...(at ? { at } : {}), message: `${problem}; needed by ${steps.map((step) => `${step.id} on ${step.host}`).join(", ")}` });
  }
  return problems.length > 0 ? { problems } : { values };
}

function writtenAt(fleet: DesiredFleet, key: string, hosts: string[]): SourceRef | undefined {
  const sandboxes = [...hosts.flatMap((name) => fleet.hosts.filter((host) => host.name === name)), ...fleet.hosts].flatMap((host) => host.sandboxes);
  return sandboxes.find((sandbox) => sandbox.credential !== undefined && sandbox.credentialSource !== undefined && formatSecretRef(sandbox.credential) === key)?.credentialSource;
}
