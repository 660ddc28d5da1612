// Random ECAPA-TDNN weights of any size: a full-size model (C=1024) for benchmarks and tests without the
// trained weights, which VoxLab does not ship. Inference speed and int8 error depend on the shapes and the
// scale of the weights, not on what they learned.
import { mulberry32 } from "../../core/random.ts";
import { ecapaParameterShapes } from "./ecapa-onnx.ts";
import type { EcapaConfig } from "./hyperparams.ts";
import type { StateDict } from "./torch-checkpoint.ts";

/** Seeded uniform weights scaled by 1/sqrt(fan-in), and plausible batch-norm statistics. */
export function randomEcapaState(config: EcapaConfig, seed = 1): StateDict {
  const random = mulberry32(seed);
  const state: StateDict = new Map();
  for (const [key, shape] of ecapaParameterShapes(config)) {
    if (key.endsWith("num_batches_tracked")) {
      state.set(key, { dtype: "int64", shape, data: BigInt64Array.of(1n) });
      continue;
    }
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const fanIn = shape.length === 3 ? shape[1] * shape[2] : 1;
    for (let i = 0; i < data.length; i++) {
      const u = 2 * random() - 1;
      data[i] = key.endsWith("running_var") ? 1 + 0.5 * u : key.endsWith("norm.weight") ? 1 + 0.1 * u : u / Math.sqrt(fanIn);
    }
    state.set(key, { dtype: "float32", shape, data });
  }
  return state;
}
