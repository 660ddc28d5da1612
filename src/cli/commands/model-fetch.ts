import type { Command } from "commander";
import { join } from "node:path";

interface ModelFetchFlags {
  revision: string;
  cacheDir?: string;
  endpoint?: string;
  out?: string;
  license?: string;
}

/** SpeechBrain publishes its pretrained models on the Hub under Apache-2.0; others must say. */
const defaultLicense = (repoId: string): string => (repoId.startsWith("speechbrain/") ? "apache-2.0" : "unknown");

const SERVED_BY = { "hf-cache": "the Hugging Face cache", "voxlab-cache": "VoxLab's cache", hub: "the Hub" } as const;

/** `voxlab model fetch <repo-id>`: download a SpeechBrain model from the Hugging Face Hub and import it to ONNX. */
export function registerModelFetch(modelGroup: Command): void {
  modelGroup
    .command("fetch")
    .description("download a SpeechBrain ECAPA model from the Hugging Face Hub (resumable, checksum-verified) and import it")
    .argument("<repo-id>", "model id, e.g. speechbrain/spkrec-ecapa-voxceleb")
    .option("--revision <rev>", "branch, tag or commit", "main")
    .option("--cache-dir <dir>", "download cache (default: $VOXLAB_CACHE or ~/.cache/voxlab/models)")
    .option("--endpoint <url>", "Hub address (default: $HF_ENDPOINT or https://huggingface.co)")
    .option("--license <id>", "licence stored in the model metadata (default: apache-2.0 for speechbrain/*, else unknown)")
    .option("--out <model.onnx>", "the ONNX model to write (default: models/<repo-name>.onnx)")
    .action(async (repoId: string, flags: ModelFetchFlags) => {
      const { createProgress, formatBytes } = await import("../progress.ts");
      const { fetchSpeechbrainModel } = await import("../../models/fetch.ts");
      const { importSpeechbrainModel } = await import("../../models/import.ts");
      const progress = createProgress(formatBytes);
      const fetched = await fetchSpeechbrainModel(repoId, {
        revision: flags.revision,
        cacheDir: flags.cacheDir,
        endpoint: flags.endpoint,
        onProgress: (file, { received, total }) => progress.update(`downloading ${file}`, received, total),
      }).finally(() => progress.stop());
      const { commit } = fetched.manifest;
      const at = commit === undefined || commit === flags.revision ? flags.revision : `${flags.revision} = ${commit}`;
      process.stderr.write(`${repoId}@${at}: files from ${SERVED_BY[fetched.servedBy]} (${fetched.dir})\n`);
      const out = flags.out ?? join("models", `${repoId.split("/").at(-1)}.onnx`);
      await importSpeechbrainModel(fetched.dir, out, {
        source: `${repoId}@${flags.revision}`,
        commit,
        license: flags.license ?? defaultLicense(repoId),
      });
      process.stdout.write(`wrote ${out} (from ${repoId}@${at}; files in ${fetched.dir})\n`);
    });
}
