// `npm start`: the built-in default job, offline: the demo dataset (synthesised once), embedded with the shipped
// compact ECAPA-TDNN, its trials scored, metrics, figures and report.html written.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { generateDemoDataset } from "../datasets/demo/demo-dataset.ts";
import { defaultModelPath } from "../models/default-model.ts";
import { runEvaluation, type EvaluationResult } from "./evaluate.ts";

export const DEMO_DATA = join("datasets", "demo");
export const DEMO_RESULTS = join("results", "demo");

export interface DefaultJobOptions {
  /** Each step as it starts, as a line ("1/2 ...", "2/2 ..."). */
  onStep?: (line: string) => void;
  /** Long steps report here: a stage name, units done and the total. */
  onProgress?: (stage: string, done: number, total: number) => void;
}

export async function runDefaultJob({ onStep, onProgress }: DefaultJobOptions = {}): Promise<EvaluationResult> {
  const model = defaultModelPath();
  if (!existsSync(join(DEMO_DATA, "trials.txt"))) {
    onStep?.(`1/2 synthesising the demo dataset into ${DEMO_DATA} (once; later runs reuse it)`);
    await generateDemoDataset({ outDir: DEMO_DATA, onProgress: (done, total) => onProgress?.("synthesising", done, total) });
  } else {
    onStep?.(`1/2 demo dataset already in ${DEMO_DATA}`);
  }
  onStep?.(`2/2 evaluating ${model} on it`);
  return runEvaluation({ data: DEMO_DATA, model, outDir: DEMO_RESULTS, bootstrapIterations: 200, onProgress });
}
