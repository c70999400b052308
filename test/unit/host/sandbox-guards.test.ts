import { describe, expect, it } from "vitest";
import { isOpenClawGateway, parseSandboxGuards } from "../../../src/host/nemoclaw/guards.js";
import { fixture } from "../observe/fixtures.js";

const GOOD_FILES = [
  "guard|/tmp/nemoclaw-proxy-env.sh|0|root|0|root|444|regular file",
  "guard|/tmp/nemoclaw-sandbox-safety-net.js|0|root|0|root|444|regular file",
  "guard|/tmp/nemoclaw-ciao-network-guard.js|0|root|0|root|444|regular file",
];

function run(lines: string[], exitCode = 0) {
  return { output: ["NCF-GUARDS-BEGIN", ...lines, "NCF-GUARDS-END", ""].join("\n"), exitCode };
}

describe("in-sandbox guard probe", () => {
  it("all guards in place, the lock owned by the running gateway", () => {
    const fact = parseSandboxGuards(run([...GOOD_FILES, 'lock|/tmp/openclaw-998/gateway.3f2a9c1d.lock|{"pid":41,"createdAt":"2026-07-01T00:00:00Z","configPath":"/sandbox/.openclaw/openclaw.json"}', "proc|41|openclaw-gateway\t\t"]));
    expect(fact).toEqual({
      state: "known",
      value: {
        files: GOOD_FILES.map((line) => {
          const [, path] = line.split("|");
          return { path, present: true, owner: "root", group: "root", mode: "444", type: "regular file" };
        }),
        locks: [{ path: "/tmp/openclaw-998/gateway.3f2a9c1d.lock", pid: 41, stale: false }],
        agentGatewayPids: [41],
        unreadableLockDirs: [],
      },
    });
  });

  it("guards gone after a recreate, a stale lock left behind, no gateway running", () => {
    const fact = parseSandboxGuards(run([
      "guard-missing|/tmp/nemoclaw-proxy-env.sh",
      "guard|/tmp/nemoclaw-sandbox-safety-net.js|1000|sandbox|1000|sandbox|644|regular empty file",
      "guard-missing|/tmp/nemoclaw-ciao-network-guard.js",
      "lock|/tmp/openclaw-998/gateway.3f2a9c1d.lock|{\"pid\":41}",
      "lockdir-unreadable|/tmp/openclaw-0",
      // The probe's own shell mentions openclaw in its script; it is not a gateway.
      "proc|77|sh\t-c\tfor d in /tmp/openclaw-*; do",
    ]));
    expect(fact).toMatchObject({
      state: "known",
      value: {
        files: [
          { present: false, owner: null, mode: null },
          { present: true, owner: "sandbox", mode: "644", type: "regular empty file" },
          { present: false },
        ],
        locks: [{ pid: 41, stale: true }],
        agentGatewayPids: [],
        unreadableLockDirs: ["/tmp/openclaw-0"],
      },
    });
  });

  it("a lock without a readable pid is stale only when no gateway runs", () => {
    const lock = "lock|/tmp/openclaw-1/gateway.a.lock|garbage";
    expect(parseSandboxGuards(run([...GOOD_FILES, lock]))).toMatchObject({ value: { locks: [{ pid: null, stale: true }] } });
    expect(parseSandboxGuards(run([...GOOD_FILES, lock, "proc|5|node\t/usr/lib/node_modules/openclaw/openclaw.mjs\tgateway"]))).toMatchObject({
      value: { locks: [{ pid: null, stale: false }], agentGatewayPids: [5] },
    });
  });

  it("a bare-number lock and an unknown user id", () => {
    const fact = parseSandboxGuards(run([
      "guard|/tmp/nemoclaw-proxy-env.sh|65534|UNKNOWN|65534|UNKNOWN|444|regular file",
      ...GOOD_FILES.slice(1),
      "lock|/tmp/openclaw-1/gateway.b.lock|  1234 ",
    ]));
    if (fact.state !== "known") throw new Error(fact.reason);
    expect(fact.value.files[0]).toMatchObject({ owner: "65534", group: "65534" });
    expect(fact.value.locks).toEqual([{ path: "/tmp/openclaw-1/gateway.b.lock", pid: 1234, stale: true }]);
  });

  it("tolerates OpenShell's stdout framing of exec output", () => {
    const framed = run(GOOD_FILES).output.split("\n").map((line, index) => (line === "" ? line : index % 2 ? `stdout: ${line}` : `[stdout] ${line}`)).join("\n");
    expect(parseSandboxGuards({ output: framed, exitCode: 0 }).state).toBe("known");
  });

  it.each([
    ["errors/sandbox-not-ready.txt", /not ready/],
    ["errors/not-found.txt", /not found/],
    ["status/connection-refused.txt", /refused/],
    ["errors/unrecognized-subcommand.txt", /does not support/],
  ])("a sandbox that cannot be entered (%s) is unknown", (path, reason) => {
    expect(parseSandboxGuards({ output: fixture(path), exitCode: 1 })).toMatchObject({ state: "unknown", reason: expect.stringMatching(reason) });
  });

  it("a probe that stopped half-way is unknown, never 'all guards missing'", () => {
    expect(parseSandboxGuards({ output: `NCF-GUARDS-BEGIN\n${GOOD_FILES[0]}\n`, exitCode: null }).state).toBe("unknown");
    expect(parseSandboxGuards(run([GOOD_FILES[0]!, "stat: cannot stat '/tmp/nemoclaw-sandbox-safety-net.js': Permission denied"]))).toMatchObject({
      state: "unknown",
      reason: expect.stringMatching(/did not report/),
    });
  });

  it.each([
    [["openclaw-gateway"], true],
    [["/usr/local/bin/openclaw", "gateway", "run"], true],
    [["openclaw"], true],
    [["node", "/usr/lib/node_modules/openclaw/openclaw.mjs", "gateway"], true],
    [["node", "/opt/openclaw-gateway"], true],
    [["openclaw", "agent", "--message"], false],
    [["sh", "-c", "pkill -f openclaw-gateway"], false],
    [["grep", "-l", "openclaw"], false],
  ])("OpenClaw gateway process %j → %s", (argv, expected) => {
    expect(isOpenClawGateway(argv)).toBe(expected);
  });
});
