// `voxlab model import`: a SpeechBrain model folder (hyperparams.yaml + embedding_model.ckpt) becomes a
// self-describing ONNX model. No Python. The folder may be SpeechBrain's own `savedir`, whose files are links
// into the Hugging Face cache: then the repo and commit are read from the links and the blobs are verified.
import { lstat, readlink, stat } from "node:fs/promises";
import { basename, dirname, join, resolve, sep } from "node:path";
import { VoxlabError } from "../../core/errors.ts";
import { ensureDir, readText, writeFileAtomic } from "../../core/fs.ts";
import { buildEcapaOnnx } from "./ecapa-onnx.ts";
import { findHfSnapshot } from "../hub/hf-cache.ts";
import { voxlabMetadata } from "../metadata.ts";
import { parseSpeechbrainHyperparams, type SpeechbrainHyperparams } from "./hyperparams.ts";
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
  /** Set when the folder's files are links into a Hugging Face cache snapshot (verified against their blob names). */
  hfOrigin?: HfOrigin;
}

/** Where a SpeechBrain savedir's links point: a snapshot of `repoId` at `commit` in the Hugging Face cache `cache`. */
export interface HfOrigin {
  cache: string;
  repoId: string;
  commit: string;
}

/** The files of a SpeechBrain model folder that the importer reads. */
const MODEL_FILES = ["hyperparams.yaml", "embedding_model.ckpt"];

export async function importSpeechbrainModel(dir: string, outPath: string, opts: ImportOptions = {}): Promise<ImportResult> {
  const yamlPath = join(dir, "hyperparams.yaml");
  const ckptPath = join(dir, "embedding_model.ckpt");
  const origin = await checkedHfOrigin(dir);
  const hyperparams = parseSpeechbrainHyperparams(await readText(yamlPath, "hyperparams of a SpeechBrain model folder"), yamlPath);
  const state = await readTorchCheckpoint(ckptPath);
  const metadata = voxlabMetadata({
    frontend: "speechbrain",
    sampleRate: hyperparams.frontend.sampleRate,
    meanNorm: hyperparams.frontend.meanNorm,
    source: opts.source ?? origin?.repoId ?? basename(resolve(dir)),
    license: opts.license ?? "unknown",
    commit: opts.commit ?? origin?.commit,
  });
  const onnxBytes = buildEcapaOnnx(hyperparams.ecapa, state, metadata, ckptPath);
  await ensureDir(dirname(outPath), "output folder");
  await writeFileAtomic(outPath, onnxBytes);
  let parameterCount = 0;
  // Learnable parameters only: batch-norm statistics are buffers.
  for (const [key, t] of state) if (!/(running_mean|running_var|num_batches_tracked)$/.test(key)) parameterCount += t.data.length;
  return { outPath, hyperparams, parameterCount, bytes: onnxBytes.length, hfOrigin: origin };
}

/**
 * When `dir/hyperparams.yaml` is a link to `<cache>/models--<org>--<name>/snapshots/<commit>/...` (as SpeechBrain's
 * savedir is), that snapshot; its blobs must hash to their names (a partial or damaged download is refused) and
 * every link must lead somewhere (a cleaned cache leaves them dangling).
 */
async function checkedHfOrigin(dir: string): Promise<HfOrigin | undefined> {
  for (const file of MODEL_FILES) {
    const path = join(dir, file);
    const isLink = await lstat(path).then((s) => s.isSymbolicLink(), () => false);
    if (isLink && !(await stat(path).then(() => true, () => false))) {
      throw new VoxlabError(`${path}: a link to ${await readlink(path)}, which is missing (was the Hugging Face cache cleaned?); fetch the model again`);
    }
  }
  let target: string;
  try {
    target = resolve(dir, await readlink(join(dir, "hyperparams.yaml")));
  } catch {
    return undefined; // not a link: a plain folder
  }
  const parts = target.split(sep);
  const at = parts.lastIndexOf("snapshots");
  const repo = parts[at - 1]?.match(/^models--([^-].*?)--(.+)$/);
  const commit = parts[at + 1];
  if (at < 2 || !repo || !/^[0-9a-f]{40}$/.test(commit ?? "")) return undefined;
  const origin = { cache: parts.slice(0, at - 1).join(sep), repoId: `${repo[1]}/${repo[2]}`, commit };
  if (!(await findHfSnapshot(origin.cache, origin.repoId, commit, MODEL_FILES))) {
    throw new VoxlabError(
      `${dir}: its files in the Hugging Face cache (${join(parts.slice(0, at + 2).join(sep))}) do not hash to their blob names ` +
        "(a partial or damaged download); delete that snapshot and download the model again",
    );
  }
  return origin;
}
