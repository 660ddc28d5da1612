import type { Command } from "commander";
import { quantizeModelFile } from "../../index.ts";
import { optionalPositive, parseList } from "../flags.ts";
import { formatQuantization } from "../format.ts";
import { withProgress } from "../progress.ts";

interface ModelQuantizeFlags {
  out: string;
  calibration?: string;
  root?: string;
  utterances?: string;
  keepFloat?: string;
  threads?: string;
}

/** `voxlab model quantize <model.onnx>`: an int8 copy of a float model, calibrated on speech. */
export function registerModelQuantize(modelGroup: Command): void {
  modelGroup
    .command("quantize")
    .description("write an int8 copy of a float32 model (QDQ: int8 weights per output channel, uint8 activations calibrated on speech) that ONNX Runtime runs with int8 kernels")
    .argument("<model.onnx>", "float32 model with VoxLab metadata (e.g. from `voxlab model import`)")
    .requiredOption("--out <model.int8.onnx>", "the quantized model to write")
    .option("--calibration <dataset|list>", "calibration audio: a dataset root or a file list (default: datasets/demo, synthesised if missing)")
    .option("--root <dir>", "dataset root that a manifest CSV list's paths are relative to")
    .option("--utterances <n>", "calibration utterances, at most (spread over the list)", "300")
    .option("--keep-float <prefixes>", "comma-separated weight-name prefixes whose convolutions stay float32 (default: blocks.0.,se_block,asp.global_context,asp.conv.)")
    .option("--threads <n>", "ONNX Runtime intra-op threads for calibration")
    .action(async (model: string, flags: ModelQuantizeFlags) => {
      const options = {
        calibration: flags.calibration,
        root: flags.root,
        utterances: optionalPositive(flags.utterances, "--utterances", true),
        keepFloat: flags.keepFloat === undefined ? undefined : parseList(flags.keepFloat),
        intraOpThreads: optionalPositive(flags.threads, "--threads", true),
      };
      const started = performance.now();
      const result = await withProgress((progress) =>
        quantizeModelFile(model, flags.out, {
          ...options,
          onStatus: (message, done, total) => (done === undefined ? process.stderr.write(`${message}\n`) : progress.update(message, done, total)),
        }),
      );
      process.stdout.write(formatQuantization(result, (performance.now() - started) / 1000));
    });
}
