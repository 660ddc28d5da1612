// FFTs for the filterbank frontends. SpeechBrain needs a 400-point real DFT (not a power of two), so this is a
// mixed-radix (8, 4, 2, 5) Stockham autosort FFT: no bit reversal, natural order in and out, one plan per size.
// The butterflies radix2/4/8/5 repeat one loop shape on purpose: each is unrolled for its radix, with its
// constants and temporaries in locals rather than a generic radix-r loop over small arrays, because the
// frontend spends most of its time here.

interface Stage {
  radix: number;
  /** Butterflies per stage row (the sub-transform length divided by the radix). */
  m: number;
  /** Distance between interleaved sub-transforms (the product of the radices before this stage). */
  stride: number;
  /** Twiddles w_n^(p*k) for p in [0, m), k in [1, radix), at p*(radix-1) + k-1; n = radix*m. */
  twRe: Float64Array;
  twIm: Float64Array;
}

function factorize(size: number): number[] {
  const radices: number[] = [];
  let rest = size;
  for (const radix of [8, 4, 2, 5]) {
    while (rest % radix === 0) {
      radices.push(radix);
      rest /= radix;
    }
  }
  if (rest !== 1) throw new Error(`fft: size ${size} is not a product of 2, 4, 5 and 8`);
  return radices;
}

/** A forward complex FFT (sign -1, unscaled) of one fixed size, with its twiddles and scratch planned once. */
export class ComplexFft {
  readonly size: number;
  private readonly stages: Stage[] = [];
  private readonly scratchRe: Float64Array;
  private readonly scratchIm: Float64Array;

  constructor(size: number) {
    this.size = size;
    this.scratchRe = new Float64Array(size);
    this.scratchIm = new Float64Array(size);
    let n = size;
    let stride = 1;
    for (const radix of factorize(size)) {
      const m = n / radix;
      const twRe = new Float64Array(m * (radix - 1));
      const twIm = new Float64Array(m * (radix - 1));
      for (let p = 0; p < m; p++) {
        for (let k = 1; k < radix; k++) {
          const angle = (-2 * Math.PI * p * k) / n;
          twRe[p * (radix - 1) + k - 1] = Math.cos(angle);
          twIm[p * (radix - 1) + k - 1] = Math.sin(angle);
        }
      }
      this.stages.push({ radix, m, stride, twRe, twIm });
      n = m;
      stride *= radix;
    }
  }

  /** Transforms (re, im) in place. */
  transform(re: Float64Array, im: Float64Array): void {
    let inRe = re;
    let inIm = im;
    let outRe = this.scratchRe;
    let outIm = this.scratchIm;
    for (const stage of this.stages) {
      if (stage.radix === 8) radix8(stage, inRe, inIm, outRe, outIm);
      else if (stage.radix === 4) radix4(stage, inRe, inIm, outRe, outIm);
      else if (stage.radix === 2) radix2(stage, inRe, inIm, outRe, outIm);
      else radix5(stage, inRe, inIm, outRe, outIm);
      const nextRe = outRe;
      const nextIm = outIm;
      outRe = inRe;
      outIm = inIm;
      inRe = nextRe;
      inIm = nextIm;
    }
    if (inRe !== re) {
      re.set(inRe);
      im.set(inIm);
    }
  }
}

// Stage of radix r: inputs a_j = x[q + s*(p + j*m)], outputs y[q + s*(r*p + k)] = w^(p*k) * DFT_r(a)_k.

function radix2(stage: Stage, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
  const { m, stride: s, twRe, twIm } = stage;
  for (let p = 0; p < m; p++) {
    const w1r = twRe[p];
    const w1i = twIm[p];
    for (let q = 0; q < s; q++) {
      const i0 = q + s * p;
      const i1 = i0 + s * m;
      const o0 = q + s * 2 * p;
      const o1 = o0 + s;
      const ar = xr[i0];
      const ai = xi[i0];
      const br = xr[i1];
      const bi = xi[i1];
      yr[o0] = ar + br;
      yi[o0] = ai + bi;
      const dr = ar - br;
      const di = ai - bi;
      twiddle(yr, yi, o1, dr, di, w1r, w1i);
    }
  }
}

function radix4(stage: Stage, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
  const { m, stride: s, twRe, twIm } = stage;
  const sm = s * m;
  for (let p = 0; p < m; p++) {
    const t = p * 3;
    const w1r = twRe[t];
    const w1i = twIm[t];
    const w2r = twRe[t + 1];
    const w2i = twIm[t + 1];
    const w3r = twRe[t + 2];
    const w3i = twIm[t + 2];
    for (let q = 0; q < s; q++) {
      const i0 = q + s * p;
      const a0r = xr[i0];
      const a0i = xi[i0];
      const a1r = xr[i0 + sm];
      const a1i = xi[i0 + sm];
      const a2r = xr[i0 + 2 * sm];
      const a2i = xi[i0 + 2 * sm];
      const a3r = xr[i0 + 3 * sm];
      const a3i = xi[i0 + 3 * sm];
      const t0r = a0r + a2r;
      const t0i = a0i + a2i;
      const t1r = a0r - a2r;
      const t1i = a0i - a2i;
      const t2r = a1r + a3r;
      const t2i = a1i + a3i;
      const t3r = a1r - a3r;
      const t3i = a1i - a3i;
      // b1 = t1 - i*t3, b3 = t1 + i*t3.
      const b1r = t1r + t3i;
      const b1i = t1i - t3r;
      const b2r = t0r - t2r;
      const b2i = t0i - t2i;
      const b3r = t1r - t3i;
      const b3i = t1i + t3r;
      const o0 = q + s * 4 * p;
      yr[o0] = t0r + t2r;
      yi[o0] = t0i + t2i;
      twiddle(yr, yi, o0 + s, b1r, b1i, w1r, w1i);
      twiddle(yr, yi, o0 + 2 * s, b2r, b2i, w2r, w2i);
      twiddle(yr, yi, o0 + 3 * s, b3r, b3i, w3r, w3i);
    }
  }
}

const SQRT1_2 = Math.SQRT1_2;

function radix8(stage: Stage, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
  const { m, stride: s, twRe, twIm } = stage;
  const sm = s * m;
  for (let p = 0; p < m; p++) {
    const t = p * 7;
    for (let q = 0; q < s; q++) {
      const i0 = q + s * p;
      // Two 4-point DFTs: E of the even inputs, O of the odd ones.
      const a0r = xr[i0];
      const a0i = xi[i0];
      const a4r = xr[i0 + 4 * sm];
      const a4i = xi[i0 + 4 * sm];
      const a2r = xr[i0 + 2 * sm];
      const a2i = xi[i0 + 2 * sm];
      const a6r = xr[i0 + 6 * sm];
      const a6i = xi[i0 + 6 * sm];
      const t0r = a0r + a4r;
      const t0i = a0i + a4i;
      const t1r = a0r - a4r;
      const t1i = a0i - a4i;
      const t2r = a2r + a6r;
      const t2i = a2i + a6i;
      const t3r = a2r - a6r;
      const t3i = a2i - a6i;
      const e0r = t0r + t2r;
      const e0i = t0i + t2i;
      const e2r = t0r - t2r;
      const e2i = t0i - t2i;
      const e1r = t1r + t3i;
      const e1i = t1i - t3r;
      const e3r = t1r - t3i;
      const e3i = t1i + t3r;
      const a1r = xr[i0 + sm];
      const a1i = xi[i0 + sm];
      const a5r = xr[i0 + 5 * sm];
      const a5i = xi[i0 + 5 * sm];
      const a3r = xr[i0 + 3 * sm];
      const a3i = xi[i0 + 3 * sm];
      const a7r = xr[i0 + 7 * sm];
      const a7i = xi[i0 + 7 * sm];
      const u0r = a1r + a5r;
      const u0i = a1i + a5i;
      const u1r = a1r - a5r;
      const u1i = a1i - a5i;
      const u2r = a3r + a7r;
      const u2i = a3i + a7i;
      const u3r = a3r - a7r;
      const u3i = a3i - a7i;
      const o0r = u0r + u2r;
      const o0i = u0i + u2i;
      // O1..O3 already multiplied by W8^1 = (1-i)/sqrt2, W8^2 = -i, W8^3 = -(1+i)/sqrt2.
      const v1r = u1r + u3i;
      const v1i = u1i - u3r;
      const o1r = SQRT1_2 * (v1r + v1i);
      const o1i = SQRT1_2 * (v1i - v1r);
      const o2r = u0i - u2i;
      const o2i = u2r - u0r;
      const v3r = u1r - u3i;
      const v3i = u1i + u3r;
      const o3r = SQRT1_2 * (v3i - v3r);
      const o3i = -SQRT1_2 * (v3r + v3i);
      const o0 = q + s * 8 * p;
      yr[o0] = e0r + o0r;
      yi[o0] = e0i + o0i;
      twiddle(yr, yi, o0 + s, e1r + o1r, e1i + o1i, twRe[t], twIm[t]);
      twiddle(yr, yi, o0 + 2 * s, e2r + o2r, e2i + o2i, twRe[t + 1], twIm[t + 1]);
      twiddle(yr, yi, o0 + 3 * s, e3r + o3r, e3i + o3i, twRe[t + 2], twIm[t + 2]);
      twiddle(yr, yi, o0 + 4 * s, e0r - o0r, e0i - o0i, twRe[t + 3], twIm[t + 3]);
      twiddle(yr, yi, o0 + 5 * s, e1r - o1r, e1i - o1i, twRe[t + 4], twIm[t + 4]);
      twiddle(yr, yi, o0 + 6 * s, e2r - o2r, e2i - o2i, twRe[t + 5], twIm[t + 5]);
      twiddle(yr, yi, o0 + 7 * s, e3r - o3r, e3i - o3i, twRe[t + 6], twIm[t + 6]);
    }
  }
}

/** y[at] = (br + i bi) * (wr + i wi). */
function twiddle(yr: Float64Array, yi: Float64Array, at: number, br: number, bi: number, wr: number, wi: number): void {
  yr[at] = br * wr - bi * wi;
  yi[at] = br * wi + bi * wr;
}

const C1 = Math.cos((2 * Math.PI) / 5);
const C2 = Math.cos((4 * Math.PI) / 5);
const S1 = Math.sin((2 * Math.PI) / 5);
const S2 = Math.sin((4 * Math.PI) / 5);

function radix5(stage: Stage, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
  const { m, stride: s, twRe, twIm } = stage;
  const sm = s * m;
  for (let p = 0; p < m; p++) {
    const t = p * 4;
    const w1r = twRe[t];
    const w1i = twIm[t];
    const w2r = twRe[t + 1];
    const w2i = twIm[t + 1];
    const w3r = twRe[t + 2];
    const w3i = twIm[t + 2];
    const w4r = twRe[t + 3];
    const w4i = twIm[t + 3];
    for (let q = 0; q < s; q++) {
      const i0 = q + s * p;
      const a0r = xr[i0];
      const a0i = xi[i0];
      const a1r = xr[i0 + sm];
      const a1i = xi[i0 + sm];
      const a2r = xr[i0 + 2 * sm];
      const a2i = xi[i0 + 2 * sm];
      const a3r = xr[i0 + 3 * sm];
      const a3i = xi[i0 + 3 * sm];
      const a4r = xr[i0 + 4 * sm];
      const a4i = xi[i0 + 4 * sm];
      const t1r = a1r + a4r;
      const t1i = a1i + a4i;
      const t2r = a2r + a3r;
      const t2i = a2i + a3i;
      const t3r = a1r - a4r;
      const t3i = a1i - a4i;
      const t4r = a2r - a3r;
      const t4i = a2i - a3i;
      const m1r = a0r + C1 * t1r + C2 * t2r;
      const m1i = a0i + C1 * t1i + C2 * t2i;
      const m2r = a0r + C2 * t1r + C1 * t2r;
      const m2i = a0i + C2 * t1i + C1 * t2i;
      const u1r = S1 * t3r + S2 * t4r;
      const u1i = S1 * t3i + S2 * t4i;
      const u2r = S2 * t3r - S1 * t4r;
      const u2i = S2 * t3i - S1 * t4i;
      // b1 = m1 - i*u1, b4 = m1 + i*u1, b2 = m2 - i*u2, b3 = m2 + i*u2.
      const b1r = m1r + u1i;
      const b1i = m1i - u1r;
      const b4r = m1r - u1i;
      const b4i = m1i + u1r;
      const b2r = m2r + u2i;
      const b2i = m2i - u2r;
      const b3r = m2r - u2i;
      const b3i = m2i + u2r;
      const o0 = q + s * 5 * p;
      yr[o0] = a0r + t1r + t2r;
      yi[o0] = a0i + t1i + t2i;
      twiddle(yr, yi, o0 + s, b1r, b1i, w1r, w1i);
      twiddle(yr, yi, o0 + 2 * s, b2r, b2i, w2r, w2i);
      twiddle(yr, yi, o0 + 3 * s, b3r, b3i, w3r, w3i);
      twiddle(yr, yi, o0 + 4 * s, b4r, b4i, w4r, w4i);
    }
  }
}

/**
 * |X[k]|^2 for k in [0, n/2] of a real frame of even length n, through one complex FFT of n/2 points
 * (even samples as the real part, odd samples as the imaginary part, then split into the two halves).
 */
export class RealPowerSpectrum {
  readonly size: number;
  private readonly fft: ComplexFft;
  /**
   * The frame split into its even samples x[2j] and odd samples x[2j+1], the real and imaginary parts of the
   * half-length FFT: a caller may fill them directly and call computeFromSplit, saving a copy of the frame.
   */
  readonly even: Float64Array;
  readonly odd: Float64Array;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;

  constructor(size: number) {
    if (size % 2 !== 0) throw new Error(`fft: real transform size ${size} is odd`);
    this.size = size;
    const half = size / 2;
    this.fft = new ComplexFft(half);
    this.even = new Float64Array(half);
    this.odd = new Float64Array(half);
    const quarter = Math.floor(half / 2);
    this.cos = new Float64Array(quarter + 1);
    this.sin = new Float64Array(quarter + 1);
    for (let k = 0; k <= quarter; k++) {
      this.cos[k] = Math.cos((-2 * Math.PI * k) / size);
      this.sin[k] = Math.sin((-2 * Math.PI * k) / size);
    }
  }

  /** Writes the power spectrum of `frame` (length size) into `power` (length size/2 + 1). */
  compute(frame: Float64Array, power: Float64Array): void {
    const { even, odd } = this;
    for (let j = 0; j < even.length; j++) {
      even[j] = frame[2 * j];
      odd[j] = frame[2 * j + 1];
    }
    this.computeFromSplit(power);
  }

  /** Writes the power spectrum of the frame held in `even` and `odd` into `power`; overwrites `even` and `odd`. */
  computeFromSplit(power: Float64Array): void {
    const half = this.size / 2;
    const { even: zRe, odd: zIm, cos, sin } = this;
    this.fft.transform(zRe, zIm);
    // X[0] and X[half] are the sum and difference of the even and odd parts' DC terms (both real).
    power[0] = (zRe[0] + zIm[0]) ** 2;
    power[half] = (zRe[0] - zIm[0]) ** 2;
    // Even part E = (Z[k] + conj Z[-k]) / 2, odd part O = (Z[k] - conj Z[-k]) / 2i: X[k] = E + w^k O and, by
    // symmetry, |X[half - k]| = |E - w^k O|, so each pass of the loop yields two bins.
    for (let k = 1; k <= half / 2; k++) {
      const b = half - k;
      const er = 0.5 * (zRe[k] + zRe[b]);
      const ei = 0.5 * (zIm[k] - zIm[b]);
      const or = 0.5 * (zIm[k] + zIm[b]);
      const oi = -0.5 * (zRe[k] - zRe[b]);
      const wor = cos[k] * or - sin[k] * oi;
      const woi = cos[k] * oi + sin[k] * or;
      power[k] = (er + wor) ** 2 + (ei + woi) ** 2;
      power[b] = (er - wor) ** 2 + (ei - woi) ** 2;
    }
  }
}
