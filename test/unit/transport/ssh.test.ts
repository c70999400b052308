import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { atomicWriteCommand, renderRemoteCommand } from "../../../src/transport/ssh.js";

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

describe("atomicWriteCommand", () => {
  /**
   * Run the upload's command here with a `sync` on PATH that records, for each operand, what it
   * was asked to flush and what the target was at that moment.
   */
  function upload(durable: boolean): { log: string[]; target: string; content: string } {
    const dir = mkdtempSync(join(tmpdir(), "atomic-write-"));
    try {
      const bin = join(dir, "bin");
      const store = join(dir, "store");
      mkdirSync(bin);
      mkdirSync(store);
      const log = join(dir, "sync.log");
      writeFileSync(
        join(bin, "sync"),
        `#!/bin/sh\nfor a in "$@"; do\n  [ "$a" = -- ] && continue\n  if [ -d "$a" ]; then echo "dir \${a#${store}} holds $(ls -A "$a")" >> ${log}\n  else echo "file \${a#${store}/} of $(wc -c < "$a") bytes, target $(cat ${store}/manifest.json 2>/dev/null || echo absent)" >> ${log}; fi\ndone\n`,
        { mode: 0o755 },
      );
      const target = join(store, "manifest.json");
      const [file, ...args] = atomicWriteCommand(target, { mode: 0o600, bytes: 7, durable }).argv;
      const result = spawnSync(file!, args, { input: '{"a":1}', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, encoding: "utf8" });
      expect(result.status).toBe(0);
      return { log: existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : [], target, content: readFileSync(target, "utf8") };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("durable: flushes the whole file before the rename that shows it, and its directory after", () => {
    const { log, content } = upload(true);
    expect(content).toBe('{"a":1}');
    expect(log).toEqual([expect.stringMatching(/^file \.manifest\.json\.nemoclaw-tmp\.\w{8} of 7 bytes, target absent$/), "dir / holds manifest.json"]);
  });

  it("flushes nothing otherwise", () => {
    expect(upload(false).log).toEqual([]);
  });
});
