import type { Command } from "commander";
import { DEMO_DATA, DEMO_RESULTS, runDefaultJob } from "../../index.ts";
import { formatEvaluation } from "../format.ts";
import { withProgress } from "../progress.ts";

/**
 * `npm start`: the built-in default job, offline — synthesise the demo dataset (once), embed it with the
 * shipped compact ECAPA-TDNN, score its trials and write metrics, figures and report.html.
 */
export function registerStart(program: Command): void {
  program
    .command("start")
    .description(`run the built-in default job: demo dataset (${DEMO_DATA}) -> embeddings -> eval report (${DEMO_RESULTS})`)
    .action(async () => {
      const result = await withProgress((progress) =>
        runDefaultJob({
          // A step's line goes below the previous step's finished progress.
          onStep: (line) => {
            progress.stop();
            process.stdout.write(`${line}\n`);
          },
          onProgress: (stage, done, total) => progress.update(stage, done, total),
        }),
      );
      process.stdout.write(formatEvaluation(result));
      process.stdout.write(`open ${result.files.report} in a browser for the DET curve, score distributions and threshold tuning\n`);
    });
}
