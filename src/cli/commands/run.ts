import type { Command } from "commander";
import { runExperiment } from "../../index.ts";
import { addComputeFlags, computeOptions, type ComputeFlags } from "../flags.ts";
import { formatExperimentRun } from "../format.ts";
import { withProgress } from "../progress.ts";

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
      const options = { resultsDir: flags.out, storeDir: flags.store, ...computeOptions(flags) };
      const run = await withProgress((progress) => runExperiment(config, { ...options, onProgress: (stage, done, total) => progress.update(stage, done, total) }));
      process.stdout.write(formatExperimentRun(run));
    });
}
