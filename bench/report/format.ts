/** Numbers as the page prints them. The exact value always sits beside it in a data-value attribute. */
const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const significant = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 });

export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  return Math.abs(value) >= 1000 ? grouped.format(value) : significant.format(value);
}

/** A fraction as a share: 0.123 → "12.3%". (Signed changes are compare's formatSignedPercent.) */
export function formatShare(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

export function formatRatioText(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return '–';
  return `${ratio.toFixed(ratio >= 10 ? 1 : 3)}×`;
}
