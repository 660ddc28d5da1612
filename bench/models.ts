// The models the embedding benchmarks run: the compact ECAPA fixture (c256, imported like a real SpeechBrain
// folder), a full-size ECAPA with random weights, their int8 copies, and sherpa-onnx's single-input copy of either.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import onnxProto from "onnx-proto";
import { mulberry32 } from "../src/core/random.ts";
import { buildEcapaOnnx, ecapaParameterShapes } from "../src/models/speechbrain/ecapa-onnx.ts";
import { importSpeechbrainModel } from "../src/models/speechbrain/import.ts";
import { voxlabMetadata } from "../src/models/metadata.ts";
import { quantizeModelFile } from "../src/models/quantize/quantize-file.ts";
import type { EcapaConfig } from "../src/models/speechbrain/hyperparams.ts";
import type { StateDict } from "../src/models/speechbrain/torch-checkpoint.ts";
import { SPKREC_ECAPA_VOXCELEB } from "../src/models/speechbrain/hyperparams.ts";

const { onnx } = onnxProto;


/** Imports the SpeechBrain folder `dir` (the c256 fixture) to `<outDir>/<name>.onnx`; returns the path. */
export async function importCompact(dir: string, outDir: string, name = "c256"): Promise<string> {
  return (await importSpeechbrainModel(dir, join(outDir, `${name}.onnx`), { source: "fixture", license: "none" })).outPath;
}

/** Random weights (uniform, scaled by 1/sqrt(fan-in)) and plausible batch-norm statistics: the speed of real ones. */
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

/** Builds the full-size ECAPA with random weights at `<outDir>/ecapa-c1024.onnx`; returns the path. */
export async function buildFullSize(outDir: string): Promise<string> {
  const metadata = voxlabMetadata({ frontend: "speechbrain", sampleRate: 16000, meanNorm: "sentence", source: "random", license: "none" });
  const path = join(outDir, "ecapa-c1024.onnx");
  await writeFile(path, buildEcapaOnnx(SPKREC_ECAPA_VOXCELEB, randomEcapaState(SPKREC_ECAPA_VOXCELEB), metadata));
  return path;
}

/** `voxlab model quantize` of `path` to `<path minus .onnx>.int8.onnx`, calibrated on `files`; returns the path. */
export async function quantizeForBench(path: string, files: string[]): Promise<string> {
  const list = path.replace(/\.onnx$/, ".calibration.txt");
  await writeFile(list, files.join("\n"));
  return (await quantizeModelFile(path, path.replace(/\.onnx$/, ".int8.onnx"), { calibration: list, utterances: files.length })).outPath;
}

/**
 * sherpa-onnx's copy of a VoxLab ECAPA: the graph minus its `lengths` input, which becomes a node computing
 * every row's length as the input's frame count (sherpa-onnx runs one unpadded utterance per call, so that is
 * exact), and sherpa-onnx's metadata. `framework: 3d-speaker` with `feature_normalize_type: global-mean` makes
 * sherpa-onnx feed [-1, 1] samples and subtract the per-utterance time mean, as VoxLab's SpeechBrain frontend does.
 */
export function sherpaSingleInput(voxlabModel: Uint8Array, embeddingDim: number): Uint8Array {
  const model = onnx.ModelProto.decode(voxlabModel);
  const graph = model.graph;
  const inputs = graph?.input ?? [];
  const lengthsIndex = inputs.findIndex((v) => v.name === "lengths");
  if (!graph?.node || lengthsIndex < 0 || inputs[0].name !== "feats") throw new Error("sherpaSingleInput: expected inputs feats and lengths");
  inputs.splice(lengthsIndex, 1);
  const { AttributeType } = onnx.AttributeProto;
  const shapeSlice = (output: string, start: number): onnxProto.onnx.INodeProto => ({
    opType: "Shape",
    name: `${output}#node`,
    input: ["feats"],
    output: [output],
    attribute: [
      { name: "start", type: AttributeType.INT, i: start },
      { name: "end", type: AttributeType.INT, i: start + 1 },
    ],
  });
  // lengths[N] = Expand(Shape(feats)[1:2], Shape(feats)[0:1]); prepended so the nodes stay topologically sorted.
  graph.node.unshift(shapeSlice("sherpa/frames", 1), shapeSlice("sherpa/rows", 0), {
    opType: "Expand",
    name: "lengths#node",
    input: ["sherpa/frames", "sherpa/rows"],
    output: ["lengths"],
  });
  const sherpaKeys: Record<string, string> = {
    framework: "3d-speaker",
    sample_rate: "16000",
    output_dim: String(embeddingDim),
    normalize_samples: "1",
    feature_normalize_type: "global-mean",
    language: "English",
    url: "voxlab bench (random weights)",
    comment: "VoxLab ECAPA with lengths computed from the input shape",
  };
  model.metadataProps = [...model.metadataProps.filter((p) => !(p.key! in sherpaKeys)), ...Object.entries(sherpaKeys).map(([key, value]) => ({ key, value }))];
  return onnx.ModelProto.encode(model).finish();
}
