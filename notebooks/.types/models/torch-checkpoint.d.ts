export type TensorDtype = "float32" | "int64";
export interface Tensor {
    dtype: TensorDtype;
    shape: number[];
    data: Float32Array | BigInt64Array;
}
/** Parameter name -> tensor, in checkpoint order. */
export type StateDict = Map<string, Tensor>;
/** Reads a state dict from the bytes of a torch zip checkpoint; `file` names it in errors. */
export declare function decodeTorchCheckpoint(bytes: Uint8Array, file: string): StateDict;
export declare function readTorchCheckpoint(path: string): Promise<StateDict>;
