// The `voxlab` command line: a thin layer over the library. Each verb lives in commands/<verb>.ts.
//
// Start-up is kept short by importing only the verb that runs: a verb's module imports the library (src/index.ts,
// whose heavy dependencies load on first use), and `voxlab --help` must not load even that. The table below is
// therefore the one place that knows every verb: its one-line summary for `voxlab --help` and how to load it.
import { Command, CommanderError } from "commander";

type Register = (program: Command) => void;

interface Verb {
  summary: string;
  load: () => Promise<Register>;
}

const verbs: Record<string, Verb> = {
  start: { summary: "run the built-in default job: demo dataset -> embeddings -> eval report", load: async () => (await import("./commands/start.ts")).registerStart },
  metrics: { summary: "verification metrics (EER, ROCCH-EER, minDCF, Cllr) of a score,label CSV", load: async () => (await import("./commands/metrics.ts")).registerMetrics },
  embed: { summary: "embed audio files with an ONNX speaker model (to .npy and/or an embedding store)", load: async () => (await import("./commands/embed.ts")).registerEmbed },
  eval: { summary: "evaluate a model on a VoxCeleb-style dataset: scores, metrics, figures, report.html", load: async () => (await import("./commands/eval.ts")).registerEval },
  run: { summary: "run an experiment config into results/<experiment>/<run-id>/ with its provenance", load: async () => (await import("./commands/run.ts")).registerRun },
  calibrate: { summary: "train a linear calibration (scores -> log-likelihood ratios) on dev trials; writes calib.json", load: async () => (await import("./commands/calibrate.ts")).registerCalibrate },
  compare: { summary: "compare finished runs: metrics side by side, overlaid DET curves, compare.html", load: async () => (await import("./commands/compare.ts")).registerCompare },
  features: { summary: "filterbank features [T,80] of one audio file as float32 .npy", load: async () => (await import("./commands/features.ts")).registerFeatures },
  model: {
    summary: "import, fetch and quantize speaker-embedding models",
    load: async () => {
      const [{ registerModel }, { registerModelFetch }, { registerModelQuantize }] = await Promise.all([
        import("./commands/model.ts"),
        import("./commands/model-fetch.ts"),
        import("./commands/model-quantize.ts"),
      ]);
      return (program) => {
        const group = registerModel(program);
        registerModelFetch(group);
        registerModelQuantize(group);
      };
    },
  },
  data: { summary: "datasets: make the built-in demo set", load: async () => (await import("./commands/data.ts")).registerData },
  store: { summary: "embedding stores: merge per-job stores into one", load: async () => (await import("./commands/store.ts")).registerStore },
  serve: { summary: "HTTP service: embeddings, enrollment (SQLite), verification, identification", load: async () => (await import("./commands/serve.ts")).registerServe },
};

/** The verb this call names (`voxlab [--debug] <verb> ...` or `voxlab help <verb>`), if it is one of ours. */
function requestedVerb(args: string[]): string | undefined {
  const words = args.filter((a) => !a.startsWith("-"));
  const word = words[0] === "help" ? words[1] : words[0];
  return word !== undefined && Object.hasOwn(verbs, word) ? word : undefined;
}

const program = new Command("voxlab")
  .description("Speaker verification toolkit: ECAPA-TDNN embeddings via ONNX Runtime, scoring and metrics")
  .option("--debug", "print stack traces on errors")
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text.trimEnd().split("\n")[0] + "\n") });

const debug = process.argv.includes("--debug");
try {
  const verb = requestedVerb(process.argv.slice(2));
  if (verb !== undefined) {
    (await verbs[verb].load())(program);
  } else {
    // No verb of ours: the overview (`voxlab --help`) or commander's "unknown command" with a suggestion.
    for (const [name, { summary }] of Object.entries(verbs)) program.command(name).description(summary);
  }
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander already printed its one-line message (or the help text).
    process.exit(err.exitCode);
  }
  // The library is loaded by then (every verb imports it); `voxlab --help` alone never gets here.
  const { errorMessage } = await import("../index.ts");
  process.stderr.write(`voxlab: ${debug && err instanceof Error ? err.stack : errorMessage(err)}\n`);
  process.exit(1);
}
