import type * as VoxLab from "./.types/index";
const { tsImport } = require("tsx/esm/api");
const { pathToFileURL } = require("node:url");
export type { VoxLab };
export function loadVoxlab(): Promise<typeof VoxLab> {
  return tsImport("../src/index.ts", pathToFileURL(`${process.cwd()}/`).href);
}
