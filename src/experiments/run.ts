// `voxlab run <config>`: one experiment config → results/<experiment>/<run-id>/ with its provenance.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, rename, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { arch, availableParallelism, cpus, platform, totalmem } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { manifestHash, scanDataset } from "../datasets/manifest.ts";
import type { ComputeOptions } from "../embeddings/extractor.ts";
import type { Device } from "../models/embedding-model.ts";
import { hashFile } from "../core/hash.ts";
import { readCalibration } from "../calibration/file.ts";
import { errorMessage } from "../core/errors.ts";
import { ensureDir, writeFileAtomic } from "../core/fs.ts";
import type { CalibratedMetrics, VerificationMetrics } from "../metrics/index.ts";
import { configHash, loadExperimentConfig, resolvedConfigJson, type ResolvedExperimentConfig } from "./config.ts";
import { runEvaluation, type EvaluationResult } from "./evaluate.ts";

/** The VoxLab checkout or install this module belongs to. */
const VOXLAB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** What an unfinished run's folder is called until its last file is written. */
export const PARTIAL_SUFFIX = ".partial";
export const RESOLVED_CONFIG_FILE = "config.resolved.json";
export const PROVENANCE_FILE = "provenance.json";

export interface DatasetProvenance {
  root: string;
  /** `manifestHash` of the scanned dataset. */
  manifestHash: string;
  utterances: number;
}

export interface Provenance {
  voxlab: { version: string | null; root: string; git: { commit: string; dirty: boolean } | null };
  config: { file: string; sha256: string };
  model: { path: string; sha256: string };
  dataset: DatasetProvenance;
  cohort: DatasetProvenance | null;
  trials: { file: string; sha256: string; generated: boolean; count: number };
  enrollMap: { file: string; sha256: string } | null;
  /** The calib.json applied, when the config names one. */
  calibration?: { file: string; sha256: string };
  packages: { voxlab: string | null; "onnxruntime-node": string | null; node: string };
  /** How the embeddings computed in this run were computed (cached ones keep their own). */
  compute: { device: Device; batchSize: number; threads: number | null };
  seed: number;
  startedAt: string;
  finishedAt: string;
  host: { platform: string; arch: string; cpu: string; cores: number; memoryBytes: number };
}

export interface RunExperimentOptions extends ComputeOptions {
  /** Where `<experiment>/<run-id>/` goes (default `results`). */
  resultsDir?: string;
  /** Embedding cache (default: runEvaluation's). */
  storeDir?: string;
  onProgress?: (stage: string, done: number, total: number) => void;
}

export interface ExperimentRun {
  runId: string;
  runDir: string;
  config: ResolvedExperimentConfig;
  provenance: Provenance;
  metrics: VerificationMetrics;
  /** The calibrated scores' metrics, when the config names a calibration. */
  calibrated?: CalibratedMetrics;
  embeddings: EvaluationResult["embeddings"];
}

/** `YYYYMMDDTHHMMSSZ` (UTC): a folder name that sorts by time. */
export function utcStamp(time: Date): string {
  return time.toISOString().replace(/\.\d+Z$/, "Z").replace(/[-:]/g, "");
}

/** `20250102T030405Z-<config hash>`: sorts by time; runs of one config share the suffix. */
export function runId(config: ResolvedExperimentConfig, start: Date): string {
  return `${utcStamp(start)}-${configHash(config)}`;
}

const exec = promisify(execFile);

/** The commit of the VoxLab checkout and whether its tree differs from it; null outside git (e.g. an npm install). */
export async function gitState(root: string): Promise<{ commit: string; dirty: boolean } | null> {
  try {
    const { stdout } = await exec("git", ["-C", root, "rev-parse", "--show-toplevel", "HEAD"]);
    const [top, commit] = stdout.trim().split("\n");
    // A VoxLab install inside someone else's repository must not report that repository's commit.
    if (resolve(top) !== resolve(root)) return null;
    const status = await exec("git", ["-C", root, "status", "--porcelain"]);
    return { commit, dirty: status.stdout.trim() !== "" };
  } catch {
    return null;
  }
}

async function packageVersion(packageJson: string): Promise<string | null> {
  try {
    return (JSON.parse(await readFile(packageJson, "utf8")) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

async function onnxruntimeVersion(): Promise<string | null> {
  try {
    return await packageVersion(createRequire(import.meta.url).resolve("onnxruntime-node/package.json"));
  } catch {
    return null;
  }
}

async function datasetProvenance(root: string): Promise<DatasetProvenance> {
  const manifest = await scanDataset(root);
  return { root, manifestHash: manifestHash(manifest), utterances: manifest.length };
}

/** A run folder name not taken yet, finished or not (two runs of one config in the same second). */
function freeRunDir(experimentDir: string, id: string): string {
  for (let n = 1; ; n++) {
    const dir = join(experimentDir, n === 1 ? id : `${id}-${n}`);
    if (!existsSync(dir) && !existsSync(dir + PARTIAL_SUFFIX)) return dir;
  }
}

/**
 * Runs one experiment config: evaluates into `<results>/<name>/<run-id>.partial/`, adds the resolved
 * config and provenance, then renames the folder to `<run-id>/`, so only complete runs carry a run id.
 */
export async function runExperiment(configFile: string, options: RunExperimentOptions = {}): Promise<ExperimentRun> {
  const config = await loadExperimentConfig(configFile);
  const started = new Date();
  const experimentDir = join(options.resultsDir ?? "results", config.name);
  const runDir = freeRunDir(experimentDir, runId(config, started));
  const partialDir = runDir + PARTIAL_SUFFIX;
  // Read before the run folder exists: a bad calibration file fails at once and leaves nothing behind.
  const calibration = config.calibration === undefined ? undefined : { calibration: await readCalibration(config.calibration), source: config.calibration };
  await ensureDir(partialDir, "run folder");
  try {
    const trialsFile = "file" in config.trials ? config.trials.file : undefined;
    const evaluation = await runEvaluation({
      data: config.dataset,
      model: config.model,
      outDir: partialDir,
      trials: trialsFile,
      enrollMap: config.enrollMap ?? undefined,
      cohort: config.scoring.cohort ?? undefined,
      norm: config.scoring.norm,
      topK: config.scoring.topK,
      storeDir: options.storeDir,
      seed: config.seed,
      generate: "generate" in config.trials ? { ...config.trials.generate, maxTrials: config.trials.generate.maxTrials ?? undefined } : undefined,
      chunkSeconds: config.frontend.chunkSeconds ?? undefined,
      bootstrapIterations: config.outputs.bootstrapIterations,
      interactive: config.outputs.interactive,
      threads: options.threads,
      batchSize: options.batchSize,
      device: options.device,
      featureWorkers: options.featureWorkers,
      onWarning: options.onWarning,
      onProgress: options.onProgress,
      calibration,
    });
    options.onProgress?.("provenance", 0, 1);
    const usedTrials = trialsFile ?? evaluation.files.trials;
    if (usedTrials === undefined) throw new Error("runEvaluation generated trials but wrote no trials.txt");
    const [git, voxlabVersion, ortVersion, configSha, modelSha, trialsSha, dataset, cohort] = await Promise.all([
      gitState(VOXLAB_ROOT),
      packageVersion(join(VOXLAB_ROOT, "package.json")),
      onnxruntimeVersion(),
      hashFile(configFile),
      hashFile(config.model),
      hashFile(usedTrials),
      datasetProvenance(config.dataset),
      config.scoring.cohort ? datasetProvenance(config.scoring.cohort) : null,
    ]);
    const provenance: Provenance = {
      voxlab: { version: voxlabVersion, root: VOXLAB_ROOT, git },
      config: { file: resolve(configFile), sha256: configSha },
      model: { path: config.model, sha256: modelSha },
      dataset,
      cohort,
      trials: { file: trialsFile ?? join(runDir, basename(usedTrials)), sha256: trialsSha, generated: trialsFile === undefined, count: evaluation.trials.length },
      enrollMap: config.enrollMap ? { file: config.enrollMap, sha256: await hashFile(config.enrollMap) } : null,
      ...(config.calibration === undefined ? {} : { calibration: { file: config.calibration, sha256: await hashFile(config.calibration) } }),
      packages: { voxlab: voxlabVersion, "onnxruntime-node": ortVersion, node: process.version },
      compute: { device: evaluation.embeddings.device, batchSize: options.batchSize ?? 1, threads: options.threads ?? null },
      seed: config.seed,
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      host: { platform: platform(), arch: arch(), cpu: cpus()[0]?.model.trim() ?? "unknown", cores: availableParallelism(), memoryBytes: totalmem() },
    };
    await writeFileAtomic(join(partialDir, RESOLVED_CONFIG_FILE), resolvedConfigJson(config));
    await writeFileAtomic(join(partialDir, PROVENANCE_FILE), `${JSON.stringify(provenance, null, 2)}\n`);
    await rename(partialDir, runDir);
    options.onProgress?.("provenance", 1, 1);
    const calibrated = evaluation.calibrated?.metrics;
    return { runId: basename(runDir), runDir, config, provenance, metrics: evaluation.metrics, ...(calibrated ? { calibrated } : {}), embeddings: evaluation.embeddings };
  } catch (err) {
    // A failed run leaves nothing that looks like a run; a killed one leaves only `.partial`.
    await rm(partialDir, { recursive: true, force: true }).catch((cleanup: unknown) => {
      process.emitWarning(`could not remove ${partialDir}: ${errorMessage(cleanup)}`);
    });
    throw err;
  }
}
