// The notebooks' entry to VoxLab's public API (src/index.ts): the module itself through load-voxlab.cjs,
// its types from the declarations in notebooks/.types (`npx tsc -p notebooks/tsconfig.types.json`;
// `npm run test:notebooks` generates them before it runs the notebooks).
import type * as VoxLab from "../.types/index";

export type { VoxLab };

const loader: { loadVoxlab(): Promise<typeof VoxLab> } = require("./load-voxlab.cjs");

/** VoxLab's public API, loaded once per kernel. */
export const loadVoxlab = loader.loadVoxlab;
