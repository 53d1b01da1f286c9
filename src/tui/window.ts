// Which part of a list fits its panel: the selection stays in view, and what does not fit is
// counted on one line ("+N more") rather than pushed past the bottom of the terminal.

export interface ListWindow {
  start: number;
  end: number;
  /** Items left out above and below; a panel with any shows one line saying how many. */
  above: number;
  below: number;
}

/** The slice of `count` items shown in `lines` lines, centred on `focus` (-1: none) when they do not all fit. */
export function windowAround(count: number, lines: number, focus: number): ListWindow {
  // No room at all: not even for the line that would say so.
  if (lines <= 0) return { start: 0, end: 0, above: 0, below: 0 };
  if (count <= lines) return { start: 0, end: count, above: 0, below: 0 };
  const shown = Math.max(0, lines - 1);
  const wanted = focus < 0 ? 0 : focus - Math.floor(shown / 2);
  const start = Math.min(Math.max(0, wanted), count - shown);
  return { start, end: start + shown, above: start, below: count - start - shown };
}

/** The line that stands for what a window left out. */
export function moreLine(w: ListWindow): string {
  const where = [w.above > 0 ? `${w.above} above` : '', w.below > 0 ? `${w.below} below` : ''].filter(Boolean);
  return `  … +${w.above + w.below} more (${where.join(', ')})`;
}
