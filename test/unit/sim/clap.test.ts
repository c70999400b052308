// The simulator parses openshell command lines exactly as each release does. Expected texts are the
// real parser's output for these lines: each tag's clap definitions (crates/openshell-cli/src/main.rs)
// compiled against clap 4.6 and run on the line (null: accepted).

import { describe, expect, it } from "vitest";
import { ClapError, parse } from "../../sim/lib/clap.mjs";
import { openshellCommandTree } from "../../sim/lib/openshell-cli.mjs";

const GOLDEN: [string, string, string | null][] = [
  ["0.0.85", "gateway destroy -g nemoclaw", "error: unrecognized subcommand 'destroy'\n\nUsage: openshell gateway [OPTIONS] [COMMAND]\n\nFor more information, try '--help'.\n"],
  ["0.0.36", "gateway list", "error: unrecognized subcommand 'list'\n\nUsage: openshell gateway [OPTIONS] [COMMAND]\n\nFor more information, try '--help'.\n"],
  ["0.0.43", "sandbox list -o json", "error: unexpected argument '-o' found\n\nUsage: openshell sandbox list [OPTIONS]\n\nFor more information, try '--help'.\n"],
  ["0.0.91", "status -o json", "error: unexpected argument '-o' found\n\nUsage: openshell status [OPTIONS]\n\nFor more information, try '--help'.\n"],
  ["0.0.85", "sandbox get alpha -o json", "error: unexpected argument '-o' found\n\n  tip: to pass '-o' as a value, use '-- -o'\n\nUsage: openshell sandbox get [OPTIONS] [NAME]\n\nFor more information, try '--help'.\n"],
  ["0.0.87", "--workspace default sandbox list", "error: unexpected argument '--workspace' found\n\nUsage: openshell [OPTIONS] [COMMAND]\n\nFor more information, try '--help'.\n"],
  ["0.0.85", "gateway info --name nemoclaw", "error: unexpected argument '--name' found\n\nUsage: openshell gateway info [OPTIONS]\n\nFor more information, try '--help'.\n"],
  ["0.0.72", "sandbox create --name sb1 --from img:1 --policy p.yaml --no-bootstrap -- nemoclaw-start", "error: unexpected argument '--no-bootstrap' found\n\n  tip: a similar argument exists: '--no-tty'\n  tip: to pass '--no-bootstrap' as a value, use '-- --no-bootstrap'\n\nUsage: openshell sandbox create --name <NAME> --from <FROM> --policy <POLICY> --no-tty [-- <COMMAND>...]\n\nFor more information, try '--help'.\n"],
  ["0.0.72", "sandbox create --from img --name sb --gpu-device 0 -- env", "error: unexpected argument '--gpu-device' found\n\n  tip: a similar argument exists: '--gpu'\n  tip: to pass '--gpu-device' as a value, use '-- --gpu-device'\n\nUsage: openshell sandbox create --from <FROM> --name <NAME> --gpu [<COUNT>] [-- <COMMAND>...]\n\nFor more information, try '--help'.\n"],
  ["0.0.50", "sandbox create --from img --name sb --gpu-device 0 -- env", "error: the following required arguments were not provided:\n  --gpu\n\nUsage: openshell sandbox create --gpu --from <FROM> --name <NAME> --gpu-device <GPU_DEVICE> -- <COMMAND>...\n\nFor more information, try '--help'.\n"],
  ["0.0.104", "sandbox stop alpha", "error: unrecognized subcommand 'stop'\n\nUsage: openshell sandbox [OPTIONS] [COMMAND]\n\nFor more information, try '--help'.\n"],
  ["0.0.111", "sandbox create --name sb1 --upload ./d:/sandbox/d -- nemoclaw-start", "error: the argument '--upload <UPLOAD>' cannot be used with '[COMMAND]...'\n\nUsage: openshell sandbox create --name <NAME> --upload <UPLOAD> [-- <COMMAND>...]\n\nFor more information, try '--help'.\n"],
  ["0.0.85", "sandbox list --names --ids", "error: the argument '--names' cannot be used with '--ids'\n\nUsage: openshell sandbox list --names\n\nFor more information, try '--help'.\n"],
  ["0.0.85", "sandbox list -o xml", "error: invalid value 'xml' for '--output <OUTPUT>'\n  [possible values: table, yaml, json]\n\n  tip: a similar value exists: 'yaml'\n\nFor more information, try '--help'.\n"],
  ["0.0.85", "inference set --model m", "error: the following required arguments were not provided:\n  --provider <PROVIDER>\n\nUsage: openshell inference set --provider <PROVIDER> --model <MODEL>\n\nFor more information, try '--help'.\n"],
  ["0.0.85", "sandbox exec -n sb1", "error: the following required arguments were not provided:\n  <COMMAND>...\n\nUsage: openshell sandbox exec --name <NAME> <COMMAND>...\n\nFor more information, try '--help'.\n"],
  ["0.0.85", "sandbox create --name", "error: a value is required for '--name <NAME>' but none was supplied\n\nFor more information, try '--help'.\n"],
  ["0.0.72", "sandbox create --gpu 0 --name x -- env", "error: invalid value '0' for '--gpu [<COUNT>]': GPU count must be greater than 0\n\nFor more information, try '--help'.\n"],
  ["0.0.85", "frob", "error: unrecognized subcommand 'frob'\n\nUsage: openshell [OPTIONS] [COMMAND]\n\nFor more information, try '--help'.\n"],
  ["0.0.37", "sandbox create --name sb1 nemoclaw-start", "error: unexpected argument 'nemoclaw-start' found\n\nUsage: openshell sandbox create [OPTIONS] [-- <COMMAND>...]\n\nFor more information, try '--help'.\n"],
  ["0.0.36", "status --gateway-insecure", "error: unexpected argument '--gateway-insecure' found\n\n  tip: a similar argument exists: '--gateway'\n\nUsage: openshell status --gateway <GATEWAY>\n\nFor more information, try '--help'.\n"],
  ["0.0.72", "sandbox upload sb1", "error: the following required arguments were not provided:\n  <LOCAL_PATH>\n\nUsage: openshell sandbox upload <NAME> <LOCAL_PATH> [DEST]\n\nFor more information, try '--help'.\n"],
  ["0.0.85", "sandbox create --name a --name b", "error: the argument '--name <NAME>' cannot be used multiple times\n\nUsage: openshell sandbox create [OPTIONS] [-- <COMMAND>...]\n\nFor more information, try '--help'.\n"],
  ["0.0.85", "gateway lst", "error: unrecognized subcommand 'lst'\n\n  tip: a similar subcommand exists: 'list'\n\nUsage: openshell gateway [OPTIONS] [COMMAND]\n\nFor more information, try '--help'.\n"],
];

function run(version: string, line: string): string | null {
  try {
    parse(openshellCommandTree(version), line.split(" "), {});
    return null;
  } catch (error) {
    if (error instanceof ClapError) return error.text;
    throw error;
  }
}

describe("openshell command lines, per release", () => {
  it.each(GOLDEN)("%s: openshell %s", (version, line, expected) => {
    expect(run(version, line)).toBe(expected);
  });

  it("takes the environment for -g and the trailing command of sandbox exec as clap does", () => {
    const root = parse(openshellCommandTree("0.0.85"), ["sandbox", "exec", "-n", "sb1", "--workspace", "x", "--", "ls"], { OPENSHELL_GATEWAY: "nemoclaw" });
    const exec = root.subcommand?.subcommand;
    expect(exec?.values.get("command")).toEqual(["--workspace", "x", "--", "ls"]);
    expect(exec?.values.get("gateway")).toEqual(["nemoclaw"]);
    expect(exec?.sources.get("gateway")).toBe("env");
  });
});
