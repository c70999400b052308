// @ts-check
// Child-process entry of installSimulator (runs as the simulated host's user).
import { main } from "./install.mjs";

await main();
