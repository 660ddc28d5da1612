// `voxlab model import`: a SpeechBrain model folder (hyperparams.yaml + embedding_model.ckpt) becomes a
// self-describing ONNX model. No Python.
import { readFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { VoxlabError } from "../errors.ts";
import { ensureDir, writeFileAtomic } from "../io/npy.ts";
import { buildEcapaOnnx } from "./ecapa-onnx.ts";
import { voxlabMetadata } from "./metadata.ts";
import { parseSpeechbrainHyperparams, type SpeechbrainHyperparams } from "./speechbrain-config.ts";
import { readTorchCheckpoint } from "./torch-checkpoint.ts";

export interface ImportOptions {
  /** Licence of the weights, stored in the metadata (default "unknown"). */
  license?: string;
  /** Where the model came from, e.g. "speechbrain/spkrec-ecapa-voxceleb" (default: the folder name). */
  source?: string;
  /** The source repository's commit, recorded in the metadata as `commit`. */
  commit?: string;
}

export interface ImportResult {
  outPath: string;
  hyperparams: SpeechbrainHyperparams;
  /** Learnable parameters (as torch's `sum(p.numel() for p in model.parameters())`). */
  parameterCount: number;
  bytes: number;
}

export async function importSpeechbrainModel(dir: string, outPath: string, opts: ImportOptions = {}): Promise<ImportResult> {
  const yamlPath = join(dir, "hyperparams.yaml");
  const ckptPath = join(dir, "embedding_model.ckpt");
  let yamlText: string;
  try {
    yamlText = await readFile(yamlPath, "utf8");
  } catch (err) {
    throw new VoxlabError(`${yamlPath}: cannot read (${(err as NodeJS.ErrnoException).code ?? "error"}); expected a SpeechBrain model folder`);
  }
  const hyperparams = parseSpeechbrainHyperparams(yamlText, yamlPath);
  const state = await readTorchCheckpoint(ckptPath);
  const metadata = voxlabMetadata({
    frontend: "speechbrain",
    sampleRate: hyperparams.frontend.sampleRate,
    meanNorm: hyperparams.frontend.meanNorm,
    source: opts.source ?? basename(resolve(dir)),
    license: opts.license ?? "unknown",
    commit: opts.commit,
  });
  const onnxBytes = buildEcapaOnnx(hyperparams.ecapa, state, metadata, ckptPath);
  await ensureDir(dirname(outPath), "output folder");
  await writeFileAtomic(outPath, onnxBytes);
  let parameterCount = 0;
  // Learnable parameters only: batch-norm statistics are buffers.
  for (const [key, t] of state) if (!/(running_mean|running_var|num_batches_tracked)$/.test(key)) parameterCount += t.data.length;
  return { outPath, hyperparams, parameterCount, bytes: onnxBytes.length };
}
