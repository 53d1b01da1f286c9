// Config diagnostics as the API carries them: flat position fields for scripts, plus the
// ready-to-print `file:line:col: severity: message` line for people.
import { type Diagnostic as ConfigDiagnostic, formatDiagnostic } from '../config/index.js';
import type { Diagnostic } from './schema.js';

export function toApiDiagnostic(d: ConfigDiagnostic): Diagnostic {
  return {
    severity: d.severity,
    file: d.pos.file,
    line: d.pos.line,
    col: d.pos.col,
    message: d.message,
    text: formatDiagnostic(d),
  };
}
