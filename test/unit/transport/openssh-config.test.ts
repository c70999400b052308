/** Reading `ssh -G`: what is reported as not honoured, against OpenSSH's defaults and the distribution's. */
import { describe, expect, it } from "vitest";
import { OpenSshConfig } from "../../../src/transport/openssh-config.js";

/** A stand-in for `ssh -G` answering from tables: built-in defaults, /etc/ssh/ssh_config, the user's config. */
function fakeSsh(tables: { builtIn: string; system: string | null; host: string }): (args: string[]) => Promise<string> {
  return async (args) => {
    const file = args[args.indexOf("-F") + 1];
    if (args.includes("-F") && file === "/dev/null") return tables.builtIn;
    if (args.includes("-F") && file === "/etc/ssh/ssh_config") {
      if (tables.system === null) throw Object.assign(new Error("ssh: Can't open user config file /etc/ssh/ssh_config"), { code: 255 });
      return tables.system;
    }
    return tables.host;
  };
}

const BUILT_IN = "user ops\nport 22\nsendenv\ngssapiauthentication no\n";
const DEBIAN = "user ops\nport 22\nsendenv LANG\nsendenv LC_*\ngssapiauthentication yes\n";

describe("OpenSshConfig", () => {
  it("does not report what the distribution's ssh_config sets for every host", async () => {
    const config = new OpenSshConfig(fakeSsh({ builtIn: BUILT_IN, system: DEBIAN, host: `${DEBIAN}hostname 10.0.0.5\n` }));
    expect((await config.lookup({ alias: "spark-01" })).unsupported).toEqual([]);
  });

  it("reports a keyword it cannot honour when the user's config sets it beyond those defaults", async () => {
    const config = new OpenSshConfig(fakeSsh({ builtIn: BUILT_IN, system: DEBIAN, host: "user ops\nport 22\nsendenv LANG\nsendenv LC_*\ngssapiauthentication yes\ncertificatefile /home/ops/.ssh/id_cert.pub\n" }));
    expect((await config.lookup({ alias: "spark-01" })).unsupported).toEqual(["certificatefile /home/ops/.ssh/id_cert.pub"]);
  });

  it("without a system ssh_config, compares with OpenSSH's own defaults", async () => {
    const config = new OpenSshConfig(fakeSsh({ builtIn: BUILT_IN, system: null, host: DEBIAN }));
    expect((await config.lookup({ alias: "spark-01" })).unsupported).toEqual(["sendenv LANG,LC_*", "gssapiauthentication yes"]);
  });
});
