// Hostile files against the CLI (issue #14): a FLAC bomb, device files and FIFOs given to `voxlab embed`, and a
// dataset tree holding them (plus empty, garbage and unlistable names) given to `voxlab eval` with and without
// --skip-bad. Each run is a real process whose answer time and peak RSS (VmHWM, sampled) are asserted.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { importSpeechbrainModel } from "../../src/index.ts";
import { flacBomb, peakRssMiB } from "../helpers/hostile.ts";
import { cliArgs } from "../helpers/serve.ts";
import { fixture, hasShared, needShared, repoRoot } from "../helpers/shared.ts";
import { linkSpeechCommandsTree } from "../helpers/trees.ts";

const exec = promisify(execFile);
/** A CLI run on a loaded 2-core machine: start-up (tsx, ONNX Runtime, the model) takes most of it. */
const RUN_MS = 60_000;

let work = "";
let model = "";
let canMknod = false;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** The process's peak RSS in MiB, sampled from /proc every 20 ms. */
  peakMiB: number;
}

/** Runs `voxlab <args>`, sampling its VmHWM until it exits; killed (code null) after RUN_MS. */
function voxlab(args: string[]): Promise<CliRun> {
  const start = performance.now();
  const child = spawn(process.execPath, cliArgs(args), { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  let peakMiB = 0;
  let running = true;
  void (async () => {
    while (running) {
      peakMiB = Math.max(peakMiB, peakRssMiB(child.pid as number) ?? 0);
      await sleep(20);
    }
  })();
  const killer = setTimeout(() => child.kill("SIGKILL"), RUN_MS);
  return new Promise((resolve) => {
    child.on("close", (code) => {
      running = false;
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ms: performance.now() - start, peakMiB });
    });
  });
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), "voxlab-cli-hostile-"));
  if (!hasShared) return;
  model = join(work, "c128.onnx");
  await importSpeechbrainModel(fixture("speechbrain-ecapa", "c128-l96"), model, { license: "test-only" });
  await writeFile(join(work, "bomb.flac"), flacBomb(2000)); // 2.3 hours declared in 28 KB: over the CLI's one-hour default
  await exec("mkfifo", [join(work, "fifo.wav")]);
  canMknod = await exec("mknod", [join(work, "zero.wav"), "c", "1", "5"]).then(() => true, () => false);
});
after(() => rm(work, { recursive: true, force: true }));

test("voxlab embed: a FLAC bomb, /dev/zero and a FIFO each end the run with one line naming the file, quickly and in bounded memory", { skip: needShared }, async () => {
  const devices: Array<[string, RegExp]> = [
    [join(work, "bomb.flac"), /^more than 3600\.\d+ s of audio is over the 3600 s limit$/],
    ["/dev/zero", /^is a character device, not a regular file$/],
    [join(work, "fifo.wav"), /^is a FIFO \(named pipe\), not a regular file$/],
  ];
  const runs = await Promise.all(devices.map(([file]) => voxlab(["embed", "--model", model, "--threads", "1", "--out", join(work, "bad.npy"), file])));
  runs.forEach((r, i) => {
    const [file, reason] = devices[i];
    assert.equal(r.code, 1, `${file}: ${r.stderr}`);
    assert.ok(r.stderr.startsWith(`voxlab: ${file}: `) && r.stderr.endsWith("\n") && r.stderr.trim().split("\n").length === 1, r.stderr);
    assert.match(r.stderr.trim().slice(`voxlab: ${file}: `.length), reason);
    assert.ok(r.ms < RUN_MS);
    // The bomb once passed 8.9 GB and /dev/zero grew without end; embedding a 1 s clip peaks near 250 MiB.
    assert.ok(r.peakMiB < 512, `${file}: peak RSS ${r.peakMiB.toFixed(0)} MiB`);
  });
});

test("voxlab eval: bad files anywhere in the tree stop the run before any embedding; --skip-bad skips each (bomb, device, FIFO, empty, garbage, newline name) and writes every output", { skip: needShared, timeout: 3 * RUN_MS }, async (t) => {
  const tree = join(work, "tree");
  await linkSpeechCommandsTree(tree, 4, 2);
  const session = join(tree, "wav", "zz-bad", "s1");
  await mkdir(session, { recursive: true });
  await writeFile(join(session, "bomb.flac"), flacBomb(2000));
  // Its header states its length (2.3 hours): the scan lists it, the decoder's budget refuses it.
  await writeFile(join(session, "bomb-declared.flac"), flacBomb(2000, 65_535, 2000 * 65_535));
  await writeFile(join(session, "empty.flac"), "");
  await writeFile(join(session, "garbage.flac"), "fLaC but then nothing that a decoder could use");
  await writeFile(join(session, "new\nline.flac"), await readFile(fixture("audio", "sc-1s.wav")));
  await exec("mkfifo", [join(session, "fifo.flac")]);
  const expectedBad = ["bomb.flac", "bomb-declared.flac", "empty.flac", "garbage.flac", "new\\x0aline.flac", "fifo.flac"];
  if (canMknod) {
    await exec("mknod", [join(session, "zero.flac"), "c", "1", "5"]);
    expectedBad.push("zero.flac");
  } else t.diagnostic("mknod is not permitted here: no device file in the tree");
  const args = ["eval", "--data", tree, "--model", model, "--threads", "1", "--store", join(work, "store"), "--bootstrap", "20", "--no-interactive"];

  const stopped = await voxlab([...args, "--out", join(work, "stopped")]);
  assert.equal(stopped.code, 1, stopped.stderr);
  const last = stopped.stderr.trimEnd().split("\n").at(-1) ?? "";
  assert.match(last, /^voxlab: .*zz-bad\/s1\/.*\(or pass --skip-bad\)$/);
  assert.doesNotMatch(stopped.stdout, /computed/, "stopped before any embedding");

  const skipped = await voxlab([...args, "--out", join(work, "skipped"), "--skip-bad"]);
  assert.equal(skipped.code, 0, skipped.stderr);
  const listed = /skipped (\d+) unreadable files \((\d+) trials dropped\):\n((?: {2}.*\n)+)/.exec(skipped.stdout);
  assert.ok(listed, skipped.stdout);
  assert.equal(Number(listed[1]), expectedBad.length, listed[3]);
  for (const name of expectedBad) assert.ok(listed[3].includes(`zz-bad/s1/${name}`), `${name} not listed:\n${listed[3]}`);
  assert.match(listed[3], /bomb-declared\.flac: 8191\.88 s of audio is over the 3600 s limit/);
  for (const f of ["metrics.json", "scores.csv", "report.html", "trials.txt"]) assert.ok((await readFile(join(work, "skipped", f))).length > 0, f);
  const scores = await readFile(join(work, "skipped", "scores.csv"), "utf8");
  assert.ok(!scores.includes("zz-bad"), "no trial uses a skipped file");
  assert.ok(skipped.peakMiB < 1024, `eval peak RSS ${skipped.peakMiB.toFixed(0)} MiB`);
  t.diagnostic(`eval --skip-bad: ${(skipped.ms / 1000).toFixed(1)} s, peak RSS ${skipped.peakMiB.toFixed(0)} MiB; stopped run: ${(stopped.ms / 1000).toFixed(1)} s, ${stopped.peakMiB.toFixed(0)} MiB`);
});
