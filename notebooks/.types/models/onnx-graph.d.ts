/** Node attributes: integers, integer lists or strings (the only kinds the VoxLab graphs need). */
export type Attributes = Record<string, number | number[] | string>;
export type ElemType = "float32" | "int64";
/** A graph input/output: its name, element type and dims (a string is a symbolic, dynamic dim). */
export interface ValueSpec {
    name: string;
    type: ElemType;
    dims: (number | string)[];
}
export declare class GraphBuilder {
    private readonly nodes;
    private readonly initializers;
    private readonly usedNames;
    private readonly inputs;
    /** Declares a graph input; returns its name. */
    input(spec: ValueSpec): string;
    /** A fresh value name from a readable hint (`blocks.1.tdnn1/relu` -> `blocks.1.tdnn1/relu_3` if taken). */
    private fresh;
    /** Adds a node with several outputs; returns their names. */
    opMulti(opType: string, inputs: string[], outputCount: number, attrs?: Attributes, hint?: string): string[];
    /** Adds a node with one output; `outputName` forces the name (graph outputs). */
    op(opType: string, inputs: string[], attrs?: Attributes, hint?: string, outputName?: string): string;
    /** A constant tensor (an initializer), stored as raw little-endian bytes. */
    tensor(hint: string, data: Float32Array | BigInt64Array, dims: number[]): string;
    floats(hint: string, values: number[], dims?: number[]): string;
    ints(hint: string, values: number[], dims?: number[]): string;
    /** Serialises the model (IR 8, default domain at `opset`). */
    encode(opts: {
        graphName: string;
        outputs: ValueSpec[];
        metadata: Record<string, string>;
        opset: number;
        producerVersion: string;
    }): Uint8Array;
}
