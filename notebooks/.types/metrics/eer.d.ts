import { type OperatingPoints, type TrialGroups } from "./trials.ts";
/**
 * Equal error rate where the piecewise-linear curve through the operating points (in threshold
 * order) crosses Pmiss = Pfa: the first point with Pmiss - Pfa >= 0, interpolated linearly from the
 * point before it unless it is an exact crossing.
 */
export declare function eerFromPoints(points: OperatingPoints): number;
export declare function eer(groups: TrialGroups): number;
/**
 * ROCCH-EER (BOSARIS): the EER of the ROC convex hull. The hull vertices are the (Pfa, Pmiss)
 * points between PAV blocks; for each hull segment the line through its ends meets Pmiss = Pfa at
 * 1 / sum(seg), where seg solves [pfa_k pmiss_k; pfa_k+1 pmiss_k+1] · seg = [1 1]. A segment with
 * equal Pfa or equal Pmiss counts 0. Never more than `eer`.
 */
export declare function rocchEer(groups: TrialGroups): number;
