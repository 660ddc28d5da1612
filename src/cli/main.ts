// The `voxlab` command line: a thin layer over the library. Each verb lives in commands/<verb>.ts.
import { Command, CommanderError } from "commander";
import { errorMessage } from "../errors.ts";
import { registerData } from "./commands/data.ts";
import { registerEmbed } from "./commands/embed.ts";
import { registerEval } from "./commands/eval.ts";
import { registerRun } from "./commands/run.ts";
import { registerCompare } from "./commands/compare.ts";
import { registerFeatures } from "./commands/features.ts";
import { registerStart } from "./commands/start.ts";
import { registerStore } from "./commands/store.ts";
import { registerServe } from "./commands/serve.ts";
import { registerMetrics } from "./commands/metrics.ts";
import { registerModel } from "./commands/model.ts";
import { registerModelFetch } from "./commands/model-fetch.ts";
import { registerModelQuantize } from "./commands/model-quantize.ts";

const program = new Command("voxlab")
  .description("Speaker verification toolkit: ECAPA-TDNN embeddings via ONNX Runtime, scoring and metrics")
  .option("--debug", "print stack traces on errors")
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text.trimEnd().split("\n")[0] + "\n") });

registerStart(program);
registerMetrics(program);
registerEmbed(program);
registerEval(program);
registerRun(program);
registerCompare(program);
registerFeatures(program);
const modelGroup = registerModel(program);
registerModelFetch(modelGroup);
registerModelQuantize(modelGroup);
registerData(program);
registerStore(program);
registerServe(program);

const debug = process.argv.includes("--debug");
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander already printed its one-line message (or the help text).
    process.exit(err.exitCode);
  }
  process.stderr.write(`voxlab: ${debug && err instanceof Error ? err.stack : errorMessage(err)}\n`);
  process.exit(1);
}
