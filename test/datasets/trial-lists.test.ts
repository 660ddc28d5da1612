import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  checkTrialsAgainstManifest,
  loadTrials,
  missingPathsError,
  parseEnrollMap,
  parseTrials,
  writeTrials,
  type DatasetManifest,
  type Trial,
} from "../../src/datasets/index.ts";
import { dataset, needShared } from "../helpers/shared.ts";

const VOX_LISTS = [
  // Totals and target counts as ../shared/datasets/voxceleb1-lists/SOURCE.txt states them.
  ["veri_test2.txt", 37611, 18802],
  ["veri_test.txt", 37720, 18860],
] as const;

for (const [file, total, stated] of VOX_LISTS) {
  test(`trials: VoxCeleb1-O ${file} parses to ${total} trials with the right target count`, { skip: needShared }, async () => {
    const path = dataset("voxceleb1-lists", file);
    const text = readFileSync(path, "utf8");
    const expectedTargets = text.split("\n").filter((l) => l.startsWith("1 ")).length;
    assert.equal(expectedTargets, stated);
    const list = await loadTrials(path);
    assert.equal(list.format, "voxceleb");
    assert.equal(list.trials.length, total);
    assert.equal(list.trials.filter((t) => t.label === 1).length, expectedTargets);
    assert.deepEqual(list.trials[1], { enroll: "id10270/x6uYqmx31kE/00001.wav", test: "id10300/ize_eiCFEg0/00003.wav", label: 0 });

    // The same list with CRLF line ends, trailing spaces, blank lines and no final newline.
    const crlf = text.trimEnd().split("\n").map((l, i) => (i % 100 === 0 ? `${l}  \t` : l)).join("\r\n\r\n");
    assert.ok(!crlf.endsWith("\n"));
    assert.deepEqual(parseTrials(crlf, file), list);
  });
}

test("trials: WeSpeaker/Kaldi format (target|nontarget in the third column)", () => {
  const text = "id10270/a/1.wav id10270/b/2.wav target\nid10270/a/1.wav\tid10300/c/3.wav nontarget\n";
  assert.deepEqual(parseTrials(text, "kaldi.trials"), {
    format: "kaldi",
    trials: [
      { enroll: "id10270/a/1.wav", test: "id10270/b/2.wav", label: 1 },
      { enroll: "id10270/a/1.wav", test: "id10300/c/3.wav", label: 0 },
    ],
  });
});

test("trials: CN-Celeb format with an enroll.map for multi-utterance enrollment", () => {
  const trials = parseTrials("id00800-enroll id00800/singing-01-001.wav 1\r\nid00800-enroll id00801/speech-02-003.wav 0", "trials.lst");
  assert.equal(trials.format, "cnceleb");
  assert.deepEqual(trials.trials, [
    { enroll: "id00800-enroll", test: "id00800/singing-01-001.wav", label: 1 },
    { enroll: "id00800-enroll", test: "id00801/speech-02-003.wav", label: 0 },
  ]);
  const map = parseEnrollMap("id00800-enroll id00800/enroll-1.wav id00800/enroll-2.wav\nid00801-enroll id00801/enroll-1.wav\n");
  assert.deepEqual([...map], [
    ["id00800-enroll", ["id00800/enroll-1.wav", "id00800/enroll-2.wav"]],
    ["id00801-enroll", ["id00801/enroll-1.wav"]],
  ]);
  assert.throws(() => parseEnrollMap("a x.wav\nb\n", "e.map"), /e\.map: line 2: enrollment b lists no utterances/);
  assert.throws(() => parseEnrollMap("a x.wav\na y.wav\n", "e.map"), /e\.map: line 2: enrollment a is listed twice/);
});

test("trials: a forced format, and malformed lines named by file and line number", () => {
  // "1 a b" reads as VoxCeleb unless CN-Celeb is forced, where its third column is not a label.
  assert.throws(() => parseTrials("x y 1\n1 a b\n", "t.txt", "cnceleb"), /t\.txt: line 2: expected "<enroll-id> <test> <0\|1>" \(cnceleb format\), found "1 a b"/);
  assert.deepEqual(parseTrials("x y 1\n", "t.txt", "cnceleb").trials, [{ enroll: "x", test: "y", label: 1 }]);
  assert.throws(() => parseTrials("1 a b\n\n0 a\n", "t.txt"), /t\.txt: line 3: expected "<0\|1> <enroll> <test>" \(voxceleb format\), found "0 a"/);
  assert.throws(() => parseTrials("1 a b\n2 a b\n", "t.txt"), /t\.txt: line 2: expected "<0\|1> <enroll>/);
  assert.throws(() => parseTrials("1 a b\n1 a b c\n", "t.txt"), /t\.txt: line 2:/);
  assert.throws(() => parseTrials("a b target\na b maybe\n", "t.txt"), /t\.txt: line 2: expected "<enroll> <test> <target\|nontarget>" \(kaldi format\)/);
  assert.throws(() => parseTrials("\n\nhello world\n", "t.txt"), /t\.txt: line 3: not a trial line in any known format/);
  assert.throws(() => parseTrials(" \r\n\n", "t.txt"), /t\.txt: trial list is empty/);
});

test("trials: writeTrials writes the VoxCeleb format, which reads back the same", async () => {
  const trials: Trial[] = [
    { enroll: "s1/a/1.wav", test: "s1/b/2.wav", label: 1 },
    { enroll: "s1/a/1.wav", test: "s2/a/3.flac", label: 0 },
  ];
  const file = join(mkdtempSync(join(tmpdir(), "voxlab-trials-")), "trials.txt");
  await writeTrials(file, trials);
  assert.equal(readFileSync(file, "utf8"), "1 s1/a/1.wav s1/b/2.wav\n0 s1/a/1.wav s2/a/3.flac\n");
  assert.deepEqual(await loadTrials(file), { format: "voxceleb", trials });
  await assert.rejects(writeTrials(file, [{ enroll: "has space.wav", test: "b.wav", label: 1 }]), /whitespace/);
  writeFileSync(file, "");
  await assert.rejects(loadTrials(file), /trials\.txt: trial list is empty/);
  await assert.rejects(loadTrials(`${file}.missing`), /cannot read \(ENOENT\)/);
});

test("trials: checkTrialsAgainstManifest lists each missing path once, expanding enrollment ids", () => {
  const entry = (path: string) => ({ path, speaker: path.split("/")[0], session: path.split("/")[1], duration: 1 });
  const manifest: DatasetManifest = ["s1/a/1.wav", "s1/b/2.wav", "s2/a/3.wav"].map(entry);
  const trials: Trial[] = [
    { enroll: "s1/a/1.wav", test: "s1/b/2.wav", label: 1 },
    { enroll: "s1/a/9.wav", test: "s2/a/3.wav", label: 0 },
    { enroll: "s1/a/9.wav", test: "s3/x/4.wav", label: 0 },
    { enroll: "spk1-enroll", test: "s2/a/3.wav", label: 0 },
  ];
  assert.deepEqual(checkTrialsAgainstManifest(trials.slice(0, 1), manifest), []);
  assert.deepEqual(checkTrialsAgainstManifest(trials, manifest), ["s1/a/9.wav", "s3/x/4.wav", "spk1-enroll"]);
  const enrollMap = new Map([["spk1-enroll", ["s1/a/1.wav", "s1/z/5.wav"]]]);
  const missing = checkTrialsAgainstManifest(trials, manifest, enrollMap);
  assert.deepEqual(missing, ["s1/a/9.wav", "s3/x/4.wav", "s1/z/5.wav"]);
  assert.equal(
    missingPathsError(missing, "trials.txt", "/data/vox").message,
    "trials.txt: 3 utterances are not in the dataset /data/vox: s1/a/9.wav, s3/x/4.wav, s1/z/5.wav",
  );
  assert.match(missingPathsError([...missing, "x"], "t", "d").message, /4 utterances .*: s1\/a\/9\.wav, s3\/x\/4\.wav, s1\/z\/5\.wav, \.\.\.$/);
});
