/** `nemoclaw validate`: every problem in a fleet file and its inventories, without contacting any host. */
import { FleetValidationError, sortDiagnostics, type Diagnostic } from "./diagnostics.js";
import { inspectFleet, type LoadOptions } from "./load.js";
import { selectHosts } from "./selectors.js";
import type { DesiredFleet } from "./types.js";

export interface ValidationSummary {
  hosts: number;
  /** Gateways across all hosts (a gateway on three hosts counts three times). */
  gateways: number;
  /** Sandboxes across all hosts. */
  sandboxes: number;
  backupPolicies: number;
  /** Hosts `--limit` selects, when one was given. */
  selectedHosts?: number;
}

export interface ValidationReport {
  valid: boolean;
  errors: Diagnostic[];
  warnings: Diagnostic[];
  summary: ValidationSummary;
}

export async function validateFleet(options: LoadOptions & { limit?: string }): Promise<ValidationReport> {
  const { fleet, diagnostics } = await inspectFleet(options);
  const all = [...diagnostics];
  let selectedHosts: number | undefined;
  if (fleet !== undefined && options.limit !== undefined) {
    try {
      selectedHosts = selectHosts(fleet, options.limit).length;
    } catch (error) {
      if (!(error instanceof FleetValidationError)) throw error;
      all.push(...error.diagnostics);
    }
  }
  const errors = sortDiagnostics(all.filter((d) => d.severity === "error"));
  return {
    valid: errors.length === 0,
    errors,
    warnings: sortDiagnostics(all.filter((d) => d.severity === "warning")),
    summary: { ...summarize(fleet), ...(selectedHosts === undefined ? {} : { selectedHosts }) },
  };
}

function summarize(fleet: DesiredFleet | undefined): ValidationSummary {
  const hosts = fleet?.hosts ?? [];
  return {
    hosts: hosts.length,
    gateways: hosts.reduce((n, h) => n + h.gateways.length, 0),
    sandboxes: hosts.reduce((n, h) => n + h.sandboxes.length, 0),
    backupPolicies: fleet?.backupPolicies.length ?? 0,
  };
}
