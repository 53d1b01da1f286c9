// blessed-contrib ships no types: the parts of it `vigil monitor --charts` uses. The widgets are
// imported one file each (not the package's index, which loads maps, pictures and markdown too,
// a third of a second at start-up for nothing).
declare module 'blessed-contrib/lib/widget/charts/line.js' {
  import type { Widgets } from 'blessed';

  namespace line {
    interface Series {
      title: string;
      x: string[];
      y: number[];
      style?: { line?: string };
    }
    interface Options extends Widgets.BoxOptions {
      showLegend?: boolean;
      legend?: { width?: number };
      /** The top of the y axis; without it the widget takes the data's maximum (0 when all are 0: no scale). */
      maxY?: number;
      minY?: number;
      wholeNumbersOnly?: boolean;
      numYLabels?: number;
      xLabelPadding?: number;
      xPadding?: number;
      style?: { line?: string; text?: string; baseline?: string; border?: Widgets.Types.TStyle['border'] };
    }
    interface LineElement extends Widgets.BoxElement {
      options: Options;
      /** Throws until the widget is on a screen (its canvas is made on 'attach'). */
      setData(series: Series[]): void;
    }
  }
  function line(options: line.Options): line.LineElement;
  export = line;
}

declare module 'blessed-contrib/lib/layout/grid.js' {
  import type { Widgets } from 'blessed';

  class Grid {
    constructor(options: { rows: number; cols: number; screen: Widgets.Screen; hideBorder?: boolean; color?: string });
    /** Makes a widget with `factory` in the cells given (sized in percent of the screen) and appends it. */
    set<O, W>(row: number, col: number, rowSpan: number, colSpan: number, factory: (options: O) => W, options: O): W;
  }
  export = Grid;
}
