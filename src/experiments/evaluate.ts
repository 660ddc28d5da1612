// The whole path on a VoxCeleb-style tree: dataset → trials → embeddings (cached) → scores → metrics → report.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join, relative, sep } from "node:path";
import { scanDataset, wavRootOf, type DatasetManifest, type SkippedFile } from "../datasets/manifest.ts";
import { generateTrials, type TrialGenerationOptions } from "../datasets/generate-trials.ts";
import { checkTrialsAgainstManifest, loadEnrollMap, loadTrials, missingPathsError, writeTrials, type EnrollMap, type Trial } from "../datasets/trial-lists.ts";
import { EmbeddingExtractor, type ComputeOptions } from "../embeddings/extractor.ts";
import type { Device } from "../models/embedding-model.ts";
import { EmbeddingStore, type BadFile } from "../embeddings/store/cache.ts";
import { VoxlabError } from "../core/errors.ts";
import { ensureDir, writeFileAtomic } from "../core/fs.ts";
import { readCalibration } from "../calibration/file.ts";
import { applyCalibration, type Calibration, type TrialDurations } from "../calibration/linear.ts";
import { calibratedJson, calibratedMetrics, computeMetrics, metricIntervals, type CalibratedMetrics, type MetricIntervals, type VerificationMetrics } from "../metrics/index.ts";
import { writeReport } from "../reports/index.ts";
import { Cohort, normalizeScores } from "../scoring/norm.ts";
import { scoreTrials, trialEmbeddings } from "../scoring/score-trials.ts";
import { writeScoresCsv } from "../scoring/scores-csv.ts";
import { describeTrials } from "./trial-info.ts";

/** Score normalisations: none, s-norm, or adaptive s-norm over the top-k cohort scores. */
export const SCORE_NORMS = ["none", "s-norm", "as-norm"] as const;
export type ScoreNorm = (typeof SCORE_NORMS)[number];

export interface EvaluationOptions extends ComputeOptions {
  /** Dataset root (VoxCeleb-style tree). */
  data: string;
  /** ONNX embedding model. */
  model: string;
  outDir: string;
  /** Trial list; default `<data>/trials.txt` when present, else trials generated with `seed`. */
  trials?: string;
  /** CN-Celeb `enroll.map` for multi-utterance enrollment ids. */
  enrollMap?: string;
  /** Cohort dataset root for score normalisation. */
  cohort?: string;
  /** Default: "as-norm" with a cohort, else "none". */
  norm?: ScoreNorm;
  /** AS-norm cohort size (default 200, capped at the cohort size). */
  topK?: number;
  /** Embedding cache (default `$VOXLAB_CACHE/embeddings` or `~/.cache/voxlab/embeddings`). */
  storeDir?: string;
  seed?: number;
  /** Trial generation settings; its seed defaults to `seed`. */
  generate?: Partial<TrialGenerationOptions>;
  /** Chunked extraction (see ExtractOptions.chunkSeconds); part of the embedding cache key. */
  chunkSeconds?: number;
  bootstrapIterations?: number;
  /** Inline plotly.js in report.html (default true). */
  interactive?: boolean;
  /** Skip unreadable audio (and the trials that use it) instead of stopping; they are listed in the result. */
  skipBad?: boolean;
  /** Long steps report here: a stage name, units done and the total. */
  onProgress?: (stage: string, done: number, total: number) => void;
  /** A calibration (from `voxlab calibrate` on dev trials) to apply: calibrated scores and actual costs are added. */
  calibration?: { calibration: Calibration; source: string };
  /** A calib.json to read and apply as `calibration`; read first, so that a bad file fails before any embedding work. */
  calibrationFile?: string;
}

/** The calibrated side of an evaluation. */
export interface CalibratedEvaluation {
  llrs: Float64Array;
  metrics: CalibratedMetrics;
}

export interface EvaluationResult {
  metrics: VerificationMetrics;
  intervals: MetricIntervals;
  trials: Trial[];
  scores: Float64Array;
  /** With `calibration`: the calibrated scores and their metrics. */
  calibrated?: CalibratedEvaluation;
  /** Files written (`calibratedScores`: scores.calibrated.csv, with a calibration). */
  files: { metrics: string; scores: string; report: string; figures: string[]; trials?: string; calibratedScores?: string };
  /** Embeddings found in the cache vs computed now, and where the model ran. */
  embeddings: { cached: number; computed: number; device: Device };
  /** Files skipped with `skipBad`, and how many trials were dropped with them. */
  skipped: { files: BadFile[]; trials: number };
}

export function defaultStoreDir(): string {
  return join(process.env.VOXLAB_CACHE ?? join(homedir(), ".cache", "voxlab"), "embeddings");
}

/** Utterance paths of the trials (enrollment ids expanded through the map), each once. */
function trialUtterances(trials: readonly Trial[], enrollMap?: EnrollMap): string[] {
  const paths = new Set<string>();
  for (const t of trials) {
    for (const p of enrollMap?.get(t.enroll) ?? [t.enroll]) paths.add(p);
    paths.add(t.test);
  }
  return [...paths];
}

const generationSeed = (options: EvaluationOptions): number => options.generate?.seed ?? options.seed ?? 1;

async function resolveTrials(options: EvaluationOptions, manifest: DatasetManifest): Promise<{ trials: Trial[]; generated: boolean }> {
  const path = options.trials ?? (existsSync(join(options.data, "trials.txt")) ? join(options.data, "trials.txt") : undefined);
  if (path) return { trials: (await loadTrials(path)).trials, generated: false };
  return { trials: generateTrials(manifest, { ...options.generate, seed: generationSeed(options) }), generated: true };
}

/** Seconds of each trial side from the manifest; an enrollment-map id counts its utterances' total. */
function trialDurations(trials: readonly Trial[], manifest: DatasetManifest, enrollMap?: EnrollMap): TrialDurations {
  const seconds = new Map(manifest.map((e) => [e.path, e.duration]));
  const total = (id: string): number => (enrollMap?.get(id) ?? [id]).reduce((sum, path) => sum + (seconds.get(path) ?? Number.NaN), 0);
  return { enroll: trials.map((t) => total(t.enroll)), test: trials.map((t) => total(t.test)) };
}

/** metrics.json's calibration keys: the actual costs beside the raw metrics, and the calibration used. */
function calibrationSummary(m: CalibratedMetrics, calibration: Calibration): Record<string, unknown> {
  return {
    ...calibratedJson(m),
    calibration: { scale: calibration.scale, offset: calibration.offset, prior: calibration.prior, ...(calibration.qmf ? { qmf: calibration.qmf } : {}), training_sha256: calibration.training.sha256 },
  };
}

export async function runEvaluation(options: EvaluationOptions): Promise<EvaluationResult> {
  if (options.calibrationFile !== undefined) {
    const { calibrationFile, ...rest } = options;
    return runEvaluation({ ...rest, calibration: { calibration: await readCalibration(calibrationFile), source: calibrationFile } });
  }
  const progress = options.onProgress ?? (() => undefined);
  const norm = options.norm ?? (options.cohort ? "as-norm" : "none");
  if (norm !== "none" && !options.cohort) throw new VoxlabError(`--norm ${norm} needs a cohort (--cohort <dataset root>)`);
  await ensureDir(options.outDir, "output folder");

  // With skipBad, files the scan cannot use are left out here, before any embedding, and listed at the end.
  const scanSkipped: SkippedFile[] = [];
  const skipped = options.skipBad ? scanSkipped : undefined;
  const skipHint = " (or pass --skip-bad)";
  const manifest = await scanDataset(options.data, { onProgress: (d, t) => progress("scanning dataset", d, t), skipped, skipHint });
  const wavRoot = await wavRootOf(options.data);
  const resolved = await resolveTrials(options, manifest);
  const generated = resolved.generated;
  const allTrials = resolved.trials;
  if (allTrials.length === 0) throw new VoxlabError(`${options.trials ?? options.data}: no trials`);
  const enrollMap = options.enrollMap ? await loadEnrollMap(options.enrollMap) : undefined;
  const left = new Set(scanSkipped.map((f) => relative(wavRoot, f.path).split(sep).join("/")));
  const keeps = (id: string): boolean => (enrollMap?.get(id) ?? [id]).every((u) => !left.has(u));
  let trials = left.size > 0 ? allTrials.filter((t) => keeps(t.enroll) && keeps(t.test)) : allTrials;
  const missing = checkTrialsAgainstManifest(trials, manifest, enrollMap);
  if (missing.length > 0) throw missingPathsError(missing, options.trials ?? "generated trials", options.data);

  const extractor = await EmbeddingExtractor.fromCompute(options.model, options);
  let embeddingOf: Map<string, Float32Array>;
  let cohortEmbeddings: Float32Array[] = [];
  let stats = { cached: 0, computed: 0, device: extractor.model.device };
  const badFiles: BadFile[] = [...scanSkipped];
  try {
    const store = await EmbeddingStore.open(options.storeDir ?? defaultStoreDir(), options.model, { chunkSeconds: options.chunkSeconds, device: extractor.model.device });
    const embedAll = async (paths: string[], stage: string): Promise<Map<string, Float32Array>> => {
      const result = await store.embedFiles(paths, extractor, {
        batchSize: options.batchSize,
        skipBad: options.skipBad,
        // "hashing trial utterances": the store keys embeddings by content, so every file is read first.
        onHashed: (d, t) => progress(stage.replace(/^embedding/, "hashing"), d, t),
        onProgress: (d, t) => progress(stage, d, t),
      });
      const run = store.lastRun;
      badFiles.push(...run.bad);
      stats = { ...stats, cached: stats.cached + run.cached, computed: stats.computed + run.computed };
      return result;
    };
    const utterances = trialUtterances(trials, enrollMap);
    const byFile = await embedAll(utterances.map((u) => join(wavRoot, u)), "embedding trial utterances");
    embeddingOf = new Map(utterances.flatMap((u): [string, Float32Array][] => {
      const e = byFile.get(join(wavRoot, u));
      return e ? [[u, e]] : [];
    }));
    if (options.cohort) {
      const cohortRoot = await wavRootOf(options.cohort);
      const cohortSkipped: SkippedFile[] = [];
      const cohortFiles = (await scanDataset(options.cohort, { skipped: options.skipBad ? cohortSkipped : undefined, skipHint })).map((e) => join(cohortRoot, e.path));
      badFiles.push(...cohortSkipped);
      cohortEmbeddings = [...(await embedAll(cohortFiles, "embedding the cohort")).values()];
    }
  } finally {
    await extractor.close();
  }

  // Trials that use a skipped file are dropped (only with skipBad: otherwise the store threw above).
  const usable = (id: string): boolean => (enrollMap?.get(id) ?? [id]).every((u) => embeddingOf.has(u));
  trials = trials.filter((t) => usable(t.enroll) && usable(t.test));
  if (trials.length === 0) throw new VoxlabError("every trial uses a skipped file: nothing to score");
  const embeddings = trialEmbeddings((id) => embeddingOf.get(id), { enrollMap });
  let scores = scoreTrials(trials, embeddings);
  if (norm !== "none") {
    const cohort = new Cohort(cohortEmbeddings);
    scores = normalizeScores(trials, scores, embeddings, cohort, norm === "as-norm" ? { topK: options.topK ?? 200 } : {});
  }
  // From here on only the scores count: the embeddings (a float32 row per utterance) go before the report is built.
  embeddingOf.clear();
  const labels = Uint8Array.from(trials, (t) => t.label);
  const metrics = computeMetrics(scores, labels, { source: options.trials ?? "trials" });
  progress("bootstrap confidence intervals", 0, 1);
  const intervals = metricIntervals(scores, labels, { iterations: options.bootstrapIterations ?? 200, seed: options.seed ?? 1 });
  progress("bootstrap confidence intervals", 1, 1);
  let calibrated: CalibratedEvaluation | undefined;
  if (options.calibration) {
    const { calibration } = options.calibration;
    const llrs = applyCalibration(calibration, scores, calibration.qmf ? trialDurations(trials, manifest, enrollMap) : undefined);
    calibrated = { llrs, metrics: calibratedMetrics(llrs, labels) };
  }

  const files: EvaluationResult["files"] = {
    metrics: join(options.outDir, "metrics.json"),
    scores: join(options.outDir, "scores.csv"),
    report: join(options.outDir, "report.html"),
    figures: [],
  };
  if (generated) {
    files.trials = join(options.outDir, "trials.txt");
    await writeTrials(files.trials, allTrials);
  }
  await writeScoresCsv(files.scores, trials, scores);
  if (calibrated) {
    files.calibratedScores = join(options.outDir, "scores.calibrated.csv");
    await writeScoresCsv(files.calibratedScores, trials, calibrated.llrs);
  }
  const info: Record<string, string> = {
    dataset: options.data,
    trials: options.trials ?? (generated ? `generated (seed ${generationSeed(options)})` : join(options.data, "trials.txt")),
    model: options.model,
    scoring: norm === "none" ? "cosine" : `cosine + ${norm}${norm === "as-norm" ? ` (top ${options.topK ?? 200})` : ""}`,
    ...(options.cohort ? { cohort: `${options.cohort} (${cohortEmbeddings.length} utterances)` } : {}),
    ...(options.calibration ? { calibration: options.calibration.source } : {}),
    ...(badFiles.length > 0 ? { skipped: `${badFiles.length} unreadable files and the ${allTrials.length - trials.length} trials that use them` } : {}),
  };
  const written = await writeReport(options.outDir, {
    title: "VoxLab evaluation",
    scores,
    labels,
    trials: describeTrials(trials, { manifest, enrollMap, wavRoot, reportDir: options.outDir }),
    metrics,
    // Cache counts go to the report only: metrics.json stays identical when a run is repeated.
    info: { ...info, embeddings: `${stats.computed} computed, ${stats.cached} from the cache` },
    intervals,
    interactive: options.interactive,
    ...(calibrated && options.calibration ? { calibration: { ...options.calibration, ...calibrated } } : {}),
  });
  files.figures = written.figures;
  // JSON has no infinity: a reject-all threshold is written as null (as `voxlab metrics --json` does).
  const calibrationJson = calibrated && options.calibration ? calibrationSummary(calibrated.metrics, options.calibration.calibration) : {};
  await writeFileAtomic(files.metrics, `${JSON.stringify({ ...metrics, ...calibrationJson, confidence_intervals: intervals, run: info }, null, 2)}\n`);
  return { metrics, intervals, trials, scores, ...(calibrated ? { calibrated } : {}), files, embeddings: stats, skipped: { files: badFiles, trials: allTrials.length - trials.length } };
}
