// The calibration parts of report.html as markup.
import { groupTrials, minDcf, type Labels, type TrialGroups } from "../metrics/index.ts";
import { calibrationCostRows, transferRows, type ReportCalibration } from "./calibration.ts";
import { escapeHtml } from "./escape.ts";

const cost = (value: number): string => value.toFixed(4);
const rate = (value: number): string => `${(value * 100).toFixed(3)} %`;

function describe({ calibration, source }: ReportCalibration): string {
  const { scale, offset, prior, qmf, training } = calibration;
  const quality = qmf ? ` + ${qmf.log_enroll_seconds.toPrecision(4)}·ln(enroll seconds) + ${qmf.log_test_seconds.toPrecision(4)}·ln(test seconds)` : "";
  return `<p>Scores calibrated to log-likelihood ratios with <code>${escapeHtml(source)}</code>: llr = ${scale.toPrecision(6)} · score + ${offset.toPrecision(6)}${quality}, ` +
    `trained by prior-weighted logistic regression at prior ${prior} on ${training.n_target} target and ${training.n_nontarget} non-target trials` +
    `${training.source === undefined ? "" : ` (${escapeHtml(training.source)})`}. The actual DCF is the cost of the Bayes decisions llr ≥ −logit(P_target); ` +
    `for the raw scores it takes them as LLRs, as Cllr does. ${qmf ? "The duration terms can reorder trials, so minDCF and minCllr may change too." : "A linear calibration is monotone: minDCF and minCllr do not change."}</p>`;
}

/** The calibration section: the calibration and the costs before and after it. */
export function calibrationSection(calibration: ReportCalibration, raw: TrialGroups, labels: Labels): string {
  const rows = calibrationCostRows(raw, groupTrials(calibration.llrs, labels, "calibrated scores"))
    .map((r) => `<tr><th scope="row">${escapeHtml(r.label)}</th><td>${cost(r.raw)}</td><td>${cost(r.calibrated)}</td></tr>`)
    .join("");
  return `<section id="calibration"><h2>Calibration</h2>${describe(calibration)}` +
    `<table class="calibration"><thead><tr><th>Metric</th><th>Raw scores</th><th>Calibrated</th></tr></thead><tbody>${rows}</tbody></table>` +
    '<p>The normalised Bayes error-rate plot (figure <a href="#fig-bayes-error">bayes-error</a>) shows the same at every prior.</p></section>';
}

/**
 * What each threshold tuned on the dev trials (calib.json's dev_thresholds) and each Bayes decision on the
 * calibrated scores actually cost on these trials: FAR, FRR and normalised DCF at both priors.
 */
export function transferTable(calibration: ReportCalibration, raw: TrialGroups, labels: Labels): string {
  const calibrated = groupTrials(calibration.llrs, labels, "calibrated scores");
  const body = transferRows(raw, calibrated, calibration.calibration)
    .map((r) => `<tr><th scope="row">${escapeHtml(r.name)}</th><td>${escapeHtml(r.rule)}</td><td>${rate(r.far)}</td><td>${rate(r.frr)}</td><td>${cost(r.dcf01)}</td><td>${cost(r.dcf05)}</td></tr>`)
    .join("");
  const optimum = [0.01, 0.05].map((p) => `${cost(minDcf(raw, { pTarget: p }).value)} at P_target = ${p}`).join(" and ");
  const noDev = calibration.calibration.dev_thresholds === undefined ? " (this calibration file holds no dev thresholds: rerun voxlab calibrate to add them)" : "";
  return `<h3 id="transfer">Thresholds chosen on the dev set, applied here</h3>` +
    `<p>Each threshold was tuned on the calibration's dev trials${noDev}; the rates and costs are measured on these trials. ` +
    `The best any threshold could do here (minDCF) is ${optimum}; the gap is what choosing the threshold elsewhere costs.</p>` +
    `<table class="transfer"><thead><tr><th>Operating point</th><th>Decision rule</th><th>FAR</th><th>FRR</th><th>DCF (P_target = 0.01)</th><th>DCF (P_target = 0.05)</th></tr></thead><tbody>${body}</tbody></table>`;
}
