import { describe, expect, it } from "vitest";
import { xdgBaseDir } from "../../../src/config/xdg.js";

describe("XDG base directories", () => {
  it("take the variable when it is an absolute path, else the default under the home", () => {
    expect(xdgBaseDir("XDG_CONFIG_HOME", { XDG_CONFIG_HOME: "/etc/ops" }, "/home/ops")).toBe("/etc/ops");
    expect(xdgBaseDir("XDG_CONFIG_HOME", {}, "/home/ops")).toBe("/home/ops/.config");
    expect(xdgBaseDir("XDG_STATE_HOME", { XDG_STATE_HOME: "state" }, "/home/ops")).toBe("/home/ops/.local/state");
    expect(xdgBaseDir("XDG_CACHE_HOME", { XDG_CACHE_HOME: "" }, "/home/ops")).toBe("/home/ops/.cache");
    expect(xdgBaseDir("XDG_CACHE_HOME", { XDG_STATE_HOME: "/var/state" }, "/home/ops")).toBe("/home/ops/.cache");
  });
});
