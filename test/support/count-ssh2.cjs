// Preloaded with `node -r`: at exit, prints how many of ssh2's modules the run loaded.
process.on("exit", () => {
  const loaded = Object.keys(require("node:module")._cache).filter((file) => file.includes("/node_modules/ssh2/"));
  process.stderr.write(`ssh2 modules loaded: ${loaded.length}\n`);
});
