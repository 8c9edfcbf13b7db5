// Parses an OpenTofu module with the real HCL parser (@cdktf/hcl2json, HashiCorp's hcl2 in wasm)
// and prints one JSON document for the .NET tests:
//   { "files": { "<name>.tf": <hcl2json>, ... },
//     "templates": { "<name>.tftpl": { "references": ["root", ...] }, ... } }
// A template is parsed as a heredoc template expression, so a syntax error in it fails here
// and its references are the variables templatefile() must be given.
//
// Usage: node hcl2json.mjs <module dir>
// @cdktf/hcl2json is resolved from the repository's node_modules: walk up from this script to
// the first folder whose package.json sits next to node_modules/@cdktf/hcl2json.

import { createRequire } from "node:module";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

function findPackageRoot(start) {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "node_modules", "@cdktf", "hcl2json"))) {
      return dir;
    }
    if (dirname(dir) === dir) {
      throw new Error(`no package.json with node_modules/@cdktf/hcl2json above ${start}; run 'npm ci' at the repository root`);
    }
  }
}

const moduleDir = process.argv[2];
if (!moduleDir) {
  console.error("usage: node hcl2json.mjs <module dir>");
  process.exit(2);
}

const root = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
const hcl = createRequire(join(root, "package.json"))("@cdktf/hcl2json");

const delimiter = "EOT_CATALYST_TEMPLATE";
const result = { files: {}, templates: {} };
for (const name of readdirSync(resolve(moduleDir)).sort()) {
  const text = readFileSync(join(moduleDir, name), "utf8");
  if (name.endsWith(".tf")) {
    result.files[name] = await hcl.parse(name, text);
  } else if (name.endsWith(".tftpl")) {
    if (text.split("\n").includes(delimiter)) throw new Error(`${name} contains the line ${delimiter}`);
    const body = text.endsWith("\n") ? text : text + "\n";
    const references = await hcl.getReferencesInExpression(name, `<<${delimiter}\n${body}${delimiter}\n`);
    result.templates[name] = { references: [...new Set(references.map((r) => r.value))].sort() };
  }
}
process.stdout.write(JSON.stringify(result));
