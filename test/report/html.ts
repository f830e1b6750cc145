/** Reading report.html back in tests, without an HTML parser: the page marks its numbers with data attributes. */
export interface MetricRowCells {
  run: string;
  backend: string;
  workload: string;
  metric: string;
  /** data-field → { value: exact number as written, text: what the reader sees } */
  fields: Record<string, { value: string; text: string }>;
}

export function unescapeHtml(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

/** Rows of the table with the given class (summary tables carry data-run/backend/workload/metric). */
export function metricRows(html: string, tableClass: string): MetricRowCells[] {
  const table = new RegExp(`<table class="[^"]*\\b${tableClass}\\b[^"]*">([\\s\\S]*?)</table>`).exec(html);
  if (!table) return [];
  return [...table[1]!.matchAll(/<tr class="[^"]*" data-run="([^"]*)" data-backend="([^"]*)" data-workload="([^"]*)" data-metric="([^"]*)">([\s\S]*?)<\/tr>/g)].map((row) => ({
    run: unescapeHtml(row[1]!),
    backend: unescapeHtml(row[2]!),
    workload: unescapeHtml(row[3]!),
    metric: unescapeHtml(row[4]!),
    fields: Object.fromEntries(
      [...row[5]!.matchAll(/<td[^>]*data-field="([^"]+)" data-value="([^"]*)"[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => [cell[1]!, { value: cell[2]!, text: unescapeHtml(cell[3]!.replace(/<[^>]+>/g, '')).trim() }]),
    ),
  }));
}

/** The chart names present in the page, with whether their figure holds an inline <svg>. */
export function chartFigures(html: string): Record<string, boolean> {
  return Object.fromEntries(
    [...html.matchAll(/<figure class="chart" id="[^"]*" data-chart="([^"]+)">([\s\S]*?)<\/figure>/g)].map((figure) => [figure[1]!, /<svg[\s>]/.test(figure[2]!)]),
  );
}
