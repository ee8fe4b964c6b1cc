/** The small statistics every bench step uses. */

/**
 * The middle value; of an even count, the upper of the two middle ones.
 * @param {number[]} values
 * @returns {number}
 */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/**
 * The middle value; of an even count, the lower of the two middle ones.
 * @param {number[]} values
 * @returns {number}
 */
export function lowerMedian(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}
