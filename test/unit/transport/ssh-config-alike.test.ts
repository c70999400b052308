/** When one `ssh -G` may answer for every host: nothing in the files ssh reads depends on the host. */
import { describe, expect, it } from "vitest";
import { configGivesEveryHostAlike, type ConfigReader } from "../../../src/transport/ssh-config-alike.js";

const HOME = "/home/ops";
const DEBIAN_SYSTEM = "Include /etc/ssh/ssh_config.d/*.conf\n\nHost *\n    SendEnv LANG LC_*\n    HashKnownHosts yes\n    GSSAPIAuthentication yes\n";

/** Files by path; a directory is the list of its entries. A value `Error` is a file that cannot be read. */
function reader(files: Record<string, string | string[] | Error>): ConfigReader {
  const missing = (path: string) => Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
  return {
    home: HOME,
    readText: async (path) => {
      const content = files[path];
      if (content instanceof Error) throw content;
      if (typeof content !== "string") throw missing(path);
      return content;
    },
    listDir: async (path) => {
      const content = files[path];
      if (!Array.isArray(content)) throw missing(path);
      return content;
    },
  };
}

describe("configGivesEveryHostAlike", () => {
  it("holds for Debian's system file, an empty drop-in directory and no user file", async () => {
    expect(await configGivesEveryHostAlike(undefined, reader({ "/etc/ssh/ssh_config": DEBIAN_SYSTEM, "/etc/ssh/ssh_config.d": [] }))).toBe(true);
  });

  it("holds for settings under Host * and before any Host line, through Includes", async () => {
    const files = {
      "/home/ops/.ssh/config": "User ops\nInclude common.conf\nHost *\n  IdentityFile ~/.ssh/fleet\n  ProxyJump gate.lab\n",
      "/home/ops/.ssh/common.conf": "Port 2222\nServerAliveInterval 30\n",
      "/etc/ssh/ssh_config": DEBIAN_SYSTEM,
      "/etc/ssh/ssh_config.d": ["20-site.conf"],
      "/etc/ssh/ssh_config.d/20-site.conf": "Host *\n  ConnectTimeout 5\n",
    };
    expect(await configGivesEveryHostAlike(undefined, reader(files))).toBe(true);
  });

  it.each([
    ["a Host pattern other than *", "Host spark-*\n  User nvidia\n"],
    ["a negated pattern beside *", "Host * !gate\n  ProxyJump gate\n"],
    ["a Match block", "Match user nvidia\n  Port 2222\n"],
    ["Match all", "Match all\n  Port 2222\n"],
    ["a HostName", "Host *\n  HostName relay.lab\n"],
    ["CanonicalizeHostname", "CanonicalizeHostname yes\nCanonicalDomains lab\n"],
    ["a % token", "Host *\n  IdentityFile ~/.ssh/id_%h\n"],
    ["an environment variable", "Host *\n  IdentityFile ${HOME}/.ssh/fleet\n"],
    ["a % token in an Include", "Include ~/.ssh/%h.conf\n"],
  ])("does not hold for %s in the user's file", async (_, text) => {
    expect(await configGivesEveryHostAlike(undefined, reader({ "/home/ops/.ssh/config": text, "/etc/ssh/ssh_config": DEBIAN_SYSTEM, "/etc/ssh/ssh_config.d": [] }))).toBe(false);
  });

  it("follows a relative Include from the user's file into ~/.ssh and from the system file into /etc/ssh", async () => {
    const hostBlock = "Host lab-*\n  User lab\n";
    expect(await configGivesEveryHostAlike(undefined, reader({ "/home/ops/.ssh/config": "Include lab.conf\n", "/home/ops/.ssh/lab.conf": hostBlock }))).toBe(false);
    expect(await configGivesEveryHostAlike(undefined, reader({ "/etc/ssh/ssh_config": "Include site.conf\n", "/etc/ssh/site.conf": hostBlock, "/home/ops/.ssh/site.conf": "" }))).toBe(false);
    expect(await configGivesEveryHostAlike(undefined, reader({ "/etc/ssh/ssh_config": "Include conf.d/*\n", "/etc/ssh/conf.d": ["a", "b"], "/etc/ssh/conf.d/a": "", "/etc/ssh/conf.d/b": hostBlock }))).toBe(false);
  });

  it("with -F reads that file alone, as ssh does", async () => {
    const files = { "/srv/fleet/ssh_config": "Host *\n  User fleet\n", "/home/ops/.ssh/config": "Host spark-*\n  User nvidia\n", "/etc/ssh/ssh_config": "Match exec true\n" };
    expect(await configGivesEveryHostAlike("/srv/fleet/ssh_config", reader(files))).toBe(true);
    expect(await configGivesEveryHostAlike(undefined, reader(files))).toBe(false);
  });

  it("does not hold when a file ssh reads cannot be read here", async () => {
    const denied = Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
    expect(await configGivesEveryHostAlike(undefined, reader({ "/home/ops/.ssh/config": denied }))).toBe(false);
  });

  it("does not hold when Includes nest deeper than ssh allows", async () => {
    expect(await configGivesEveryHostAlike(undefined, reader({ "/home/ops/.ssh/config": "Include config\n" }))).toBe(false);
  });
});
