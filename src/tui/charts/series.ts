// What the two charts draw, from the model: one series per virtual server (connection rate) or
// real server (check latency), at most SERIES_CAP at once, the highest latest value first, so a
// thousand real servers stay readable: the rest are paged through, and the label says which.
import type { MonitorModel, Sample } from '../model.js';
import { realServerName } from '../model.js';
import { agoLabel, axisTimes, valuesAt } from './time-axis.js';

/** One colour each, none of them the terminal's text colour. */
export const PALETTE = ['cyan', 'yellow', 'magenta', 'green', 'red', 'blue'] as const;
export const SERIES_CAP = PALETTE.length;

/** Something that could be drawn: its legend name and its history. */
export interface Candidate {
  title: string;
  samples: readonly Sample[];
}

/** As blessed-contrib's line chart takes it. */
export interface LineSeries {
  title: string;
  x: string[];
  y: number[];
  style: { line: string };
}

export interface ChartView {
  series: LineSeries[];
  /** The top of the y axis: above every value drawn, and never 0 (the widget cannot scale to 0). */
  maxY: number;
  /** Candidates with samples, of which `series` are those ranked `first`..`first + series.length - 1` (from 0). */
  total: number;
  first: number;
  page: number;
  pages: number;
}

/** Each virtual server as status names it, with its IPVS connection rate. */
export function rateCandidates(model: MonitorModel): Candidate[] {
  return (model.status?.virtualServers ?? []).map((vs) => ({ title: vs.name, samples: model.connectionRate(vs.name) }));
}

/**
 * Each real server as `ADDR:PORT`, with its check latency; one that is in several virtual
 * servers is named with the virtual server too, or its lines could not be told apart.
 */
export function latencyCandidates(model: MonitorModel): Candidate[] {
  const pairs = (model.status?.virtualServers ?? []).flatMap((vs) =>
    vs.realServers.map((rs) => ({ vs: vs.name, rs: realServerName(rs) })),
  );
  const seen = new Map<string, number>();
  for (const { rs } of pairs) seen.set(rs, (seen.get(rs) ?? 0) + 1);
  return pairs.map(({ vs, rs }) => ({
    title: (seen.get(rs) ?? 0) > 1 ? `${rs} in ${vs}` : rs,
    samples: model.latency(vs, rs),
  }));
}

/**
 * The `page`th `cap` (at most SERIES_CAP) of the candidates with samples, highest latest value
 * first, on one time axis ending at `now`.
 */
export function chartView(
  candidates: readonly Candidate[],
  now: number,
  page = 0,
  cap: number = SERIES_CAP,
): ChartView {
  const perPage = Math.max(1, Math.min(cap, SERIES_CAP));
  const ranked = candidates
    .filter((c) => c.samples.length > 0)
    .map((c) => ({ ...c, latest: c.samples.at(-1)?.value ?? 0 }))
    .sort((a, b) => b.latest - a.latest || (a.title < b.title ? -1 : a.title > b.title ? 1 : 0));
  const pages = Math.max(1, Math.ceil(ranked.length / perPage));
  const shownPage = Math.min(Math.max(0, page), pages - 1);
  const first = shownPage * perPage;
  const shown = ranked.slice(first, first + perPage);
  const times = axisTimes(now, Math.min(...shown.map((c) => c.samples[0]?.at ?? now)));
  const x = times.map((at) => agoLabel(now, at));
  const series = shown.map((c, i) => ({
    title: c.title,
    x,
    y: valuesAt(c.samples, times),
    style: { line: PALETTE[i % PALETTE.length] ?? 'white' },
  }));
  return { series, maxY: axisTop(series), total: ranked.length, first, page: shownPage, pages };
}

/** A fifth of headroom above the highest value, at least 1 so an idle chart still has a scale. */
function axisTop(series: readonly LineSeries[]): number {
  const highest = Math.max(0, ...series.flatMap((s) => s.y));
  return Math.max(1, highest * 1.2);
}

/** What a chart shows, said in full and in few words for a narrow terminal. */
export interface ChartTitle {
  long: string;
  short: string;
}

/**
 * What a chart's border says it shows, within `width` characters: which of how many series, and
 * how to page to the others when there are keys for it.
 */
export function chartLabel(title: ChartTitle, view: ChartView, width: number, pageKeys?: string): string {
  const fits = (label: string) => label.length <= width;
  if (view.total <= view.series.length) return fits(` ${title.long} `) ? ` ${title.long} ` : ` ${title.short} `;
  const range = `${view.first + 1}-${view.first + view.series.length} of ${view.total}`;
  const paging = pageKeys ? ` (${pageKeys}: page ${view.page + 1}/${view.pages})` : '';
  const labels = [
    ` ${title.long}: ${range}, highest first${paging} `,
    ` ${title.short}: ${range}, highest first${paging} `,
    ` ${title.short}: ${range}${paging} `,
  ];
  const label = labels.find(fits) ?? labels.at(-1) ?? '';
  return label.length <= width ? label : `${label.slice(0, Math.max(0, width - 2))}… `;
}
