import type { Command } from "commander";
import { defaultFeatureWorkers } from "../embeddings/feature-pool.ts";
import { VoxlabError } from "../core/errors.ts";
import type { ComputeOptions } from "../embeddings/extractor.ts";
import type { Device } from "../models/embedding-model.ts";

/** A positive number (or integer) from a flag's text, or a one-line error naming the flag. */
export function parsePositive(value: string, flag: string, integer: boolean): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new VoxlabError(`${flag} must be a positive ${integer ? "integer" : "number"}, got "${value}"`);
  }
  return n;
}

/** The optional flag's value parsed with `parsePositive`, or undefined when absent. */
export function optionalPositive(value: string | undefined, flag: string, integer: boolean): number | undefined {
  return value === undefined ? undefined : parsePositive(value, flag, integer);
}

/** The flags of the commands that compute embeddings (embed, eval, run), as given on the command line. */
export interface ComputeFlags {
  threads?: string;
  batchSize: string;
  device: string;
  featureWorkers?: string;
}

const DEVICES: readonly Device[] = ["cpu", "cuda"];

/** Adds --threads, --batch-size, --device and --feature-workers to `command`. */
export function addComputeFlags(command: Command): Command {
  return command
    .option("--threads <n>", "ONNX Runtime intra-op threads (default: ONNX Runtime's choice, one per core)")
    .option("--batch-size <n>", "utterances per ONNX run; 1 keeps every embedding independent of the others (bit-identical reruns), more pads length-sorted batches (faster on short clips)", "1")
    .option("--device <cpu|cuda>", "run the model on the CPU, or on the GPU through ONNX Runtime's CUDA provider (falls back to the CPU with a warning when it is not installed)", "cpu")
    .option("--feature-workers <n>", `threads that decode audio and compute features beside the model (default: ${defaultFeatureWorkers()} here, one per 8 cores)`);
}

/** The parsed compute flags; warnings (a CUDA fallback) go to stderr as one line. */
export function computeOptions(flags: ComputeFlags): ComputeOptions {
  if (!DEVICES.includes(flags.device as Device)) throw new VoxlabError(`--device must be one of ${DEVICES.join(", ")}, got "${flags.device}"`);
  return {
    threads: optionalPositive(flags.threads, "--threads", true),
    batchSize: parsePositive(flags.batchSize, "--batch-size", true),
    device: flags.device as Device,
    featureWorkers: optionalPositive(flags.featureWorkers, "--feature-workers", true),
    onWarning: (message) => process.stderr.write(`voxlab: warning: ${message}\n`),
  };
}
