/// <reference types="node" resolution-mode="require"/>
/// <reference types="node" resolution-mode="require"/>
/** A float32 array in C order with its shape, as stored in a `.npy` file. */
export interface Float32Npy {
    shape: number[];
    data: Float32Array;
}
/** Encodes a float32 C-order array as `.npy` version 1.0 bytes. */
export declare function encodeNpy(array: Float32Npy): Buffer;
/** Decodes `.npy` bytes holding little-endian float32 (or float64, converted) in C order. */
export declare function decodeNpy(bytes: Uint8Array, name?: string): Float32Npy;
export declare function readNpy(path: string): Promise<Float32Npy>;
/** Writes atomically: a temporary name first, then a rename, so a killed run never leaves half a file. */
export declare function writeNpy(path: string, array: Float32Npy): Promise<void>;
export declare function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void>;
