// A copy of a VoxLab ECAPA that sherpa-onnx (the speaker-embedding runtime VoxLab's benchmarks compare against)
// loads as it is: one input, sherpa-onnx's metadata.
import type { onnx } from "onnx-proto";
import { onnxProto } from "../core/lazy-modules.ts";

/**
 * sherpa-onnx's copy of a VoxLab ECAPA: the graph minus its `lengths` input, which becomes a node computing
 * every row's length as the input's frame count (sherpa-onnx runs one unpadded utterance per call, so that is
 * exact), and sherpa-onnx's metadata. `framework: 3d-speaker` with `feature_normalize_type: global-mean` makes
 * sherpa-onnx feed [-1, 1] samples and subtract the per-utterance time mean, as VoxLab's SpeechBrain frontend does.
 */
export function sherpaSingleInput(voxlabModel: Uint8Array, embeddingDim: number): Uint8Array {
  const { ModelProto, AttributeProto } = onnxProto();
  const model = ModelProto.decode(voxlabModel);
  const graph = model.graph;
  const inputs = graph?.input ?? [];
  const lengthsIndex = inputs.findIndex((v) => v.name === "lengths");
  if (!graph?.node || lengthsIndex < 0 || inputs[0].name !== "feats") throw new Error("sherpaSingleInput: expected inputs feats and lengths");
  inputs.splice(lengthsIndex, 1);
  const { AttributeType } = AttributeProto;
  const shapeSlice = (output: string, start: number): onnx.INodeProto => ({
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
  return ModelProto.encode(model).finish();
}
