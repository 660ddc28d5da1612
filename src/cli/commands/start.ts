import type { Command } from "commander";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { generateDemoDataset } from "../../datasets/demo/demo-dataset.ts";
import { defaultModelPath } from "../../models/default-model.ts";
import { createProgress } from "../progress.ts";
import { evaluateWithProgress } from "./eval.ts";

const DEMO_DATA = join("datasets", "demo");
const DEMO_RESULTS = join("results", "demo");

/**
 * `npm start`: the built-in default job, offline — synthesise the demo dataset (once), embed it with the
 * shipped compact ECAPA-TDNN, score its trials and write metrics, figures and report.html.
 */
export function registerStart(program: Command): void {
  program
    .command("start")
    .description(`run the built-in default job: demo dataset (${DEMO_DATA}) -> embeddings -> eval report (${DEMO_RESULTS})`)
    .action(async () => {
      const model = defaultModelPath();
      if (!existsSync(join(DEMO_DATA, "trials.txt"))) {
        process.stdout.write(`1/2 synthesising the demo dataset into ${DEMO_DATA} (once; later runs reuse it)\n`);
        const progress = createProgress();
        try {
          await generateDemoDataset({ outDir: DEMO_DATA, onProgress: (done, total) => progress.update("synthesising", done, total) });
        } finally {
          progress.stop();
        }
      } else {
        process.stdout.write(`1/2 demo dataset already in ${DEMO_DATA}\n`);
      }
      process.stdout.write(`2/2 evaluating ${model} on it\n`);
      const result = await evaluateWithProgress({ data: DEMO_DATA, model, outDir: DEMO_RESULTS, bootstrapIterations: 200 });
      process.stdout.write(`open ${result.files.report} in a browser for the DET curve, score distributions and threshold tuning\n`);
    });
}
