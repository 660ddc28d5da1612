import type { Command } from "commander";
import { generateDemoDataset } from "../../datasets/demo/demo-dataset.ts";
import { VoxlabError } from "../../core/errors.ts";
import { createProgress } from "../progress.ts";

interface DemoFlags {
  out: string;
  seed: string;
  speakers: string;
  sessions: string;
  utterances: string;
}

function integerFlag(value: string, flag: string): number {
  if (!/^\d+$/.test(value.trim())) throw new VoxlabError(`${flag} must be a non-negative integer, got "${value}"`);
  return Number(value);
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
      const started = performance.now();
      const progress = createProgress();
      let summary;
      try {
        summary = await generateDemoDataset({
          outDir: flags.out,
          seed: integerFlag(flags.seed, "--seed"),
          speakers: integerFlag(flags.speakers, "--speakers"),
          sessionsPerSpeaker: integerFlag(flags.sessions, "--sessions"),
          utterancesPerSession: integerFlag(flags.utterances, "--utterances"),
          onProgress: (done, total) => progress.update("synthesising", done, total),
        });
      } finally {
        progress.stop();
      }
      const reused = summary.utterances - summary.written;
      process.stdout.write(
        `wrote ${summary.outDir}: ${summary.speakers} speakers, ${summary.sessions} sessions, ${summary.utterances} utterances ` +
          `(${(summary.totalSeconds / 60).toFixed(1)} min of audio${reused > 0 ? `, ${reused} already there` : ""}), ` +
          `${summary.trials} trials (${summary.targetTrials} target) in ${summary.trialsPath} ` +
          `(${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
      );
    });
  return group;
}
