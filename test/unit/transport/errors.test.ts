import { describe, expect, it } from "vitest";
import { assertSucceeded, classifyConnectError, isRetryableConnectError } from "../../../src/transport/errors.js";
import { TransportError, type RunResult } from "../../../src/transport/types.js";

const where = "nvidia@10.0.0.11:22";

function ssh2Error(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

describe("classifyConnectError", () => {
  it.each([
    [ssh2Error("connect ECONNREFUSED 10.0.0.11:22", { code: "ECONNREFUSED", level: "client-socket" }), "unreachable", "connection refused"],
    [ssh2Error("connect EHOSTUNREACH 10.0.0.11:22", { code: "EHOSTUNREACH", level: "client-socket" }), "unreachable", "no route to host"],
    [ssh2Error("getaddrinfo ENOTFOUND spark-99", { code: "ENOTFOUND", level: "client-socket" }), "unreachable", "host name not found"],
    [ssh2Error("Timed out while waiting for handshake", { level: "client-timeout" }), "unreachable", "no SSH handshake within the connect timeout"],
    [ssh2Error("All configured authentication methods failed", { level: "client-authentication" }), "auth-failed", "All configured authentication methods failed"],
    [ssh2Error("Connection lost before handshake", { level: "protocol" }), "unreachable", "Connection lost before handshake"],
    [
      // What OpenSSH's sshd sends after MaxAuthTries: a protocol error.
      ssh2Error("Too many authentication failures", { code: 2 }),
      "auth-failed",
      "the host ended authentication: Too many authentication failures (every key offered counts against sshd's MaxAuthTries: name the host's key in identityFile (its agent copy is then offered first) or set identitiesOnly: true)",
    ],
    [ssh2Error("No more authentication methods available", { code: 14 }), "auth-failed", "the host ended authentication: No more authentication methods available"],
    [ssh2Error("Illegal user name", { code: 15 }), "auth-failed", "the host refused the user name: Illegal user name"],
    [ssh2Error("Protocol error", { code: 2 }), "unreachable", "Protocol error"],
  ])("classifies %s", (error, kind, cause) => {
    const classified = classifyConnectError("spark-01", where, error);
    expect(classified.kind).toBe(kind);
    expect(classified.host).toBe("spark-01");
    expect(classified.message).toBe(`spark-01: ${kind}: ${where}: ${cause}`);
  });

  it("keeps an already classified error", () => {
    const original = new TransportError("host-key-changed", "spark-01", "HOST KEY CHANGED");
    expect(classifyConnectError("spark-01", where, original)).toBe(original);
  });

  it("retries only failures where nothing can have run", () => {
    expect(isRetryableConnectError(new TransportError("unreachable", "h", "x"))).toBe(true);
    for (const kind of ["auth-failed", "host-key-unknown", "host-key-changed", "timeout", "command-failed", "cancelled"] as const) {
      expect(isRetryableConnectError(new TransportError(kind, "h", "x"))).toBe(false);
    }
  });
});

describe("assertSucceeded", () => {
  const result = (fields: Partial<RunResult>): RunResult => ({
    exitCode: 0,
    signal: null,
    stdout: Buffer.alloc(0),
    stderr: Buffer.alloc(0),
    durationMs: 12,
    timedOut: false,
    ...fields,
  });

  it("passes a zero exit through", () => {
    const ok = result({ stdout: Buffer.from("fine") });
    expect(assertSucceeded("spark-01", "read registry", ok)).toBe(ok);
  });

  it("names the step and the first line of stderr for a non-zero exit", () => {
    expect(() => assertSucceeded("spark-01", "read registry", result({ exitCode: 2, stderr: Buffer.from("\ncat: nope: No such file\nmore\n") }))).toThrow(
      "spark-01: command-failed: read registry: exit 2: cat: nope: No such file",
    );
  });

  it("reports a kill by signal and a timeout as what they are", () => {
    expect(() => assertSucceeded("h", "probe", result({ exitCode: null, signal: "SIGKILL" }))).toThrow("h: command-failed: probe: killed by SIGKILL");
    const timedOut = (() => {
      try {
        assertSucceeded("h", "probe", result({ exitCode: null, signal: "SIGTERM", timedOut: true, durationMs: 30000 }));
      } catch (error) {
        return error as TransportError;
      }
      return undefined;
    })();
    expect(timedOut?.kind).toBe("timeout");
    expect(timedOut?.message).toBe("h: timeout: probe: timed out after 30000 ms");
  });
});

describe("what the other end sent, in an error", () => {
  it("never carries an escape sequence to the terminal (an SSH disconnect message arrives before the host key is checked)", () => {
    const disconnect = Object.assign(new Error("bye\u001b]0;PWNED\u0007\u001b]8;;http://evil.example/\u001b\\click\u001b]8;;\u001b\\\u001b[2J\u0007"), { code: 2 });
    const error = classifyConnectError("spark-01", "nvidia@10.0.0.11:22", disconnect);
    expect(error.message).toBe("spark-01: unreachable: nvidia@10.0.0.11:22: byeclick\ufffd");
    expect(error.cause_).toBe("nvidia@10.0.0.11:22: byeclick\ufffd");
  });
});
