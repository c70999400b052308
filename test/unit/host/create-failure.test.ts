import { describe, expect, it } from "vitest";
import { builtImageRef, classifySandboxCreateFailure, imageRefWorkaroundText, sandboxCreateHint } from "../../../src/host/nemoclaw/create-failure.js";
import { imageRefWorkaroundCommands } from "../../../src/host/nemoclaw/image-ref-workaround.js";

describe("classifySandboxCreateFailure (NemoClaw's kinds, in NemoClaw's order)", () => {
  const cases: [string, string, string][] = [
    ["export stream", "Error: failed to read image export stream: unexpected EOF", "image_transfer_timeout"],
    ["timeout", "  × Timeout error while waiting for the gateway", "image_transfer_timeout"],
    ["reset", "error: Connection reset by peer (os error 104)", "image_transfer_reset"],
    ["tls", "Error: invalid peer certificate: UnknownIssuer", "tls_cert_mismatch"],
    ["x509", "x509: certificate signed by unknown authority", "tls_cert_mismatch"],
    ["upload tar", "Error:   × failed to upload image tar into container", "image_upload_container_missing"],
    [
      "404 shape",
      "Docker responded with status code 404: container does not exist: openshell-cluster-nemoclaw",
      "image_upload_container_missing",
    ],
    ["404 without the cluster container", "status code 404: no container with name or ID foo", "unknown"],
    ["cdi", "Error: CDI device injection failed: unresolvable CDI devices nvidia.com/gpu=all", "gpu_cdi_injection_failed"],
    ["cdi other order", "nvidia.com/gpu=0: unresolvable CDI device", "gpu_cdi_injection_failed"],
    ["cdi split over lines", "CDI device injection failed\nnvidia.com/gpu=all", "unknown"],
    [
      "plugin install without network",
      [
        "The command '/bin/sh -c openclaw plugins install @openclaw/discord' returned a non-zero code: 1",
        "npm error code ENOTFOUND",
        "npm error network request to https://registry.npmjs.org/@openclaw%2fdiscord failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org",
      ].join("\n"),
      "plugin_install_network_denied",
    ],
    [
      "plugin install failing for another package",
      [
        "The command '/bin/sh -c openclaw plugins install @openclaw/discord' returned a non-zero code: 1",
        "npm error network request to https://registry.npmjs.org/@openclaw%2fslack failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org",
      ].join("\n"),
      "unknown",
    ],
    ["created but not ready", "Created sandbox: alice\nError: sandbox did not become ready", "sandbox_create_incomplete"],
    ["anything else", "Error: something unexpected", "unknown"],
  ];
  it.each(cases)("%s", (_name, output, kind) => {
    expect(classifySandboxCreateFailure(output).kind).toBe(kind);
  });

  it("checks in NemoClaw's order: a timeout wins over an upload failure in the same output", () => {
    expect(classifySandboxCreateFailure("failed to upload image tar into container\nTimeout error").kind).toBe("image_transfer_timeout");
  });

  it("ignores ANSI colour codes", () => {
    expect(classifySandboxCreateFailure("\x1b[31mfailed to upload image tar\x1b[0m into container").kind).toBe("image_upload_container_missing");
    expect(classifySandboxCreateFailure("\x1b[1mCreated sandbox:\x1b[0m alice").kind).toBe("sandbox_create_incomplete");
  });

  it("reports whether the image reached the gateway", () => {
    expect(classifySandboxCreateFailure("[progress] Uploaded to gateway\nConnection reset by peer").uploadedToGateway).toBe(true);
    expect(classifySandboxCreateFailure("Connection reset by peer").uploadedToGateway).toBe(false);
    expect(classifySandboxCreateFailure("Created sandbox: x").uploadedToGateway).toBe(true);
  });
});

describe("hints and the arm64 workaround", () => {
  it("points TLS failures at gateway trust for the sandbox's gateway", () => {
    expect(sandboxCreateHint("tls_cert_mismatch", "nemoclaw-8081")).toContain("openshell gateway trust -g nemoclaw-8081");
  });
  it("suggests --resume for transfer problems and has no hint for unknown failures", () => {
    expect(sandboxCreateHint("image_transfer_reset", "nemoclaw")).toContain("nemoclaw onboard --resume");
    expect(sandboxCreateHint("unknown", "nemoclaw")).toBeNull();
  });
  it("finds the built image in either form NemoClaw recognises", () => {
    expect(builtImageRef("Step 9/9\nSuccessfully tagged openshell/sandbox-from:1763800000\n")).toBe("openshell/sandbox-from:1763800000");
    expect(builtImageRef("  Built image openshell/sandbox-from:42\n")).toBe("openshell/sandbox-from:42");
    expect(builtImageRef("no image here")).toBeNull();
  });
  it("creates from a local-registry reference on the sandbox's gateway", () => {
    const commands = imageRefWorkaroundCommands("openshell/sandbox-from:42", { sandbox: "alice", gateway: "nemoclaw", gpu: true });
    expect(commands.map((command) => command.argv.join(" "))).toEqual([
      "docker start registry",
      "docker run -d -p 5000:5000 --restart=always --name registry registry:2",
      "docker tag openshell/sandbox-from:42 localhost:5000/openshell/sandbox-from:42",
      "docker push localhost:5000/openshell/sandbox-from:42",
      "openshell sandbox create --from localhost:5000/openshell/sandbox-from:42 --name alice --gpu -- env CHAT_UI_URL=http://127.0.0.1:18789 NEMOCLAW_DASHBOARD_PORT=18789 nemoclaw-start",
    ]);
    expect(commands[4]?.env).toEqual({ OPENSHELL_GATEWAY: { value: "nemoclaw" } });
    expect(commands.slice(0, 2).map((command) => command.okExitCodes)).toEqual([[0, 1], [0, 125]]);
  });
  it("prints the workaround as exact commands", () => {
    const text = imageRefWorkaroundText("openshell/sandbox-from:42", { sandbox: "alice", gateway: "nemoclaw-8081", gpu: false });
    expect(text).toContain("1. docker run -d -p 5000:5000 --restart=always --name registry registry:2");
    expect(text).toContain("3. docker push localhost:5000/openshell/sandbox-from:42");
    expect(text).toContain("4. env OPENSHELL_GATEWAY=nemoclaw-8081 openshell sandbox create --from localhost:5000/openshell/sandbox-from:42 --name alice -- env");
    expect(text).toContain("5. nemoclaw onboard --non-interactive --resume");
  });
});
