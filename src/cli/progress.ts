import cliProgress from "cli-progress";

/** Progress of long work on stderr: a bar on an interactive terminal, a plain line at each quarter otherwise. */
export interface ProgressReporter {
  /** `label` names the current unit of work (a file being downloaded, a step); a new label starts a new bar. */
  update(label: string, done: number, total?: number): void;
  stop(): void;
}

const MiB = 1024 * 1024;
export const formatBytes = (bytes: number): string =>
  bytes < MiB ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / MiB).toFixed(1)} MiB`;

/**
 * @param formatAmount how to print a count (bytes, utterances)
 * @param unknownStep without a total, a line is printed every `unknownStep` units
 */
export function createProgress(formatAmount: (n: number) => string = String, unknownStep = 25 * MiB): ProgressReporter {
  return process.stderr.isTTY ? barProgress(formatAmount) : lineProgress(formatAmount, unknownStep);
}

/** Runs `work` with a progress reporter, stopped when the work ends (or fails). */
export async function withProgress<T>(work: (progress: ProgressReporter) => Promise<T>, formatAmount?: (n: number) => string): Promise<T> {
  const progress = createProgress(formatAmount);
  try {
    return await work(progress);
  } finally {
    progress.stop();
  }
}

function barProgress(formatAmount: (n: number) => string): ProgressReporter {
  const bar = new cliProgress.SingleBar(
    { format: "{label} |{bar}| {percentage}% {done} of {size}", stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let current: string | undefined;
  return {
    update(label, done, total) {
      const size = total ?? done;
      const payload = { label, done: formatAmount(done), size: formatAmount(size) };
      if (label !== current) {
        if (current !== undefined) bar.stop();
        current = label;
        bar.start(size, done, payload);
      }
      bar.setTotal(size);
      bar.update(done, payload);
    },
    stop: () => bar.stop(),
  };
}

function lineProgress(formatAmount: (n: number) => string, unknownStep: number): ProgressReporter {
  let current: string | undefined;
  let lastStep = -1;
  return {
    update(label, done, total) {
      if (label !== current) {
        current = label;
        lastStep = -1;
      }
      const step = total ? Math.floor((4 * done) / total) : Math.floor(done / unknownStep);
      if (step === lastStep) return;
      lastStep = step;
      const amount = total ? `${formatAmount(done)} of ${formatAmount(total)}` : formatAmount(done);
      process.stderr.write(`${label}: ${amount}\n`);
    },
    stop: () => undefined,
  };
}
