// `voxlab model quantize`: a float32 VoxLab model file becomes an int8 one, calibrated on speech (see quantize.ts).
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { generateDemoDataset } from "../../datasets/demo/demo-dataset.ts";
import { VoxlabError } from "../../core/errors.ts";
import { ensureDir, readUserFile, writeFileAtomic } from "../../core/fs.ts";
import { calibrateRanges, calibrationFeatures, calibrationSet } from "./activation-ranges.ts";
import { readModelProperties } from "../embedding-model.ts";
import { parseModelInfo } from "../metadata.ts";
import { decodeModel, DEFAULT_KEEP_FLOAT, planQuantization, quantizeModel } from "./qdq.ts";

/** The demo set (`voxlab data demo`), the default calibration data; synthesised on first use. */
export const DEFAULT_CALIBRATION = join("datasets", "demo");
/** Calibration utterances, at most (the demo set has 192). */
export const DEFAULT_CALIBRATION_UTTERANCES = 300;

export interface QuantizeOptions {
  /** A dataset root or a file list (default DEFAULT_CALIBRATION, synthesised when missing). */
  calibration?: string;
  /** The dataset root a manifest CSV list is relative to. */
  root?: string;
  utterances?: number;
  /** Weight-name prefixes whose Conv stays float32 (default DEFAULT_KEEP_FLOAT). */
  keepFloat?: string[];
  intraOpThreads?: number;
  /** Told what happens: synthesising the demo set, calibration progress. */
  onStatus?: (message: string, done?: number, total?: number) => void;
}

export interface QuantizeResult {
  outPath: string;
  quantized: number;
  keptFloat: number;
  calibrationUtterances: number;
  inBytes: number;
  outBytes: number;
}

export async function quantizeModelFile(inPath: string, outPath: string, options: QuantizeOptions = {}): Promise<QuantizeResult> {
  if (resolve(inPath) === resolve(outPath)) throw new VoxlabError(`${outPath}: the output would overwrite the input model`);
  const bytes = await readUserFile(inPath);
  // The frontend is needed to featurise calibration audio as the model will be fed.
  const info = parseModelInfo(await readModelProperties(inPath, bytes), inPath, 80);
  const plan = planQuantization(decodeModel(bytes, inPath), inPath, options.keepFloat ?? DEFAULT_KEEP_FLOAT);
  let source = options.calibration;
  if (source === undefined) {
    source = DEFAULT_CALIBRATION;
    if (!existsSync(join(source, "trials.txt"))) {
      options.onStatus?.(`synthesising the demo set into ${source} for calibration (once)`);
      await generateDemoDataset({ outDir: source, onProgress: (done, total) => options.onStatus?.("synthesising", done, total) });
    }
  }
  const set = await calibrationSet(source, options.utterances ?? DEFAULT_CALIBRATION_UTTERANCES, options.root);
  const { ranges, utterances } = await calibrateRanges(bytes, plan.tensors, calibrationFeatures(set, info), {
    file: inPath,
    intraOpThreads: options.intraOpThreads,
    onProgress: (done) => options.onStatus?.("calibrating", done, set.files.length),
  });
  const out = quantizeModel(decodeModel(bytes, inPath), plan, ranges, {
    calibration: set.description,
    sourceSha256: createHash("sha256").update(bytes).digest("hex"),
  });
  await ensureDir(dirname(outPath), "output folder");
  await writeFileAtomic(outPath, out);
  return { outPath, quantized: plan.convs.length, keptFloat: plan.keptFloat.length, calibrationUtterances: utterances, inBytes: bytes.length, outBytes: out.length };
}
