import type { Command } from "commander";
import { calibrateDevSetToFile } from "../../index.ts";
import { parsePrior } from "../flags.ts";
import { formatCalibration } from "../format.ts";

interface CalibrateFlags {
  prior: string;
  out: string;
  qmf?: boolean;
  data?: string;
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
      const calibration = await calibrateDevSetToFile(input, flags.out, { prior, qmf: flags.qmf, data: flags.data });
      process.stdout.write(formatCalibration(calibration, flags.out));
    });
}
