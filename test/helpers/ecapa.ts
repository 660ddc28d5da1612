// Random ECAPA-TDNN weights of any size, for tests that need a full-size model without the trained weights.
import { ecapaParameterShapes } from "../../src/models/speechbrain/ecapa-onnx.ts";
import type { EcapaConfig } from "../../src/models/speechbrain/hyperparams.ts";
import type { StateDict } from "../../src/models/speechbrain/torch-checkpoint.ts";

/** A deterministic xorshift generator of uniform values in [-1, 1). */
export function uniform(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 31 - 1;
  };
}

/** Random weights scaled by 1/sqrt(fan-in) and plausible batch-norm statistics. */
export function randomState(config: EcapaConfig, seed = 1234): StateDict {
  const next = uniform(seed);
  const state: StateDict = new Map();
  for (const [key, shape] of ecapaParameterShapes(config)) {
    if (key.endsWith("num_batches_tracked")) {
      state.set(key, { dtype: "int64", shape, data: BigInt64Array.of(1000n) });
      continue;
    }
    const size = shape.reduce((a, b) => a * b, 1);
    const fanIn = shape.length === 3 ? shape[1] * shape[2] : 1;
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      const u = next();
      data[i] = key.endsWith("running_var") ? 0.5 + 0.5 * (u + 1) : key.endsWith("norm.weight") ? 1 + 0.1 * u : (u * 1.7) / Math.sqrt(fanIn);
    }
    state.set(key, { dtype: "float32", shape, data });
  }
  return state;
}
