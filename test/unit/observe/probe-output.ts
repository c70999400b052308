/** Builds probe stdout the way the probe script frames it, for assembly tests. */
export const NONCE = "feedfacefeedfacefeedfacefeedface";

export interface FakeSection {
  name: string;
  key?: string;
  body?: string;
  /** A number, or "absent" for a command the probe did not run. */
  rc?: number | "absent";
}

export function probeStdout(sections: FakeSection[], options: { finished?: boolean } = {}): string {
  const all = options.finished === false ? sections : [...sections, { name: "done" }];
  return all
    .map(({ name, key = "", body = "", rc = 0 }) => `@@NCF ${NONCE} BEGIN ${name}${key ? ` ${key}` : ""}\n${body}\n@@NCF ${NONCE} END ${name} rc=${rc}\n`)
    .join("");
}

/** The sections every finished probe has before any gateway: a plain host with nothing installed. */
export function baseSections(overrides: FakeSection[] = [], drop: string[] = []): FakeSection[] {
  const base: FakeSection[] = [
    { name: "meta", body: "probe=1\nuser=dgx\nhome=/home/dgx\ntimeout=timeout -k 2\nopenshell_gateway_env=" },
    { name: "hostname", body: "spark-01" },
    { name: "uname-m", body: "aarch64" },
    { name: "uname-r", body: "6.8.0-1014-nvidia" },
    { name: "os-release", body: 'ID=ubuntu\nVERSION_ID="24.04"\nPRETTY_NAME="Ubuntu 24.04.3 LTS"' },
    { name: "dgx-release", body: 'DGX_NAME="DGX Spark"' },
    { name: "dmi-product", body: "no such file", rc: "absent" },
    { name: "nvidia-smi", body: "NVIDIA GB10, [N/A], 580.95.05, GPU-1" },
    { name: "docker-info", body: "28.3.2" },
    { name: "openshell-version", key: "/home/dgx/.local/bin/openshell", body: "openshell 0.0.72" },
    { name: "gateway-binary-version", key: "/home/dgx/.local/bin/openshell-gateway", body: "openshell-gateway 0.0.72" },
    { name: "nemoclaw-version", key: "/home/dgx/.local/bin/nemoclaw", body: "nemoclaw/0.1.0 linux-arm64 node-v22.19.0" },
    { name: "active-gateway", key: "user", body: "nemoclaw" },
    { name: "active-gateway", key: "system", body: "no such file", rc: "absent" },
    { name: "registry", body: "no such file", rc: "absent" },
    { name: "registry-lock", body: "not locked", rc: "absent" },
    { name: "fleet-lock", body: "no such file", rc: "absent" },
    { name: "cluster-ps", body: "" },
  ];
  const kept = base.filter((section) => !drop.includes(section.name));
  const replaced = kept.map((section) => overrides.find((o) => o.name === section.name && (o.key ?? "") === (section.key ?? "")) ?? section);
  const added = overrides.filter((o) => !kept.some((section) => o.name === section.name && (o.key ?? "") === (section.key ?? "")));
  return [...replaced, ...added];
}
