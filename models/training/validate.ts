// Validation of a trained model on the held-out speakers of both training corpora (see split.ts).
//
//   npx tsx models/training/validate.ts [--model models/voxlab-ecapa-c256.onnx] [--datasets ../shared/datasets]
import { parseArgs } from "node:util";
import { heldOutEer, heldOutSet, type HeldOutResult } from "./heldout.ts";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: "models/voxlab-ecapa-c256.onnx" },
    datasets: { type: "string", default: "../shared/datasets" },
    seed: { type: "string", default: "6" },
  },
});
const trialOptions = { seed: Number(values.seed), targetsPerUtterance: 10, nontargetRatio: 1 };

const report = (name: string, r: HeldOutResult) => {
  console.log(`${name}: EER ${(100 * r.eer).toFixed(2)} % over ${r.targets} target + ${r.nontargets} non-target trials (${r.speakers} speakers)`);
  for (const message of r.skipped) console.warn(`  skipped ${message}`);
};

const clips = await heldOutSet(values.datasets, "speech-commands");
report("speech-commands held-out, 1 s clips, different words", await heldOutEer(values.model, clips, trialOptions));
const crops = await heldOutSet(values.datasets, "librispeech-cohort", 2);
report("librispeech-cohort held-out, 2 s crops of one utterance", await heldOutEer(values.model, crops, trialOptions));
