import type { Command } from "commander";
import { mergeStores } from "../../index.ts";

/** `voxlab store merge <dir>... --into <dir>`: combine the embedding stores of sharded jobs. */
export function registerStore(program: Command): Command {
  const group = program.command("store").description("embedding stores (the on-disk embedding cache)");
  group
    .command("merge")
    .description("merge embedding stores (e.g. one per shard of a Slurm array) into one; every shard file is checked")
    .argument("<dir...>", "store folders to merge")
    .requiredOption("--into <dir>", "the store to merge into (created if missing; may be one of the inputs)")
    .action(async (dirs: string[], flags: { into: string }) => {
      const summary = await mergeStores(flags.into, dirs);
      process.stdout.write(`merged ${summary.embeddings} embeddings in ${summary.recordFiles} record files of ${summary.models} model(s) into ${flags.into}\n`);
    });
  return group;
}
