// SpeechBrain's ECAPA_TDNN (speechbrain/lobes/models/ECAPA_TDNN.py) as an ONNX graph, built from a state
// dict. Inputs `feats` [N,T,F] and `lengths` int64 [N] (valid frames per row); output `embedding` [N,D].
//
// Padding invariance: SpeechBrain pads every conv with `reflect` at the end of the *padded* tensor, so a
// padded row sees other frames than it would alone. Here each conv with padding p > 0 reads its input
// through one GatherElements whose per-row index reflects at the row's own ends (frame -j -> j, frame
// L-1+j -> L-1-j). For the valid outputs t < L that is exactly the row run on its own; the outputs at
// t >= L are finite leftovers that the masked SE mean and the masked attentive pooling never weigh.
import { VoxlabError } from "../../core/errors.ts";
import { GraphBuilder } from "./onnx-graph.ts";
import type { EcapaConfig } from "./hyperparams.ts";
import type { StateDict } from "./torch-checkpoint.ts";

const BN_EPS = 1e-5;
const STATS_EPS = 1e-12;
export const ECAPA_OPSET = 17;

/** Every tensor of the state dict ECAPA_TDNN(config) has, with its shape. */
export function ecapaParameterShapes(c: EcapaConfig): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  const conv = (prefix: string, cin: number, cout: number, k: number): void => {
    shapes.set(`${prefix}.weight`, [cout, cin, k]);
    shapes.set(`${prefix}.bias`, [cout]);
  };
  const bn = (prefix: string, ch: number): void => {
    for (const p of ["weight", "bias", "running_mean", "running_var"]) shapes.set(`${prefix}.${p}`, [ch]);
    shapes.set(`${prefix}.num_batches_tracked`, []);
  };
  const tdnn = (prefix: string, cin: number, cout: number, k: number): void => {
    conv(`${prefix}.conv.conv`, cin, cout, k);
    bn(`${prefix}.norm.norm`, cout);
  };
  const [c0, , , c3, cMfa] = c.channels;
  tdnn("blocks.0", c.inputSize, c0, c.kernelSizes[0]);
  for (let b = 1; b <= 3; b++) {
    const ch = c.channels[b];
    const width = ch / c.res2netScale;
    tdnn(`blocks.${b}.tdnn1`, ch, ch, 1);
    for (let i = 0; i < c.res2netScale - 1; i++) tdnn(`blocks.${b}.res2net_block.blocks.${i}`, width, width, c.kernelSizes[b]);
    tdnn(`blocks.${b}.tdnn2`, ch, ch, 1);
    conv(`blocks.${b}.se_block.conv1.conv`, ch, c.seChannels, 1);
    conv(`blocks.${b}.se_block.conv2.conv`, c.seChannels, ch, 1);
  }
  tdnn("mfa", c3 * 3, cMfa, c.kernelSizes[4]);
  tdnn("asp.tdnn", c.globalContext ? cMfa * 3 : cMfa, c.attentionChannels, 1);
  conv("asp.conv.conv", c.attentionChannels, cMfa, 1);
  bn("asp_bn.norm", cMfa * 2);
  conv("fc.conv", cMfa * 2, c.linNeurons, 1);
  return shapes;
}

/** Refuses a state dict with missing, unexpected or wrongly shaped tensors, naming the first such key. */
export function checkEcapaStateDict(c: EcapaConfig, state: StateDict, file: string): void {
  const expected = ecapaParameterShapes(c);
  for (const [key, shape] of expected) {
    const t = state.get(key);
    if (!t && key.endsWith("num_batches_tracked")) continue; // a training counter; some checkpoints omit it
    if (!t) throw new VoxlabError(`${file}: missing tensor ${key}`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new VoxlabError(`${file}: tensor ${key} has shape [${t.shape.join(",")}], the config needs [${shape.join(",")}]`);
    }
    const wantFloat = !key.endsWith("num_batches_tracked");
    if (wantFloat && t.dtype !== "float32") throw new VoxlabError(`${file}: tensor ${key} is ${t.dtype}, expected floating point`);
  }
  for (const key of state.keys()) {
    if (!expected.has(key)) throw new VoxlabError(`${file}: unexpected tensor ${key} (not part of ECAPA_TDNN with this config)`);
  }
}

/** Metadata that describes the architecture (added to the caller's provenance/frontend metadata). */
export function ecapaMetadata(c: EcapaConfig): Record<string, string> {
  const maxPad = Math.max(...c.kernelSizes.map((k, i) => Math.floor((c.dilations[i] * (k - 1)) / 2)));
  return {
    architecture: "speechbrain.ECAPA_TDNN",
    embedding_dim: String(c.linNeurons),
    n_mels: String(c.inputSize),
    // Reflect padding needs more valid frames than the widest pad.
    min_frames: String(maxPad + 1),
    channels: c.channels.join(","),
    kernel_sizes: c.kernelSizes.join(","),
    dilations: c.dilations.join(","),
    attention_channels: String(c.attentionChannels),
    res2net_scale: String(c.res2netScale),
    se_channels: String(c.seChannels),
    global_context: String(c.globalContext),
  };
}

/**
 * Which of two equal graphs to write.
 * - "voxlab" (the default): feature maps [N,C,1,T] and 2-D Convs with 1×k kernels, because ONNX Runtime's CPU
 *   provider runs 2-D convolutions in its blocked NCHWc layout, about 1.3–1.5× faster than a 1-D Conv (im2col +
 *   GEMM) on the same arithmetic; and the global-context attention conv split in two (see below).
 * - "torch-export": SpeechBrain's forward op for op on [N,C,T] with 1-D Convs, as torch.onnx.export writes it
 *   (the graph sherpa-onnx ships); the benchmarks run sherpa-onnx on it.
 */
export type EcapaGraphForm = "voxlab" | "torch-export";

/** Builds the ONNX model; `metadata` (frontend, provenance) is stored with the architecture keys. */
export function buildEcapaOnnx(c: EcapaConfig, state: StateDict, metadata: Record<string, string>, file = "state dict", form: EcapaGraphForm = "voxlab"): Uint8Array {
  checkEcapaStateDict(c, state, file);
  for (const k of c.kernelSizes) if (k % 2 === 0) throw new VoxlabError(`${file}: even kernel size ${k} is not supported`);
  const g = new GraphBuilder();
  const weight = (key: string): Float32Array => state.get(key)!.data as Float32Array;
  const shape = (key: string): number[] => state.get(key)!.shape;
  // Feature maps are [N,C,T] or [N,C,1,T]: `unit` holds the extra 1 of the 2-D layout (spliced in before time).
  const unit = form === "voxlab" ? [1] : [];
  const time = 2 + unit.length;

  const feats = g.input({ name: "feats", type: "float32", dims: ["N", "T", c.inputSize] });
  const lengths = g.input({ name: "lengths", type: "int64", dims: ["N"] });

  // Time axis helpers, shared by every layer.
  const transposed = g.op("Transpose", [feats], { perm: [0, 2, 1] }, "feats_nct");
  const x0 = unit.length ? g.op("Unsqueeze", [transposed, g.ints("axis2", [2])], {}, "feats_nc1t") : transposed;
  const steps = g.op("Shape", [feats], { start: 1, end: 2 }, "T_1d");
  const stepsScalar = g.op("Squeeze", [steps, g.ints("axis0", [0])], {}, "T");
  const zero = g.ints("zero", [0], []);
  const one = g.ints("one", [1], []);
  const frameShape = g.ints("shape_11T", [1, 1, ...unit, -1]);
  const frameIndex = g.op("Reshape", [g.op("Range", [zero, stepsScalar, one], {}, "t"), frameShape], {}, "t_11T");
  // Valid frames per row, clamped to [1, T] so indices and means stay defined.
  const rowLengths = g.op(
    "Max",
    [g.op("Min", [g.op("Unsqueeze", [lengths, g.ints("axes_after_n", [1, ...unit.map((_, i) => i + 2), time])], {}, "L_N11"), steps], {}, "L_min"), g.ints("one_1", [1])],
    {},
    "L",
  );
  const validMask = g.op("Less", [frameIndex, rowLengths], {}, "valid");
  const maskF = g.op("Cast", [validMask], { to: 1 }, "mask");
  const timeAxis = g.ints("time_axis", [time]);
  const validCount = g.op("ReduceSum", [maskF, timeAxis], { keepdims: 1 }, "valid_count");
  const uniformWeights = g.op("Div", [maskF, validCount], {}, "uniform_w");
  const lastTwice = g.op("Mul", [g.op("Sub", [rowLengths, one]), g.ints("two", [2], [])], {}, "two_L_minus_2");

  // Per pad width p: GatherElements index [N,1,(1,)T+2p] reflecting at each row's own ends; then per channel count.
  const padIndex = new Map<number, string>();
  const padIndexExpanded = new Map<string, string>();
  const reflectIndex = (p: number, channels: number): string => {
    let base = padIndex.get(p);
    if (!base) {
      const end = g.op("Add", [stepsScalar, g.ints(`p${p}`, [p], [])], {}, `T_plus_${p}`);
      const t = g.op("Reshape", [g.op("Range", [g.ints(`minus_p${p}`, [-p], []), end, one], {}, `t_pad${p}`), frameShape]);
      const dist = g.op("Abs", [t], {}, `abs_t_pad${p}`);
      const mirrored = g.op("Sub", [lastTwice, dist], {}, `mirror_pad${p}`);
      base = g.op("Max", [g.op("Min", [dist, mirrored]), zero], {}, `reflect_index_p${p}`);
      padIndex.set(p, base);
    }
    const key = `${p}/${channels}`;
    let expanded = padIndexExpanded.get(key);
    if (!expanded) {
      expanded = g.op("Expand", [base, g.ints(`shape_1C1_${channels}`, [1, channels, ...unit, 1])], {}, `reflect_index_p${p}_c${channels}`);
      padIndexExpanded.set(key, expanded);
    }
    return expanded;
  };

  // speechbrain.nnet.CNN.Conv1d: "same" output length with reflect padding, stride 1.
  // `weights` is [cout, cin, k] row-major; `bias` may be left out.
  const convWith = (x: string, prefix: string, weights: Float32Array, [cout, cin, k]: number[], bias?: Float32Array, dilation = 1): string => {
    const pad = Math.floor((dilation * (k - 1)) / 2);
    const input = pad > 0 ? g.op("GatherElements", [x, reflectIndex(pad, cin)], { axis: time }, `${prefix}/reflect_pad`) : x;
    const w = g.tensor(`${prefix}.weight`, weights, [cout, cin, ...unit, k]);
    const b = bias ? [g.tensor(`${prefix}.bias`, bias, [cout])] : [];
    const attrs = { dilations: [...unit, dilation], kernel_shape: [...unit, k], pads: [...unit, 1, ...unit, 1].map(() => 0) };
    return g.op("Conv", [input, w, ...b], attrs, prefix);
  };
  const conv1d = (x: string, prefix: string, dilation = 1): string =>
    convWith(x, prefix, weight(`${prefix}.weight`), shape(`${prefix}.weight`), weight(`${prefix}.bias`), dilation);

  // Inference BatchNorm1d as x*scale + shift.
  const bnAffine = (prefix: string): { scale: Float32Array; shift: Float32Array } => {
    const gamma = weight(`${prefix}.weight`);
    const beta = weight(`${prefix}.bias`);
    const mean = weight(`${prefix}.running_mean`);
    const variance = weight(`${prefix}.running_var`);
    const scale = new Float32Array(gamma.length);
    const shift = new Float32Array(gamma.length);
    for (let i = 0; i < gamma.length; i++) {
      const s = gamma[i] / Math.sqrt(variance[i] + BN_EPS);
      scale[i] = s;
      shift[i] = beta[i] - mean[i] * s;
    }
    return { scale, shift };
  };
  // `trailing` = 1 for feature maps, 0 for [N,C].
  const bnDims = (channels: number, trailing: 0 | 1): number[] => (trailing ? [channels, ...unit, 1] : [channels]);
  const batchNorm = (x: string, prefix: string, trailing: 0 | 1): string => {
    const { scale, shift } = bnAffine(prefix);
    const scaled = g.op("Mul", [x, g.tensor(`${prefix}.scale`, scale, bnDims(scale.length, trailing))], {}, `${prefix}/scale`);
    return g.op("Add", [scaled, g.tensor(`${prefix}.shift`, shift, bnDims(shift.length, trailing))], {}, prefix);
  };
  // A TDNN block's BN follows its ReLU, and relu(z)·s = relu(s·z) when s > 0: so when every channel's scale is
  // positive (as in every trained ECAPA we have seen), VoxLab's form moves the scale into the conv's output rows
  // and keeps only the shift, one pass over the feature map fewer. Otherwise the block stays as SpeechBrain has it.
  const foldableScale = (normPrefix: string): Float32Array | undefined => {
    if (form !== "voxlab") return undefined;
    const { scale } = bnAffine(normPrefix);
    return scale.every((v) => v > 0) ? scale : undefined;
  };
  const shiftOnly = (x: string, prefix: string): string => {
    const { shift } = bnAffine(prefix);
    return g.op("Add", [x, g.tensor(`${prefix}.shift`, shift, bnDims(shift.length, 1))], {}, prefix);
  };

  // TDNNBlock: conv -> ReLU -> BatchNorm (dropout is identity at inference).
  const tdnnBlock = (x: string, prefix: string, dilation = 1): string => {
    const conv = `${prefix}.conv.conv`;
    const norm = `${prefix}.norm.norm`;
    const scale = foldableScale(norm);
    if (!scale) return batchNorm(g.op("Relu", [conv1d(x, conv, dilation)], {}, `${prefix}/relu`), norm, 1);
    const w = scaleRows(weight(`${conv}.weight`), scale);
    const z = convWith(x, conv, w, shape(`${conv}.weight`), scaleRows(weight(`${conv}.bias`), scale), dilation);
    return shiftOnly(g.op("Relu", [z], {}, `${prefix}/relu`), norm);
  };

  // The uniform weights as a [N,T,1] column: a mean over valid frames is then one batched matrix-vector product,
  // which runs as a GEMV instead of a Mul pass plus a ReduceSum (that ONNX Runtime's int8 layout makes slow).
  const uniformColumn = form === "voxlab" ? g.op("Reshape", [uniformWeights, g.ints("shape_NT1", [0, -1, 1])], {}, "uniform_w_column") : undefined;
  const maskedMean = (x: string, w: string, hint: string): string => {
    if (w !== uniformWeights || !uniformColumn) return g.op("ReduceSum", [g.op("Mul", [x, w]), timeAxis], { keepdims: 1 }, hint);
    const rows = g.op("Reshape", [x, g.ints("shape_NCT", [0, 0, -1])]);
    return g.op("Reshape", [g.op("MatMul", [rows, uniformColumn]), g.ints("shape_NC11", [0, 0, ...unit, 1])], {}, hint);
  };
  // Weighted mean and std over time (ASP's _compute_statistics): std = sqrt(clamp(E_w[(x-mu)^2], eps)).
  const statistics = (x: string, w: string, hint: string): [string, string] => {
    const mean = maskedMean(x, w, `${hint}/mean`);
    const centred = g.op("Sub", [x, mean]);
    const variance = maskedMean(g.op("Mul", [centred, centred]), w, `${hint}/var`);
    const std = g.op("Sqrt", [g.op("Max", [variance, g.floats("stats_eps", [STATS_EPS], [])])], {}, `${hint}/std`);
    return [mean, std];
  };

  // SERes2NetBlock: tdnn1 -> Res2Net -> tdnn2 -> SE (masked time mean) -> + residual.
  const seRes2NetBlock = (x: string, b: number): string => {
    const prefix = `blocks.${b}`;
    const channels = c.channels[b];
    const scale = c.res2netScale;
    const h = tdnnBlock(x, `${prefix}.tdnn1`);
    const chunks = g.opMulti("Split", [h, g.ints(`split_${channels}_${scale}`, new Array<number>(scale).fill(channels / scale))], scale, { axis: 1 }, `${prefix}.res2net/split`);
    const ys: string[] = [chunks[0]];
    for (let i = 1; i < scale; i++) {
      const input = i === 1 ? chunks[1] : g.op("Add", [chunks[i], ys[i - 1]]);
      ys.push(tdnnBlock(input, `${prefix}.res2net_block.blocks.${i - 1}`, c.dilations[b]));
    }
    const res2 = g.op("Concat", ys, { axis: 1 }, `${prefix}.res2net_block`);
    const h2 = tdnnBlock(res2, `${prefix}.tdnn2`);
    const s0 = maskedMean(h2, uniformWeights, `${prefix}.se_block/mean`);
    const s1 = g.op("Relu", [conv1d(s0, `${prefix}.se_block.conv1.conv`)]);
    const s2 = g.op("Sigmoid", [conv1d(s1, `${prefix}.se_block.conv2.conv`)]);
    const se = g.op("Mul", [h2, s2], {}, `${prefix}.se_block`);
    return g.op("Add", [se, x], {}, prefix);
  };

  // ECAPA_TDNN.forward
  const cMfa = c.channels[4];
  const b0 = tdnnBlock(x0, "blocks.0", c.dilations[0]);
  const b1 = seRes2NetBlock(b0, 1);
  const b2 = seRes2NetBlock(b1, 2);
  const b3 = seRes2NetBlock(b2, 3);
  const mfa = tdnnBlock(g.op("Concat", [b1, b2, b3], { axis: 1 }, "mfa_in"), "mfa", c.dilations[4]);

  // AttentiveStatisticsPooling with global context; padded frames get exactly zero attention weight.
  // With global context SpeechBrain convolves [mfa; mean; std] (mean and std repeated over time) with one k=1
  // kernel. The same sum in two parts: the mfa columns over time, the stats columns once per row; it saves the
  // 3C-channel concatenation and two thirds of that convolution's arithmetic.
  let attention: string;
  if (c.globalContext && form === "torch-export") {
    const [mean, std] = statistics(mfa, uniformWeights, "asp.global");
    const full = g.op("Shape", [mfa]);
    attention = tdnnBlock(g.op("Concat", [mfa, g.op("Expand", [mean, full]), g.op("Expand", [std, full])], { axis: 1 }, "asp.attn_in"), "asp.tdnn");
  } else if (c.globalContext) {
    const [mean, std] = statistics(mfa, uniformWeights, "asp.global");
    const [attn, cin] = shape("asp.tdnn.conv.conv.weight");
    const scale = foldableScale("asp.tdnn.norm.norm");
    const rows = (w: Float32Array): Float32Array => (scale ? scaleRows(w, scale) : w);
    const [framesW, statsW] = splitInputChannels(weight("asp.tdnn.conv.conv.weight"), attn, cin, cMfa);
    const frames = convWith(mfa, "asp.tdnn.conv.conv/frames", rows(framesW), [attn, cMfa, 1], rows(weight("asp.tdnn.conv.conv.bias")));
    const stats = convWith(g.op("Concat", [mean, std], { axis: 1 }, "asp.global/stats"), "asp.global_context", rows(statsW), [attn, cin - cMfa, 1]);
    const relu = g.op("Relu", [g.op("Add", [frames, stats], {}, "asp.tdnn.conv.conv")], {}, "asp.tdnn/relu");
    attention = scale ? shiftOnly(relu, "asp.tdnn.norm.norm") : batchNorm(relu, "asp.tdnn.norm.norm", 1);
  } else {
    attention = tdnnBlock(mfa, "asp.tdnn");
  }
  const energy = conv1d(g.op("Tanh", [attention]), "asp.conv.conv");
  const minusInf = g.floats("minus_inf", [-Infinity], []);
  // VoxLab's form adds a [N,1,(1,)T] bias of 0 / -inf (the same bits: e + 0 = e): a broadcast Add runs on every
  // intra-op thread, the Where over the full [N,C,T] map on one.
  const maskedEnergy =
    form === "voxlab"
      ? g.op("Add", [energy, g.op("Where", [validMask, g.floats("zero_f", [0], []), minusInf], {}, "asp.mask_bias")], {}, "asp.masked_energy")
      : g.op("Where", [validMask, energy, minusInf], {}, "asp.masked_energy");
  const alpha = g.op("Softmax", [maskedEnergy], { axis: time }, "asp.alpha");
  const [pooledMean, pooledStd] = statistics(mfa, alpha, "asp");
  const pooled = g.op("Squeeze", [g.op("Concat", [pooledMean, pooledStd], { axis: 1 }), g.ints("map_axes", [...unit.map(() => 2), time])], {}, "asp.pooled");
  const normed = batchNorm(pooled, "asp_bn.norm", 0);
  const fcW = g.tensor("fc.conv.weight", weight("fc.conv.weight"), shape("fc.conv.weight").slice(0, 2));
  const fcB = g.tensor("fc.conv.bias", weight("fc.conv.bias"), shape("fc.conv.bias"));
  const embedding = g.op("Gemm", [normed, fcW, fcB], { transB: 1 }, "fc", "embedding");

  return g.encode({
    graphName: "speechbrain_ecapa_tdnn",
    outputs: [{ name: embedding, type: "float32", dims: ["N", c.linNeurons] }],
    metadata: { ...metadata, ...ecapaMetadata(c) },
    opset: ECAPA_OPSET,
    producerVersion: "1",
  });
}

/** Splits a [rows, cin] (k = 1) weight into its first `first` input columns and the rest, each row-major. */
function splitInputChannels(w: Float32Array, rows: number, cin: number, first: number): [Float32Array, Float32Array] {
  const head = new Float32Array(rows * first);
  const tail = new Float32Array(rows * (cin - first));
  for (let r = 0; r < rows; r++) {
    head.set(w.subarray(r * cin, r * cin + first), r * first);
    tail.set(w.subarray(r * cin + first, (r + 1) * cin), r * (cin - first));
  }
  return [head, tail];
}

/** `w` (rows of equal length, row-major) with row r multiplied by scale[r]. */
function scaleRows(w: Float32Array, scale: Float32Array): Float32Array {
  const out = new Float32Array(w.length);
  const width = w.length / scale.length;
  for (let r = 0; r < scale.length; r++) for (let i = r * width; i < (r + 1) * width; i++) out[i] = w[i] * scale[r];
  return out;
}
