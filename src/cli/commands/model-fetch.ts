import type { Command } from "commander";
import { fetchModel } from "../../index.ts";
import { formatModelFetch } from "../format.ts";
import { formatBytes, withProgress } from "../progress.ts";

interface ModelFetchFlags {
  revision: string;
  file?: string;
  family?: string;
  cacheDir?: string;
  endpoint?: string;
  out?: string;
  license?: string;
}

/**
 * `voxlab model fetch <repo-id>`: a speaker model from the Hugging Face Hub, made loadable: SpeechBrain ECAPA
 * repos are imported to ONNX; WeSpeaker / 3D-Speaker ONNX files get a sidecar naming their frontend.
 */
export function registerModelFetch(modelGroup: Command): void {
  modelGroup
    .command("fetch")
    .description(
      "download a speaker model from the Hugging Face Hub (resumable, checksum-verified; the Hugging Face cache is used when it has it): " +
        "SpeechBrain ECAPA repos are imported to ONNX, WeSpeaker / 3D-Speaker ONNX models get a sidecar naming their frontend",
    )
    .argument("<repo-id>", "model id, e.g. speechbrain/spkrec-ecapa-voxceleb or Wespeaker/wespeaker-voxceleb-resnet34-LM")
    .option("--revision <rev>", "branch, tag or commit", "main")
    .option("--file <name.onnx>", "the ONNX file to take (default: the repository's only .onnx file)")
    .option("--family <name>", "speechbrain, wespeaker or 3d-speaker (default: told by the files and the ONNX metadata)")
    .option("--cache-dir <dir>", "download cache (default: $VOXLAB_CACHE or ~/.cache/voxlab/models)")
    .option("--endpoint <url>", "Hub address (default: $HF_ENDPOINT or https://huggingface.co)")
    .option("--license <id>", "licence stored in the model metadata (default: the family's: apache-2.0 for speechbrain/*, CC-BY-4.0 WeSpeaker, Apache-2.0 3D-Speaker)")
    .option("--out <model.onnx>", "the ONNX model to write (default: models/<repo-name>.onnx, or models/<file> for ONNX repos)")
    .action(async (repoId: string, flags: ModelFetchFlags) => {
      const result = await withProgress(
        (progress) =>
          fetchModel(repoId, {
            revision: flags.revision,
            file: flags.file,
            family: flags.family,
            cacheDir: flags.cacheDir,
            endpoint: flags.endpoint,
            out: flags.out,
            license: flags.license,
            onProgress: (file, { received, total }) => progress.update(`downloading ${file}`, received, total),
          }),
        formatBytes,
      );
      const { source, written } = formatModelFetch(repoId, flags.revision, result);
      process.stderr.write(source);
      process.stdout.write(written);
    });
}
