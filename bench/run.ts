// `npm run bench`: runs each benchmark module, merges their metrics with the machine's description and writes
// results/bench/latest.json plus a timestamped copy. Add a benchmark by adding a module to BENCHMARKS.
// `npm run bench -- startup process` runs only the named ones and writes only the timestamped copy (named after
// them), so that latest.json always holds a whole run.
import { mkdirSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomic } from "../src/index.ts";
import { benchEmbed } from "./embed.ts";
import { benchEvalMemory } from "./eval-memory.ts";
import { benchFbank } from "./fbank.ts";
import { benchStartup } from "./startup.ts";
import { benchModelSpeed } from "./model-speed.ts";
import { benchProcess } from "./process.ts";
import type { BenchResult } from "./types.ts";


const BENCHMARKS: { name: string; run: () => Promise<BenchResult> }[] = [
  { name: "startup", run: benchStartup },
  { name: "fbank", run: benchFbank },
  { name: "embed", run: benchEmbed },
  { name: "model-speed", run: benchModelSpeed },
  { name: "process", run: benchProcess },
  { name: "eval-memory", run: benchEvalMemory },
];

function machineInfo(): Record<string, string | number> {
  return {
    cpu_model: cpus()[0]?.model ?? "unknown",
    cpu_cores: cpus().length,
    memory_gib: Math.round(totalmem() / 2 ** 30),
    node_version: process.version,
    platform: `${process.platform}-${process.arch}`,
    // Other processes' load when the run started: a busy machine slows every number here.
    load_average_1min: Math.round(loadavg()[0] * 100) / 100,
  };
}

async function main(names: string[]): Promise<void> {
  const unknown = names.filter((n) => !BENCHMARKS.some((b) => b.name === n));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown benchmark ${unknown.join(", ")}; known: ${BENCHMARKS.map((b) => b.name).join(", ")}\n`);
    process.exit(1);
  }
  const time = new Date().toISOString();
  const result: Record<string, unknown> = { time, machine: machineInfo() };
  for (const bench of BENCHMARKS.filter((b) => names.length === 0 || names.includes(b.name))) {
    const { metrics, summary } = await bench.run();
    Object.assign(result, metrics);
    process.stdout.write(`[${bench.name}]\n${summary.map((line) => `  ${line}`).join("\n")}\n`);
  }
  const dir = resolve(dirname(fileURLToPath(import.meta.url)), "..", "results", "bench");
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(result, null, 2)}\n`;
  // ':' is not allowed in Windows file names, so the copy's name uses '-' in the time of day.
  const copy = `${time.replace(/:/g, "-")}${names.length > 0 ? `-${names.join("-")}` : ""}.json`;
  await writeFileAtomic(join(dir, copy), json);
  if (names.length === 0) await writeFileAtomic(join(dir, "latest.json"), json);
  process.stdout.write(`wrote ${join("results", "bench", names.length === 0 ? "latest.json" : copy)}\n`);
}

await main(process.argv.slice(2));
