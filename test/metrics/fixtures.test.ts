import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { computeMetrics, readScoresCsv } from "../../src/index.ts";
import { fixture, needShared } from "../helpers/shared.ts";

const SETS = ["hand", "ties", "gauss-small", "cosine-like"];

for (const name of SETS) {
  test(`metrics fixture ${name}: every reference value within 1e-9, same keys`, { skip: needShared }, async () => {
    const reference = JSON.parse(readFileSync(fixture("metrics", `${name}.json`), "utf8")) as Record<string, number>;
    const { scores, labels } = await readScoresCsv(fixture("metrics", `${name}.csv`));
    const metrics: Record<string, number> = { ...computeMetrics(scores, labels) };
    assert.deepEqual(Object.keys(metrics).sort(), Object.keys(reference).sort());
    for (const [key, expected] of Object.entries(reference)) {
      assert.ok(Math.abs(metrics[key] - expected) <= 1e-9, `${name} ${key}: ${metrics[key]} vs reference ${expected}`);
    }
  });
}
