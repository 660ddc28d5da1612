import type { EcapaConfig } from "./speechbrain-config.ts";
import type { StateDict } from "./torch-checkpoint.ts";
export declare const ECAPA_OPSET = 17;
/** Every tensor of the state dict ECAPA_TDNN(config) has, with its shape. */
export declare function ecapaParameterShapes(c: EcapaConfig): Map<string, number[]>;
/** Refuses a state dict with missing, unexpected or wrongly shaped tensors, naming the first such key. */
export declare function checkEcapaStateDict(c: EcapaConfig, state: StateDict, file: string): void;
/** Metadata that describes the architecture (added to the caller's provenance/frontend metadata). */
export declare function ecapaMetadata(c: EcapaConfig): Record<string, string>;
/** Builds the ONNX model; `metadata` (frontend, provenance) is stored with the architecture keys. */
export declare function buildEcapaOnnx(c: EcapaConfig, state: StateDict, metadata: Record<string, string>, file?: string): Uint8Array;
