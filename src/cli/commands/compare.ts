import type { Command } from "commander";
import { join } from "node:path";
import { compareRuns } from "../../experiments/compare.ts";
import { utcStamp } from "../../experiments/run.ts";

/** `voxlab compare <run-dir>... [--out <dir>]`: overlaid DET curves and a side-by-side metrics table. */
export function registerCompare(program: Command): void {
  program
    .command("compare")
    .description("compare finished runs of `voxlab run`: metrics table on stdout, compare.html and det-compare.{svg,png}")
    .argument("<run-dir...>", "run folders (results/<experiment>/<run-id>)")
    .option("--out <dir>", "output folder (default: results/compare/<UTC timestamp>)")
    .action(async (dirs: string[], flags: { out?: string }) => {
      const outDir = flags.out ?? join("results", "compare", utcStamp(new Date()));
      const comparison = await compareRuns(dirs, outDir);
      process.stdout.write(comparison.table);
      process.stdout.write(`wrote ${comparison.files.html}, ${comparison.files.svg} and ${comparison.files.png}\n`);
    });
}
