import type { Command } from "commander";

/** `npm start`: the default job. Until the built-in demo pipeline exists it says what is available. */
export function registerStart(program: Command): void {
  program
    .command("start")
    .description("run the built-in default job")
    .action(() => {
      process.stdout.write(
        [
          "VoxLab: the built-in default job (demo dataset -> embeddings -> eval report) is not built yet.",
          "Available now:",
          "  npx voxlab features <audio> --frontend speechbrain --out feats.npy",
          "Run `npx voxlab --help` for every command.",
          "",
        ].join("\n"),
      );
    });
}
