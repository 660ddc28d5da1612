import type { Command } from "commander";
import { defaultModelPath, runEvaluation, SCORE_NORMS } from "../../index.ts";
import { addComputeFlags, computeOptions, optionalChoice, parseInteger, parsePositive, type ComputeFlags } from "../flags.ts";
import { formatEvaluation } from "../format.ts";
import { withProgress } from "../progress.ts";

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
    .option("--norm <kind>", `score normalisation: ${SCORE_NORMS.join(" | ")} (default: as-norm with --cohort, else none)`)
    .option("--top-k <n>", "AS-norm cohort size per embedding", "200")
    .option("--store <dir>", "embedding cache (default: $VOXLAB_CACHE/embeddings or ~/.cache/voxlab/embeddings)")
    .requiredOption("--out <dir>", "output folder: metrics.json, scores.csv, figures, report.html")
    .option("--seed <n>", "seed for generated trials and the bootstrap", "1")
    .option("--bootstrap <n>", "bootstrap resamples for the confidence intervals", "200")
    .option("--no-interactive", "static SVG report without the inlined plotly.js (smaller file)")
    .option("--skip-bad", "skip unreadable audio files and the trials that use them (listed at the end) instead of stopping")
    .option("--calibration <calib.json>", "apply a voxlab calibrate output (trained on dev trials): writes scores.calibrated.csv and the actual costs"))
    .action(async (flags: EvalFlags) => {
      const options = {
        data: flags.data,
        trials: flags.trials,
        enrollMap: flags.enrollMap,
        model: flags.model ?? defaultModelPath(),
        cohort: flags.cohort,
        norm: optionalChoice(flags.norm, "--norm", SCORE_NORMS),
        topK: parsePositive(flags.topK, "--top-k", true),
        storeDir: flags.store,
        outDir: flags.out,
        seed: parseInteger(flags.seed, "--seed"),
        bootstrapIterations: parsePositive(flags.bootstrap, "--bootstrap", true),
        interactive: flags.interactive,
        ...computeOptions(flags),
        skipBad: flags.skipBad,
        calibrationFile: flags.calibration,
      };
      const result = await withProgress((progress) => runEvaluation({ ...options, onProgress: (stage, done, total) => progress.update(stage, done, total) }));
      process.stdout.write(formatEvaluation(result));
    });
}
