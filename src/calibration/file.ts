// calib.json: a trained calibration as a small JSON file.
import { errorMessage, VoxlabError } from "../core/errors.ts";
import { readText, writeFileAtomic } from "../core/fs.ts";
import { zod } from "../core/lazy-modules.ts";
import type { Calibration } from "./linear.ts";

/** What `format` says in every calib.json, so that another JSON file is not taken for one. */
export const CALIBRATION_FORMAT = "voxlab-linear-calibration/1";

function buildCalibrationSchema() {
  const z = zod();
  const finite = z.number().refine(Number.isFinite, "must be a finite number");
  const count = z.int().min(1);
  return z.object({
    format: z.literal(CALIBRATION_FORMAT),
    scale: finite,
    offset: finite,
    prior: z.number().gt(0).lt(1),
    qmf: z.strictObject({ log_enroll_seconds: finite, log_test_seconds: finite }).optional(),
    dev_thresholds: z.array(z.strictObject({ name: z.string().min(1).max(200), threshold: finite.nullable() })).max(100).optional(),
    training: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), n_target: count, n_nontarget: count, source: z.string().optional() }),
  });
}

let calibrationSchema: ReturnType<typeof buildCalibrationSchema> | undefined;

/** The JSON text of a calibration (with its format tag). */
export function calibrationJson(calibration: Calibration): string {
  return `${JSON.stringify({ format: CALIBRATION_FORMAT, ...calibration }, null, 2)}\n`;
}

export async function writeCalibration(path: string, calibration: Calibration): Promise<void> {
  await writeFileAtomic(path, calibrationJson(calibration));
}

/** Parses and checks calib.json text; errors name the file and the first bad field. */
export function parseCalibration(text: string, source: string): Calibration {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new VoxlabError(`${source}: invalid JSON (${errorMessage(err)})`);
  }
  calibrationSchema ??= buildCalibrationSchema();
  const parsed = calibrationSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.join(".") || "(top level)";
    const hint = issue.path[0] === "format" ? ` (expected "${CALIBRATION_FORMAT}": is this a calib.json from voxlab calibrate?)` : "";
    throw new VoxlabError(`${source}: ${where}: ${issue.message}${hint}`);
  }
  const { scale, offset, prior, qmf, dev_thresholds: devThresholds, training } = parsed.data;
  return { scale, offset, prior, ...(qmf === undefined ? {} : { qmf }), ...(devThresholds === undefined ? {} : { dev_thresholds: devThresholds }), training };
}

export async function readCalibration(path: string): Promise<Calibration> {
  return parseCalibration(await readText(path, "calibration"), path);
}
