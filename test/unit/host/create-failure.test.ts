import { describe, expect, it } from "vitest";
import { builtImageRef, classifySandboxCreateFailure, imageRefWorkaroundText, sandboxCreateHint } from "../../../src/host/nemoclaw/create-failure.js";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { imageRefWorkaroundCommands, type WorkaroundTarget } from "../../../src/host/nemoclaw/image-ref-workaround.js";

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
  const clusterEra: WorkaroundTarget = { sandbox: "alice", gateway: "nemoclaw", agent: "openclaw", gpu: false, openshell: "0.0.36" };
  const hostProcess: WorkaroundTarget = { sandbox: "alice", gateway: "nemoclaw-8081", agent: "hermes", gpu: true, gpuDevice: "0", cpu: "4", memory: "16Gi", openshell: "0.0.44" };

  it("pushes the built image to a local registry, reusing one an earlier workaround left", () => {
    const commands = imageRefWorkaroundCommands("openshell/sandbox-from:42", clusterEra);
    expect(commands.slice(0, 4).map((command) => command.argv.join(" "))).toEqual([
      "docker start registry",
      "docker run -d -p 5000:5000 --restart=always --name registry registry:2",
      "docker tag openshell/sandbox-from:42 localhost:5000/openshell/sandbox-from:42",
      "docker push localhost:5000/openshell/sandbox-from:42",
    ]);
    expect(commands.slice(0, 2).map((command) => command.okExitCodes)).toEqual([[0, 1], [0, 125]]);
  });

  it("creates on the cluster driver with --no-bootstrap and without --gpu, as NemoClaw did there", () => {
    const create = imageRefWorkaroundCommands("openshell/sandbox-from:42", clusterEra)[4]!;
    expect(create.env).toEqual({ OPENSHELL_GATEWAY: { value: "nemoclaw" } });
    expect(create.argv.slice(4)).toEqual([
      "openclaw",
      "--from", "localhost:5000/openshell/sandbox-from:42", "--name", "alice", "--no-bootstrap",
      "--", "env", "CHAT_UI_URL=http://127.0.0.1:18789", "NEMOCLAW_DASHBOARD_PORT=18789", "nemoclaw-start",
    ]);
  });

  it("keeps GPU, GPU device and resources on the releases that take them, and never --no-bootstrap there", () => {
    const create = imageRefWorkaroundCommands("img:1", hostProcess)[4]!;
    expect(create.argv.slice(5)).toEqual([
      "--from", "localhost:5000/img:1", "--name", "alice", "--gpu", "--gpu-device", "0", "--cpu", "4", "--memory", "16Gi",
      "--", "env", "CHAT_UI_URL=http://127.0.0.1:18789", "NEMOCLAW_DASHBOARD_PORT=18789", "nemoclaw-start",
    ]);
    // --gpu-device left OpenShell in 0.0.61.
    expect(imageRefWorkaroundCommands("img:1", { ...hostProcess, openshell: "0.0.72" })[4]!.argv).not.toContain("--gpu-device");
  });

  it("passes NemoClaw's base policy for the agent, found where the installer put NemoClaw", () => {
    const home = mkdtempSync(join(tmpdir(), "nemoclaw-policy-"));
    const bin = join(home, "bin");
    const root = join(home, ".nemoclaw", "source");
    mkdirSync(join(root, "nemoclaw-blueprint", "policies"), { recursive: true });
    mkdirSync(join(root, "agents", "hermes"), { recursive: true });
    mkdirSync(bin);
    writeFileSync(join(root, "nemoclaw-blueprint", "policies", "openclaw-sandbox.yaml"), "version: 1\n");
    writeFileSync(join(root, "agents", "hermes", "policy-additions.yaml"), "version: 1\n");
    writeFileSync(join(bin, "openshell"), '#!/bin/sh\nprintf "%s\\n" "$@"\n', { mode: 0o755 });
    const run = (target: WorkaroundTarget) => {
      const create = imageRefWorkaroundCommands("img:1", target)[4]!;
      return execFileSync(create.argv[0]!, create.argv.slice(1), { env: { HOME: home, PATH: `${bin}:/usr/bin:/bin` } }).toString().split("\n");
    };
    try {
      expect(run(clusterEra).slice(0, 4)).toEqual(["sandbox", "create", "--policy", join(root, "nemoclaw-blueprint", "policies", "openclaw-sandbox.yaml")]);
      expect(run(hostProcess).slice(0, 4)).toEqual(["sandbox", "create", "--policy", join(root, "agents", "hermes", "policy-additions.yaml")]);
      rmSync(join(root, "nemoclaw-blueprint"), { recursive: true });
      expect(() => execFileSync("sh", ["-c", imageRefWorkaroundCommands("img:1", clusterEra)[4]!.argv[2]!, "sh", "openclaw"], { env: { HOME: home, PATH: `${bin}:/usr/bin:/bin` }, stdio: "pipe" })).toThrow(/base sandbox policy is not at/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("prints the workaround as exact commands", () => {
    const text = imageRefWorkaroundText("openshell/sandbox-from:42", { ...clusterEra, gateway: "nemoclaw-8081" });
    expect(text).toContain("1. docker run -d -p 5000:5000 --restart=always --name registry registry:2");
    expect(text).toContain("3. docker push localhost:5000/openshell/sandbox-from:42");
    expect(text).toContain(
      "4. env OPENSHELL_GATEWAY=nemoclaw-8081 openshell sandbox create --policy ~/.nemoclaw/source/nemoclaw-blueprint/policies/openclaw-sandbox.yaml --from localhost:5000/openshell/sandbox-from:42 --name alice --no-bootstrap -- env",
    );
    expect(text).toContain("5. nemoclaw onboard --non-interactive --resume");
  });
});
