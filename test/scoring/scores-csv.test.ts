import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { formatScoresCsv, parseScoresCsv, readScoresCsv, VoxlabError, writeScoresCsv, type Trial } from "../../src/index.ts";

test("scores csv: score,label in any column order, extra columns, CRLF, blank lines, BOM", () => {
  const text = "\uFEFFenroll,test,label,score\r\nspk1/a.wav,spk1/b.wav,1,0.75\r\n\r\nspk1/a.wav,spk2/c.wav,0,-0.125\r\n";
  const table = parseScoresCsv(text, "s.csv");
  assert.deepEqual(Array.from(table.scores), [0.75, -0.125]);
  assert.deepEqual(Array.from(table.labels), [1, 0]);
  assert.deepEqual(table.trials, { enroll: ["spk1/a.wav", "spk1/a.wav"], test: ["spk1/b.wav", "spk2/c.wav"] });
  assert.equal(parseScoresCsv(text, "s.csv", { trials: false }).trials, undefined, "trials: false drops the names");
});

test("scores csv: scientific notation and surrounding spaces are read as numbers", () => {
  const table = parseScoresCsv("score,label\n 1e-3 , 1\n-2.5E+2,0\n", "s.csv");
  assert.deepEqual(Array.from(table.scores), [0.001, -250]);
  assert.equal(table.trials, undefined, "no enroll/test columns: no trial names");
});

test("scores csv: bad files give one-line errors naming the file and line", () => {
  const cases: [string, RegExp][] = [
    ["", /s\.csv: line 1 must be a header with "score" and "label" columns/],
    ["enroll,test,score\na,b,0.5\n", /s\.csv: line 1 must be a header/],
    ["score,label\n0.5,1\n0.25,2\n", /s\.csv: line 3: label "2" must be 0 \(non-target\) or 1 \(target\)/],
    ["score,label\n0.5,1\n\nNaN,0\n", /s\.csv: line 4: score "NaN" is not a finite number/],
    ["score,label\n0.5,1\n,0\n", /s\.csv: line 3: score "" is not a finite number/],
    ["score,label\n0.5,1\n0.5\n", /s\.csv: line 3: 1 fields, the header has 2/],
    ["score,label\n0.5,1,extra\n", /s\.csv: line 2: 3 fields, the header has 2/],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseScoresCsv(text, "s.csv"),
      (err: Error) => err instanceof VoxlabError && message.test(err.message) && !err.message.includes("\n"),
      JSON.stringify(text),
    );
  }
});

test("scores csv: quoted fields and mixed or bare-CR line ends (read by the full CSV parser) give the same table", () => {
  const plain = parseScoresCsv("enroll,score,label\na,0.5,1\nb,-1,0\n", "s.csv");
  for (const text of [
    '"enroll","score","label"\n"a, with comma",0.5,"1"\n"b",-1,0\n',
    "enroll,score,label\r\na,0.5,1\r\nb,-1,0\r\n",
    "enroll,score,label\ra,0.5,1\rb,-1,0\r",
    "enroll,score,label\na,0.5,1\r\nb,-1,0\n",
  ]) {
    assert.deepEqual(parseScoresCsv(text, "s.csv"), plain, JSON.stringify(text));
  }
});

test("writeScoresCsv: enroll,test,label,score that the metrics reader reads back exactly", async () => {
  const trials: Trial[] = [
    { enroll: "id1/a,b.wav", test: "id2/c.wav", label: 1 },
    { enroll: "id1/d.wav", test: "id3/e.wav", label: 0 },
  ];
  const scores = [0.1 + 0.2, -1 / 3];
  const text = formatScoresCsv(trials, scores);
  assert.equal(text.split("\n")[0], "enroll,test,label,score");
  assert.equal(text.split("\n")[1], `"id1/a,b.wav",id2/c.wav,1,${0.1 + 0.2}`);
  const dir = await mkdtemp(join(tmpdir(), "voxlab-scores-"));
  try {
    await writeScoresCsv(join(dir, "scores.csv"), trials, scores);
    const table = await readScoresCsv(join(dir, "scores.csv"));
    assert.deepEqual(Array.from(table.scores), scores);
    assert.deepEqual(Array.from(table.labels), [1, 0]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  assert.deepEqual(Array.from(parseScoresCsv(text, "x").scores), scores);
  assert.throws(() => formatScoresCsv(trials, [1]), /2 trials but 1 scores/);
});

test("writeScoresCsv: a table written in pieces (25,001 rows) has one header, every row once, in order", async () => {
  const count = 25_001;
  const trials: Trial[] = Array.from({ length: count }, (_, i) => ({ enroll: `s${i % 7}/e,${i}.wav`, test: `t/${i}.wav`, label: (i % 3 === 0 ? 1 : 0) as 0 | 1 }));
  const scores = Float64Array.from({ length: count }, (_, i) => Math.sin(i) / (1 + i));
  const dir = await mkdtemp(join(tmpdir(), "voxlab-scores-"));
  try {
    await writeScoresCsv(join(dir, "scores.csv"), trials, scores);
    const lines = (await readFile(join(dir, "scores.csv"), "utf8")).split("\n");
    assert.equal(lines.length, count + 2, "header, a line per trial, the final newline");
    assert.equal(lines[0], "enroll,test,label,score");
    assert.equal(lines[count + 1], "");
    for (const i of [0, 9_999, 10_000, 20_000, count - 1]) assert.equal(lines[i + 1], `"s${i % 7}/e,${i}.wav",t/${i}.wav,${trials[i].label},${scores[i]}`);
    const table = await readScoresCsv(join(dir, "scores.csv"));
    assert.deepEqual(Array.from(table.scores), Array.from(scores));
    assert.deepEqual(Array.from(table.labels), trials.map((t) => t.label));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  assert.equal(formatScoresCsv([], []), "enroll,test,label,score\n", "no trials: the header alone");
});
