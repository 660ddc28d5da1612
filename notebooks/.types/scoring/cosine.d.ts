/** An embedding as the model gives it (float32) or a float64 working copy. */
export type Vector = Float32Array | Float64Array;
/** Σ a_i·b_i in float64. */
export declare function dot(a: Vector, b: Vector): number;
/** Euclidean length in float64. */
export declare function l2Norm(v: Vector): number;
/** `v / |v|` in float64; a zero (or non-finite) vector has no direction and is refused. */
export declare function unitVector(v: Vector, name?: string): Float64Array;
/** `v / |v|` as float32 (the length-normalised embedding). */
export declare function l2Normalize(v: Vector, name?: string): Float32Array;
/** Cosine similarity a·b / (|a||b|), in [-1, 1]. */
export declare function cosineScore(a: Vector, b: Vector): number;
