/** A forward complex FFT (sign -1, unscaled) of one fixed size, with its twiddles and scratch planned once. */
export declare class ComplexFft {
    readonly size: number;
    private readonly stages;
    private readonly scratchRe;
    private readonly scratchIm;
    constructor(size: number);
    /** Transforms (re, im) in place. */
    transform(re: Float64Array, im: Float64Array): void;
}
/**
 * |X[k]|^2 for k in [0, n/2] of a real frame of even length n, through one complex FFT of n/2 points
 * (even samples as the real part, odd samples as the imaginary part, then split into the two halves).
 */
export declare class RealPowerSpectrum {
    readonly size: number;
    private readonly fft;
    /**
     * The frame split into its even samples x[2j] and odd samples x[2j+1], the real and imaginary parts of the
     * half-length FFT: a caller may fill them directly and call computeFromSplit, saving a copy of the frame.
     */
    readonly even: Float64Array;
    readonly odd: Float64Array;
    private readonly cos;
    private readonly sin;
    constructor(size: number);
    /** Writes the power spectrum of `frame` (length size) into `power` (length size/2 + 1). */
    compute(frame: Float64Array, power: Float64Array): void;
    /** Writes the power spectrum of the frame held in `even` and `odd` into `power`; overwrites `even` and `odd`. */
    computeFromSplit(power: Float64Array): void;
}
