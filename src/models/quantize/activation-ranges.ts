// Activation ranges for int8 quantization ("calibration" in the quantization sense; score calibration is src/calibration/): the float graph runs on real speech with the tensors to quantize as extra
// outputs, and each tensor's range over all utterances is kept.
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type * as ort from "onnxruntime-node";
import { loadAudio } from "../../audio/decode.ts";
import { readFileList } from "../../datasets/file-list.ts";
import { scanDataset, wavRootOf } from "../../datasets/manifest.ts";
import { featurePieces, type FeatureSpec } from "../model-input.ts";
import { VoxlabError, errorMessage } from "../../core/errors.ts";
import type { FeatureMatrix } from "../../features/index.ts";
import { onnxRuntime } from "../../core/lazy-modules.ts";
import { withExtraOutputs, type Range } from "./qdq.ts";

/** Calibration audio: the files, and a one-line description for the model's metadata. */
export interface CalibrationSet {
  files: string[];
  description: string;
}

/** Longer utterances are cut to this many seconds: ranges settle within seconds, and time stays bounded. */
export const CALIBRATION_MAX_SECONDS = 8;

/**
 * Up to `count` files of `source` (a dataset root, or a file list as `voxlab embed --list` reads it), spread
 * evenly over its sorted list (every k-th file) so that every speaker can appear.
 */
export async function calibrationSet(source: string, count: number, root?: string): Promise<CalibrationSet> {
  if (!Number.isInteger(count) || count < 1) throw new VoxlabError(`calibration utterances must be a positive integer, got ${count}`);
  let info;
  try {
    info = await stat(source);
  } catch (err) {
    throw new VoxlabError(`${source}: cannot read the calibration data (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  let all: string[];
  if (info.isDirectory()) {
    const wavRoot = await wavRootOf(source);
    all = (await scanDataset(source)).map((e) => join(wavRoot, e.path));
  } else {
    all = (await readFileList(source, root)).sort();
    if (all.length === 0) throw new VoxlabError(`${source}: the calibration list names no files`);
  }
  const files = Array.from({ length: Math.min(count, all.length) }, (_, i) => all[Math.floor((i * all.length) / Math.min(count, all.length))]);
  return { files, description: `${source} (${files.length} of ${all.length} files, at most ${CALIBRATION_MAX_SECONDS} s each)` };
}

/** The features of each calibration file as the model's frontend computes them (long files cut first). */
export async function* calibrationFeatures(set: CalibrationSet, spec: FeatureSpec): AsyncGenerator<FeatureMatrix> {
  for (const file of set.files) {
    const samples = await loadAudio(file, spec.sampleRate);
    yield featurePieces(samples.subarray(0, CALIBRATION_MAX_SECONDS * spec.sampleRate), spec, 0, file)[0];
  }
}

/** Widens `range` to cover `data`. */
function extend(range: Range, data: Float32Array): void {
  let { min, max } = range;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (x < min) min = x;
    if (x > max) max = x;
  }
  range.min = min;
  range.max = max;
}

/**
 * Each tensor's min/max over all `utterances`, one float-graph run per utterance (no padding, so every value
 * is one a real run computes). `modelBytes` is the float model; `tensors` are names inside it.
 */
export async function calibrateRanges(
  modelBytes: Uint8Array,
  tensors: readonly string[],
  utterances: AsyncIterable<FeatureMatrix>,
  options: { file: string; intraOpThreads?: number; onProgress?: (done: number) => void },
): Promise<{ ranges: Map<string, Range>; utterances: number; frames: number }> {
  const { InferenceSession, Tensor } = await onnxRuntime();
  const session = await InferenceSession.create(withExtraOutputs(modelBytes, tensors, options.file), options.intraOpThreads ? { intraOpNumThreads: options.intraOpThreads } : {});
  const ranges = new Map(tensors.map((t) => [t, { min: Infinity, max: -Infinity }]));
  let count = 0;
  let frames = 0;
  try {
    for await (const features of utterances) {
      const feeds: Record<string, ort.Tensor> = {};
      for (const name of session.inputNames) {
        feeds[name] = name === "lengths"
          ? new Tensor("int64", BigInt64Array.of(BigInt(features.frames)), [1])
          : new Tensor("float32", features.data, [1, features.frames, features.bins]);
      }
      let outputs: ort.InferenceSession.ReturnType;
      try {
        outputs = await session.run(feeds, [...tensors]);
      } catch (err) {
        throw new VoxlabError(`${options.file}: the float model failed on calibration audio (${errorMessage(err).split("\n")[0]})`);
      }
      for (const name of tensors) {
        extend(ranges.get(name)!, outputs[name].data as Float32Array);
        outputs[name].dispose();
      }
      count++;
      frames += features.frames;
      options.onProgress?.(count);
    }
  } finally {
    await session.release();
  }
  if (count === 0) throw new VoxlabError(`${options.file}: no calibration audio`);
  for (const [name, r] of ranges) {
    if (!Number.isFinite(r.min) || !Number.isFinite(r.max)) throw new VoxlabError(`${options.file}: tensor ${name} took non-finite values on calibration audio`);
  }
  return { ranges, utterances: count, frames };
}
