/**
 * Backups and restores. A backup goes to each backup policy that covers the sandbox (carried out
 * by the fleet backup engine, verified); a sandbox no policy covers is snapshotted with NemoClaw's
 * own engine into ~/.nemoclaw/rebuild-backups on the host, so a gateway retire or recreate is
 * never planned without a backup, policy or not (design scenario 3).
 *
 * NemoClaw up to v0.0.116 refuses a snapshot while a sandbox's shields are up (real-cli-2026-12 §6,
 * §14.4), whichever engine takes it: so every backup of a sandbox whose shields are up is preceded
 * by a temporary `shields down`, and once the plan's other steps have run a `shields up` puts them
 * back — it waits only for the `shields down`, so it runs even when the backup or the disruptive
 * step after it fails.
 */
import type { DesiredBackupPolicy } from "../../config/types.js";
import { shields, snapshotCreate, snapshotRestore } from "../../host/nemoclaw/commands.js";
import { nemoclawHasShields } from "../../host/nemoclaw/releases.js";
import { shieldsBlockSnapshot } from "../../host/nemoclaw/shields.js";
import { type HostContext, known, type LiveSandbox } from "../context.js";
import { factKey } from "../fingerprint.js";
import { StepList } from "../steps.js";
import type { PlannedCommand, Step } from "../types.js";
import { sandboxTarget, sourceOf } from "./common.js";

export type BackupPurpose = "release-upgrade" | "before-disruptive" | "before-delete" | "due";

const PURPOSE_TEXT: Record<BackupPurpose, string> = {
  "release-upgrade": "verified backup before the release change",
  "before-disruptive": "backup before a disruptive change",
  "before-delete": "backup before deleting the sandbox",
  due: "backup due by schedule",
};

export interface BackupRequest {
  sandbox: string;
  gateway: string;
  purpose: BackupPurpose;
  /** The policy whose store receives it; null = NemoClaw's on-host snapshot. */
  policy: DesiredBackupPolicy | null;
  /** Force verification even when the policy does not ask for it. */
  verify?: boolean;
  dependsOn?: (Step | undefined)[];
  detail?: string;
  /**
   * False when the sandbox is made by an earlier step of this plan: the shields observed then
   * belong to the sandbox it replaces, so none are lowered for this backup.
   */
  shieldsObserved?: boolean;
}

export function planBackup(ctx: HostContext, request: BackupRequest): Step {
  const { sandbox, gateway, policy } = request;
  const existing = ctx.steps.get(`backup:${sandbox}${policy ? `@${policy.name}` : ""}`);
  if (existing) {
    const purposes = existing.params?.purposes as BackupPurpose[];
    if (!purposes.includes(request.purpose)) purposes.push(request.purpose);
    if (request.verify) existing.params!.verify = true;
    return existing;
  }
  const lowered = request.shieldsObserved === false ? undefined : lowerShieldsForBackup(ctx, sandbox, gateway, request.dependsOn ?? []);
  const label = ctx.memo.snapshotLabel;
  const commands: PlannedCommand[] = policy ? [] : [snapshotCreate(sandbox, label, gateway)];
  return ctx.steps.add({
    kind: "backup",
    target: sandboxTarget(sandbox, gateway),
    ...(policy ? { qualifier: policy.name } : {}),
    reason: {
      summary: `${PURPOSE_TEXT[request.purpose]}${request.detail ? ` (${request.detail})` : ""}`,
      ...(policy ? { desired: { field: `backupPolicies.${policy.name}`, value: policy.name, source: `${policy.source.file}:${policy.source.line}` } } : {}),
      observed: { fact: factKey.sandbox(gateway, sandbox), value: "live" },
    },
    risk: "safe",
    dependsOn: [...(request.dependsOn ?? []), lowered],
    // The label is the plan's: once this snapshot exists, NemoClaw refuses the same label again
    // ("Snapshot name '…' already exists", NC@d50338aa:src/lib/state/sandbox.ts:985-996), so a saved
    // plan applied a second time is stale on this fact and refused before anything runs.
    facts: [factKey.sandbox(gateway, sandbox), factKey.registryEntry(sandbox), ...(policy ? [] : [factKey.snapshot(sandbox, label)])],
    commands,
    params: {
      sandbox,
      gateway,
      policy: policy?.name ?? null,
      ...(policy ? { destination: policy.destination } : { snapshot: label }),
      verify: request.verify === true || policy?.verify === true,
      purposes: [request.purpose],
    },
    hint: policy
      ? `No sandbox data was changed; check the backup store of policy ${policy.name} and re-run.`
      : `No sandbox data was changed; \`nemoclaw ${sandbox} snapshot list\` shows the snapshots on the host.`,
  });
}

const LOWERED_QUALIFIER = "backup";
const RAISED_QUALIFIER = "after-backup";

/**
 * NemoClaw refuses a snapshot while shields are up (real-cli-2026-12 §6): lower them for the
 * backup, on the release the host runs while the backup is taken. One step per sandbox, whatever
 * number of backups it gets; it waits for what the first backup waits for.
 */
function lowerShieldsForBackup(ctx: HostContext, sandbox: string, gateway: string, after: (Step | undefined)[]): Step | undefined {
  const existing = shieldsLoweredForBackup(ctx, sandbox, gateway);
  if (existing) return existing;
  if (ctx.release === null) return undefined;
  const state = known(ctx.observed.shields)?.find((entry) => entry.sandbox === sandbox);
  if (!shieldsBlockSnapshot(ctx.release.nemoclaw, state)) return undefined;
  return ctx.steps.add({
    kind: "shields",
    target: sandboxTarget(sandbox, gateway),
    qualifier: LOWERED_QUALIFIER,
    reason: {
      summary: `lower shields of ${sandbox} so NemoClaw can snapshot it ("Cannot create snapshot while shields are up"); \`shields down\` is temporary`,
      observed: { fact: factKey.shields(sandbox), value: "up" },
    },
    risk: "safe",
    dependsOn: after,
    facts: [factKey.shields(sandbox)],
    commands: [shields(sandbox, "down")],
    params: { sandbox, posture: "down", temporary: true },
    hint: `NemoClaw refuses the backup of ${sandbox} while its shields are up; nothing was changed.`,
  });
}

/** The `shields down` a backup of this sandbox needs in this plan, if any. */
export function shieldsLoweredForBackup(ctx: HostContext, sandbox: string, gateway: string): Step | undefined {
  return ctx.steps.get(StepList.idOf("shields", sandboxTarget(sandbox, gateway), LOWERED_QUALIFIER));
}

/**
 * The last rule: shields lowered for a backup go back up, after every other step of the plan
 * (the disruptive step the backup was for included), waiting only for the `shields down`, so a
 * failed backup or recreate does not leave them down. Not when the sandbox is deleted by this
 * plan, when the fleet file wants its shields down, or when the release the host ends on has no
 * shields (an upgrade past v0.0.116: NemoClaw retires the shields state itself, §6).
 */
export function planShieldsAfterBackups(ctx: HostContext): void {
  const lowered = ctx.steps.steps.filter((step) => step.kind === "shields" && step.id === StepList.idOf("shields", step.target, LOWERED_QUALIFIER));
  for (const step of lowered) {
    const sandbox = step.target.name;
    const desired = ctx.desiredSandbox(sandbox);
    const backups = ctx.steps.steps.filter((other) => other.kind === "backup" && other.dependsOn.includes(step.id));
    if (desired?.shields === "down" || ctx.steps.steps.some((other) => other.kind === "sandbox-delete" && other.target.name === sandbox)) continue;
    if (ctx.release === null || !nemoclawHasShields(ctx.release.nemoclaw)) {
      const stay = `If it fails, the shields of ${sandbox} (lowered by ${step.id}) stay down until NemoClaw's shields-down timeout ends; \`nemoclaw ${sandbox} shields up\` locks them at once.`;
      for (const backup of backups) backup.hint = `${backup.hint ?? ""} ${stay}`.trim();
      continue;
    }
    const raised = ctx.steps.add({
      kind: "shields",
      target: step.target,
      qualifier: RAISED_QUALIFIER,
      reason: {
        summary: `put the shields of ${sandbox} back up: ${step.id} lowered them for its backup`,
        ...(desired?.shields === "up" ? { desired: { field: "shields", value: "up", source: sourceOf(desired, "shields") } } : {}),
        observed: { fact: factKey.shields(sandbox), value: "up" },
      },
      risk: "safe",
      dependsOn: [step],
      facts: [factKey.shields(sandbox)],
      commands: [shields(sandbox, "up")],
      // What it undoes: a risk ceiling that holds the shields down back holds this back too.
      params: { sandbox, posture: "up", undoes: step.id },
      hint: `The shields of ${sandbox} are still down: NemoClaw locks them again when its shields-down timeout ends; \`nemoclaw ${sandbox} shields up\` does it at once.`,
    });
    const back = `The shields of ${sandbox} were lowered for it (${step.id}); ${raised.id} puts them back up even when this step fails.`;
    for (const backup of backups) backup.hint = `${backup.hint ?? ""} ${back}`.trim();
  }
}

export interface RestoreRequest {
  sandbox: string;
  gateway: string;
  backup: Step;
  dependsOn: (Step | undefined)[];
  /** Recreate the sandbox with this command first, when it is missing at the time of the restore. */
  recreateIfMissing?: PlannedCommand;
  /** `if-recreated`: a sandbox that survived is left as it is; `always` (default): its content is put back too. */
  restore?: "if-recreated" | "always";
  detail: string;
}

export function planRestore(ctx: HostContext, request: RestoreRequest): Step {
  const { sandbox, gateway, backup } = request;
  const label = backup.params?.snapshot;
  const commands: PlannedCommand[] = [
    ...(request.recreateIfMissing ? [request.recreateIfMissing] : []),
    ...(typeof label === "string" && ctx.release !== null ? [snapshotRestore(sandbox, label, ctx.release, gateway)] : []),
  ];
  return ctx.steps.add({
    kind: "restore",
    target: { kind: "sandbox", name: sandbox, gateway },
    reason: { summary: request.detail, observed: { fact: factKey.sandbox(gateway, sandbox), value: "live before this run" } },
    risk: "disruptive",
    dependsOn: [backup, ...request.dependsOn],
    predicted: true,
    facts: [factKey.sandbox(gateway, sandbox)],
    commands,
    params: {
      sandbox,
      gateway,
      from: backup.id,
      policy: backup.params?.policy ?? null,
      when: request.restore === "if-recreated" ? "sandbox-missing" : "always",
      recreateIfMissing: request.recreateIfMissing !== undefined,
    },
    hint: `The backup from step ${backup.id} is kept; restore it by hand with \`nemoclaw backup restore\` if this step cannot finish.`,
  });
}

/**
 * Backups every policy with a schedule owes, given the catalogue of the latest ones taken: for
 * each live, Ready sandbox nothing else touches, and for each sandbox this plan brings into being
 * (after the step that does), so the plan after an apply has nothing left to do.
 */
export function planDueBackups(ctx: HostContext): void {
  const catalogue = ctx.options.backupCatalogue;
  if (!catalogue) return;
  const candidates = [
    ...ctx
      .liveSandboxes()
      .filter((live) => isBackupCandidate(ctx, live))
      .map((live) => ({ sandbox: live.sandbox.name, gateway: live.gateway.name, after: undefined as Step | undefined })),
    ...madeByThisPlan(ctx),
  ];
  const unreadable = new Set<string>();
  for (const { sandbox, gateway, after } of candidates) {
    for (const policy of ctx.coveringPolicies(sandbox)) {
      if (!policy.schedule) continue;
      const fired = ctx.memo.lastFireTime(policy);
      if ("problem" in fired) {
        if (!unreadable.has(policy.name)) ctx.note("warning", `backup policy ${policy.name}: invalid schedule ${JSON.stringify(policy.schedule)} (${fired.problem}); no backup planned for it`);
        unreadable.add(policy.name);
        continue;
      }
      const due = fired.due;
      if (due === null) continue;
      const last = catalogue[policy.name]?.[ctx.host.name]?.[sandbox];
      if (last !== undefined && Date.parse(last) >= due.getTime()) continue;
      planBackup(ctx, {
        sandbox,
        gateway,
        purpose: "due",
        policy,
        dependsOn: [after],
        shieldsObserved: after === undefined,
        detail: `policy ${policy.name}: ${last === undefined ? "no backup yet" : `last ${last}, scheduled ${due.toISOString()}`}${after === undefined ? "" : `; taken once ${after.id} has run`}`,
      });
    }
  }
}

/** Steps that leave a sandbox newly created (or recreated) on this host, by sandbox. */
const MAKES_SANDBOX = new Set<Step["kind"]>(["sandbox-create", "sandbox-recreate", "sandbox-stale-recover", "restore"]);

/** The desired sandboxes a step of this plan creates, recreates or restores, with that step. */
function madeByThisPlan(ctx: HostContext): { sandbox: string; gateway: string; after: Step }[] {
  return ctx.host.sandboxes.flatMap((desired) => {
    const step = [...ctx.steps.steps]
      .reverse()
      .find(
        (candidate) =>
          (MAKES_SANDBOX.has(candidate.kind) && candidate.target.kind === "sandbox" && candidate.target.name === desired.name) ||
          candidate.params?.onboarded === desired.name ||
          (candidate.kind.startsWith("gateway-") && candidate.params?.sandbox === desired.name),
      );
    return step ? [{ sandbox: desired.name, gateway: desired.gateway, after: step }] : [];
  });
}

function isBackupCandidate(ctx: HostContext, live: LiveSandbox): boolean {
  const outlook = ctx.gateways.get(live.gateway.name);
  return (
    live.sandbox.phase === "Ready" &&
    !ctx.handledSandboxes.has(live.sandbox.name) &&
    (outlook === undefined ? live.gateway.health.status === "healthy" : outlook.state === "ready")
  );
}
