// Triangular mel filter banks, stored by FFT bin: in both SpeechBrain's and Kaldi's banks a triangle reaches at
// most to its neighbours' centres, so every FFT bin feeds at most two ADJACENT filters. The multiply is then one
// pass over the bins with two multiply-adds each, with no short inner loops.

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
export function buildMelBank(filters: number, fftBins: number, weight: (filter: number, fftBin: number) => number): MelBank {
  const bank: MelBank = {
    filters,
    fftBins,
    pair: new Int32Array(fftBins),
    lower: new Float64Array(fftBins),
    upper: new Float64Array(fftBins),
  };
  for (let k = 0; k < fftBins; k++) {
    const fed = Array.from({ length: filters }, (_, i) => i).filter((i) => weight(i, k) !== 0);
    if (fed.length > 2 || (fed.length === 2 && fed[1] !== fed[0] + 1)) {
      throw new Error(`mel bank: FFT bin ${k} feeds filters ${fed.join(", ")}, not at most two adjacent ones`);
    }
    // The pair starts at the first filter fed (moved down one for the last filter); a bin that feeds none joins
    // the previous bin's pair, so that pairs never decrease with k (applyMelBank relies on it).
    const first = fed.length > 0 ? Math.min(fed[0], filters - 2) : k > 0 ? bank.pair[k - 1] : 0;
    if (k > 0 && first < bank.pair[k - 1]) throw new Error(`mel bank: filters are not in frequency order at FFT bin ${k}`);
    bank.pair[k] = first;
    bank.lower[k] = weight(first, k);
    bank.upper[k] = weight(first + 1, k);
  }
  return bank;
}

/** The weight of filter `filter` at FFT bin `fftBin`. */
export function melWeight(bank: MelBank, filter: number, fftBin: number): number {
  const first = bank.pair[fftBin];
  return filter === first ? bank.lower[fftBin] : filter === first + 1 ? bank.upper[fftBin] : 0;
}

/** out[i] = sum_k power[k] * W[i][k] for every filter i. */
export function applyMelBank(bank: MelBank, power: Float64Array, out: Float64Array): void {
  const { filters, fftBins, pair, lower, upper } = bank;
  // pair[k] never decreases with k, so the current pair is summed in registers and each filter is written once
  // when the bins move past it (accumulating in `out` bin by bin chains stores to loads; this is ~5% faster).
  let first = 0;
  let sumLower = 0;
  let sumUpper = 0;
  for (let k = 0; k < fftBins; k++) {
    while (first < pair[k]) {
      out[first++] = sumLower;
      sumLower = sumUpper;
      sumUpper = 0;
    }
    const p = power[k];
    sumLower += lower[k] * p;
    sumUpper += upper[k] * p;
  }
  out[first] = sumLower;
  out[first + 1] = sumUpper;
  out.fill(0, first + 2, filters);
}
