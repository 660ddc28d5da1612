import type { Command } from "commander";
import { generateDemoDataset } from "../../index.ts";
import { parseNonNegativeInteger } from "../flags.ts";
import { formatDemoDataset } from "../format.ts";
import { withProgress } from "../progress.ts";

interface DemoFlags {
  out: string;
  seed: string;
  speakers: string;
  sessions: string;
  utterances: string;
}

/** The `voxlab data` command group, with `demo`: a synthetic VoxCeleb-style dataset made offline. */
export function registerData(program: Command): Command {
  const group = program.command("data").description("datasets: make the built-in demo set");
  group
    .command("demo")
    .description("synthesise a VoxCeleb-style demo dataset offline with eSpeak NG (distinct synthetic voices, sessions with noise or reverberation, trials.txt)")
    .option("--out <dir>", "dataset folder to write", "datasets/demo")
    .option("--seed <n>", "seed: the same settings give byte-identical files", "1")
    .option("--speakers <n>", "number of speakers", "16")
    .option("--sessions <n>", "sessions per speaker", "3")
    .option("--utterances <n>", "utterances per session", "4")
    .action(async (flags: DemoFlags) => {
      const options = {
        outDir: flags.out,
        seed: parseNonNegativeInteger(flags.seed, "--seed"),
        speakers: parseNonNegativeInteger(flags.speakers, "--speakers"),
        sessionsPerSpeaker: parseNonNegativeInteger(flags.sessions, "--sessions"),
        utterancesPerSession: parseNonNegativeInteger(flags.utterances, "--utterances"),
      };
      const started = performance.now();
      const summary = await withProgress((progress) => generateDemoDataset({ ...options, onProgress: (done, total) => progress.update("synthesising", done, total) }));
      process.stdout.write(formatDemoDataset(summary, (performance.now() - started) / 1000));
    });
  return group;
}
