import { describe, expect, it } from "vitest";
import { argumentProblem, gatewayNameForPort, isValidSandboxName, nameProblem, portForGatewayName, sandboxNameProblem } from "../../../src/config/names.js";
import { driverForVersion, parseOpenShellVersion } from "../../../src/config/openshell-version.js";
import { formatSecretRef, parseSecretRef, resolveSecret, secretRefProblem } from "../../../src/config/secrets.js";

describe("sandbox names (NemoClaw's rule)", () => {
  it.each(["a", "assistant", "my-agent-2", "a".repeat(63)])("accepts %s", (name) => {
    expect(isValidSandboxName(name)).toBe(true);
  });

  it.each([
    ["", /empty/],
    ["a".repeat(64), /64 characters long/],
    ["Agent", /lowercase \(try "agent"\)/],
    ["2fast", /start with a lowercase letter/],
    ["agent-", /end with a letter or digit/],
    ["my agent", /found a space/],
    ["a;b", /found ";"/],
    ["list", /command word/],
    ["setup-spark", /command word/],
    ["sandbox", /command word/],
    ["version", /command word/],
    ["completion", /command word/],
    ["profiles", /command word/],
  ])("rejects %j", (name, message) => {
    expect(sandboxNameProblem(name)).toMatch(message);
  });
});

describe("gateway names and ports", () => {
  it("maps 8080 to nemoclaw and any other port P to nemoclaw-P, both ways", () => {
    expect(gatewayNameForPort(8080)).toBe("nemoclaw");
    expect(gatewayNameForPort(8081)).toBe("nemoclaw-8081");
    expect(portForGatewayName("nemoclaw")).toBe(8080);
    expect(portForGatewayName("nemoclaw-9000")).toBe(9000);
  });

  it.each(["nemoclaw-8080", "nemoclaw-0", "nemoclaw-65536", "nemoclaw-08081", "openshell", "nemoclaw-"])("rejects %s", (name) => {
    expect(portForGatewayName(name)).toBeUndefined();
  });
});

describe("other names and arguments", () => {
  it("allows plain names and refuses shell and control characters", () => {
    expect(nameProblem("host", "spark-01.lab")).toBeUndefined();
    expect(nameProblem("group", "rack_a")).toBeUndefined();
    expect(nameProblem("group", "1rack")).toMatch(/starting with a letter or "_"/);
    expect(nameProblem("host", "a$(reboot)")).toMatch(/found "\$"/);
    expect(nameProblem("preset", "pypi\n")).toMatch(/control character \(a newline\)/);
    expect(argumentProblem("model", "nvidia/nemotron:latest")).toBeUndefined();
    expect(argumentProblem("model", "--help")).toMatch(/must not start with "-"/);
    expect(argumentProblem("model", "a\u0007b")).toMatch(/U\+0007/);
  });
});

describe("OpenShell versions", () => {
  it("parses releases and dev builds and knows each era's gateway driver", () => {
    expect(parseOpenShellVersion("v0.0.72")?.text).toBe("0.0.72");
    expect(parseOpenShellVersion("0.0.86-dev.3+g2bf9969")?.text).toBe("0.0.86-dev.3+g2bf9969");
    expect(parseOpenShellVersion("latest")).toBeUndefined();
    expect(driverForVersion(parseOpenShellVersion("0.0.36")!)).toBe("cluster-container");
    expect(driverForVersion(parseOpenShellVersion("0.0.37")!)).toBe("host-process");
    expect(driverForVersion(parseOpenShellVersion("0.1.0")!)).toBe("host-process");
  });
});

describe("secret references", () => {
  it("parses and formats env: and file: references", () => {
    expect(parseSecretRef("env:NVIDIA_API_KEY")).toEqual({ kind: "env", name: "NVIDIA_API_KEY" });
    expect(parseSecretRef("file:/run/keys/nvidia")).toEqual({ kind: "file", path: "/run/keys/nvidia" });
    expect(parseSecretRef("env:1BAD")).toBeUndefined();
    expect(parseSecretRef("nvapi-abc")).toBeUndefined();
    expect(formatSecretRef({ kind: "env", name: "K" })).toBe("env:K");
    expect(formatSecretRef({ kind: "file", path: "/k" })).toBe("file:/k");
  });

  it("explains literal values without repeating them", () => {
    const key = "nvapi-Zx81kQ2mN4pL7vR9sT3wY6";
    expect(secretRefProblem(key)).toMatch(/looks like a literal API key \(an NVIDIA API key\)/);
    expect(secretRefProblem(key)).not.toContain("Zx81");
    expect(secretRefProblem("sk-ant-api03-abcdefghijkl")).toMatch(/an Anthropic API key/);
    expect(secretRefProblem("Q2hhbmdlTWVQbGVhc2VJdHNBVmVyeUxvbmdUb2tlbg")).toMatch(/literal API key \(a token\)/);
    expect(secretRefProblem("hunter2")).toMatch(/must be a secret reference/);
    expect(secretRefProblem("env:OK")).toBeUndefined();
  });

  it("quotes a malformed reference as it was written", () => {
    expect(secretRefProblem("env:lower-case bad")).toBe('"env:lower-case bad": after env: comes an environment variable name (letters, digits and "_", not starting with a digit)');
  });

  it("resolves from the environment or a file, naming only the reference when that fails", async () => {
    expect(await resolveSecret({ kind: "env", name: "K" }, { env: { K: "value" } })).toBe("value");
    expect(await resolveSecret({ kind: "file", path: "/k" }, { readFile: async () => "from-file\n" })).toBe("from-file");
    await expect(resolveSecret({ kind: "env", name: "MISSING" }, { env: {} })).rejects.toThrow("secret env:MISSING: environment variable MISSING is not set");
    await expect(resolveSecret({ kind: "env", name: "EMPTY" }, { env: { EMPTY: "" } })).rejects.toThrow("secret env:EMPTY: environment variable EMPTY is empty");
    const enoent = Object.assign(new Error("ENOENT: /k"), { code: "ENOENT" });
    await expect(resolveSecret({ kind: "file", path: "/k" }, { readFile: () => Promise.reject(enoent) })).rejects.toThrow("secret file:/k: cannot read the file: ENOENT: /k");
    await expect(resolveSecret({ kind: "file", path: "/k" }, { readFile: async () => "\n" })).rejects.toThrow("the file is empty");
  });
});
