// The decision threshold the service verifies at: a number, or a threshold from a `voxlab eval`/`run` metrics.json.
import { VoxlabError } from "../core/errors.ts";
import { readJson } from "../core/fs.ts";

/** The metrics.json key used when `--threshold-from` names no key. */
export const DEFAULT_THRESHOLD_KEY = "min_dcf_p0.01_threshold";

export interface ServeThreshold {
  value: number;
  /** Where it came from, for the start-up line and /health. */
  source: string;
}

/**
 * Reads `spec` = `<metrics.json>[:key]`. The key defaults to DEFAULT_THRESHOLD_KEY; any top-level key whose name
 * contains "threshold" and whose value is a finite number may be named (e.g. an EER or target-FAR threshold).
 */
export async function thresholdFromMetrics(spec: string): Promise<ServeThreshold> {
  const match = /^(.*\.json):([^:/\\]+)$/i.exec(spec);
  const file = match ? match[1] : spec;
  const key = match ? match[2] : DEFAULT_THRESHOLD_KEY;
  const json = await readJson(file);
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw new VoxlabError(`${file}: not a metrics JSON object`);
  const entries = Object.entries(json as Record<string, unknown>);
  const known = entries.filter(([k, v]) => k.includes("threshold") && typeof v === "number" && Number.isFinite(v)).map(([k]) => k);
  const value = (json as Record<string, unknown>)[key];
  if (!key.includes("threshold") || typeof value !== "number" || !Number.isFinite(value)) {
    const why = value === null ? "is null (a reject-all threshold)" : value === undefined ? "is missing" : "is not a finite threshold";
    throw new VoxlabError(`${file}: "${key}" ${why}; thresholds there: ${known.join(", ") || "none"}`);
  }
  return { value, source: `${key} from ${file}` };
}
