// The heavy third-party modules of models/, loaded on first use: importing VoxLab (src/index.ts) must not pay
// for ONNX Runtime's native binding, protobuf, zip or YAML parsing when a command never touches a model.
// Synchronous code (graph building, checkpoint and YAML parsing) requires them once; async code imports.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

let onnxNamespace: typeof import("onnx-proto").onnx | undefined;
let fflateModule: typeof import("fflate") | undefined;
let yamlModule: typeof import("yaml") | undefined;
let onnxRuntimeModule: Promise<typeof import("onnxruntime-node")> | undefined;

/** onnx-proto's `onnx` namespace (ModelProto, TensorProto, ...). */
export function onnxProto(): typeof import("onnx-proto").onnx {
  return (onnxNamespace ??= (require("onnx-proto") as typeof import("onnx-proto")).onnx);
}

/** fflate (unzipSync for PyTorch's zip checkpoints). */
export function fflate(): typeof import("fflate") {
  return (fflateModule ??= require("fflate") as typeof import("fflate"));
}

/** yaml (parseDocument for SpeechBrain's hyperparams.yaml). */
export function yaml(): typeof import("yaml") {
  return (yamlModule ??= require("yaml") as typeof import("yaml"));
}

/** onnxruntime-node, imported once before the first session is made. */
export function onnxRuntime(): Promise<typeof import("onnxruntime-node")> {
  return (onnxRuntimeModule ??= import("onnxruntime-node"));
}
