/** `nemoclaw facts` for humans: what each host's block says. */
import { describe, expect, it } from "vitest";
import { renderFactsHuman } from "../../../src/report/facts-human.js";
import { createColors } from "../../../src/report/color.js";
import { converged, known } from "../plan/builders.js";

function lockLine(lock: { startedAt: string; expiresAt: string }, observedAt: string): string | undefined {
  const { observed } = converged();
  observed.observedAt = observedAt;
  observed.fleetLock = known({ runId: "20261122T090000Z-dead00", user: "ops", machine: "ctl-02", pid: 4242, ...lock });
  return renderFactsHuman({ hosts: [observed] }, { colors: createColors(false) })
    .split("\n")
    .find((line) => line.startsWith("  Fleet lock"));
}

describe("the fleet lock in facts", () => {
  const lease = { startedAt: "2026-11-22T09:00:00.000Z", expiresAt: "2026-11-22T09:10:00.000Z" };

  it("names the holder of a live lease and when it expires", () => {
    expect(lockLine(lease, "2026-11-22T09:05:00.000Z")).toBe("  Fleet lock held by ops@ctl-02 (run 20261122T090000Z-dead00, pid 4242) since 2026-11-22T09:00:00.000Z, expires 2026-11-22T09:10:00.000Z");
  });

  it("says a lease that ran out before the host was observed expired, and what reclaims or removes it", () => {
    expect(lockLine(lease, "2026-11-22T11:00:00.000Z")).toBe(
      "  Fleet lock held by ops@ctl-02 (run 20261122T090000Z-dead00, pid 4242) since 2026-11-22T09:00:00.000Z; its lease expired 2026-11-22T09:10:00.000Z, so its run is gone or stuck: the next apply reclaims it, `nemoclaw unlock spark-01` removes it",
    );
  });
});
