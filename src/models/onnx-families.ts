// ONNX speaker models that WeSpeaker and 3D-Speaker (directly, or through sherpa-onnx's re-exports) publish on
// the Hub: fetched as they are, with a `<model>.voxlab.json` sidecar naming the frontend each family's own
// training recipe used (ANCHORS: WeSpeaker compute_fbank + CMN; 3D-Speaker processor.py FBank + mean_nor).
// Not sherpa-onnx's runtime frontend, which approximates both (snip_edges=false, high_freq=-400, and no mean
// subtraction for WeSpeaker models).
import { basename, dirname } from "node:path";
import type * as ort from "onnxruntime-node";
import { VoxlabError, errorMessage } from "../core/errors.ts";
import type { FrontendName } from "../features/index.ts";
import { ensureDir, writeFileAtomic } from "../core/fs.ts";
import { EMBEDDING_OUTPUTS, FEATURE_INPUTS, sidecarPath } from "./embedding-model.ts";
import { onnxRuntime } from "../core/lazy-modules.ts";
import type { MeanNorm } from "./metadata.ts";

export const ONNX_FAMILIES = ["wespeaker", "3d-speaker"] as const;
export type OnnxFamily = (typeof ONNX_FAMILIES)[number];

interface FamilyRecipe {
  frontend: FrontendName;
  meanNorm: MeanNorm;
  /** The licence the family publishes its pretrained weights under. */
  license: string;
}

/**
 * WeSpeaker: torchaudio kaldi.fbank on samples × 32768, hamming window, then CMN (kaldi-wespeaker + sentence).
 * 3D-Speaker: kaldi.fbank on samples in [-1, 1], povey window, mean_nor=True (kaldi-3dspeaker + sentence).
 */
const RECIPES: Record<OnnxFamily, FamilyRecipe> = {
  wespeaker: { frontend: "kaldi-wespeaker", meanNorm: "sentence", license: "CC-BY-4.0" },
  "3d-speaker": { frontend: "kaldi-3dspeaker", meanNorm: "sentence", license: "Apache-2.0" },
};

export function parseOnnxFamily(name: string): OnnxFamily {
  const family = name.toLowerCase().replace(/^3dspeaker$/, "3d-speaker") as OnnxFamily;
  if (!ONNX_FAMILIES.includes(family)) throw new VoxlabError(`unknown model family "${name}" (known: speechbrain, ${ONNX_FAMILIES.join(", ")})`);
  return family;
}

/**
 * The family of an ONNX file from the Hub: sherpa-onnx's `framework` metadata when present, else the
 * publisher (the Wespeaker organisation) or the file name's prefix (sherpa-onnx names them wespeaker_*, 3dspeaker_*).
 */
export function detectOnnxFamily(repoId: string, file: string, props: Record<string, string>): OnnxFamily | undefined {
  const framework = props.framework?.toLowerCase();
  if (framework === "wespeaker") return "wespeaker";
  if (framework === "3d-speaker") return "3d-speaker";
  const name = basename(file).toLowerCase();
  if (repoId.toLowerCase().startsWith("wespeaker/") || name.startsWith("wespeaker")) return "wespeaker";
  if (repoId.toLowerCase().startsWith("3d-speaker/") || name.startsWith("3dspeaker") || name.startsWith("3d_speaker")) return "3d-speaker";
  return undefined;
}

/** The sidecar for a model of `family`: its recipe's frontend and mean normalisation, and where it came from. */
export function familySidecar(
  family: OnnxFamily,
  m: { embeddingDim: number; sampleRate?: number; source: string; commit?: string; license?: string },
): Record<string, string | number> {
  const recipe = RECIPES[family];
  return {
    frontend: recipe.frontend,
    sample_rate: m.sampleRate ?? 16000,
    mean_norm: recipe.meanNorm,
    embedding_dim: m.embeddingDim,
    source: m.source,
    ...(m.commit === undefined ? {} : { commit: m.commit }),
    license: m.license ?? recipe.license,
    family,
  };
}

/** The embedding size of an ONNX speaker model: its output's static last dimension, or what a 2 s zero input gives. */
export async function probeEmbeddingDim(bytes: Uint8Array, file: string): Promise<number> {
  const { InferenceSession, Tensor } = await onnxRuntime();
  let session: ort.InferenceSession;
  try {
    session = await InferenceSession.create(bytes);
  } catch (err) {
    throw new VoxlabError(`${file}: ONNX Runtime cannot load the model (${errorMessage(err).split("\n")[0]})`);
  }
  try {
    const input = FEATURE_INPUTS.find((n) => session.inputNames.includes(n));
    const output = EMBEDDING_OUTPUTS.find((n) => session.outputNames.includes(n));
    if (!input || !output) {
      throw new VoxlabError(`${file}: not a speaker-embedding model VoxLab knows (inputs ${session.inputNames.join(", ")}; outputs ${session.outputNames.join(", ")})`);
    }
    const meta = session.outputMetadata.find((m) => m.name === output);
    const last = meta?.isTensor ? meta.shape.at(-1) : undefined;
    if (typeof last === "number" && last > 0) return last;
    const frames = 200;
    const result = await session.run({ [input]: new Tensor("float32", new Float32Array(frames * 80), [1, frames, 80]) });
    return result[output].dims.at(-1) ?? 0;
  } catch (err) {
    if (err instanceof VoxlabError) throw err;
    throw new VoxlabError(`${file}: a 2 s test input fails (${errorMessage(err).split("\n")[0]})`);
  } finally {
    await session.release();
  }
}

/** Writes the ONNX bytes to `outPath` and its sidecar beside it (both atomically). */
export async function writeModelWithSidecar(outPath: string, bytes: Uint8Array, sidecar: Record<string, string | number>): Promise<void> {
  await ensureDir(dirname(outPath), "output folder");
  await writeFileAtomic(outPath, bytes);
  await writeFileAtomic(sidecarPath(outPath), JSON.stringify(sidecar, null, 2) + "\n");
}
