import packageJson from "../package.json" with { type: "json" };

/** The tool's version, from package.json (imported, so the bundled CLI carries it within). */
export const TOOL_VERSION: string = packageJson.version;
