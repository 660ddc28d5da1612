import type { Command } from "commander";
import { loadAudio } from "../../audio/decode.ts";
import { computeFeatures, FRONTEND_NAMES, parseFrontendName } from "../../features/index.ts";
import { writeNpy } from "../../core/npy.ts";

interface FeaturesFlags {
  frontend: string;
  cmn: boolean;
  out: string;
}

/** `voxlab features <audio> --frontend <name> [--no-cmn] --out <file.npy>`: float32 [T,80] features. */
export function registerFeatures(program: Command): void {
  program
    .command("features")
    .description("compute filterbank features [T,80] of one audio file and write them as float32 .npy")
    .argument("<audio>", "audio file (WAV or FLAC, any rate; resampled to 16 kHz mono)")
    .option("--frontend <name>", `feature frontend: ${FRONTEND_NAMES.join(" | ")}`, "speechbrain")
    .option("--no-cmn", "keep the raw log filterbank (no per-utterance time-mean subtraction)")
    .requiredOption("--out <file.npy>", "where to write the [T,80] float32 array")
    .action(async (audio: string, flags: FeaturesFlags) => {
      const frontend = parseFrontendName(flags.frontend, "--frontend");
      const samples = await loadAudio(audio);
      const features = computeFeatures(samples, frontend, { meanNorm: flags.cmn, name: audio });
      await writeNpy(flags.out, { shape: [features.frames, features.bins], data: features.data });
      process.stdout.write(
        `${flags.out}: [${features.frames},${features.bins}] float32, ${frontend}${flags.cmn ? " + mean norm" : ", no CMN"}\n`,
      );
    });
}
