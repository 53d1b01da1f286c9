// A terminal just good enough to read what blessed drew: it keeps a grid of characters and
// follows the cursor moves, erases and line-drawing charset blessed writes for xterm. blessed
// writes only the cells that changed, so the screen's text can only be read this way.
const LINE_DRAWING: Record<string, string> = { q: '─', x: '│', l: '┌', k: '┐', m: '└', j: '┘', t: '├', u: '┤' };

export class TerminalGrid {
  private rows: string[][];
  private row = 0;
  private col = 0;
  private saved = { row: 0, col: 0 };
  private lineDrawing = false;

  constructor(
    private columns: number,
    private height: number,
  ) {
    this.rows = this.blank(height);
  }

  resize(columns: number, height: number): void {
    this.columns = columns;
    this.height = height;
    this.rows = this.blank(height);
  }

  /** The screen as text, one line per row, trailing blanks dropped. */
  text(): string {
    return this.rows.map((r) => r.join('').trimEnd()).join('\n');
  }

  write(data: string): void {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escapes are control characters
    const token = /\x1b\][^\x07]*\x07|\x1b\[([?>]?)([0-9;]*)([A-Za-z@])|\x1b[()]([0B])|\x1b([78=>])|([\s\S])/gu;
    for (const m of data.matchAll(token)) {
      if (m[3])
        this.csi(
          m[1] ?? '',
          (m[2] ?? '').split(';').map((n) => Number(n || 0)),
          m[3],
        );
      else if (m[4]) this.lineDrawing = m[4] === '0';
      else if (m[5] === '7') this.saved = { row: this.row, col: this.col };
      else if (m[5] === '8') ({ row: this.row, col: this.col } = this.saved);
      else if (m[6]) this.put(m[6]);
    }
  }

  private blank(height: number): string[][] {
    return Array.from({ length: height }, () => Array<string>(this.columns).fill(' '));
  }

  private put(char: string): void {
    if (char === '\r') this.col = 0;
    else if (char === '\n') this.row = Math.min(this.height - 1, this.row + 1);
    else if (char === '\b') this.col = Math.max(0, this.col - 1);
    else if (char >= ' ') {
      const line = this.rows[this.row];
      if (line && this.col < this.columns) line[this.col] = this.lineDrawing ? (LINE_DRAWING[char] ?? char) : char;
      this.col++;
    }
  }

  private csi(prefix: string, params: number[], final: string): void {
    const n = Math.max(1, params[0] ?? 1);
    if (prefix !== '') return; // modes (?1049h, ?25l ...): nothing to draw
    switch (final) {
      case 'H':
      case 'f':
        this.row = Math.max(0, (params[0] || 1) - 1);
        this.col = Math.max(0, (params[1] || 1) - 1);
        return;
      case 'C':
        this.col += n;
        return;
      case 'D':
        this.col = Math.max(0, this.col - n);
        return;
      case 'A':
        this.row = Math.max(0, this.row - n);
        return;
      case 'B':
        this.row = Math.min(this.height - 1, this.row + n);
        return;
      case 'G':
        this.col = n - 1;
        return;
      case 'd':
        this.row = n - 1;
        return;
      case 'J':
        if (params[0] === 2) this.rows = this.blank(this.height);
        return;
      case 'K':
        this.rows[this.row]?.fill(' ', this.col);
        return;
      case 'X':
        this.rows[this.row]?.fill(' ', this.col, this.col + n);
        return;
      case 'm':
      case 'r':
        return; // colours; the scroll region (blessed sets it to the whole screen)
      default:
        throw new Error(`the test terminal does not know CSI ${params.join(';')}${final}`);
    }
  }
}
