/** Where something is in the configuration sources; line and col are 1-based. */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  pos: SourcePos;
  message: string;
}

export function formatPos(pos: SourcePos): string {
  return `${pos.file}:${pos.line}:${pos.col}`;
}

/** `file:line:col: error: message`, the shape editors and compilers use. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${formatPos(d.pos)}: ${d.severity}: ${d.message}`;
}

/** Collects diagnostics from every stage of loading. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];

  error(pos: SourcePos, message: string): void {
    this.items.push({ severity: 'error', pos, message });
  }

  warning(pos: SourcePos, message: string): void {
    this.items.push({ severity: 'warning', pos, message });
  }
}

/**
 * Orders diagnostics the way a user reads the configuration: files in the order they were
 * read (main file first, then includes as they were spliced in), then by line and column.
 * The sort is stable, so diagnostics at the same position keep the order they were found in.
 */
export function sortDiagnostics(items: readonly Diagnostic[], fileOrder: readonly string[]): Diagnostic[] {
  const rank = (file: string): number => {
    const i = fileOrder.indexOf(file);
    return i === -1 ? fileOrder.length : i;
  };
  return [...items].sort(
    (a, b) => rank(a.pos.file) - rank(b.pos.file) || a.pos.line - b.pos.line || a.pos.col - b.pos.col,
  );
}
