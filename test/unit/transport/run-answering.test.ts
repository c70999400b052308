/**
 * A script that asks its caller one question, on the local transport: the answer reaches the
 * script's `read` (never the shell's parser), and an answer that fails or is not one line reaches
 * it as none.
 */
import { describe, expect, it } from "vitest";
import { runAnswering } from "../../../src/transport/execution.js";
import { LocalConnection } from "../../../src/transport/local.js";

const connection = new LocalConnection("here");
const ASKS = 'echo before\n{ echo ASKING; IFS= read -r answer || answer=none; echo "answer=$answer"; }\necho after\n';
const options = { timeoutMs: 20_000 };

describe("runAnswering", () => {
  it("writes the answer computed from the output so far, and the script goes on with it", async () => {
    const heard: string[] = [];
    const result = await runAnswering(connection, { script: ASKS }, options, {
      asked: "ASKING\n",
      answer: async (soFar) => {
        heard.push(soFar.toString());
        return "yes please";
      },
    });
    expect(heard).toEqual(["before\nASKING\n"]);
    expect(result.stdout.toString()).toBe("before\nASKING\nanswer=yes please\nafter\n");
    expect(result.exitCode).toBe(0);
  });

  it("closes the input with nothing written when the answer fails, throws, or is more than one line", async () => {
    const answers: Array<(soFar: Buffer) => Promise<string>> = [
      () => Promise.reject(new Error("no plan")),
      () => {
        throw new Error("thrown before any promise");
      },
      async () => "release\nrm -rf ~",
    ];
    for (const answer of answers) {
      const result = await runAnswering(connection, { script: ASKS }, options, { asked: "ASKING\n", answer });
      expect(result.stdout.toString()).toBe("before\nASKING\nanswer=none\nafter\n");
    }
  });
});
