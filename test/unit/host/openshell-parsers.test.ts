import { describe, expect, it } from "vitest";
import { parseGatewayInfo } from "../../../src/host/openshell/gateway-info.js";
import { parseGatewayList } from "../../../src/host/openshell/gateway-list.js";
import { classifyOpenShellError } from "../../../src/host/openshell/errors.js";
import { parseOpenShellStatus } from "../../../src/host/openshell/status.js";
import { parseSandboxList } from "../../../src/host/openshell/sandbox-list.js";
import { fixture, ran } from "../observe/fixtures.js";

describe("openshell sandbox list", () => {
  it.each([
    ["sandbox-list/table-0.0.37.txt", [{ name: "my-assistant", phase: "Ready", createdAt: "2026-08-20 17:03:11" }]],
    [
      "sandbox-list/table-0.0.36-namespace.txt",
      [
        { name: "my-assistant", phase: "Ready", createdAt: "2026-04-20 10:00:00" },
        { name: "broken-one", phase: "Error", createdAt: "2026-04-20 11:00:00" },
      ],
    ],
    ["sandbox-list/table-all-workspaces.txt", [{ name: "my-assistant", phase: "Provisioning", createdAt: "2026-08-20 17:03:11" }]],
    ["sandbox-list/table-nemoclaw-status-age.txt", [{ name: "my-assistant", phase: "Ready", createdAt: null }]],
    ["sandbox-list/table-compact.txt", [{ name: "alpha", phase: "Ready", createdAt: null }]],
    ["sandbox-list/empty.txt", []],
    ["sandbox-list/empty.json", []],
    ["sandbox-list/json-0.0.44.json", [{ name: "alpha", phase: "Ready", createdAt: "2026-06-27 00:00:00" }]],
    // A label called "name" must not be taken for the sandbox's name.
    ["sandbox-list/json-0.0.92.json", [{ name: "my-assistant", phase: "Ready", createdAt: "2026-08-20 17:03:11" }]],
  ])("%s", (path, rows) => {
    expect(parseSandboxList(ran(path))).toEqual({ state: "known", value: rows });
  });

  it("tolerates a warning on stderr before the JSON", () => {
    const output = `warning: OPENSHELL_GATEWAY is deprecated\n${fixture("sandbox-list/json-0.0.44.json")}`;
    expect(parseSandboxList({ output, exitCode: 0 })).toMatchObject({ state: "known", value: [{ name: "alpha" }] });
  });

  it("garbled output is an unknown fact with the excerpt", () => {
    const fact = parseSandboxList(ran("sandbox-list/unrecognized-output.txt"));
    expect(fact).toMatchObject({ state: "unknown", excerpt: expect.stringContaining("something went sideways") });
  });

  it("a failed list is unknown and names the error", () => {
    const fact = parseSandboxList(ran("status/connection-refused.txt", 1));
    expect(fact.state).toBe("unknown");
    if (fact.state === "unknown") expect(fact.reason).toMatch(/refused the connection/);
  });

  it("protobuf mismatch output is never a sandbox list", () => {
    expect(parseSandboxList(ran("errors/protobuf.txt", 1))).toMatchObject({ state: "unknown", reason: expect.stringMatching(/protobuf/) });
  });
});

describe("openshell status", () => {
  it.each([
    ["status/text-0.0.36.txt", 0, { state: "connected", gateway: "nemoclaw", server: "https://127.0.0.1:8080", version: null }],
    ["status/text-head.txt", 0, { state: "connected", gateway: "nemoclaw", version: "0.0.85" }],
    ["status/text-nemoclaw-sample.txt", 0, { state: "connected", server: "https://127.0.0.1:8080/" }],
    ["status/text-stderr-first.txt", 0, { state: "connected", gateway: "nemoclaw" }],
    ["status/text-connected-http.txt", 0, { state: "connected_http" }],
    ["status/text-disconnected.txt", 0, { state: "disconnected" }],
    ["status/text-error.txt", 0, { state: "error" }],
    ["status/json-connected.json", 0, { state: "connected", gateway: "openshell", server: "https://127.0.0.1:17670", version: "0.0.111" }],
    ["status/json-connected-http.json", 0, { state: "connected_http", gateway: "nemoclaw" }],
    ["status/json-not-configured.json", 0, { state: "not_configured", gateway: null }],
    ["status/connection-refused.txt", 1, { state: "unreachable", gateway: "nemoclaw", detail: expect.stringMatching(/Connection refused/) }],
    ["status/no-gateway-configured.txt", 1, { state: "not_configured" }],
    ["status/no-gateway-configured.txt", 0, { state: "not_configured" }],
    // What `status` itself prints for no or an unknown gateway, exit 0, every release (OS@v0.0.72:crates/openshell-cli/src/main.rs:2090-2099).
    ["status/text-no-gateway.txt", 0, { state: "not_configured", gateway: null }],
    ["status/no-active-gateway.txt", 1, { state: "not_configured" }],
    ["errors/handshake.txt", 1, { state: "unreachable" }],
  ])("%s (exit %i)", (path, exitCode, expected) => {
    expect(parseOpenShellStatus(ran(path, exitCode))).toEqual({ state: "known", value: expect.objectContaining(expected) });
  });

  it("a crash or garbage is unknown, never connected", () => {
    expect(parseOpenShellStatus(ran("status/garbled.txt", 139)).state).toBe("unknown");
    expect(parseOpenShellStatus(ran("status/garbled.txt", 0)).state).toBe("unknown");
    expect(parseOpenShellStatus({ output: "", exitCode: null }).state).toBe("unknown");
  });
});

describe("openshell gateway info", () => {
  it("local metadata form (≤0.0.84)", () => {
    expect(parseGatewayInfo(ran("gateway-info/local.txt"))).toEqual({
      state: "known",
      value: {
        kind: "info",
        report: { form: "local", gateway: "nemoclaw", endpoint: "https://127.0.0.1:8080", remoteHost: null, status: null, version: null, computeDrivers: [] },
      },
    });
    expect(parseGatewayInfo(ran("gateway-info/local-nemoclaw-sample.txt"))).toMatchObject({ value: { report: { endpoint: "https://127.0.0.1:8080/" } } });
    expect(parseGatewayInfo(ran("gateway-info/local-remote.txt"))).toMatchObject({ value: { report: { remoteHost: "user@host" } } });
  });

  it.each(["gateway-info/live.txt", "gateway-info/live.json"])("live RPC form (≥0.0.85): %s", (path) => {
    expect(parseGatewayInfo(ran(path))).toEqual({
      state: "known",
      value: {
        kind: "info",
        report: {
          form: "live",
          gateway: "openshell",
          endpoint: "https://127.0.0.1:17670",
          remoteHost: null,
          status: "healthy",
          version: "0.0.111",
          computeDrivers: ["docker"],
        },
      },
    });
  });

  it.each([
    ["gateway-info/not-supported.txt", "gateway-too-old"],
    ["gateway-info/admin-required.txt", "auth"],
    ["gateway-info/no-gateway.txt", "no-gateway-configured"],
    ["gateway-info/no-metadata.txt", "gateway-not-found"],
  ])("error %s", (path, errorKind) => {
    expect(parseGatewayInfo(ran(path, 1))).toMatchObject({ state: "known", value: { kind: "error", errorKind } });
  });
});

describe("openshell gateway list", () => {
  it("table with SOURCE and the green active row", () => {
    expect(parseGatewayList(ran("gateway-list/table-0.0.62.txt"))).toEqual({
      state: "known",
      value: [
        { name: "nemoclaw", endpoint: "http://127.0.0.1:8080", type: "local", source: "user", auth: "plaintext", active: true },
        { name: "nemoclaw-8081", endpoint: "http://127.0.0.1:8081", type: "local", source: "user", auth: "plaintext", active: false },
      ],
    });
  });

  it("table before SOURCE existed", () => {
    expect(parseGatewayList(ran("gateway-list/table-0.0.37.txt"))).toEqual({
      state: "known",
      value: [{ name: "openshell", endpoint: "https://127.0.0.1:8080", type: "local", source: null, auth: "mtls", active: true }],
    });
  });

  it.each([
    ["gateway-list/json-head.json", { name: "nemoclaw", endpoint: "http://127.0.0.1:8080", type: "local", source: "user", auth: "plaintext", active: true }],
    ["gateway-list/json-0.0.47.json", { name: "openshell", endpoint: "https://127.0.0.1:17670", type: "local", source: null, auth: "mtls", active: false }],
  ])("%s", (path, entry) => {
    expect(parseGatewayList(ran(path))).toEqual({ state: "known", value: [entry] });
  });

  it.each(["gateway-list/empty.txt", "gateway-list/empty.json"])("empty: %s", (path) => {
    expect(parseGatewayList(ran(path))).toEqual({ state: "known", value: [] });
  });

  it("clap's error on a CLI without `gateway list` is unknown", () => {
    expect(parseGatewayList(ran("errors/unrecognized-subcommand.txt", 2))).toMatchObject({ state: "unknown", reason: expect.stringMatching(/does not support/) });
  });
});

describe("OpenShell error texts", () => {
  it.each([
    ["errors/migration-missing.txt", "migration-missing"],
    ["errors/migration-6-missing.txt", "migration-missing"],
    ["errors/migration-modified.txt", "migration-modified"],
    ["errors/protobuf.txt", "protobuf-mismatch"],
    ["errors/not-found.txt", "not-found"],
    ["errors/not-found-grpc.txt", "not-found"],
    ["errors/no-spec.txt", "not-found"],
    ["errors/docker-down.txt", "docker-unreachable"],
    ["errors/sandbox-not-ready.txt", "sandbox-not-ready"],
    ["errors/unrecognized-subcommand.txt", "unsupported"],
    ["errors/handshake.txt", "tls"],
    ["status/connection-refused.txt", "connection-refused"],
    ["status/no-gateway-configured.txt", "no-gateway-configured"],
    ["status/no-active-gateway.txt", "no-active-gateway"],
    ["gateway-info/not-supported.txt", "gateway-too-old"],
  ])("%s → %s", (path, kind) => {
    expect(classifyOpenShellError(fixture(path))).toMatchObject({ kind });
  });

  it("plain success output classifies as nothing", () => {
    expect(classifyOpenShellError(fixture("status/text-head.txt"))).toBeNull();
    expect(classifyOpenShellError(fixture("sandbox-list/table-0.0.37.txt"))).toBeNull();
  });
});
