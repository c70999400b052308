import { describe, expect, it } from "vitest";
import { renderRemoteCommand } from "../../../src/transport/ssh.js";

describe("renderRemoteCommand", () => {
  it("renders argv with the host environment and the command's env", () => {
    expect(renderRemoteCommand({ argv: ["openshell", "sandbox", "list"], env: { NO_COLOR: "1" } }, { SITE: "lab one" })).toEqual({
      text: "env 'SITE=lab one' NO_COLOR=1 openshell sandbox list",
      stdinPrefix: "",
    });
  });

  it("sends a script on stdin to sh -s", () => {
    expect(renderRemoteCommand({ script: "echo hi\n" }, {})).toEqual({ text: "sh -s", stdinPrefix: "echo hi\n" });
  });

  it("keeps secret values out of the command text and puts them first on stdin", () => {
    const rendered = renderRemoteCommand({ script: "run\n", secretEnv: { NVIDIA_API_KEY: "nvapi-secret" } }, { SITE: "lab" });
    expect(rendered.text).not.toContain("nvapi-secret");
    expect(rendered.text).toContain("NVIDIA_API_KEY");
    expect(rendered.stdinPrefix).toBe("nvapi-secret\nrun\n");
  });
});
