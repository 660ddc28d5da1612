// Heavy third-party modules, loaded on first use: importing VoxLab (src/index.ts), as every CLI verb does, must
// not pay for ONNX Runtime's native binding, protobuf, zip, YAML, zod (about 0.1 s) or CSV parsing when the
// verb never touches them. Synchronous code requires them once (one instance per process, whoever asks first);
// async code imports. Modules only one async place needs (sharp, better-sqlite3, Fastify) are imported there.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

let onnxNamespace: typeof import("onnx-proto").onnx | undefined;
let fflateModule: typeof import("fflate") | undefined;
let yamlModule: typeof import("yaml") | undefined;
let zodModule: typeof import("zod") | undefined;
let papaparseModule: typeof import("papaparse") | undefined;
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

/** zod's `z` (schemas of calib.json, experiment configs, run folders, the service's requests). */
export function zod(): typeof import("zod").z {
  return (zodModule ??= require("zod") as typeof import("zod")).z;
}

/** Papa Parse (manifests, quoted score files, the scores writer). */
export function papaparse(): typeof import("papaparse") {
  return (papaparseModule ??= require("papaparse") as typeof import("papaparse"));
}

/** onnxruntime-node, imported once before the first session is made. */
export function onnxRuntime(): Promise<typeof import("onnxruntime-node")> {
  return (onnxRuntimeModule ??= import("onnxruntime-node"));
}
