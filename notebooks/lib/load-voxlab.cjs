"use strict";
// tslab compiles notebook cells to CommonJS with its own TypeScript 5.0 and runs them through
// vm.runInThisContext, where import() is unavailable; VoxLab's sources are ESM TypeScript with
// explicit ".ts" imports that TypeScript 5.0 refuses. This ordinary CommonJS file can use import(),
// so it loads src/index.ts through tsx's ESM loader, once per kernel.
const { join } = require("node:path");
const { pathToFileURL } = require("node:url");

let loaded;

exports.loadVoxlab = function loadVoxlab() {
  loaded ??= import("tsx/esm/api").then(({ tsImport }) =>
    tsImport(pathToFileURL(join(__dirname, "..", "..", "src", "index.ts")).href, __filename),
  );
  return loaded;
};
