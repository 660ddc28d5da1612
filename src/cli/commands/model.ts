import type { Command } from "commander";
import { importSpeechbrainModel } from "../../index.ts";
import { formatModelImport } from "../format.ts";

interface ModelImportFlags {
  out: string;
  license?: string;
  source?: string;
}

/**
 * The `voxlab model` command group with its `import` subcommand. Returns the group so that other
 * subcommands (e.g. `model fetch`) can be added to it: `registerModelFetch(registerModel(program))`.
 */
export function registerModel(program: Command): Command {
  const group = program.command("model").description("import and manage speaker-embedding models");
  group
    .command("import")
    .description("convert a SpeechBrain ECAPA-TDNN model folder (hyperparams.yaml + embedding_model.ckpt) to a self-describing ONNX model")
    .argument("<dir>", "SpeechBrain model folder: a download of speechbrain/spkrec-ecapa-voxceleb, or SpeechBrain's savedir (links into the Hugging Face cache)")
    .requiredOption("--out <model.onnx>", "the ONNX model to write")
    .option("--license <license>", "licence of the weights, stored in the model metadata", "unknown")
    .option("--source <source>", "where the model came from (default: the folder name)")
    .action(async (dir: string, flags: ModelImportFlags) => {
      const started = performance.now();
      const result = await importSpeechbrainModel(dir, flags.out, { license: flags.license, source: flags.source });
      if (result.hfOrigin) {
        const { cache, repoId, commit } = result.hfOrigin;
        process.stderr.write(`${dir}: files from the Hugging Face cache ${cache} (${repoId}@${commit}, checksums verified)\n`);
      }
      process.stdout.write(formatModelImport(result, (performance.now() - started) / 1000));
    });
  return group;
}
