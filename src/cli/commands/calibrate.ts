import type { Command } from "commander";
import { VoxlabError } from "../../core/errors.ts";

interface CalibrateFlags {
  prior: string;
  out: string;
  qmf?: boolean;
  data?: string;
}

/** A prior from a flag: a number strictly between 0 and 1. */
export function parsePrior(value: string, flag: string): number {
  const p = Number(value);
  if (value.trim() === "" || !(p > 0 && p < 1)) throw new VoxlabError(`${flag} must be a probability strictly between 0 and 1, got "${value}"`);
  return p;
}

/** `voxlab calibrate <scores.csv | run-dir> [--prior P] [--qmf] --out calib.json`. */
export function registerCalibrate(program: Command): void {
  program
    .command("calibrate")
    .description("train a linear calibration (scores -> log-likelihood ratios) on dev trials by prior-weighted logistic regression; writes calib.json")
    .argument("<scores.csv|run-dir>", "dev scores (CSV with score,label columns) or a voxlab eval/run folder (its scores.csv)")
    .option("--prior <P>", "effective target prior of the training criterion", "0.5")
    .option("--qmf", "also train duration quality measures (log seconds of the enroll and test sides)")
    .option("--data <root>", "with --qmf: the dataset whose files the trials name (default: the run folder's dataset)")
    .requiredOption("--out <calib.json>", "where to write the calibration")
    .action(async (input: string, flags: CalibrateFlags) => {
      const prior = parsePrior(flags.prior, "--prior");
      const [{ calibrateDevSet }, { writeCalibration }] = await Promise.all([import("../../calibration/dev-set.ts"), import("../../calibration/file.ts")]);
      const calibration = await calibrateDevSet(input, { prior, qmf: flags.qmf, data: flags.data });
      await writeCalibration(flags.out, calibration);
      const qmf = calibration.qmf ? `, ln(enroll s) × ${calibration.qmf.log_enroll_seconds.toPrecision(6)}, ln(test s) × ${calibration.qmf.log_test_seconds.toPrecision(6)}` : "";
      process.stdout.write(
        `llr = ${calibration.scale.toPrecision(6)} · score + ${calibration.offset.toPrecision(6)}${qmf} (prior ${prior}; ` +
          `${calibration.training.n_target} target, ${calibration.training.n_nontarget} non-target trials)\nwrote ${flags.out}\n`,
      );
    });
}
