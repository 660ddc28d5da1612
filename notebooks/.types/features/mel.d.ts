export interface MelBank {
    /** Number of filters (mel bins). */
    filters: number;
    /** Number of FFT bins the bank reads (n_fft/2 + 1). */
    fftBins: number;
    /** FFT bin k feeds filter pair[k] with weight lower[k] and filter pair[k] + 1 with weight upper[k]. */
    pair: Int32Array;
    lower: Float64Array;
    upper: Float64Array;
}
/** Builds a bank from its dense weights; throws if some FFT bin feeds two filters that are not adjacent. */
export declare function buildMelBank(filters: number, fftBins: number, weight: (filter: number, fftBin: number) => number): MelBank;
/** The weight of filter `filter` at FFT bin `fftBin`. */
export declare function melWeight(bank: MelBank, filter: number, fftBin: number): number;
/** out[i] = sum_k power[k] * W[i][k] for every filter i. */
export declare function applyMelBank(bank: MelBank, power: Float64Array, out: Float64Array): void;
