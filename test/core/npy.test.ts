import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { decodeNpy, encodeNpy } from "../../src/index.ts";
import { writeFileAtomic } from "../../src/core/fs.ts";
import { fixture, needShared } from "../helpers/shared.ts";

test("npy: reads a numpy-written float32 fixture with its shape", { skip: needShared }, () => {
  // silence-0.5s is 8000 samples -> 1 + 8000/160 = 51 SpeechBrain frames of 80 mels.
  const arr = decodeNpy(readFileSync(fixture("speechbrain-fbank", "silence-0.5s.fbank.npy")));
  assert.deepEqual(arr.shape, [51, 80]);
  assert.equal(arr.data.length, 51 * 80);
});

test("npy: header is what numpy writes and bytes round-trip", () => {
  const data = Float32Array.from([1.5, -2, 3.25, 0, 7, 8]);
  const bytes = encodeNpy({ shape: [2, 3], data });
  // numpy's own header for this array, padded so that the data starts at byte 128 (v1.0, 64-aligned).
  const headerLength = bytes.readUInt16LE(8);
  assert.equal(10 + headerLength, 128);
  assert.equal(bytes.subarray(10, 10 + headerLength).toString("latin1").trimEnd(), "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
  assert.equal(bytes[9 + headerLength], 0x0a);
  const back = decodeNpy(bytes);
  assert.deepEqual(back.shape, [2, 3]);
  assert.deepEqual(Array.from(back.data), Array.from(data));
});

test("npy: rejects truncated data and non-npy bytes with clear messages", () => {
  const bytes = encodeNpy({ shape: [4], data: new Float32Array(4) });
  assert.throws(() => decodeNpy(bytes.subarray(0, bytes.length - 1), "x.npy"), /x\.npy: \.npy data is truncated/);
  assert.throws(() => decodeNpy(Buffer.from("hello world"), "y.npy"), /y\.npy: not a \.npy file/);
});

test("writeFileAtomic: temporaries of killed writers of the same file are removed; live writers' and other files' are kept", async () => {
  const dir = mkdtempSync(join(tmpdir(), "voxlab-atomic-"));
  try {
    // A pid that has just exited stands for a writer killed with kill -9 before its rename.
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    assert.ok(dead);
    const names = [`metrics.json.${dead}.tmp`, `metrics.json.${process.ppid}.tmp`, `scores.csv.${dead}.tmp`, `metrics.json.x${dead}.tmp`];
    for (const name of names) writeFileSync(join(dir, name), "partial");
    await writeFileAtomic(join(dir, "metrics.json"), "{}\n");
    assert.deepEqual(readdirSync(dir).sort(), ["metrics.json", ...names.slice(1)].sort());
    assert.equal(readFileSync(join(dir, "metrics.json"), "utf8"), "{}\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
