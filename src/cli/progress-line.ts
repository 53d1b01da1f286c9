// A progress display: on a terminal one line redrawn in place; in a pipe or a log, a plain line
// each time what it says changes (not each time the clock in it moves).
export class ProgressLine {
  private drawn = false;
  private lastKey: string | undefined;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  /** Shows `line`; `key` is what it says apart from the clock. */
  show(line: string, key: string): void {
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[K${line}`);
      this.drawn = true;
    } else if (key !== this.lastKey) {
      this.out.write(`${line}\n`);
    }
    this.lastKey = key;
  }

  /** Ends the redrawn line, so what is printed next starts on its own. */
  end(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}
