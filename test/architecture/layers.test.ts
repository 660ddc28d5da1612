// The layer order of src/ (README "Folder tour"): a folder imports only from itself and from folders before it,
// so no import runs back up the data path and no two folders import each other. The public index.ts is the
// only way in for cli/, notebooks, bench and the training scripts (also enforced by ESLint); nothing in the
// library imports it.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../helpers/shared.ts";

/** Lowest first; the names are src/'s folders. */
const LAYERS = ["core", "audio", "features", "datasets", "models", "embeddings", "enrollment", "scoring", "metrics", "calibration", "plots", "reports", "experiments", "serve", "cli"];

const SRC = join(repoRoot, "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts)$/.test(name) ? [path] : [];
  });
}

/** The relative import specifiers of a file (static, dynamic and `export ... from`). */
function relativeImports(path: string): string[] {
  const text = readFileSync(path, "utf8");
  return [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]);
}

/** The src/ folder a path lies in ("index.ts" for the public API). */
function layerOf(path: string): string {
  return relative(SRC, path).split(sep)[0];
}

test("every folder of src/ has a place in the layer order, and src/ holds no other top-level file than index.ts", () => {
  const top = readdirSync(SRC);
  assert.deepEqual(top.filter((name) => !LAYERS.includes(name)), ["index.ts"]);
  assert.deepEqual(LAYERS.filter((name) => !top.includes(name)), []);
});

test("imports in src/ run down the layers only, and nothing in src/ but cli/ imports the public index.ts", () => {
  const upward: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = layerOf(file);
    if (from === "index.ts") continue;
    for (const spec of relativeImports(file)) {
      const to = layerOf(resolve(dirname(file), spec));
      const ok = to === "index.ts" ? from === "cli" : LAYERS.indexOf(to) <= LAYERS.indexOf(from);
      if (!ok) upward.push(`${relative(repoRoot, file)} -> ${spec}`);
    }
  }
  assert.deepEqual(upward, []);
});

test("the checker sees an upward import: a line of text that imports from a later layer is caught", () => {
  // A self-check of the rule above on a made-up file, so the test cannot pass by reading nothing.
  const fake = join(SRC, "audio", "x.ts");
  const to = layerOf(resolve(dirname(fake), "../scoring/cosine.ts"));
  assert.ok(LAYERS.indexOf(to) > LAYERS.indexOf(layerOf(fake)));
  assert.ok(sourceFiles(SRC).length > 100);
  assert.ok(relativeImports(join(SRC, "embeddings", "extractor.ts")).includes("../models/model-input.ts"));
});
