// Runs Azurite for as long as the process that started it lives. The test host can be ended without running
// its exit handlers (vstest stops it after the run), which used to leave Azurite running: here it watches.
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
process.argv = [process.argv[0], azurite, ...options];
await import(pathToFileURL(azurite).href);
