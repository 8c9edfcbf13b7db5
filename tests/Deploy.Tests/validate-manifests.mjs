// Validates rendered Kubernetes manifests (the output of `kubectl kustomize`) against schemas, and prints one JSON
// report for the .NET tests:
//   { "objects": [ { "file", "apiVersion", "kind", "name", "validatedBy", "errors": [..] }, ... ] }
//
// - Built-in kinds: the kubernetes-models class for the apiVersion and kind is constructed from the object and
//   its validate() is called (construction alone does not validate). Those schemas come from the Kubernetes
//   OpenAPI and, like it, do not reject unknown fields; the .NET side loads the same YAML with KubernetesClient in
//   strict mode for that.
// - keda.sh objects: ajv against keda-crd-schemas.json (KEDA's CRD schemas, see the file's $comment), with
//   additionalProperties:false added to every object schema that lists properties, as strict field validation does.
// - Anything else is an error: a kind nobody can check is a kind nobody checked.
//
// Usage: node validate-manifests.mjs <rendered.yaml>...
// Packages (kubernetes-models, yaml, ajv) resolve from the repository's node_modules ('npm ci' at the root).

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node validate-manifests.mjs <rendered.yaml>...");
  process.exit(2);
}

let YAML, Ajv;
try {
  YAML = await import("yaml");
  Ajv = (await import("ajv")).default;
} catch (e) {
  console.error(`cannot load the pinned node packages (${e.message}); run 'npm ci' at the repository root`);
  process.exit(2);
}

const here = dirname(fileURLToPath(import.meta.url));
const crdSchemas = JSON.parse(readFileSync(join(here, "keda-crd-schemas.json"), "utf8"));

function strict(schema) {
  if (Array.isArray(schema)) return schema.map(strict);
  if (schema === null || typeof schema !== "object") return schema;
  const copy = {};
  for (const [key, value] of Object.entries(schema)) copy[key] = key === "enum" || key === "default" ? value : strict(value);
  if (copy.properties && copy.additionalProperties === undefined && !copy["x-kubernetes-preserve-unknown-fields"]) {
    copy.additionalProperties = false;
  }
  return copy;
}

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addFormat("int32", { type: "number", validate: (n) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
ajv.addFormat("int64", { type: "number", validate: (n) => Number.isInteger(n) });
ajv.addFormat("date-time", { type: "string", validate: (s) => !Number.isNaN(Date.parse(s)) });
const crdValidators = Object.fromEntries(
  Object.entries(crdSchemas)
    .filter(([key]) => !key.startsWith("$"))
    .map(([key, schema]) => [key, ajv.compile(strict(schema))]),
);

async function modelClass(apiVersion, kind) {
  // kubernetes-models lays out one module per group/version: "v1", "apps/v1", "policy/v1", ...
  if (!/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion)) return undefined;
  try {
    const module = await import(`kubernetes-models/${apiVersion}`);
    return module[kind];
  } catch (e) {
    if (e.code === "ERR_PACKAGE_PATH_NOT_EXPORTED" || e.code === "ERR_MODULE_NOT_FOUND") return undefined;
    throw e;
  }
}

const objects = [];
for (const file of files) {
  const documents = YAML.parseAllDocuments(readFileSync(file, "utf8"));
  for (const document of documents) {
    if (document.errors.length > 0) {
      objects.push({ file, errors: document.errors.map((e) => `YAML: ${e.message}`) });
      continue;
    }
    const object = document.toJS();
    if (object === null || object === undefined) continue;
    const { apiVersion, kind } = object;
    const entry = { file, apiVersion, kind, name: object.metadata?.name, validatedBy: null, errors: [] };
    objects.push(entry);

    const crd = crdValidators[`${apiVersion}/${kind}`];
    if (crd) {
      entry.validatedBy = "keda-crd";
      if (!crd(object)) {
        entry.errors = crd.errors.map((e) => `${e.instancePath || "/"} ${e.message}${e.params?.additionalProperty ? `: ${e.params.additionalProperty}` : ""}`);
      }
      continue;
    }

    const Model = typeof apiVersion === "string" && typeof kind === "string" ? await modelClass(apiVersion, kind) : undefined;
    if (!Model) {
      entry.errors.push(`no schema for ${apiVersion}/${kind}: neither kubernetes-models nor keda-crd-schemas.json knows it`);
      continue;
    }
    entry.validatedBy = "kubernetes-models";
    if (apiVersion === "v1" && kind === "Secret" && object.data) {
      // Current kustomize wraps long base64 values over several lines; the API server's decoder (Go's
      // encoding/base64) skips line breaks, kubernetes-models' "byte" format does not. Compare like the server.
      for (const key of Object.keys(object.data)) object.data[key] = String(object.data[key]).replace(/[\r\n]/g, "");
    }
    try {
      new Model(object).validate();
    } catch (e) {
      entry.errors.push(e.message);
    }
  }
}

process.stdout.write(JSON.stringify({ objects }));
