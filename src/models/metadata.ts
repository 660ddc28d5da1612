// VoxLab's model metadata: the ONNX metadata_props (or a `<model>.voxlab.json` sidecar) that say how to
// feed a speaker-embedding model. A model without them is refused, never guessed at.
import { VoxlabError } from "../core/errors.ts";
import { parseFrontendName, type FrontendName } from "../features/index.ts";

/** Version of the VoxLab metadata layout written by the importer. */
export const VOXLAB_FORMAT = "1";

export const MEAN_NORMS = ["sentence", "none"] as const;
export type MeanNorm = (typeof MEAN_NORMS)[number];

/** Metadata key that marks a quantized model (its value names the scheme; `voxlab model quantize` writes it). */
export const QUANTIZATION_KEY = "quantization";

/** The keys every VoxLab model must carry. */
export const REQUIRED_KEYS = ["frontend", "sample_rate", "mean_norm", "embedding_dim", "source", "license"] as const;

export interface EmbeddingModelInfo {
  frontend: FrontendName;
  sampleRate: number;
  /** "sentence": the features are fed after subtracting their per-utterance time mean. */
  meanNorm: MeanNorm;
  embeddingDim: number;
  /** Feature dimension (mel bins). */
  nMels: number;
  /** Rows with fewer valid frames are refused (ECAPA's reflect padding needs a few). */
  minFrames: number;
  source: string;
  license: string;
  /** Every metadata key/value, as stored. */
  metadata: Record<string, string>;
}

/** The metadata for a model produced by VoxLab; architecture keys are added by the builder. */
export function voxlabMetadata(m: {
  frontend: FrontendName;
  sampleRate: number;
  meanNorm: MeanNorm;
  source: string;
  license: string;
  /** The git commit of the source repository the weights came from, when known. */
  commit?: string;
}): Record<string, string> {
  return {
    voxlab_format: VOXLAB_FORMAT,
    frontend: m.frontend,
    sample_rate: String(m.sampleRate),
    mean_norm: m.meanNorm,
    source: m.source,
    license: m.license,
    ...(m.commit === undefined ? {} : { commit: m.commit }),
  };
}

/** Reads a protobuf varint at `pos`; returns [value, next position]. */
function varint(bytes: Uint8Array, pos: number): [number, number] {
  let value = 0;
  for (let shift = 1; pos < bytes.length; shift *= 128) {
    const b = bytes[pos++];
    value += (b & 0x7f) * shift;
    if (b < 0x80) return [value, pos];
  }
  throw new RangeError("truncated varint");
}

/**
 * The length-delimited fields of one protobuf message, as [field number, start, end] of their payloads;
 * other wire types are skipped. Hand-rolled because the generated ONNX bindings cost ~0.1 s to load, which
 * every `voxlab embed` would pay just to read a few strings.
 */
function* bytesFields(bytes: Uint8Array): Generator<[number, number, number]> {
  let pos = 0;
  while (pos < bytes.length) {
    const [tag, afterTag] = varint(bytes, pos);
    const wire = tag & 7;
    pos = afterTag;
    if (wire === 0) {
      pos = varint(bytes, pos)[1];
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
    } else if (wire === 2) {
      const [length, start] = varint(bytes, pos);
      pos = start + length;
      if (pos > bytes.length) throw new RangeError("truncated field");
      yield [Math.floor(tag / 8), start, pos];
    } else {
      throw new RangeError(`wire type ${wire}`);
    }
  }
}

/** A StringStringEntryProto: key = field 1, value = field 2. */
function decodeEntry(bytes: Uint8Array): [string, string] {
  const text = new TextDecoder("utf-8", { fatal: true });
  let key = "";
  let value = "";
  for (const [field, start, end] of bytesFields(bytes)) {
    if (field === 1) key = text.decode(bytes.subarray(start, end));
    if (field === 2) value = text.decode(bytes.subarray(start, end));
  }
  return [key, value];
}

/**
 * The metadata_props of serialized ONNX ModelProto bytes. Only the top level is scanned (the graph's
 * weights are skipped, not decoded); throws a VoxlabError when the bytes are not protobuf.
 */
export function readOnnxMetadata(bytes: Uint8Array, file: string): Record<string, string> {
  const props: Record<string, string> = {};
  let sawGraph = false;
  try {
    // ModelProto: graph = field 7, metadata_props = field 14.
    for (const [field, start, end] of bytesFields(bytes)) {
      if (field === 7) sawGraph = true;
      if (field === 14) {
        const [key, value] = decodeEntry(bytes.subarray(start, end));
        props[key] = value;
      }
    }
  } catch {
    throw new VoxlabError(`${file}: not an ONNX model (unreadable protobuf)`);
  }
  if (!sawGraph) throw new VoxlabError(`${file}: not an ONNX model (no graph)`);
  return props;
}

const positiveInt = (props: Record<string, string>, key: string, file: string): number => {
  const v = Number(props[key]);
  if (!Number.isInteger(v) || v <= 0) throw new VoxlabError(`${file}: metadata ${key}=${JSON.stringify(props[key])} is not a positive integer`);
  return v;
};

/**
 * Validates VoxLab metadata. `nMelsFallback` is the model input's static feature dimension, used when
 * the metadata has no n_mels.
 */
export function parseModelInfo(props: Record<string, string>, file: string, nMelsFallback?: number): EmbeddingModelInfo {
  const missing = REQUIRED_KEYS.filter((k) => props[k] === undefined || props[k] === "");
  if (missing.length === REQUIRED_KEYS.length) {
    throw new VoxlabError(
      `${file}: no VoxLab metadata (${REQUIRED_KEYS.join(", ")}); import it with \`voxlab model import\` or add a ${file.replace(/\.onnx$/, "")}.voxlab.json sidecar naming its frontend`,
    );
  }
  if (missing.length > 0) throw new VoxlabError(`${file}: VoxLab metadata lacks ${missing.join(", ")}`);
  const frontend = parseFrontendName(props.frontend, `${file}: metadata`);
  const meanNorm = props.mean_norm as MeanNorm;
  if (!MEAN_NORMS.includes(meanNorm)) throw new VoxlabError(`${file}: unknown mean_norm "${props.mean_norm}" (known: ${MEAN_NORMS.join(", ")})`);
  if (props.n_mels === undefined && nMelsFallback === undefined) {
    throw new VoxlabError(`${file}: metadata has no n_mels and the model input has no static feature dimension`);
  }
  return {
    frontend,
    sampleRate: positiveInt(props, "sample_rate", file),
    meanNorm,
    embeddingDim: positiveInt(props, "embedding_dim", file),
    nMels: props.n_mels === undefined ? nMelsFallback! : positiveInt(props, "n_mels", file),
    minFrames: props.min_frames === undefined ? 1 : positiveInt(props, "min_frames", file),
    source: props.source,
    license: props.license,
    metadata: props,
  };
}
