import type { Command } from "commander";
import { join } from "node:path";
import { compareRuns } from "../../experiments/compare.ts";
import { utcStamp } from "../../experiments/run.ts";
import { optionalPositive } from "../flags.ts";
import { createProgress } from "../progress.ts";

/** `voxlab compare <run-dir>... [--out <dir>]`: overlaid DET curves and a side-by-side metrics table. */
export function registerCompare(program: Command): void {
  program
    .command("compare")
    .description("compare finished runs of `voxlab run`: metrics table on stdout, compare.html and det-compare.{svg,png}")
    .argument("<run-dir...>", "run folders (results/<experiment>/<run-id>)")
    .option("--out <dir>", "output folder (default: results/compare/<UTC timestamp>)")
    .option("--bootstrap <n>", "speaker-bootstrap resamples for the paired differences (default 1000)")
    .action(async (dirs: string[], flags: { out?: string; bootstrap?: string }) => {
      const outDir = flags.out ?? join("results", "compare", utcStamp(new Date()));
      const bootstrapIterations = optionalPositive(flags.bootstrap, "--bootstrap", true);
      const progress = createProgress();
      const comparison = await compareRuns(dirs, outDir, { bootstrapIterations, onProgress: (stage, done, total) => progress.update(stage, done, total) }).finally(() => progress.stop());
      process.stdout.write(comparison.table);
      process.stdout.write(comparison.pairedTable);
      process.stdout.write(`wrote ${comparison.files.html}, ${comparison.files.svg} and ${comparison.files.png}\n`);
    });
}
