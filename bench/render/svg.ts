/**
 * A vega-lite spec to SVG, in Node, without a browser or canvas (text widths are estimated), for the
 * report's charts and the nightly trend. The only async step of either; everything before it is a pure
 * function of the stored results.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Inlined SVGs share one id space in the page: vega numbers its clip paths per process, so two charts
 * (or two renders) could clash. Prefix every id and reference with the chart's name.
 */
export function namespaceSvgIds(svg: string, prefix: string): string {
  return svg.replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`).replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`).replace(/href="#([^"]+)"/g, `href="#${prefix}-$1"`);
}

export async function renderSvg(spec: TopLevelSpec, idPrefix?: string): Promise<string> {
  // vega-lite warns about faceted independent scales on layered data; the views are sized right, and
  // a warning per render would bury the benchmark's own output. Errors still throw.
  const compiled = compile(spec, { logger: vega.logger(vega.Error) }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    const svg = await view.toSVG();
    // Clip ids count up across renders in one process; number them from 1 in each chart so output is stable.
    const ids = [...new Set([...svg.matchAll(/\bid="([^"]+)"/g)].map((match) => match[1]!))];
    let stable = svg;
    ids.forEach((id, index) => {
      stable = stable.split(`id="${id}"`).join(`id="c${index + 1}"`).split(`url(#${id})`).join(`url(#c${index + 1})`);
    });
    return idPrefix ? namespaceSvgIds(stable, idPrefix) : stable;
  } finally {
    view.finalize();
  }
}
