import type { Command } from "commander";
import { VoxlabError } from "../../core/errors.ts";
import { runEvaluation, type EvaluationOptions, type EvaluationResult, type ScoreNorm } from "../../experiments/evaluate.ts";
import { defaultModelPath } from "../../models/default-model.ts";
import { addComputeFlags, computeOptions, parsePositive, type ComputeFlags } from "../flags.ts";
import { createProgress } from "../progress.ts";
import { formatMetricsTable } from "../format.ts";

interface EvalFlags extends ComputeFlags {
  data: string;
  trials?: string;
  enrollMap?: string;
  model?: string;
  cohort?: string;
  norm?: string;
  topK: string;
  store?: string;
  out: string;
  seed: string;
  bootstrap: string;
  interactive: boolean;
  skipBad?: boolean;
  calibration?: string;
}

const NORMS: readonly ScoreNorm[] = ["none", "s-norm", "as-norm"];

/** Runs an evaluation with progress on stderr, then prints its metrics and where the files went. */
export async function evaluateWithProgress(options: Omit<EvaluationOptions, "onProgress">): Promise<EvaluationResult> {
  const progress = createProgress();
  let result: EvaluationResult;
  try {
    result = await runEvaluation({ ...options, onProgress: (stage, done, total) => progress.update(stage, done, total) });
  } finally {
    progress.stop();
  }
  process.stdout.write(formatMetricsTable(result.metrics, result.calibrated?.metrics));
  if (result.skipped.files.length > 0) {
    process.stdout.write(`skipped ${result.skipped.files.length} unreadable files (${result.skipped.trials} trials dropped):\n`);
    for (const bad of result.skipped.files) process.stdout.write(`  ${bad.reason}\n`);
  }
  process.stdout.write(
    `embeddings: ${result.embeddings.computed} computed, ${result.embeddings.cached} from the cache\n` +
      `wrote ${result.files.metrics}, ${result.files.scores}${result.files.calibratedScores ? `, ${result.files.calibratedScores}` : ""}, ${result.files.report} and ${result.files.figures.length} figure files\n`,
  );
  return result;
}

/** `voxlab eval --data <root> [--trials <file>] [--model <onnx>] [--cohort <root>] --out <dir>`. */
export function registerEval(program: Command): void {
  addComputeFlags(program
    .command("eval")
    .description("evaluate a model on a VoxCeleb-style dataset: embeddings (cached), scores, metrics, DET and score plots, report.html")
    .requiredOption("--data <root>", "dataset root: wav/<speaker>/<session>/<utt>.{wav,flac} (or the same levels under the root)")
    .option("--trials <file>", "trial list (VoxCeleb, WeSpeaker/Kaldi or CN-Celeb format); default <root>/trials.txt, else generated")
    .option("--enroll-map <file>", "CN-Celeb enroll.map for multi-utterance enrollment ids")
    .option("--model <model.onnx>", "ONNX embedding model (default: the built-in compact ECAPA-TDNN)")
    .option("--cohort <root>", "dataset whose utterances form the score-normalisation cohort")
    .option("--norm <kind>", `score normalisation: ${NORMS.join(" | ")} (default: as-norm with --cohort, else none)`)
    .option("--top-k <n>", "AS-norm cohort size per embedding", "200")
    .option("--store <dir>", "embedding cache (default: $VOXLAB_CACHE/embeddings or ~/.cache/voxlab/embeddings)")
    .requiredOption("--out <dir>", "output folder: metrics.json, scores.csv, figures, report.html")
    .option("--seed <n>", "seed for generated trials and the bootstrap", "1")
    .option("--bootstrap <n>", "bootstrap resamples for the confidence intervals", "200")
    .option("--no-interactive", "static SVG report without the inlined plotly.js (smaller file)")
    .option("--skip-bad", "skip unreadable audio files and the trials that use them (listed at the end) instead of stopping")
    .option("--calibration <calib.json>", "apply a voxlab calibrate output (trained on dev trials): writes scores.calibrated.csv and the actual costs"))
    .action(async (flags: EvalFlags) => {
      if (flags.norm !== undefined && !NORMS.includes(flags.norm as ScoreNorm)) {
        throw new VoxlabError(`--norm must be one of ${NORMS.join(", ")}, got "${flags.norm}"`);
      }
      // Read first: a bad calibration file fails before any embedding work.
      const calibration = flags.calibration === undefined ? undefined : { calibration: await (await import("../../calibration/file.ts")).readCalibration(flags.calibration), source: flags.calibration };
      const seed = Number(flags.seed);
      if (!Number.isInteger(seed)) throw new VoxlabError(`--seed must be an integer, got "${flags.seed}"`);
      await evaluateWithProgress({
        data: flags.data,
        trials: flags.trials,
        enrollMap: flags.enrollMap,
        model: flags.model ?? defaultModelPath(),
        cohort: flags.cohort,
        norm: flags.norm as ScoreNorm | undefined,
        topK: parsePositive(flags.topK, "--top-k", true),
        storeDir: flags.store,
        outDir: flags.out,
        seed,
        bootstrapIterations: parsePositive(flags.bootstrap, "--bootstrap", true),
        interactive: flags.interactive,
        ...computeOptions(flags),
        skipBad: flags.skipBad,
        calibration,
      });
    });
}
