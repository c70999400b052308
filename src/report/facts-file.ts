/**
 * Facts saved by `nemoclaw facts --json > facts.json`, read back for `nemoclaw report
 * --from-facts`. The file is checked before anything is built from it: every fact is an
 * envelope (known with a value, or unknown with a reason), and the parts the report and the
 * planner walk — versions, gateways, sandboxes, guards, the registry, the lock — have their
 * shapes. A problem is reported with the file and the field (a JSON pointer).
 */
import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import type { ObservedFleet } from "../observe/types.js";
import { describeSchemaError } from "./plan-file.js";

export class FactsFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: not facts saved by \`nemoclaw facts --json\`:\n${problems.map((problem) => `  ${problem}`).join("\n")}`);
    this.name = "FactsFileError";
  }
}

/** A Fact<T> whose known value is `value`. */
function fact(value: object): object {
  return {
    oneOf: [
      { type: "object", required: ["state", "value"], properties: { state: { const: "known" }, value } },
      { type: "object", required: ["state", "reason", "excerpt"], properties: { state: { const: "unknown" }, reason: { type: "string" }, excerpt: { type: "string" } } },
    ],
  };
}

const nullableString = { type: ["string", "null"] };
const binary = { type: "object", required: ["installed", "version"], properties: { installed: { type: "boolean" }, version: nullableString } };

const guards = {
  type: "object",
  required: ["files", "locks", "agentGatewayPids"],
  properties: {
    files: {
      type: "array",
      items: { type: "object", required: ["path", "present"], properties: { path: { type: "string" }, present: { type: "boolean" }, owner: nullableString, group: nullableString, mode: nullableString, type: nullableString } },
    },
    locks: { type: "array", items: { type: "object", required: ["path", "stale"], properties: { path: { type: "string" }, pid: { type: ["integer", "null"] }, stale: { type: "boolean" } } } },
    agentGatewayPids: { type: "array", items: { type: "integer" } },
    unreadableLockDirs: { type: "array", items: { type: "string" } },
  },
};

const sandbox = { type: "object", required: ["name", "phase", "guards"], properties: { name: { type: "string" }, phase: { type: "string" }, createdAt: nullableString, guards: fact(guards) } };

const gateway = {
  type: "object",
  required: ["name", "port", "driver", "registered", "runningVersion", "image", "binary", "pid", "health", "sandboxes"],
  properties: {
    name: { type: "string" },
    port: { type: ["integer", "null"] },
    driver: { type: "string" },
    registered: { type: "boolean" },
    runningVersion: fact(nullableString),
    image: nullableString,
    binary: nullableString,
    pid: { type: ["integer", "null"] },
    health: {
      type: "object",
      required: ["status", "reason", "fatalMigration", "protobufMismatch"],
      properties: { status: { enum: ["healthy", "unhealthy", "stopped", "unreachable", "unknown"] }, reason: { type: "string" }, fatalMigration: nullableString, protobufMismatch: nullableString },
    },
    sandboxes: fact({ type: "array", items: sandbox }),
  },
};

const registry = {
  type: "object",
  required: ["defaultSandbox", "entries", "locked"],
  properties: {
    defaultSandbox: nullableString,
    locked: { type: "boolean" },
    entries: { type: "array", items: { type: "object", required: ["name", "gatewayName", "gatewayPort", "policies"], properties: { name: { type: "string" }, gatewayName: { type: "string" }, gatewayPort: { type: ["integer", "null"] }, policies: { type: "array", items: { type: "string" } } } } },
  },
};

const lock = {
  oneOf: [
    { type: "null" },
    {
      type: "object",
      required: ["runId", "user", "machine", "pid", "startedAt", "expiresAt"],
      properties: { runId: { type: "string" }, user: { type: "string" }, machine: { type: "string" }, pid: { type: "integer" }, startedAt: { type: "string" }, expiresAt: { type: "string" } },
    },
  ],
};

const FACTS_SCHEMA = {
  type: "object",
  required: ["hosts"],
  properties: {
    hosts: {
      type: "array",
      items: {
        type: "object",
        required: ["host", "unreachable", "observedAt", "durationMs", "system", "gpus", "docker", "openshell", "gatewayBinary", "nemoclaw", "activeGateway", "gateways", "registry", "shields", "hostBackups", "fleetLock"],
        properties: {
          host: { type: "string" },
          unreachable: { oneOf: [{ type: "null" }, { type: "object", required: ["kind", "message"], properties: { kind: { type: "string" }, message: { type: "string" } } }] },
          observedAt: { type: "string" },
          durationMs: { type: "number" },
          system: fact({ type: "object" }),
          gpus: fact({ type: "array" }),
          docker: fact({ type: "object" }),
          openshell: fact(binary),
          gatewayBinary: fact(binary),
          nemoclaw: fact(binary),
          activeGateway: fact(nullableString),
          gateways: fact({ type: "array", items: gateway }),
          registry: fact(registry),
          shields: fact({ type: "array" }),
          hostBackups: fact({ type: "array" }),
          fleetLock: fact(lock),
        },
      },
    },
  },
};

let validator: ValidateFunction<ObservedFleet> | undefined;

/** The facts in `path`, or FactsFileError naming the file and each field that is wrong. */
export function readFactsFile(path: string): ObservedFleet {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new FactsFileError(path, [error instanceof SyntaxError ? `is not JSON (damaged or cut short?): ${error.message}` : `cannot be read: ${(error as Error).message}`]);
  }
  validator ??= new Ajv({ allErrors: true, strict: false }).compile<ObservedFleet>(FACTS_SCHEMA);
  if (!validator(value)) {
    // oneOf reports every branch; the deepest errors say what is actually wrong.
    const errors = validator.errors ?? [];
    const deepest = Math.max(...errors.map((error) => error.instancePath.split("/").length));
    const problems = [...new Set(errors.filter((error) => error.keyword !== "oneOf" && error.instancePath.split("/").length === deepest).map(describeSchemaError))];
    throw new FactsFileError(path, problems.slice(0, 10));
  }
  const names = new Set<string>();
  for (const host of value.hosts) {
    if (names.has(host.host)) throw new FactsFileError(path, [`host ${host.host} appears twice`]);
    names.add(host.host);
  }
  return value;
}
