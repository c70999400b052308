import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  appendKnownHost,
  entryMatchesName,
  fingerprint,
  keyTypeOfBlob,
  knownHostsName,
  knownKeyTypes,
  parseKnownHosts,
  readKnownHostsFiles,
  verifyHostKey,
  type HostKey,
} from "../../../src/transport/known-hosts.js";

// Real keys made with ssh-keygen; the hashed line is `ssh-keygen -H` output for [spark-01.lab]:2222.
const ED_A = "AAAAC3NzaC1lZDI1NTE5AAAAIALcYe4SwyhtMsy8e5a7S5wKKJMgVHZV/J1+IaFzfVqJ";
const ED_A_FINGERPRINT = "SHA256:mag0NMnmGlO/yxdJnE1TP/r5S+kEWhpPG4ErdEU4R0o";
const ED_B = "AAAAC3NzaC1lZDI1NTE5AAAAIGVY1amh1WEKtWPkJV6B5Hy0LYuTEbqhm5Noy2npVpR1";
const ECDSA =
  "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBNRcyEuOm7N8v61nW0RC6RHHmutjsKxGIUMQexhs5n8ZdDRDjsmvI1dms0CB8ez9/WdDzUqJ1seNx5CQ/Z/XKK4=";
const HASHED_SPARK_2222 = "|1|FZqRcbM4LMXDOAiwMx1aOIKmieM=|9A+H//eq+AWJ98qKs7ZBiyKmOiE=";

const key = (base64: string): HostKey => {
  const blob = Buffer.from(base64, "base64");
  return { type: keyTypeOfBlob(blob), blob };
};

describe("known_hosts", () => {
  it("names hosts the way OpenSSH looks them up", () => {
    expect(knownHostsName("10.0.0.11", 22)).toBe("10.0.0.11");
    expect(knownHostsName("spark-01.lab", 2222)).toBe("[spark-01.lab]:2222");
  });

  it("computes ssh-keygen's SHA256 fingerprint", () => {
    expect(fingerprint(Buffer.from(ED_A, "base64"))).toBe(ED_A_FINGERPRINT);
  });

  it("matches a hashed entry only for the name it was hashed from", () => {
    expect(entryMatchesName(HASHED_SPARK_2222, "[spark-01.lab]:2222")).toBe(true);
    expect(entryMatchesName(HASHED_SPARK_2222, "spark-01.lab")).toBe(false);
    expect(entryMatchesName(HASHED_SPARK_2222, "[spark-01.lab]:22")).toBe(false);
  });

  it("matches comma lists, wildcards and negations, case-insensitively", () => {
    expect(entryMatchesName("spark-01,10.0.0.11", "10.0.0.11")).toBe(true);
    expect(entryMatchesName("*.lab,!bad.lab", "Spark-02.LAB")).toBe(true);
    expect(entryMatchesName("*.lab,!bad.lab", "bad.lab")).toBe(false);
    expect(entryMatchesName("[10.0.0.?]:2222", "[10.0.0.7]:2222")).toBe(true);
    expect(entryMatchesName("[10.0.0.?]:2222", "10.0.0.7")).toBe(false);
  });

  it("skips comments, @cert-authority lines and corrupt lines, keeping line numbers", () => {
    const entries = parseKnownHosts(
      [
        "# fleet hosts",
        `@cert-authority *.lab ssh-ed25519 ${ED_B}`,
        `spark-01 ssh-rsa ${ED_A}`, // type does not match the blob
        "garbage",
        `spark-01 ssh-ed25519 ${ED_A}`,
      ].join("\n"),
      "/home/u/.ssh/known_hosts",
    );
    expect(entries.map((e) => [e.names, e.line])).toEqual([["spark-01", 5]]);
  });

  it("judges match, changed, unknown and revoked", () => {
    const entries = parseKnownHosts(
      [`${HASHED_SPARK_2222} ssh-ed25519 ${ED_A}`, `spark-09 ecdsa-sha2-nistp256 ${ECDSA}`, `@revoked * ssh-ed25519 ${ED_B}`].join("\n"),
      "kh",
    );
    expect(verifyHostKey(entries, "[spark-01.lab]:2222", key(ED_A)).status).toBe("match");
    expect(verifyHostKey(entries, "spark-02", key(ED_A))).toEqual({ status: "unknown", otherTypes: [] });
    expect(verifyHostKey(entries, "[spark-01.lab]:2222", key(ED_B)).status).toBe("revoked");

    const other = parseKnownHosts(`[spark-01.lab]:2222 ssh-ed25519 ${ED_B}`, "kh");
    const changed = verifyHostKey(other, "[spark-01.lab]:2222", key(ED_A));
    expect(changed.status).toBe("changed");

    // A key of another type for the name is not a change: OpenSSH treats it as a new key.
    const unknown = verifyHostKey(entries, "spark-09", key(ED_A));
    expect(unknown.status).toBe("unknown");
    expect(unknown.status === "unknown" && unknown.otherTypes.map((e) => e.key.type)).toEqual(["ecdsa-sha2-nistp256"]);
  });

  it("lists the key types known for a name", () => {
    const entries = parseKnownHosts([`spark-09 ecdsa-sha2-nistp256 ${ECDSA}`, `spark-09,spark-10 ssh-ed25519 ${ED_A}`].join("\n"), "kh");
    expect(knownKeyTypes(entries, "spark-09")).toEqual(["ecdsa-sha2-nistp256", "ssh-ed25519"]);
    expect(knownKeyTypes(entries, "spark-10")).toEqual(["ssh-ed25519"]);
  });

  it("reports the entries for a name in file order, literal names and patterns alike", () => {
    const entries = parseKnownHosts([`*.lab ssh-ed25519 ${ED_B}`, `spark-01.lab ecdsa-sha2-nistp256 ${ECDSA}`, `Spark-01.LAB,spark-02.lab ssh-ed25519 ${ED_A}`].join("\n"), "kh");
    expect(knownKeyTypes(entries, "spark-01.lab")).toEqual(["ssh-ed25519", "ecdsa-sha2-nistp256"]);
    expect(verifyHostKey(entries, "spark-01.lab", key(ED_A)).status).toBe("match");
    // The first same-type entry in the file is the one a changed key is reported against.
    const changed = verifyHostKey(entries, "spark-02.lab", { type: "ssh-ed25519", blob: Buffer.from(ECDSA, "base64") });
    expect(changed.status === "changed" && changed.known.line).toBe(1);
  });

  it("answers a name the same every time; a hashed line covers only the exact name it was hashed from", () => {
    const entries = parseKnownHosts(
      [`${HASHED_SPARK_2222} ssh-ed25519 ${ED_A}`, `[spark-01.lab]:2222 ecdsa-sha2-nistp256 ${ECDSA}`, `|1|broken ssh-ed25519 ${ED_B}`, `[*.lab]:2222 ssh-ed25519 ${ED_B}`].join("\n"),
      "kh",
    );
    for (let lookup = 0; lookup < 2; lookup++) {
      expect(knownKeyTypes(entries, "[spark-01.lab]:2222")).toEqual(["ssh-ed25519", "ecdsa-sha2-nistp256"]);
      expect(verifyHostKey(entries, "[spark-01.lab]:2222", key(ED_A))).toMatchObject({ status: "match", entry: { line: 1 } });
      // In capitals the literal and wildcard lines still cover it, the hashed one does not (as in OpenSSH).
      expect(verifyHostKey(entries, "[SPARK-01.lab]:2222", key(ED_A))).toMatchObject({ status: "changed", known: { line: 4 } });
      expect(knownKeyTypes(entries, "[spark-02.lab]:2222")).toEqual(["ssh-ed25519"]);
    }
  });

  it("reads a known_hosts file again once it changed", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "known-hosts-")), "known_hosts");
    writeFileSync(file, `spark-01 ssh-ed25519 ${ED_A}\n`);
    expect(verifyHostKey(await readKnownHostsFiles([file]), "spark-01", key(ED_A)).status).toBe("match");
    writeFileSync(file, `spark-01 ssh-ed25519 ${ED_B}\n`);
    expect(verifyHostKey(await readKnownHostsFiles([file]), "spark-01", key(ED_A)).status).toBe("changed");
  });

  it("appends a new key once, after existing lines, even when several hosts record at once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "known-hosts-"));
    const file = join(dir, "ssh", "known_hosts");
    await appendKnownHost(file, "first", key(ED_B));
    writeFileSync(file, `${readFileSync(file, "utf8")}# no newline at the end`);
    await Promise.all([
      appendKnownHost(file, "[10.0.0.5]:2222", key(ED_A)),
      appendKnownHost(file, "[10.0.0.5]:2222", key(ED_A)),
      appendKnownHost(file, "10.0.0.6", key(ECDSA)),
    ]);
    expect(readFileSync(file, "utf8")).toBe(
      [`first ssh-ed25519 ${ED_B}`, "# no newline at the end", `[10.0.0.5]:2222 ssh-ed25519 ${ED_A}`, `10.0.0.6 ecdsa-sha2-nistp256 ${ECDSA}`, ""].join("\n"),
    );
  });
});
