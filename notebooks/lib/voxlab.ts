// The notebooks' entry to VoxLab's public API (src/index.ts): the runtime module through
// load-voxlab.cjs, the types from the declarations that scripts/test-notebooks.sh generates
// into notebooks/.types (npx tsc -p notebooks/tsconfig.types.json).
import type * as VoxLab from "../.types/index";

export type { VoxLab };

const loader: { loadVoxlab(): Promise<typeof VoxLab> } = require("./load-voxlab.cjs");

export const loadVoxlab = loader.loadVoxlab;
