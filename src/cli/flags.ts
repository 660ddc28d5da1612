// Every flag the commands take is parsed here: numbers, probabilities, choices and lists from their text,
// with one-line errors that name the flag.
import type { Command } from "commander";
import { defaultFeatureWorkers, VoxlabError, type ComputeOptions, type Device } from "../index.ts";

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

/** 0, 1, 2, ... written in decimal digits (surrounding spaces allowed). */
export function parseNonNegativeInteger(value: string, flag: string): number {
  if (!/^\d+$/.test(value.trim())) throw new VoxlabError(`${flag} must be a non-negative integer, got "${value}"`);
  return Number(value);
}

/** Any integer (a seed). */
export function parseInteger(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new VoxlabError(`${flag} must be an integer, got "${value}"`);
  return n;
}

/** Any finite number (a score threshold). */
export function parseFinite(value: string, flag: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new VoxlabError(`${flag} must be a number, got "${value}"`);
  return n;
}

/** A prior: a number strictly between 0 and 1. */
export function parsePrior(value: string, flag: string): number {
  const p = Number(value);
  if (value.trim() === "" || !(p > 0 && p < 1)) throw new VoxlabError(`${flag} must be a probability strictly between 0 and 1, got "${value}"`);
  return p;
}

/** One of `choices`, or a one-line error listing them. */
export function parseChoice<T extends string>(value: string, flag: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) throw new VoxlabError(`${flag} must be one of ${choices.join(", ")}, got "${value}"`);
  return value as T;
}

/** The optional flag's value parsed with `parseChoice`, or undefined when absent. */
export function optionalChoice<T extends string>(value: string | undefined, flag: string, choices: readonly T[]): T | undefined {
  return value === undefined ? undefined : parseChoice(value, flag, choices);
}

/** A comma-separated list: items trimmed, empty ones dropped. */
export function parseList(value: string): string[] {
  return value.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
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
    .option("--threads <n>", "CPU threads for the model: 1 runs one single-thread session, 2 or more run that many single-thread sessions side by side on different files (same embeddings as 1); default: one session, ONNX Runtime's threads (one per core)")
    .option("--batch-size <n>", "utterances per ONNX run; 1 keeps every embedding independent of the others (bit-identical reruns), more pads length-sorted batches (faster on short clips)", "1")
    .option("--device <cpu|cuda>", "run the model on the CPU, or on the GPU through ONNX Runtime's CUDA provider (falls back to the CPU with a warning when it is not installed)", "cpu")
    .option("--feature-workers <n>", `threads that decode audio and compute features beside the model (default: ${defaultFeatureWorkers()} here, one per 8 cores)`);
}

/** The parsed compute flags; warnings (a CUDA fallback) go to stderr as one line. */
export function computeOptions(flags: ComputeFlags): ComputeOptions {
  const device = parseChoice(flags.device, "--device", DEVICES);
  return {
    threads: optionalPositive(flags.threads, "--threads", true),
    batchSize: parsePositive(flags.batchSize, "--batch-size", true),
    device,
    featureWorkers: optionalPositive(flags.featureWorkers, "--feature-workers", true),
    onWarning: (message) => process.stderr.write(`voxlab: warning: ${message}\n`),
  };
}
