// A small ONNX graph builder over onnx-proto: each op call adds a node and returns its output name, so
// model code reads like the forward pass it mirrors. Weights become raw-data initializers.
import type { onnx } from "onnx-proto";
import { onnxProto } from "../../core/lazy-modules.ts";

/** Node attributes: integers, integer lists or strings (the only kinds the VoxLab graphs need). */
export type Attributes = Record<string, number | number[] | string>;

export type ElemType = "float32" | "int64";

/** A graph input/output: its name, element type and dims (a string is a symbolic, dynamic dim). */
export interface ValueSpec {
  name: string;
  type: ElemType;
  dims: (number | string)[];
}

function elemType(type: ElemType): number {
  const { DataType } = onnxProto().TensorProto;
  return type === "float32" ? DataType.FLOAT : DataType.INT64;
}

function attribute(name: string, value: number | number[] | string): onnx.IAttributeProto {
  const { AttributeType } = onnxProto().AttributeProto;
  if (typeof value === "string") return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  return { name, type: AttributeType.INT, i: value };
}

function valueInfo(spec: ValueSpec): onnx.IValueInfoProto {
  return {
    name: spec.name,
    type: {
      tensorType: {
        elemType: elemType(spec.type),
        shape: { dim: spec.dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly usedNames = new Set<string>();
  private readonly inputs: ValueSpec[] = [];

  /** Declares a graph input; returns its name. */
  input(spec: ValueSpec): string {
    this.usedNames.add(spec.name);
    this.inputs.push(spec);
    return spec.name;
  }

  /** A fresh value name from a readable hint (`blocks.1.tdnn1/relu` -> `blocks.1.tdnn1/relu_3` if taken). */
  private fresh(hint: string): string {
    let name = hint;
    for (let i = 1; this.usedNames.has(name); i++) name = `${hint}_${i}`;
    this.usedNames.add(name);
    return name;
  }

  private addNode(opType: string, inputs: string[], outputs: string[], attrs: Attributes, hint: string): void {
    this.nodes.push({
      opType,
      name: this.fresh(`${hint}#node`),
      input: inputs,
      output: outputs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
  }

  /** Adds a node with several outputs; returns their names. */
  opMulti(opType: string, inputs: string[], outputCount: number, attrs: Attributes = {}, hint = opType): string[] {
    const outputs = Array.from({ length: outputCount }, (_, i) => this.fresh(`${hint}:${i}`));
    this.addNode(opType, inputs, outputs, attrs, hint);
    return outputs;
  }

  /** Adds a node with one output; `outputName` forces the name (graph outputs). */
  op(opType: string, inputs: string[], attrs: Attributes = {}, hint = opType, outputName?: string): string {
    const output = outputName ?? this.fresh(hint);
    if (outputName) this.usedNames.add(outputName);
    this.addNode(opType, inputs, [output], attrs, hint);
    return output;
  }

  /** A constant tensor (an initializer), stored as raw little-endian bytes. */
  tensor(hint: string, data: Float32Array | BigInt64Array, dims: number[]): string {
    const name = this.fresh(hint);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    this.initializers.push({
      name,
      dims,
      dataType: elemType(data instanceof Float32Array ? "float32" : "int64"),
      rawData: bytes,
    });
    return name;
  }

  floats(hint: string, values: number[], dims: number[] = [values.length]): string {
    return this.tensor(hint, Float32Array.from(values), dims);
  }

  ints(hint: string, values: number[], dims: number[] = [values.length]): string {
    return this.tensor(hint, BigInt64Array.from(values, (v) => BigInt(v)), dims);
  }

  /** Serialises the model (IR 8, default domain at `opset`). */
  encode(opts: {
    graphName: string;
    outputs: ValueSpec[];
    metadata: Record<string, string>;
    opset: number;
    producerVersion: string;
  }): Uint8Array {
    const { ModelProto } = onnxProto();
    const model = ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: "", version: opts.opset }],
      producerName: "voxlab",
      producerVersion: opts.producerVersion,
      graph: {
        name: opts.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs.map(valueInfo),
        output: opts.outputs.map(valueInfo),
      },
      metadataProps: Object.entries(opts.metadata).map(([key, value]) => ({ key, value })),
    });
    return ModelProto.encode(model).finish();
  }
}
