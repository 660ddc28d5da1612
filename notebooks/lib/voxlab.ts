// The notebooks' entry to VoxLab's public API (src/index.ts): the module itself through load-voxlab.cjs,
// its types from the declarations that `npm install` builds into dist/ (`npm run build` refreshes them).
import type * as VoxLab from "../../dist/index";

export type { VoxLab };

const loader: { loadVoxlab(): Promise<typeof VoxLab> } = require("./load-voxlab.cjs");

/** VoxLab's public API, loaded once per kernel. */
export const loadVoxlab = loader.loadVoxlab;
