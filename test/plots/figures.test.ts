import assert from "node:assert/strict";
import { test } from "node:test";
import sharp from "sharp";
import type { TopLevelSpec } from "vega-lite";
import { mulberry32 } from "../../src/core/random.ts";
import { computeMetrics, detCurve, detTicks, groupTrials, probit } from "../../src/metrics/index.ts";
import {
  decimate,
  detPlotSpec,
  perSpeakerErrorSpec,
  renderPng,
  renderSvg,
  rocSpec,
  scoreDistributionData,
  scoreDistributionSpec,
  speakerErrors,
  thresholdSweepData,
  thresholdSweepSpec,
  type CurvePointRow,
  type EerPointRow,
} from "../../src/plots/index.ts";

/** Two Gaussian classes: targets (every `every`-th trial) centred at `gap`, non-targets at 0. */
function synthetic(n: number, gap: number, every = 10, seed = 1): { scores: Float64Array; labels: Uint8Array } {
  const random = mulberry32(seed);
  const scores = new Float64Array(n);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % every === 0 ? 1 : 0;
    scores[i] = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()) + (labels[i] ? gap : 0);
  }
  return { scores, labels };
}

/** librsvg (through sharp) parses the SVG as XML and throws on malformed markup. */
async function assertParsesAsXml(svg: string): Promise<void> {
  const meta = await sharp(Buffer.from(svg)).metadata();
  assert.equal(meta.format, "svg");
}

/** A named inline dataset of a spec: the values the figure plots. */
function dataset<T>(spec: TopLevelSpec, name: string): T[] {
  const sets = (spec as { datasets?: Record<string, unknown> }).datasets;
  assert.ok(sets !== undefined && Array.isArray(sets[name]), `dataset ${name}`);
  return sets[name] as T[];
}

function textElements(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

function svgSize(svg: string): { width: number; height: number } {
  const m = /<svg[^>]*\swidth="(\d+(?:\.\d+)?)"[^>]*\sheight="(\d+(?:\.\d+)?)"/.exec(svg);
  assert.ok(m, "the SVG has a width and a height");
  return { width: Number(m[1]), height: Number(m[2]) };
}

test("DET: probit ticks labelled in %, one line per curve, EER point at probit(EER)", async () => {
  const a = synthetic(4000, 2.5, 10, 1);
  const b = synthetic(4000, 1.5, 10, 2);
  const curves = [
    { name: "system A", ...detCurve(groupTrials(a.scores, a.labels)) },
    { name: "system B", ...detCurve(groupTrials(b.scores, b.labels)) },
  ];
  const spec = detPlotSpec(curves);
  const svg = await renderSvg(spec);
  await assertParsesAsXml(svg);
  const texts = textElements(svg);
  for (const label of ["0.1", "0.2", "0.5", "1", "2", "5", "10", "20", "40"]) assert.ok(texts.includes(label), `tick label ${label}`);
  // 3600 non-targets / 400 targets cannot resolve 0.01 %.
  assert.ok(!texts.includes("0.01"));

  const datasets = { curves: dataset<CurvePointRow>(spec, "curves"), eer: dataset<EerPointRow>(spec, "eer") };
  for (const [k, name] of ["system A", "system B"].entries()) {
    const metrics = computeMetrics([a, b][k].scores, [a, b][k].labels);
    const legend = texts.find((t) => t.startsWith(name));
    assert.ok(legend, `legend entry for ${name}`);
    assert.ok(datasets.curves.some((p) => p.curve === legend));
    const point = datasets.eer.find((e) => e.curve === legend);
    assert.ok(point);
    assert.equal(point.eer, metrics.eer);
    assert.ok(Math.abs(point.x - probit(metrics.eer)) < 1e-12 && Math.abs(point.y - probit(metrics.eer)) < 1e-12);
  }
  // Vega draws each curve of the colour-split line layer as its own line mark with one path.
  const lines = [...svg.matchAll(/<g class="mark-line role-mark layer_1_marks"[^>]*>\s*<path/g)];
  assert.equal(lines.length, 2);

  // The rendered diamonds sit where the linear probit scale puts the EER: x = width·(probit(eer) − lo)/(hi − lo).
  const symbols = /<g class="mark-symbol role-mark layer_2_marks"[^>]*>(.*?)<\/g>/s.exec(svg);
  assert.ok(symbols);
  const xs = [...symbols[1].matchAll(/transform="translate\(([-\d.]+),([-\d.]+)\)"/g)].map((m) => Number(m[1]));
  // The x axis starts at the finest tick the 3600 non-targets support (METRICS.md via detTicks).
  const lo = probit(detTicks(3600)[0]);
  const hi = probit(0.5);
  const expected = datasets.eer.map((e) => (400 * (probit(e.eer) - lo)) / (hi - lo));
  assert.equal(xs.length, 2);
  for (const x of expected) assert.ok(xs.some((px) => Math.abs(px - x) < 0.5), `a diamond at x=${x.toFixed(2)} px, got ${xs}`);
});

test("DET: 0.01 % ticks appear when the curves resolve them; rates 0 and 1 are clipped, not lost", async () => {
  const { scores, labels } = synthetic(220_000, 3, 11, 3);
  const curve = detCurve(groupTrials(scores, labels));
  const spec = detPlotSpec([{ name: "big", ...curve }]);
  const svg = await renderSvg(spec);
  const texts = textElements(svg);
  assert.ok(texts.includes("0.01") && texts.includes("0.1") && texts.includes("40"));
  const points = dataset<CurvePointRow>(spec, "curves");
  assert.ok(points.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y)));
  assert.ok(points.some((p) => p.pfa === 0) && points.some((p) => p.pmiss === 0));
  // 220k trials decimate to what a 400 px plot can show.
  assert.ok(points.length < 2000, `${points.length} points kept`);
  assert.ok(svg.length < 150_000, `SVG of ${svg.length} bytes`);
});

test("decimate keeps the ends and every dropped point within the step of the drawn polyline", () => {
  const random = mulberry32(7);
  // A monotone staircase like a DET curve: x falls, y rises, by uneven steps.
  const n = 5000;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    const horizontal = random() < 0.5;
    xs[i] = xs[i - 1] - (horizontal ? random() * 0.01 : 0);
    ys[i] = ys[i - 1] + (horizontal ? 0 : random() * 0.01);
  }
  const step = 0.02;
  const kept = decimate([xs, ys], step);
  assert.equal(kept[0], 0);
  assert.equal(kept.at(-1), n - 1);
  assert.ok(kept.length < n / 3);
  for (let k = 1; k < kept.length; k++) {
    for (let i = kept[k - 1] + 1; i < kept[k]; i++) {
      const gap = Math.max(Math.abs(xs[i] - xs[kept[k - 1]]), Math.abs(ys[i] - ys[kept[k - 1]]));
      assert.ok(gap <= step, `point ${i} is ${gap} from the last kept point`);
    }
  }
});

test("renderPng: PNG signature and the size asked (scale × SVG size)", async () => {
  const { scores, labels } = synthetic(500, 2);
  const svg = await renderSvg(rocSpec([{ name: "roc", ...detCurve(groupTrials(scores, labels)) }]));
  await assertParsesAsXml(svg);
  const { width, height } = svgSize(svg);
  for (const scale of [1, 2]) {
    const png = await renderPng(svg, scale);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const meta = await sharp(png).metadata();
    assert.equal(meta.format, "png");
    assert.equal(meta.width, Math.round(width * scale));
    assert.equal(meta.height, Math.round(height * scale));
  }
});

test("score distribution: unit-area histograms and densities, threshold rules labelled", async () => {
  const { scores, labels } = synthetic(6000, 2.5);
  const data = scoreDistributionData(scores, labels, 40);
  for (const cls of ["target", "non-target"]) {
    const area = data.histogram.filter((h) => h.class === cls).reduce((s, h) => s + h.density * (h.end - h.start), 0);
    assert.ok(Math.abs(area - 1) < 1e-4, `${cls} histogram area ${area}`);
    const line = data.density.filter((d) => d.class === cls);
    const dx = line[1].score - line[0].score;
    const kdeArea = line.reduce((s, d) => s + d.density * dx, 0);
    assert.ok(Math.abs(kdeArea - 1) < 0.05, `${cls} density area ${kdeArea}`);
  }
  const svg = await renderSvg(scoreDistributionSpec(scores, labels, { thresholds: [{ name: "EER <t>", value: 1.2 }, { name: "FAR 1 %", value: 2.3 }] }));
  await assertParsesAsXml(svg);
  const texts = textElements(svg);
  assert.ok(texts.includes("EER &lt;t&gt;") && texts.includes("FAR 1 %"));
  assert.equal(/<g class="mark-rule role-mark layer_2_marks"[^>]*>(.*?)<\/g>/s.exec(svg)?.[1].match(/<line/g)?.length, 2);
});

test("threshold sweep: rates at each plotted threshold match a brute-force count", async () => {
  const { scores, labels } = synthetic(3000, 2);
  const rows = thresholdSweepData(scores, labels);
  const nTarget = labels.reduce((s, l) => s + l, 0);
  const nNon = labels.length - nTarget;
  for (const row of rows.filter((_, i) => i % 37 === 0)) {
    let miss = 0;
    let fa = 0;
    for (let i = 0; i < scores.length; i++) {
      // The plotted threshold is rounded to 6 digits: compare with the trial's score rounded the same way.
      const accepted = Number(scores[i].toPrecision(6)) >= row.threshold;
      if (labels[i] && !accepted) miss++;
      if (!labels[i] && accepted) fa++;
    }
    if (row.series === "Miss rate") assert.ok(Math.abs(row.value - miss / nTarget) < 1e-5);
    if (row.series === "False alarm rate") assert.ok(Math.abs(row.value - fa / nNon) < 1e-5);
    if (row.series === "DCF (P=0.05)") assert.ok(Math.abs(row.value - (0.05 * (miss / nTarget) + 0.95 * (fa / nNon)) / 0.05) < 1e-4);
  }
  const svg = await renderSvg(thresholdSweepSpec(scores, labels));
  await assertParsesAsXml(svg);
  for (const name of ["Miss rate", "False alarm rate", "DCF (P=0.01)", "DCF (P=0.05)"]) assert.ok(textElements(svg).includes(name));
});

test("per-speaker errors: counts match a brute-force loop; names are escaped in the SVG", async () => {
  const { scores, labels } = synthetic(2000, 2);
  const speakers = Array.from(scores, (_, i) => `spk${i % 7}<&>`);
  const threshold = 1;
  const errors = speakerErrors(scores, labels, speakers, threshold);
  assert.equal(errors.length, 7);
  for (const e of errors) {
    let misses = 0;
    let fas = 0;
    for (let i = 0; i < scores.length; i++) {
      if (speakers[i] !== e.speaker) continue;
      if (labels[i] === 1 && scores[i] < threshold) misses++;
      if (labels[i] === 0 && scores[i] >= threshold) fas++;
    }
    assert.deepEqual([e.misses, e.falseAlarms], [misses, fas]);
  }
  for (let k = 1; k < errors.length; k++) assert.ok(errors[k - 1].misses + errors[k - 1].falseAlarms >= errors[k].misses + errors[k].falseAlarms);
  const svg = await renderSvg(perSpeakerErrorSpec(errors, threshold, { top: 5 }));
  await assertParsesAsXml(svg);
  assert.ok(!svg.includes("<&>"));
  assert.equal(textElements(svg).filter((t) => t.startsWith("spk")).length, 5);
});
