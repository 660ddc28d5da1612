import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { importSpeechbrainModel } from "../../src/index.ts";
import { call, cliArgs, startServer } from "../helpers/serve.ts";
import { dataset, fixture, needShared, repoRoot } from "../helpers/shared.ts";

const run = promisify(execFile);

/** A calib.json written by hand (not by VoxLab), so the expected answers follow from its numbers alone. */
const CALIB = {
  format: "voxlab-linear-calibration/1",
  scale: 12.5,
  offset: -4,
  prior: 0.5,
  training: { sha256: "0".repeat(64), n_target: 10, n_nontarget: 20 },
};

test("serve --calibration --target-prior: llr, posterior and Bayes decisions next to the cosine; bad combinations refused", { skip: needShared, timeout: 180_000 }, async () => {
  const work = await mkdtemp(join(tmpdir(), "voxlab-serve-calib-"));
  const model = join(work, "c128.onnx");
  const calib = join(work, "calib.json");
  const qmf = join(work, "qmf.json");
  await writeFile(calib, JSON.stringify(CALIB));
  await writeFile(qmf, JSON.stringify({ ...CALIB, qmf: { log_enroll_seconds: 0.1, log_test_seconds: 0.2 } }));
  await importSpeechbrainModel(fixture("speechbrain-ecapa", "c128-l96"), model, { license: "test-only" });
  const root = dataset("speech-commands", "wav");
  const speaker = (await readdir(root)).sort()[0];
  const word = (await readdir(join(root, speaker))).sort()[0];
  const clips = (await readdir(join(root, speaker, word))).sort().map((c) => join(speaker, word, c));
  const prior = 0.01;
  const server = await startServer(["--model", model, "--db", join(work, "s.db"), "--audio-root", root, "--threads", "1", "--calibration", calib, "--target-prior", String(prior)]);
  try {
    const api = (method: string, path: string, body?: unknown) => call(`${server.url}${path}`, method, body);
    // Bayes threshold on the llr: log((1 − P)/P) = log 99; on the cosine: (log 99 + 4) / 12.5.
    const cosineThreshold = (Math.log(99) + 4) / 12.5;
    const health = await api("GET", "/health");
    assert.ok(Math.abs((health.json.threshold as { value: number }).value - cosineThreshold) < 1e-12);
    assert.deepEqual(health.json.calibration, { source: calib, scale: 12.5, offset: -4, prior, decide_at_prior: true });
    assert.equal((await api("POST", "/speakers/a/enroll", { audio_path: clips[0] })).status, 200);
    for (const clip of [clips[0], clips[1] ?? clips[0]]) {
      const verify = await api("POST", "/speakers/a/verify", { audio_path: clip });
      const { score, llr, posterior, accepted } = verify.json as { score: number; llr: number; posterior: number; accepted: boolean };
      assert.ok(Math.abs(llr - (12.5 * score - 4)) < 1e-12, `llr ${llr} for cosine ${score}`);
      const odds = Math.exp(llr) * (prior / (1 - prior));
      assert.ok(Math.abs(posterior - odds / (1 + odds)) < 1e-12);
      assert.equal(verify.json.prior, prior);
      assert.equal(accepted, llr >= Math.log(99));
    }
    const identify = await api("POST", "/identify", { audio_path: clips[0] });
    const [match] = identify.json.matches as { score: number; llr: number; accepted: boolean }[];
    assert.ok(Math.abs(match.llr - (12.5 * match.score - 4)) < 1e-12);
    // The same cosine as the enrollment utterance itself: llr 8.5 ≥ log 99 ≈ 4.6, accepted.
    assert.equal(match.accepted, true);
  } finally {
    server.child.kill("SIGTERM");
    await server.exited;
  }
  const refusals: [string[], RegExp][] = [
    [["--target-prior", "0.01"], /--target-prior needs --calibration/],
    [["--calibration", calib, "--target-prior", "0.01", "--threshold", "0.3"], /drop --threshold/],
    [["--calibration", calib, "--target-prior", "2"], /--target-prior must be a probability strictly between 0 and 1/],
    [["--calibration", qmf], /duration quality measures are not supported by voxlab serve/],
    [["--calibration", join(work, "metrics.json")], /cannot read the calibration \(ENOENT\)/],
  ];
  try {
    for (const [args, message] of refusals) {
      const failed = await run(process.execPath, cliArgs(["serve", "--port", "0", "--model", model, "--db", join(work, "never.db"), ...args]), { cwd: repoRoot }).then(
        () => ({ code: 0, stderr: "" }),
        (err: { code: number; stderr: string }) => err,
      );
      assert.equal(failed.code, 1, args.join(" "));
      assert.match(failed.stderr, message);
      assert.equal(failed.stderr.trim().split("\n").length, 1, failed.stderr);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
