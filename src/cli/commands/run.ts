import type { Command } from "commander";
import { runExperiment, type ExperimentRun } from "../../experiments/run.ts";
import { addComputeFlags, computeOptions, type ComputeFlags } from "../flags.ts";
import { createProgress } from "../progress.ts";
import { formatMetricsTable } from "../format.ts";

interface RunFlags extends ComputeFlags {
  out: string;
  store?: string;
}

/** `voxlab run <config> [--out results]`: one experiment config → results/<experiment>/<run-id>/. */
export function registerRun(program: Command): void {
  addComputeFlags(program
    .command("run")
    .description("run an experiment config (YAML or JSON, see experiments/README.md) into <out>/<experiment>/<run-id>/ with its provenance")
    .argument("<config>", "experiment config file (.yaml, .yml or .json); relative paths in it are taken from its folder")
    .option("--out <dir>", "results folder", "results")
    .option("--store <dir>", "embedding cache (default: $VOXLAB_CACHE/embeddings or ~/.cache/voxlab/embeddings)"))
    .action(async (config: string, flags: RunFlags) => {
      const progress = createProgress();
      let run: ExperimentRun;
      try {
        run = await runExperiment(config, {
          resultsDir: flags.out,
          storeDir: flags.store,
          ...computeOptions(flags),
          onProgress: (stage, done, total) => progress.update(stage, done, total),
        });
      } finally {
        progress.stop();
      }
      process.stdout.write(formatMetricsTable(run.metrics, run.calibrated));
      process.stdout.write(
        `embeddings: ${run.embeddings.computed} computed, ${run.embeddings.cached} from the cache\n` + `run ${run.runId} written to ${run.runDir}\n`,
      );
    });
}
