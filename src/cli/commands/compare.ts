import type { Command } from "commander";
import { compareRuns } from "../../index.ts";
import { optionalPositive } from "../flags.ts";
import { formatComparison } from "../format.ts";
import { withProgress } from "../progress.ts";

/** `voxlab compare <run-dir>... [--out <dir>]`: overlaid DET curves and a side-by-side metrics table. */
export function registerCompare(program: Command): void {
  program
    .command("compare")
    .description("compare finished runs of `voxlab run`: metrics table on stdout, compare.html and det-compare.{svg,png}")
    .argument("<run-dir...>", "run folders (results/<experiment>/<run-id>)")
    .option("--out <dir>", "output folder (default: results/compare/<UTC timestamp>)")
    .option("--bootstrap <n>", "speaker-bootstrap resamples for the paired differences (default 1000)")
    .action(async (dirs: string[], flags: { out?: string; bootstrap?: string }) => {
      const bootstrapIterations = optionalPositive(flags.bootstrap, "--bootstrap", true);
      const comparison = await withProgress((progress) => compareRuns(dirs, flags.out, { bootstrapIterations, onProgress: (stage, done, total) => progress.update(stage, done, total) }));
      process.stdout.write(formatComparison(comparison));
    });
}
