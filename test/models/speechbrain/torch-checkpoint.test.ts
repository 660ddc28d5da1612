import assert from "node:assert/strict";
import { test } from "node:test";
import { zipSync } from "fflate";
import { VoxlabError } from "../../../src/core/errors.ts";
import { decodeTorchCheckpoint, readTorchCheckpoint } from "../../../src/models/speechbrain/torch-checkpoint.ts";
import { fixture, needShared } from "../../helpers/shared.ts";
import { stateDictPickle, tensorEntry, torchZip } from "../../helpers/torch.ts";

test("checkpoint: offsets, strides (a transposed view), shared storages and int64", () => {
  const pickle = stateDictPickle([
    tensorEntry("t", "FloatStorage", "0", 7, 1, [2, 3], [1, 2]), // element [i][j] = storage[1 + i + 2j]
    tensorEntry("row", "FloatStorage", "0", 7, 4, [3], [1]),
    tensorEntry("count", "LongStorage", "1", 1, 0, [], []),
  ]);
  const bytes = torchZip("any_name", pickle, { 0: Float32Array.from([0, 1, 2, 3, 4, 5, 6]), 1: BigInt64Array.from([1000n]) });
  const sd = decodeTorchCheckpoint(bytes, "mem.ckpt");
  assert.deepEqual([...sd.keys()], ["t", "row", "count"]);
  assert.deepEqual(sd.get("t")!.shape, [2, 3]);
  assert.deepEqual([...sd.get("t")!.data], [1, 3, 5, 2, 4, 6]);
  assert.deepEqual([...sd.get("row")!.data], [4, 5, 6]);
  assert.equal(sd.get("count")!.dtype, "int64");
  assert.deepEqual([...sd.get("count")!.data], [1000n]);
});

test("checkpoint: foreign and corrupt files are one-line VoxlabErrors", () => {
  const oneLine = (re: RegExp) => (err: unknown) => err instanceof VoxlabError && re.test(err.message) && !err.message.includes("\n");
  assert.throws(() => decodeTorchCheckpoint(new TextEncoder().encode("hello, not a zip"), "x.ckpt"), oneLine(/^x\.ckpt: not a PyTorch zip checkpoint/));
  assert.throws(() => decodeTorchCheckpoint(zipSync({ "a/readme.txt": new Uint8Array(3) }), "x.ckpt"), oneLine(/no <folder>\/data\.pkl/));
  assert.throws(() => decodeTorchCheckpoint(Uint8Array.from([0x80, 2, 0x8a, 0x0a]), "old.ckpt"), oneLine(/legacy/));
  const complex = stateDictPickle([tensorEntry("c", "ComplexFloatStorage", "0", 1, 0, [1], [1])]);
  assert.throws(() => decodeTorchCheckpoint(torchZip("m", complex, { 0: new Float32Array(2) }), "x.ckpt"), oneLine(/torch\.ComplexFloatStorage is not supported/));
  const pickle = stateDictPickle([tensorEntry("w", "FloatStorage", "0", 4, 0, [4], [1])]);
  assert.throws(() => decodeTorchCheckpoint(torchZip("m", pickle, {}), "x.ckpt"), oneLine(/storage data\/0 of w is missing/));
  assert.throws(() => decodeTorchCheckpoint(torchZip("m", pickle, { 0: new Float32Array(3) }), "x.ckpt"), oneLine(/has 12 bytes/));
  const outside = stateDictPickle([tensorEntry("w", "FloatStorage", "0", 4, 2, [4], [1])]);
  assert.throws(() => decodeTorchCheckpoint(torchZip("m", outside, { 0: new Float32Array(4) }), "x.ckpt"), oneLine(/w: view lies outside its storage/));
});

test("checkpoint: the SpeechBrain fixture has ECAPA's 231 tensors with the documented layout", { skip: needShared }, async () => {
  const sd = await readTorchCheckpoint(fixture("speechbrain-ecapa", "c256", "embedding_model.ckpt"));
  assert.equal(sd.size, 231); // ANCHORS §1.6: 231 tensors including num_batches_tracked
  assert.deepEqual(sd.get("blocks.0.conv.conv.weight")!.shape, [256, 80, 5]);
  assert.deepEqual(sd.get("blocks.2.res2net_block.blocks.6.conv.conv.weight")!.shape, [32, 32, 3]);
  assert.deepEqual(sd.get("asp.tdnn.conv.conv.weight")!.shape, [64, 768 * 3, 1]);
  assert.deepEqual(sd.get("asp_bn.norm.running_var")!.shape, [768 * 2]);
  assert.deepEqual(sd.get("fc.conv.weight")!.shape, [192, 768 * 2, 1]);
  assert.equal(sd.get("mfa.norm.norm.num_batches_tracked")!.dtype, "int64");
  const variance = sd.get("blocks.0.norm.norm.running_var")!.data as Float32Array;
  assert.ok(variance.every((v) => v > 0 && Number.isFinite(v)));
});
