import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { centroid, SpeakerProfiles, VoxlabError } from "../../src/index.ts";

const f32 = (...x: number[]): Float32Array => Float32Array.from(x);
const closeArray = (actual: ArrayLike<number>, expected: number[], what: string): void =>
  expected.forEach((e, i) => assert.ok(Math.abs(actual[i] - e) < 1e-6, `${what}[${i}]: ${actual[i]} vs ${e}`));

const a = f32(3, 4);
const b = f32(0, 2);

test("centroid methods on hand-computed 2-d cases", () => {
  // mean-normalized: ([0.6,0.8] + [0,1]) / 2 = [0.3, 0.9], renormalised: / √0.9.
  closeArray(centroid([a, b]), [0.3 / Math.sqrt(0.9), 0.9 / Math.sqrt(0.9)], "mean-normalized");
  closeArray(centroid([a, b], "raw-mean"), [1.5, 3], "raw-mean");
  // sherpa-onnx: sum [3, 6], normalised: [1, 2]/√5.
  closeArray(centroid([a, b], "sum-normalize"), [1 / Math.sqrt(5), 2 / Math.sqrt(5)], "sum-normalize");
  assert.throws(() => centroid([]), VoxlabError);
  assert.throws(() => centroid([a, f32(1, 2, 3)]), /embedding #1: dimension 3, expected 2/);
});

function randomEmbeddings(count: number, dim: number, seed: number): Float32Array[] {
  let s = seed;
  const next = (): number => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  return Array.from({ length: count }, () => Float32Array.from({ length: dim }, next));
}

for (const method of ["mean-normalized", "raw-mean", "sum-normalize"] as const) {
  test(`SpeakerProfiles (${method}): incremental enrollment equals a batch build`, () => {
    const utts = randomEmbeddings(7, 192, 11);
    const batch = SpeakerProfiles.build([["spk", utts]], { method });
    const incremental = new SpeakerProfiles({ method });
    for (const u of utts) incremental.enroll("spk", [u]);
    assert.equal(incremental.get("spk")!.count, 7);
    assert.deepEqual(incremental.centroid("spk"), batch.centroid("spk"));
    assert.deepEqual(batch.centroid("spk"), centroid(utts, method));
  });
}

test("verify and identify: cosine against centroids, threshold, top-k order", () => {
  const profiles = SpeakerProfiles.build(
    [
      ["x", [f32(1, 0)]],
      ["y", [f32(0, 5)]],
      ["z", [f32(3, 4)]],
    ],
    { threshold: 0.7 },
  );
  const query = f32(8, 6); // direction [0.8, 0.6]: x 0.8, y 0.6, z 0.96
  const v = profiles.verify("x", query);
  assert.ok(Math.abs(v.score - 0.8) < 1e-7);
  assert.equal(v.accepted, true);
  assert.equal(v.threshold, 0.7);
  assert.equal(profiles.verify("y", query).accepted, false);
  assert.equal(profiles.verify("y", query, 0.5).accepted, true);
  const top = profiles.identify(query, 2);
  assert.deepEqual(top.map((m) => m.speaker), ["z", "x"]);
  assert.ok(Math.abs(top[0].score - 0.96) < 1e-7);
  assert.equal(profiles.identify(query, 10).length, 3);
  assert.throws(() => profiles.verify("nobody", query), /no enrolled speaker "nobody"/);
  assert.throws(() => profiles.verify("x", f32(1, 2, 3)), /dimension 3, the profiles 2/);
  assert.throws(() => profiles.enroll("w", [f32(1, 2, 3)]), VoxlabError);
  assert.equal(profiles.has("w"), false, "a failed enrollment leaves no profile");
});

test("save/load: JSON round trip keeps counts, sums and centroids; corrupt files are refused", async () => {
  const dir = await mkdtemp(join(tmpdir(), "voxlab-profiles-"));
  try {
    const profiles = SpeakerProfiles.build([["s1", randomEmbeddings(3, 16, 5)], ["s2", randomEmbeddings(2, 16, 9)]], { method: "sum-normalize", threshold: 0.42 });
    const path = join(dir, "profiles.json");
    await profiles.save(path);
    const loaded = await SpeakerProfiles.load(path);
    assert.equal(loaded.method, "sum-normalize");
    assert.equal(loaded.threshold, 0.42);
    assert.deepEqual(loaded.speakers(), ["s1", "s2"]);
    assert.deepEqual(loaded.get("s1"), profiles.get("s1"));
    // Enrolling more after a reload continues the same running sum.
    const more = randomEmbeddings(1, 16, 77);
    loaded.enroll("s2", more);
    profiles.enroll("s2", more);
    assert.deepEqual(loaded.centroid("s2"), profiles.centroid("s2"));

    const json = JSON.parse(await readFile(path, "utf8"));
    json.profiles[0].centroid = json.profiles[1].centroid;
    await writeFile(path, JSON.stringify(json));
    await assert.rejects(SpeakerProfiles.load(path), /profile #0 \(s1\): the centroid does not match the sum/);
    json.profiles[0].sum = "AAAA";
    await writeFile(path, JSON.stringify(json));
    await assert.rejects(SpeakerProfiles.load(path), /s1\): sum holds 3 bytes, expected 128/);
    await writeFile(path, "{");
    await assert.rejects(SpeakerProfiles.load(path), /profiles.json: invalid JSON/);
    await assert.rejects(SpeakerProfiles.load(join(dir, "missing.json")), /missing.json: cannot read \(ENOENT\)/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
