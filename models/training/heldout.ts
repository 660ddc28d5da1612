// The held-out evaluation of the default model, through VoxLab's own inference path (decode -> the model's
// frontend -> ONNX -> cosine -> EER): shared by validate.ts and test/models/default-model.test.ts.
import { join } from "node:path";
import {
  cosineScore,
  eer,
  EmbeddingExtractor,
  generateTrials,
  groupTrials,
  loadAudio,
  scanDataset,
  VoxlabError,
  type DatasetManifest,
  type TrialGenerationOptions,
} from "../../src/index.ts";
import { heldOutSpeakers, type Corpus } from "./split.ts";

/** A corpus's held-out utterances (or crops of them, see heldOutManifest) and where its audio lives. */
export interface HeldOutSet {
  root: string;
  manifest: DatasetManifest;
  cropSeconds: number;
}

export interface HeldOutResult {
  eer: number;
  targets: number;
  nontargets: number;
  speakers: number;
  /** Files VoxLab could not decode: their trials are left out. */
  skipped: string[];
}

const SAMPLE_RATE = 16000;

/**
 * A corpus's held-out speakers. With `cropSeconds`, each utterance is cut into non-overlapping crops that act
 * as utterances of their own (path `<file>#<k>`, session = crop), as librispeech-cohort has one per speaker.
 */
export async function heldOutSet(datasetsDir: string, corpus: Corpus, cropSeconds = 0): Promise<HeldOutSet> {
  const root = join(datasetsDir, corpus);
  const all = await scanDataset(root);
  const heldOut = heldOutSpeakers(all.map((e) => e.speaker));
  const entries = all.filter((e) => heldOut.has(e.speaker));
  const manifest = !cropSeconds
    ? entries
    : entries.flatMap((e) =>
        Array.from({ length: Math.floor(e.duration / cropSeconds) }, (_, k) => ({ ...e, path: `${e.path}#${k}`, session: `${e.session}#${k}`, duration: cropSeconds })),
      );
  return { root, manifest, cropSeconds };
}

/** Decodes the audio behind `paths` (files, or `<file>#<k>` crops), each file once. */
async function loadSignals(set: HeldOutSet, paths: string[]): Promise<{ signals: Map<string, Float32Array>; skipped: string[] }> {
  const files = new Map<string, Float32Array | null>();
  const skipped: string[] = [];
  const signals = new Map<string, Float32Array>();
  const crop = Math.round(set.cropSeconds * SAMPLE_RATE);
  for (const path of paths) {
    const [file, k] = path.split("#");
    if (!files.has(file)) {
      try {
        files.set(file, await loadAudio(join(set.root, "wav", file), SAMPLE_RATE));
      } catch (err) {
        if (!(err instanceof VoxlabError)) throw err;
        skipped.push(err.message);
        files.set(file, null);
      }
    }
    const samples = files.get(file);
    if (samples) signals.set(path, k === undefined ? samples : samples.subarray(Number(k) * crop, (Number(k) + 1) * crop));
  }
  return { signals, skipped };
}

/** Cosine-scores generated trials over the held-out set with `modelPath` and returns their EER. */
export async function heldOutEer(modelPath: string, set: HeldOutSet, trialOptions: TrialGenerationOptions): Promise<HeldOutResult> {
  const generated = generateTrials(set.manifest, trialOptions);
  const { signals, skipped } = await loadSignals(set, [...new Set(generated.flatMap((t) => [t.enroll, t.test]))]);
  const trials = generated.filter((t) => signals.has(t.enroll) && signals.has(t.test));
  const paths = [...signals.keys()];
  const extractor = await EmbeddingExtractor.load(modelPath);
  let rows: Float32Array[];
  try {
    rows = await extractor.embedSamples(paths.map((p) => signals.get(p)!), {}, paths);
  } finally {
    await extractor.close();
  }
  const embedding = new Map(paths.map((p, i) => [p, rows[i]]));
  const scores = trials.map((t) => cosineScore(embedding.get(t.enroll)!, embedding.get(t.test)!));
  const groups = groupTrials(scores, trials.map((t) => t.label), modelPath);
  const speakers = new Set(set.manifest.map((e) => e.speaker)).size;
  return { eer: eer(groups), targets: groups.nTarget, nontargets: groups.nNontarget, speakers, skipped };
}
