/**
 * Guard files and stale locks (design scenario 2). After a pod/container recreate the proxy env
 * and the critical preloads can be gone or unsafe, and a stale OpenClaw gateway lock is left
 * behind; relaunching the agent gateway then crash-loops unguarded. So: re-emit the guards, clear
 * exactly the stale locks observed, and only then relaunch. Rebuild stays a hint, never a step.
 */
import { recover } from "../../host/nemoclaw/commands.js";
import { GATEWAY_LOCK_PATH, reemitGuards, removeLockFiles } from "../../host/nemoclaw/guard-repair.js";
import { GUARD_FILE_PATHS } from "../../host/nemoclaw/guards.js";
import type { HostContext, LiveSandbox } from "../context.js";
import { factKey } from "../fingerprint.js";
import { guardFileProblem } from "../../host/nemoclaw/guard-safety.js";
import type { SandboxGuards } from "../../observe/types.js";
import { sandboxTarget } from "./common.js";

export function planGuards(ctx: HostContext): void {
  for (const state of ctx.sandboxes.values()) {
    if (state.kind === "present") planSandboxGuards(ctx, state.live);
  }
}

function planSandboxGuards(ctx: HostContext, live: LiveSandbox): void {
  const { gateway, sandbox } = live;
  const target = sandboxTarget(sandbox.name, gateway.name);
  const fact = factKey.sandbox(gateway.name, sandbox.name);
  if (sandbox.guards.state === "unknown") {
    ctx.unknown(fact, sandbox.guards, `guards of ${sandbox.name} are not checked`, target);
    return;
  }
  const guards = sandbox.guards.value;
  const unprobed = GUARD_FILE_PATHS.filter((path) => !guards.files.some((file) => file.path === path));
  if (unprobed.length > 0) {
    ctx.unknown(fact, { reason: `not probed: ${unprobed.join(", ")}`, excerpt: "" }, `guards of ${sandbox.name} are not checked`, target);
    return;
  }
  const problems = guardProblems(guards);
  const stale = guards.locks.filter((lock) => lock.stale);
  const removable = stale.filter((lock) => GATEWAY_LOCK_PATH.test(lock.path)).map((lock) => lock.path);
  for (const lock of stale) {
    if (!GATEWAY_LOCK_PATH.test(lock.path)) ctx.note("warning", `stale lock ${lock.path} in ${sandbox.name} is not an OpenClaw gateway lock; it is not removed`, { target });
  }
  const unreadable = guards.unreadableLockDirs ?? [];
  if (unreadable.length > 0) {
    ctx.unknown(fact, { reason: `lock directories not readable: ${unreadable.join(", ")}`, excerpt: "" }, "a stale lock there cannot be ruled out or removed", target);
  }
  if (problems.length === 0 && removable.length === 0) return;
  if (gateway.driver === "unknown") {
    ctx.note("warning", `guards of ${sandbox.name} need repair (${problems.join("; ")}) but the gateway driver is unknown`, { target, fact: factKey.gateway(gateway.name) });
    return;
  }
  const driver = gateway.driver;
  const facts = [fact, factKey.gateway(gateway.name)];
  const reemit =
    problems.length === 0
      ? undefined
      : ctx.steps.add({
          kind: "guards-reemit",
          target,
          reason: { summary: problems.join("; "), observed: { fact, value: problems } },
          risk: "safe",
          facts,
          commands: [reemitGuards(driver, gateway.name, sandbox.name)],
          params: { sandbox: sandbox.name, gateway: gateway.name, files: GUARD_FILE_PATHS },
          hint: "The packaged preloads under /usr/local/lib/nemoclaw/preloads/ are missing or unsafe: the sandbox image is damaged; rebuild it as the last resort.",
        });
  const clear =
    removable.length === 0
      ? undefined
      : ctx.steps.add({
          kind: "lock-clear",
          target,
          reason: { summary: `stale OpenClaw gateway lock: ${removable.join(", ")}`, observed: { fact, value: removable } },
          risk: "safe",
          dependsOn: [reemit],
          facts,
          commands: [removeLockFiles(driver, gateway.name, sandbox.name, removable)],
          params: { sandbox: sandbox.name, gateway: gateway.name, paths: removable },
        });
  if (guards.agentGatewayPids.length > 0) {
    if (problems.length > 0) {
      ctx.note("info", `the agent gateway in ${sandbox.name} is running (pid ${guards.agentGatewayPids.join(", ")}); the guards are restored for its next launch`, { target });
    }
    return;
  }
  if (driver === "cluster-container") {
    ctx.note(
      "warning",
      `the agent gateway in ${sandbox.name} is not running; \`nemoclaw ${sandbox.name} recover\` needs the docker driver's privileged control, which the cluster driver lacks — relaunch it by hand after the guards are back, or rebuild as the last resort`,
      { target },
    );
    return;
  }
  ctx.steps.add({
    kind: "sandbox-recover",
    target,
    reason: { summary: `the agent gateway in ${sandbox.name} is not running; relaunch it with its guards in place`, observed: { fact, value: "no agent gateway process" } },
    risk: "safe",
    dependsOn: [reemit, clear],
    facts,
    commands: [recover(sandbox.name)],
    params: { sandbox: sandbox.name, gateway: gateway.name },
    hint: `If recover cannot relaunch the agent gateway, rebuild as the last resort: \`nemoclaw ${sandbox.name} rebuild --yes\` (state is backed up and restored).`,
  });
}

/** What is wrong with the guard files, one phrase each; empty when all are safe. */
function guardProblems(guards: SandboxGuards): string[] {
  const problems: string[] = [];
  for (const file of guards.files) {
    const required = GUARD_FILE_PATHS.includes(file.path);
    const problem = guardFileProblem(file);
    if (problem && (required || file.present)) problems.push(problem);
  }
  return problems;
}
