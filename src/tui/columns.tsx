// A panel's table as columns that give way on a narrow terminal: why a row is in its state is
// what an operator reads first, so the columns that say least in an incident (counters, the
// interface) are dropped before the reason is cut to nothing. `vigil status` still shows all.
import { Text } from 'ink';
import { fit } from './format.js';

export interface Cell {
  text: string;
  color?: string;
}

export interface Column<R> {
  title: string;
  width: number;
  /** Lower ranks are dropped first when the terminal is narrow; a column without one stays. */
  dropRank?: number;
  cell(row: R): Cell;
}

/** What the last, free-width column (the reason) keeps at least before other columns give way. */
export const REASON_MIN_WIDTH = 16;

const spanOf = (columns: readonly Column<unknown>[]) => columns.reduce((n, c) => n + c.width + 1, 0);

/** The columns that fit in `width` after `indent` with room for the reason, in their order. */
export function fitColumns<R>(columns: readonly Column<R>[], width: number, indent: number): Column<R>[] {
  const room = width - indent - REASON_MIN_WIDTH;
  const byRank = columns.filter((c) => c.dropRank !== undefined).sort((a, b) => a.dropRank! - b.dropRank!);
  const dropped = new Set<Column<R>>();
  for (const column of byRank) {
    if (spanOf(columns.filter((c) => !dropped.has(c))) <= room) break;
    dropped.add(column);
  }
  return columns.filter((c) => !dropped.has(c));
}

/** The title line: each title in its column, then the reason's. */
export function titleLine(columns: readonly Column<unknown>[], indent: number, last: string): string {
  return `${' '.repeat(indent)}${columns.map((c) => `${fit(c.title, c.width)} `).join('')}${last}`;
}

/** A row's cells, each padded to its column and coloured as the cell says. */
export function Cells<R>({ columns, row }: { columns: readonly Column<R>[]; row: R }) {
  return columns.map((column) => {
    const cell = column.cell(row);
    return <Text key={column.title} color={cell.color}>{`${fit(cell.text, column.width)} `}</Text>;
  });
}
