/** The page's only stylesheet, inlined: nothing is fetched, and it prints to PDF without clipping. */
export const style = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; margin: 0 auto; padding: 1.5em 2em 3em; max-width: 1180px; }
h1 { font-size: 1.6em; margin: 0 0 0.2em; }
h2 { font-size: 1.25em; margin: 1.8em 0 0.5em; padding-bottom: 0.2em; border-bottom: 2px solid #e4e4e4; }
h3 { font-size: 1.05em; margin: 1.2em 0 0.4em; }
h4 { font-size: 0.95em; margin: 1em 0 0.3em; }
.subtitle { color: #555; margin: 0 0 1em; }
.runs { margin: 0.3em 0 1em; padding-left: 1.2em; }
.howto { background: #f6f7f9; border-left: 4px solid #4c78a8; padding: 0.7em 1em; margin: 1em 0; }
.howto p { margin: 0.35em 0; }
nav.toc { font-size: 0.92em; color: #555; }
nav.toc a { margin-right: 0.9em; }
a { color: #1f5fa8; }
table { border-collapse: collapse; margin: 0.4em 0 1em; font-size: 0.92em; }
th, td { padding: 0.28em 0.6em; border-bottom: 1px solid #e2e2e2; text-align: left; vertical-align: top; }
thead th { background: #f3f4f6; border-bottom: 1px solid #c8c8c8; font-weight: 600; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.ratio { font-weight: 600; }
td.reason { white-space: pre-wrap; max-width: 60em; }
table.keyvalue th { width: 11em; color: #444; font-weight: 600; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 2px; margin-right: 0.4em; vertical-align: -0.05em; }
.badge { display: inline-block; font-size: 0.78em; padding: 0 0.45em; border-radius: 0.7em; border: 1px solid #bbb; color: #444; background: #f4f4f4; white-space: nowrap; }
.badge.emulated { border-color: #8a6d00; color: #6b5500; background: #fff6d6; }
.badge.warn { border-color: #c77700; color: #8a5200; background: #fff3e0; }
.badge.bad { border-color: #b00020; color: #b00020; background: #fdecee; }
.dim, .empty { color: #777; }
pre { background: #f6f7f9; padding: 0.5em 0.7em; overflow-x: auto; white-space: pre-wrap; word-break: break-word; margin: 0.2em 0; font-size: 0.88em; }
pre.command { font-weight: 600; }
code { font-size: 0.92em; }
figure.chart { margin: 1em 0 1.6em; break-inside: avoid; page-break-inside: avoid; }
figure.chart h3 { margin-top: 0; }
figure.chart .frame { overflow-x: auto; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figcaption { color: #444; font-size: 0.92em; max-width: 60em; margin-bottom: 0.4em; }
details { margin: 0.5em 0; }
details > summary { cursor: pointer; font-weight: 600; }
.legend-note { font-size: 0.9em; color: #555; }
td.agreement.agrees { color: #1b7f2a; }
td.agreement.differs { color: #b00020; }
td.differences { max-width: 28em; font-size: 0.92em; }
.paper-verdict { max-width: 60em; }
/* Landscape: the all-metrics table has a dozen columns, and charts are up to ~900 px wide. */
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  nav.toc { display: none; }
  table { font-size: 8pt; }
  th, td { padding: 0.15em 0.3em; }
  thead th { white-space: normal; }
  td.reason { max-width: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3, h4 { break-after: avoid; page-break-after: avoid; }
  figure.chart, table, tr, pre, section.environment table.keyvalue { break-inside: avoid; page-break-inside: avoid; }
  table.all-metrics, table.all-metrics tr { break-inside: auto; page-break-inside: auto; }
  table.all-metrics tr { break-inside: avoid; page-break-inside: avoid; }
  figure.chart .frame { overflow: visible; }
  figure.chart svg { max-width: 100%; height: auto; }
  details > summary { list-style: none; }
  details::details-content { content-visibility: visible; display: contents; }
  a { color: inherit; text-decoration: none; }
}
`;
