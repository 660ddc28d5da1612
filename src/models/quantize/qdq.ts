// Static int8 quantization of a speaker model's convolutions, in the QDQ form that ONNX Runtime fuses into int8
// kernels (QLinearConv): every quantized Conv reads DequantizeLinear(QuantizeLinear(x)) with a calibrated uint8
// scale, int8 weights per output channel and an int32 bias, and its output (after its ReLU, which ONNX Runtime
// then drops) goes through another QuantizeLinear/DequantizeLinear pair. Everything else stays float32.
// Pure graph rewriting: calibration (running the float graph on speech) lives in calibrate.ts.
import type { onnx } from "onnx-proto";
import { VoxlabError } from "../../core/errors.ts";
import { onnxProto } from "../../core/lazy-modules.ts";
import { QUANTIZATION_KEY } from "../metadata.ts";

type ModelProto = onnx.ModelProto;
type NodeProto = onnx.INodeProto;
type TensorProto = onnx.ITensorProto;
/** ONNX element types (TensorProto.DataType). */
const dataType = (): typeof onnx.TensorProto.DataType => onnxProto().TensorProto.DataType;

export const QUANTIZATION_SCHEME = "int8-qdq: int8 weights per output channel, uint8 activations per tensor (static, calibrated)";
/** QDQ with per-axis scales needs opset 13. */
const MIN_OPSET = 13;

/**
 * Weight-name prefixes whose Conv stays float32 by default: the first layer (it sees the raw filterbank), the
 * squeeze-excitation convs, the attention's global-context conv and its last conv (run on one frame or feeding
 * a softmax: little time, and their errors are multiplied into every channel).
 */
export const DEFAULT_KEEP_FLOAT = ["blocks.0.", "se_block", "asp.global_context", "asp.conv."];

/** One Conv to quantize: its node, its data input, and the tensor after it (its ReLU's output when it has one). */
export interface QuantizedConv {
  node: string;
  weight: string;
  input: string;
  output: string;
}

export interface QuantizationPlan {
  convs: QuantizedConv[];
  /** Weight names of the Convs left float32. */
  keptFloat: string[];
  /** Every tensor whose range calibration must measure (inputs and outputs of `convs`). */
  tensors: string[];
}

/** A tensor's observed range. */
export interface Range {
  min: number;
  max: number;
}

/** Decodes serialized ONNX bytes; a VoxlabError when they are not a model. */
export function decodeModel(bytes: Uint8Array, file: string): ModelProto {
  try {
    return onnxProto().ModelProto.decode(bytes);
  } catch {
    throw new VoxlabError(`${file}: not an ONNX model (unreadable protobuf)`);
  }
}

/** The values of a float32 initializer (raw bytes or float_data). */
function floatValues(t: TensorProto): Float32Array {
  if (t.rawData && t.rawData.length > 0) {
    const raw = t.rawData;
    return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  }
  return Float32Array.from(t.floatData ?? []);
}

const dims = (t: TensorProto): number[] => (t.dims ?? []).map(Number);

function defaultOpset(model: ModelProto): number {
  const entry = model.opsetImport.find((o) => !o.domain);
  return entry ? Number(entry.version) : 0;
}

/**
 * Which Convs to quantize: those with a constant float32 weight of rank >= 3 whose name does not start with (or,
 * for "se_block"-like entries, contain) one of `keepFloat`. Refuses models already quantized or too old an opset.
 */
export function planQuantization(model: ModelProto, file: string, keepFloat: readonly string[] = DEFAULT_KEEP_FLOAT): QuantizationPlan {
  const graph = model.graph;
  if (!graph?.node) throw new VoxlabError(`${file}: not an ONNX model (no graph)`);
  if (model.metadataProps.some((p) => p.key === QUANTIZATION_KEY)) throw new VoxlabError(`${file}: already quantized (metadata ${QUANTIZATION_KEY})`);
  if (graph.node.some((n) => n.opType === "QuantizeLinear" || n.opType === "QLinearConv")) throw new VoxlabError(`${file}: already holds quantized operators`);
  const opset = defaultOpset(model);
  if (opset < MIN_OPSET) throw new VoxlabError(`${file}: opset ${opset} is too old for per-channel int8 (needs ${MIN_OPSET} or newer)`);
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name!, t]));
  const consumers = consumerMap(graph.node);
  const outputs = new Set((graph.output ?? []).map((o) => o.name));
  const convs: QuantizedConv[] = [];
  const keptFloat: string[] = [];
  for (const node of graph.node) {
    if (node.opType !== "Conv" || !node.input || !node.output) continue;
    const w = initializers.get(node.input[1]);
    const b = node.input[2] ? initializers.get(node.input[2]) : undefined;
    if (!w || w.dataType !== dataType().FLOAT || dims(w).length < 3) continue;
    if (node.input[2] && (!b || b.dataType !== dataType().FLOAT)) continue;
    if (node.attribute?.some((a) => a.name === "group" && Number(a.i) !== 1)) continue;
    const weight = w.name!;
    if (keepFloat.some((k) => weight.startsWith(k) || (!k.endsWith(".") && weight.includes(k)))) {
      keptFloat.push(weight);
      continue;
    }
    const out = node.output[0];
    const next = consumers.get(out) ?? [];
    const relu = next.length === 1 && next[0].opType === "Relu" && !outputs.has(out) ? next[0].output![0] : undefined;
    convs.push({ node: node.name!, weight, input: node.input[0], output: relu ?? out });
  }
  if (convs.length === 0) throw new VoxlabError(`${file}: no convolution to quantize (${keptFloat.length} kept float32)`);
  const tensors = [...new Set(convs.flatMap((c) => [c.input, c.output]))];
  return { convs, keptFloat, tensors };
}

function consumerMap(nodes: NodeProto[]): Map<string, NodeProto[]> {
  const map = new Map<string, NodeProto[]>();
  for (const n of nodes) for (const i of n.input ?? []) if (i) map.set(i, [...(map.get(i) ?? []), n]);
  return map;
}

/**
 * The model with `tensors` added as graph outputs (float32, shape left to ONNX Runtime), so one run of the float
 * graph shows every range to calibrate. The input model is not changed.
 */
export function withExtraOutputs(bytes: Uint8Array, tensors: readonly string[], file: string): Uint8Array {
  const model = decodeModel(bytes, file);
  const existing = new Set(model.graph!.output!.map((o) => o.name));
  for (const name of tensors) {
    if (!existing.has(name)) model.graph!.output!.push({ name, type: { tensorType: { elemType: dataType().FLOAT } } });
  }
  return onnxProto().ModelProto.encode(model).finish();
}

/** uint8 affine parameters covering [min, max] and zero (so ReLU zeros and padding stay exact). */
export function activationParams(range: Range): { scale: number; zeroPoint: number } {
  const lo = Math.min(range.min, 0);
  const hi = Math.max(range.max, 0);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new VoxlabError(`calibration range [${range.min}, ${range.max}] is not finite`);
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  return { scale, zeroPoint: Math.min(255, Math.max(0, Math.round(-lo / scale))) };
}

/** Symmetric int8 per output channel (axis 0): scale = max|w| / 127 per channel, values in [-127, 127]. */
export function quantizeWeightsPerChannel(w: Float32Array, channels: number): { values: Int8Array; scales: Float32Array } {
  const per = w.length / channels;
  const values = new Int8Array(w.length);
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    let peak = 0;
    for (let i = c * per; i < (c + 1) * per; i++) peak = Math.max(peak, Math.abs(w[i]));
    const s = peak > 0 ? peak / 127 : 1;
    scales[c] = s;
    for (let i = c * per; i < (c + 1) * per; i++) values[i] = Math.max(-127, Math.min(127, Math.round(w[i] / s)));
  }
  return { values, scales };
}

/** int32 bias with scale inputScale × weightScale[c] (what an int8 convolution accumulates in). */
export function quantizeBias(b: Float32Array, inputScale: number, weightScales: Float32Array): { values: Int32Array; scales: Float32Array } {
  const scales = weightScales.map((s) => s * inputScale);
  const values = Int32Array.from(b, (x, c) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.round(x / scales[c]))));
  return { values, scales };
}

function tensor(name: string, dataType: number, shape: number[], data: ArrayBufferView): TensorProto {
  return { name, dims: shape, dataType, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice() };
}

/** What the metadata says about the quantization (beside the source model's keys). */
export interface QuantizationRecord {
  /** Where the calibration audio came from, e.g. "datasets/demo (192 utterances, 612 s)". */
  calibration: string;
  /** sha256 of the float model the int8 one was made from. */
  sourceSha256: string;
}

/**
 * The quantized model (see the file comment): `ranges` must cover plan.tensors. Metadata keeps every key of
 * the float model and adds what was quantized, what stayed float32 and on what data it was calibrated.
 */
export function quantizeModel(model: ModelProto, plan: QuantizationPlan, ranges: Map<string, Range>, record: QuantizationRecord): Uint8Array {
  const graph = model.graph!;
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name!, t]));
  const added: TensorProto[] = [];
  // Per tensor: its Q -> DQ pair's output name; created once, emitted right after the tensor's producer.
  const pairs = new Map<string, { dq: string; scale: number; nodes: NodeProto[] }>();
  const pair = (x: string): { dq: string; scale: number } => {
    let p = pairs.get(x);
    if (!p) {
      const range = ranges.get(x);
      if (!range) throw new VoxlabError(`calibration has no range for tensor ${x}`);
      const { scale, zeroPoint } = activationParams(range);
      added.push(tensor(`${x}/q_scale`, dataType().FLOAT, [], Float32Array.of(scale)), tensor(`${x}/q_zero`, dataType().UINT8, [], Uint8Array.of(zeroPoint)));
      const q = `${x}/q`;
      const dq = `${x}/dq`;
      const nodes: NodeProto[] = [
        { opType: "QuantizeLinear", name: `${x}/q#node`, input: [x, `${x}/q_scale`, `${x}/q_zero`], output: [q] },
        { opType: "DequantizeLinear", name: `${x}/dq#node`, input: [q, `${x}/q_scale`, `${x}/q_zero`], output: [dq] },
      ];
      p = { dq, scale, nodes };
      pairs.set(x, p);
    }
    return p;
  };
  const byName = new Map(graph.node!.map((n) => [n.name!, n]));
  const outputsQuantized = new Set<string>();
  const replaced = new Set<string>();
  for (const conv of plan.convs) {
    const node = byName.get(conv.node)!;
    const w = initializers.get(conv.weight)!;
    const shape = dims(w);
    const input = pair(conv.input);
    const { values, scales } = quantizeWeightsPerChannel(floatValues(w), shape[0]);
    const zeros8 = new Int8Array(shape[0]);
    added.push(
      tensor(`${conv.weight}/int8`, dataType().INT8, shape, values),
      tensor(`${conv.weight}/scale`, dataType().FLOAT, [shape[0]], scales),
      tensor(`${conv.weight}/zero`, dataType().INT8, [shape[0]], zeros8),
    );
    const dequant: NodeProto[] = [
      { opType: "DequantizeLinear", name: `${conv.weight}/dq#node`, input: [`${conv.weight}/int8`, `${conv.weight}/scale`, `${conv.weight}/zero`], output: [`${conv.weight}/dq`], attribute: [axis0()] },
    ];
    const newInputs = [input.dq, `${conv.weight}/dq`];
    replaced.add(conv.weight);
    if (node.input![2]) {
      const biasName = node.input![2];
      replaced.add(biasName);
      const bias = quantizeBias(floatValues(initializers.get(biasName)!), input.scale, scales);
      added.push(
        tensor(`${biasName}/int32`, dataType().INT32, [shape[0]], bias.values),
        tensor(`${biasName}/scale`, dataType().FLOAT, [shape[0]], bias.scales),
        tensor(`${biasName}/zero`, dataType().INT32, [shape[0]], new Int32Array(shape[0])),
      );
      dequant.push({ opType: "DequantizeLinear", name: `${biasName}/dq#node`, input: [`${biasName}/int32`, `${biasName}/scale`, `${biasName}/zero`], output: [`${biasName}/dq`], attribute: [axis0()] });
      newInputs.push(`${biasName}/dq`);
    }
    node.input = newInputs;
    // Weight dequantizers go first: they depend on constants only.
    graph.node!.unshift(...dequant);
    pair(conv.output);
    outputsQuantized.add(conv.output);
  }
  // Outputs after a Conv: every consumer reads the dequantized value (ONNX Runtime needs the Q to be the only
  // reader to fuse). Inputs: only the quantized Convs read through the pair; other readers keep float32.
  const quantizedInputs = new Map(plan.convs.map((c) => [c.node, c.input]));
  for (const node of graph.node!) {
    node.input = node.input!.map((name, k) => {
      if (outputsQuantized.has(name)) return pairs.get(name)!.dq;
      if (k === 0 && quantizedInputs.get(node.name!) === name) return pairs.get(name)!.dq;
      return name;
    });
  }
  const graphInputs = new Set((graph.input ?? []).map((i) => i.name));
  const ordered: NodeProto[] = [];
  for (const [x, p] of pairs) if (graphInputs.has(x) || initializers.has(x)) ordered.push(...p.nodes);
  for (const node of graph.node!) {
    ordered.push(node);
    for (const out of node.output ?? []) {
      const p = pairs.get(out);
      if (p) ordered.push(...p.nodes);
    }
  }
  graph.node = ordered;
  graph.initializer = [...(graph.initializer ?? []).filter((t) => !replaced.has(t.name!)), ...added];
  const meta: Record<string, string> = {
    [QUANTIZATION_KEY]: QUANTIZATION_SCHEME,
    quantized_layers: plan.convs.map((c) => c.weight.replace(/\.weight$/, "")).join(","),
    float_layers: plan.keptFloat.map((w) => w.replace(/\.weight$/, "")).join(",") || "none",
    quantization_calibration: record.calibration,
    quantization_calibration_method: "min/max of each tensor over every calibration utterance",
    quantized_from_sha256: record.sourceSha256,
  };
  model.metadataProps = [...model.metadataProps.filter((p) => !(p.key! in meta)), ...Object.entries(meta).map(([key, value]) => ({ key, value }))];
  return onnxProto().ModelProto.encode(model).finish();
}

function axis0(): onnx.IAttributeProto {
  return { name: "axis", type: onnxProto().AttributeProto.AttributeType.INT, i: 0 };
}
