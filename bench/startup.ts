// Start-up as a user waits for it: whole `voxlab` processes timed from outside, against `node -e 0` measured
// in the same rounds (rotating order, so load on a shared machine falls on every contender alike).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchResult } from "./types.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SHARED_3S = join(ROOT, "..", "shared", "fixtures", "audio", "libri-3s.wav");
const ROUNDS = 7;
/** The targets, in seconds (medians). */
const TARGETS = { help: 0.4, metrics: 0.4, embed: 1.0 };

/** A 10-row score,label CSV (hand-made: 5 targets, 5 non-targets). */
const TEN_ROWS = "score,label\n0.9,1\n0.8,1\n0.7,1\n0.35,1\n0.6,1\n0.4,0\n0.1,0\n0.2,0\n0.55,0\n0.05,0\n";

function seconds(command: string[]): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(command[0], command.slice(1), { cwd: ROOT, encoding: "utf8" });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`${command.join(" ")} exited ${run.status}: ${run.stderr.trim()}`);
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function benchStartup(): Promise<BenchResult> {
  // What `npm install` would have built from the current sources.
  seconds(["npm", "run", "--silent", "build"]);
  const work = mkdtempSync(join(tmpdir(), "voxlab-bench-startup-"));
  try {
    const csv = join(work, "scores.csv");
    writeFileSync(csv, TEN_ROWS);
    const cli = [process.execPath, join(ROOT, "bin", "voxlab.js")];
    const contenders: Record<string, string[]> = {
      node: [process.execPath, "-e", "0"],
      help: [...cli, "--help"],
      metrics: [...cli, "metrics", csv],
      embed: [...cli, "embed", "--out", join(work, "e.npy"), SHARED_3S],
    };
    const skipped: string[] = [];
    if (!existsSync(SHARED_3S)) {
      delete contenders.embed;
      skipped.push(`embed skipped: ${SHARED_3S} not found`);
    }
    const names = Object.keys(contenders);
    const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(i + round) % names.length];
        times[name].push(seconds(contenders[name]));
      }
    }
    const metrics: Record<string, number> = {};
    const summary: string[] = [`whole processes, median of ${ROUNDS} rounds; node -e 0: ${median(times.node).toFixed(3)} s`, ...skipped];
    for (const name of names) {
      const m = median(times[name]);
      metrics[`startup_${name}_s`] = Math.round(m * 1000) / 1000;
      if (name === "node") continue;
      const ratio = m / median(times.node);
      metrics[`startup_${name}_vs_node`] = Math.round(ratio * 100) / 100;
      const target = TARGETS[name as keyof typeof TARGETS];
      summary.push(`voxlab ${name}: ${m.toFixed(3)} s (${ratio.toFixed(2)}x node -e 0; target <= ${target} s: ${m <= target ? "met" : "MISSED"})`);
    }
    return { metrics, summary };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
