// @ts-check
// NemoClaw's network policy presets (the hosts each one opens) and the sandbox policy
// OpenShell prints: YAML with dimmed keys in `sandbox get`, an object in `-o json`.

import { dimmed } from "./ansi.mjs";

/**
 * The built-in presets (NC@d50338aa:nemoclaw-blueprint/policies/presets/) and messaging channels,
 * with the hosts each opens. The host lists are the simulator's; the names are NemoClaw's.
 */
const PRESET_HOSTS = /** @type {Record<string, string[]>} */ ({
  brave: ["api.search.brave.com"],
  brew: ["formulae.brew.sh", "github.com", "ghcr.io", "pkg-containers.githubusercontent.com", "objects.githubusercontent.com", "raw.githubusercontent.com"],
  "claude-code": ["api.anthropic.com", "statsig.anthropic.com"],
  discord: ["discord.com", "gateway.discord.gg", "cdn.discordapp.com", "media.discordapp.net"],
  github: ["github.com", "api.github.com", "codeload.github.com"],
  huggingface: ["huggingface.co", "cdn-lfs.huggingface.co", "router.huggingface.co"],
  jira: ["*.atlassian.net", "auth.atlassian.com", "api.atlassian.com"],
  "local-inference": ["host.openshell.internal"],
  "nous-audio": ["inference-api.nousresearch.com"],
  "nous-browser": ["inference-api.nousresearch.com"],
  "nous-code": ["inference-api.nousresearch.com"],
  "nous-image": ["inference-api.nousresearch.com"],
  "nous-web": ["inference-api.nousresearch.com"],
  npm: ["registry.npmjs.org", "registry.yarnpkg.com"],
  "observability-otlp-local": ["host.openshell.internal"],
  "openclaw-diagnostics-otel-local": ["host.openshell.internal"],
  "openclaw-pricing": ["openrouter.ai"],
  outlook: ["graph.microsoft.com", "login.microsoftonline.com", "outlook.office365.com", "outlook.office.com"],
  "public-reference": ["en.wikipedia.org", "www.wikidata.org"],
  pypi: ["pypi.org", "files.pythonhosted.org"],
  slack: ["slack.com", "api.slack.com", "hooks.slack.com", "wss-primary.slack.com", "wss-backup.slack.com"],
  tavily: ["api.tavily.com"],
  teams: ["teams.microsoft.com", "graph.microsoft.com"],
  telegram: ["api.telegram.org"],
  weather: ["api.open-meteo.com"],
  wechat: ["api.weixin.qq.com"],
  whatsapp: ["graph.facebook.com"],
});

/**
 * The preset names a release knows. The d50338aa set is used for every release (later ones add
 * more; a host's own list is authoritative).
 * @param {string} _version
 */
export function presetNames(_version) {
  return Object.keys(PRESET_HOSTS);
}

/** @param {string} preset */
export function presetHosts(preset) {
  return PRESET_HOSTS[preset] ?? [];
}

/** Presets a policy tier suggests (NC@d50338aa:nemoclaw-blueprint/policies/tiers.yaml). */
export const TIER_PRESETS = /** @type {Record<string, string[]>} */ ({
  restricted: [],
  balanced: ["npm", "pypi", "huggingface", "brew", "brave"],
  open: ["npm", "pypi", "huggingface", "brew", "brave", "weather", "public-reference", "slack", "discord", "telegram", "wechat", "whatsapp", "teams", "jira", "outlook"],
});

/** @param {string[]} presets */
export function policyObject(presets) {
  /** @type {Record<string, unknown>} */
  const networkPolicies = {};
  for (const preset of presets) {
    networkPolicies[preset] = {
      endpoints: presetHosts(preset).map((host) => ({ access: "read-write", host, port: 443 })),
      name: preset,
    };
  }
  return {
    filesystem_policy: { include_workdir: true, read_only: ["/usr", "/lib", "/etc", "/proc", "/dev/urandom"], read_write: ["/sandbox", "/tmp", "/dev/null"] },
    landlock: { compatibility: "best_effort" },
    network_policies: networkPolicies,
    process: { run_as_group: "sandbox", run_as_user: "sandbox" },
    version: 1,
  };
}

/**
 * Block-style YAML of the policy object (the serializer's key order: version first, then the
 * rest as declared by the policy struct).
 * @param {string[]} presets
 */
export function policyYaml(presets) {
  const policy = policyObject(presets);
  const ordered = {
    version: policy.version,
    filesystem_policy: policy.filesystem_policy,
    landlock: policy.landlock,
    process: policy.process,
    network_policies: policy.network_policies,
  };
  return `${yamlLines(ordered, "").join("\n")}\n`;
}

/**
 * @param {unknown} value
 * @param {string} indent
 * @returns {string[]}
 */
function yamlLines(value, indent) {
  /** @type {string[]} */
  const lines = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item && typeof item === "object") {
        const [first, ...rest] = yamlLines(item, `${indent}  `);
        lines.push(`${indent}- ${(first ?? "").trimStart()}`, ...rest);
      } else lines.push(`${indent}- ${item}`);
    }
    return lines;
  }
  for (const [key, item] of Object.entries(/** @type {Record<string, unknown>} */ (value))) {
    if (item && typeof item === "object" && (!Array.isArray(item) || item.length > 0) && Object.keys(item).length > 0) {
      lines.push(`${indent}${key}:`, ...yamlLines(item, Array.isArray(item) ? indent : `${indent}  `));
    } else if (item && typeof item === "object") {
      lines.push(`${indent}${key}: ${Array.isArray(item) ? "[]" : "{}"}`);
    } else lines.push(`${indent}${key}: ${item}`);
  }
  return lines;
}

/**
 * `print_yaml_line`: keys, colons and list dashes dimmed; values plain.
 * @param {string} line
 */
export function styleYamlLine(line) {
  const trimmed = line.trimStart();
  const indent = line.slice(0, line.length - trimmed.length);
  if (trimmed.startsWith("- ")) return `${indent}${dimmed("- ")}${trimmed.slice(2)}`;
  const colon = trimmed.indexOf(":");
  if (colon >= 0) {
    const after = trimmed.slice(colon + 1);
    return `${indent}${dimmed(trimmed.slice(0, colon))}${dimmed(":")}${after.startsWith(" ") ? ` ${after.slice(1)}` : after}`;
  }
  return line;
}
