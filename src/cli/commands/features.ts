import type { Command } from "commander";
import { FRONTEND_NAMES, parseFrontendName, writeFeaturesFile } from "../../index.ts";
import { formatFeatures } from "../format.ts";

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
      const features = await writeFeaturesFile(audio, flags.out, { frontend, meanNorm: flags.cmn });
      process.stdout.write(formatFeatures(flags.out, features, frontend, flags.cmn));
    });
}
