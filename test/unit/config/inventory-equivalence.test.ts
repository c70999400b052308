/** inventory/dgx-lab.ini and inventory/dgx-lab.yaml describe the same fleet, in Ansible's two formats. */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadFleet } from "../../../src/config/load.js";
import type { DesiredHost } from "../../../src/config/types.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** Hosts without their source positions (which necessarily differ between the two files). */
async function hostsOf(inventory: string): Promise<Omit<DesiredHost, "source">[]> {
  const { fleet, warnings } = await loadFleet({ inventories: [inventory], cwd: ROOT });
  expect(warnings).toEqual([]);
  return fleet.hosts.map(({ source, ...host }) => {
    expect(source.file).toBe(inventory);
    // The release pins carry where they were written, too.
    const { openshell, nemoclaw } = host;
    return {
      ...host,
      ...(openshell ? { openshell: { ...openshell, source: undefined } } : {}),
      ...(nemoclaw ? { nemoclaw: { ...nemoclaw, source: undefined } } : {}),
    } as Omit<DesiredHost, "source">;
  });
}

describe("the dgx-lab inventories", () => {
  it("load to identical hosts, groups, connection settings and variables", async () => {
    const ini = await hostsOf("inventory/dgx-lab.ini");
    const yaml = await hostsOf("inventory/dgx-lab.yaml");
    expect(yaml).toEqual(ini);
  });

  it("describe four Sparks and two Stations behind the bastion", async () => {
    const hosts = await hostsOf("inventory/dgx-lab.ini");
    expect(hosts.map((h) => h.name)).toEqual(["spark-01", "spark-02", "spark-03", "spark-04", "station-01", "station-02"]);
    const byName = new Map(hosts.map((h) => [h.name, h]));
    expect(byName.get("spark-01")).toMatchObject({
      groups: ["dgx", "rack_a", "spark"],
      labels: { model: "spark", arch: "arm64" },
      vars: { ansible_python_interpreter: "/usr/bin/python3" },
      openshell: { version: "0.0.72" },
      connection: {
        kind: "ssh",
        address: "10.20.0.11",
        port: 22,
        user: "nvidia",
        proxyJump: [{ host: "bastion.dgx-lab.example.com", address: "bastion.dgx-lab.example.com", port: 22, user: "jump" }],
      },
    });
    expect(byName.get("spark-03")?.groups).toEqual(["dgx", "spark"]);
    expect(byName.get("station-01")).toMatchObject({ groups: ["dgx", "rack_a", "station"], labels: { site: "sjc", gpus: "4" } });
    expect(byName.get("station-02")?.connection).toMatchObject({ address: "10.20.0.22", port: 2222 });
  });
});
