import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { decodeNpy } from "../../src/core/npy.ts";
import { fixture, needShared, repoRoot } from "../helpers/shared.ts";

const workDir = mkdtempSync(join(tmpdir(), "voxlab-features-"));
after(() => rmSync(workDir, { recursive: true, force: true }));

function voxlab(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ["--import", "tsx", join(repoRoot, "src", "cli", "main.ts"), ...args], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test("voxlab features: writes [T,80] float32 .npy equal to the kaldi reference (--no-cmn)", { skip: needShared }, () => {
  const out = join(workDir, "sc.npy");
  const run = voxlab("features", fixture("audio", "sc-1s.wav"), "--frontend", "kaldi-wespeaker", "--no-cmn", "--out", out);
  assert.equal(run.status, 0, run.stderr);
  const got = decodeNpy(readFileSync(out));
  const expected = decodeNpy(readFileSync(fixture("kaldi-fbank", "sc-1s.wespeaker.npy")));
  assert.deepEqual(got.shape, expected.shape);
  let worst = 0;
  for (let i = 0; i < got.data.length; i++) worst = Math.max(worst, Math.abs(got.data[i] - expected.data[i]));
  assert.ok(worst <= 2e-3, `max abs error ${worst}`);
});

test("voxlab features: one-line errors for an unknown frontend and for audio shorter than a frame", { skip: needShared }, () => {
  const out = join(workDir, "x.npy");
  const unknown = voxlab("features", fixture("audio", "sc-1s.wav"), "--frontend", "mfcc", "--out", out);
  assert.equal(unknown.status, 1);
  assert.equal(unknown.stderr, 'voxlab: --frontend: unknown frontend "mfcc" (expected one of speechbrain, kaldi-wespeaker, kaldi-3dspeaker)\n');
  // A 200-sample WAV: long enough for SpeechBrain's centred frames, shorter than one Kaldi frame.
  const tiny = join(workDir, "tiny.wav");
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "latin1");
  header.writeUInt32LE(36 + 400, 4);
  header.write("WAVEfmt ", 8, "latin1");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(16000, 24);
  header.writeUInt32LE(32000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36, "latin1");
  header.writeUInt32LE(400, 40);
  writeFileSync(tiny, Buffer.concat([header, Buffer.alloc(400)]));
  const short = voxlab("features", tiny, "--frontend", "kaldi-3dspeaker", "--out", out);
  assert.equal(short.status, 1);
  assert.match(short.stderr, /^voxlab: .*tiny\.wav: audio shorter than one 25 ms frame \(200 samples < 400 at 16 kHz\)\n$/);
  const sb = voxlab("features", tiny, "--out", out);
  assert.equal(sb.status, 0, sb.stderr);
  assert.deepEqual(decodeNpy(readFileSync(out)).shape, [2, 80]);
});
