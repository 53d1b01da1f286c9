// Puts the model on the screen's widgets (the caller renders): the charts' series, labels and
// scales, or a note saying why a chart is empty, and the state panel.
import type { MonitorModel } from '../model.js';
import type { ChartPane, Layout } from './layout.js';
import {
  type Candidate,
  type ChartTitle,
  type ChartView,
  chartLabel,
  chartView,
  latencyCandidates,
  rateCandidates,
} from './series.js';
import { stateLines } from './state-lines.js';

export const PAGE_KEYS = '←/→';
const KEY_HINT = `{gray-fg}q quit  ${PAGE_KEYS} page real servers{/gray-fg}`;

interface PaneContent {
  title: ChartTitle;
  candidates: Candidate[];
  /** Why there is nothing to draw though status came: no such servers, or no samples yet. */
  noServers: string;
  noSamples: string;
  pageKeys?: string;
}

/**
 * How many names the legend has room for: it is drawn from the chart's second inner row down, a
 * name a row inside its border, and must end above the time axis' labels (three rows from the
 * bottom), or it hides them.
 */
function legendRoom(pane: ChartPane): number {
  return Number(pane.chart.height) - 7;
}

/** Returns the view drawn, whose `page` is the one asked for within the pages there are. */
function paintPane(pane: ChartPane, content: PaneContent, model: MonitorModel, now: number, page: number): ChartView {
  const view = chartView(content.candidates, now, page, legendRoom(pane));
  if (view.series.length === 0) {
    const why = !model.status
      ? 'waiting for vigild'
      : content.candidates.length === 0
        ? content.noServers
        : content.noSamples;
    pane.note.setContent(why);
    pane.note.show();
    pane.chart.hide();
    return view;
  }
  pane.note.hide();
  pane.chart.show();
  // Within the border, less its corners and a character either side.
  pane.chart.setLabel(chartLabel(content.title, view, Number(pane.chart.width) - 4, content.pageKeys));
  pane.chart.options.maxY = view.maxY;
  // The legend box is as wide as the longest name, but leaves most of the chart to the lines.
  const longest = Math.max(...view.series.map((s) => s.title.length));
  pane.chart.options.legend = { width: Math.min(longest + 2, Math.floor(Number(pane.chart.width) * 0.4)) };
  pane.chart.setData(view.series);
  return view;
}

/** Paints everything; returns the latency page shown (the one asked for, kept within range). */
export function paint(layout: Layout, model: MonitorModel, now: number, latencyPage: number): number {
  const ipvs = model.status?.ipvs;
  paintPane(
    layout.rate,
    {
      title: { long: 'connections/s per virtual server', short: 'conn/s' },
      candidates: rateCandidates(model),
      noServers: 'no virtual servers in the config',
      // The model takes no rates where the kernel has no IPVS: say why the chart stays empty.
      noSamples:
        ipvs?.available === false
          ? `no rates: IPVS unavailable (${ipvs.error ?? 'no reason given'})`
          : 'no IPVS stats yet',
    },
    model,
    now,
    0,
  );
  const latency = paintPane(
    layout.latency,
    {
      title: { long: 'check latency (ms) per real server', short: 'latency (ms)' },
      candidates: latencyCandidates(model),
      noServers: 'no real servers in the config',
      noSamples: 'no check has completed yet',
      pageKeys: PAGE_KEYS,
    },
    model,
    now,
    latencyPage,
  );
  layout.state.setContent([...stateLines(model), '', KEY_HINT].join('\n'));
  return latency.page;
}
