// Calibrating from what a dev evaluation left behind: a scores CSV or a `voxlab eval`/`run` folder.
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { scanDataset } from "../datasets/manifest.ts";
import { errorMessage, printable, VoxlabError } from "../core/errors.ts";
import { readJson } from "../core/fs.ts";
import { computeMetrics, groupTrials } from "../metrics/index.ts";
import { readScoresCsv } from "../scoring/scores-csv.ts";
import { thresholdTable } from "../metrics/thresholds.ts";
import { writeCalibration } from "./file.ts";
import { trainCalibration, type Calibration, type TrialDurations } from "./linear.ts";

/** The scores CSV a path names: the file itself, or `<folder>/scores.csv` for a run folder. */
export async function scoresFileOf(path: string): Promise<string> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(path)).isDirectory();
  } catch (err) {
    throw new VoxlabError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`);
  }
  return isFolder ? join(path, "scores.csv") : path;
}

/** The dataset a run folder was evaluated on (its metrics.json `run.dataset`), if it says. */
async function runDataset(folder: string): Promise<string | undefined> {
  try {
    const json = (await readJson(join(folder, "metrics.json"))) as { run?: { dataset?: unknown } };
    return typeof json.run?.dataset === "string" ? json.run.dataset : undefined;
  } catch {
    return undefined;
  }
}

/** Seconds of each trial side, looked up in the dataset's manifest by utterance path. */
export async function trialDurations(ids: { enroll: readonly string[]; test: readonly string[] }, dataset: string): Promise<TrialDurations> {
  const seconds = new Map((await scanDataset(dataset)).map((e) => [e.path, e.duration]));
  const lookup = (id: string, side: string): number => {
    const d = seconds.get(id);
    if (d === undefined) throw new VoxlabError(`${side} utterance "${printable(id)}" is not in ${dataset} (duration quality measures need utterance paths, not enrollment-map ids)`);
    return d;
  };
  return { enroll: ids.enroll.map((id) => lookup(id, "enroll")), test: ids.test.map((id) => lookup(id, "test")) };
}

export interface CalibrateDevOptions {
  prior?: number;
  /** Train duration quality measures; durations come from `data` (default: the run folder's dataset). */
  qmf?: boolean;
  data?: string;
}

/**
 * Trains a calibration on a dev scores CSV or run folder, and records the raw thresholds its trials tune
 * for the report's operating points (EER, minDCF, FAR/FRR targets).
 */
export async function calibrateDevSet(input: string, { prior, qmf = false, data }: CalibrateDevOptions = {}): Promise<Calibration> {
  const file = await scoresFileOf(input);
  // The trials' names only where duration quality measures need them.
  const { scores, labels, trials } = await readScoresCsv(file, { trials: qmf });
  let durations: TrialDurations | undefined;
  if (qmf) {
    const dataset = data ?? (file === input ? undefined : await runDataset(input));
    if (dataset === undefined) throw new VoxlabError(`--qmf needs the dataset the trials come from (--data <root>; a run folder's metrics.json names it)`);
    if (trials === undefined) throw new VoxlabError(`${file}: duration quality measures need "enroll" and "test" columns (as voxlab eval writes)`);
    durations = await trialDurations(trials, dataset);
  }
  const calibration = trainCalibration(scores, labels, { prior, durations, source: input });
  const groups = groupTrials(scores, labels, file);
  const rows = thresholdTable(groups, computeMetrics(scores, labels, { source: file }));
  return { ...calibration, dev_thresholds: rows.map((r) => ({ name: r.name, threshold: Number.isFinite(r.threshold) ? r.threshold : null })) };
}

/** `voxlab calibrate`: `calibrateDevSet`, written to `out` as calib.json. */
export async function calibrateDevSetToFile(input: string, out: string, options: CalibrateDevOptions = {}): Promise<Calibration> {
  const calibration = await calibrateDevSet(input, options);
  await writeCalibration(out, calibration);
  return calibration;
}
