// Runs Azurite for as long as the process that started it lives. The test host can be ended without running
// its exit handlers (vstest stops it after the run), which used to leave Azurite running: here it watches.
// SIGTERM is a clean stop: Azurite closes its three services (saving its LokiJS databases, which it otherwise
// writes only every 5 s) and this process exits once all three report closed, or after 20 s.
// Usage: node azurite-with-parent.mjs <parent pid> <path to azurite.js> [azurite options...]
import { pathToFileURL } from "node:url";

const [, , parentPid, azurite, ...options] = process.argv;
setInterval(() => {
  try {
    process.kill(Number(parentPid), 0);
  } catch {
    process.exit(0);
  }
}, 1000);

let closed = 0;
const log = console.log;
console.log = (...args) => {
  log(...args);
  if (String(args[0]).includes("successfully closed") && ++closed === 3) process.exit(0);
};
process.on("SIGTERM", () => setTimeout(() => process.exit(1), 20000).unref());

process.argv = [process.argv[0], azurite, ...options];
await import(pathToFileURL(azurite).href);
