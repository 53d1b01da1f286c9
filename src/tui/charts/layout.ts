// Where things are on the screen: the two charts on the left, one above the other, the state
// panel on the right. Each chart has a note in its place for when it has nothing to draw (the
// line widget cannot draw no series, nor scale an empty one).
import type { Widgets } from 'blessed';
import blessed from 'blessed';
import Grid from 'blessed-contrib/lib/layout/grid.js';
import line from 'blessed-contrib/lib/widget/charts/line.js';

export interface ChartPane {
  chart: line.LineElement;
  /** Shown instead of the chart while it has nothing to draw. */
  note: Widgets.BoxElement;
}

export interface Layout {
  rate: ChartPane;
  latency: ChartPane;
  state: Widgets.BoxElement;
}

const ROWS = 12;
const CHART_COLS = 8;

function chartPane(grid: Grid, row: number, label: string): ChartPane {
  const cells = [row, 0, ROWS / 2, CHART_COLS] as const;
  const chart = grid.set(...cells, line, {
    label,
    showLegend: true,
    legend: { width: 20 },
    style: { text: 'white', baseline: 'white' },
  });
  const note = grid.set(...cells, blessed.box, { label, align: 'center', valign: 'middle', tags: true });
  return { chart, note };
}

export function createLayout(screen: Widgets.Screen): Layout {
  const grid = new Grid({ rows: ROWS, cols: 12, screen });
  return {
    rate: chartPane(grid, 0, ' connections/s per virtual server '),
    latency: chartPane(grid, ROWS / 2, ' check latency (ms) per real server '),
    state: grid.set(0, CHART_COLS, ROWS, 12 - CHART_COLS, blessed.box, { label: ' state ', tags: true }),
  };
}
