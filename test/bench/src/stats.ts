/**
 * The value below which `fraction` of the samples fall, interpolated linearly between the two
 * nearest ranks (the "type 7" estimator of R and NumPy). `NaN` for no samples.
 *
 * @example
 * ```ts
 * percentile([10, 20, 30, 40], 0.5); // 25
 * ```
 */
export function percentile(samples: readonly number[], fraction: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((left, right) => left - right);
  const rank = (sorted.length - 1) * Math.min(Math.max(fraction, 0), 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  const lowerValue = sorted[lower] ?? Number.NaN;
  const upperValue = sorted[upper] ?? Number.NaN;
  return lowerValue + (upperValue - lowerValue) * (rank - lower);
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 0.5);
}

export function sum(samples: readonly number[]): number {
  return samples.reduce((total, sample) => total + sample, 0);
}
