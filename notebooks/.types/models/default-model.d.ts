/** The compact ECAPA-TDNN shipped in models/ (see its model card); the default wherever `--model` is optional. */
export declare const DEFAULT_MODEL_FILE = "voxlab-ecapa-c256.onnx";
/** The shipped model's path, found beside the package rather than the working directory. */
export declare function defaultModelPath(): string;
