/**
 * The keepalived.conf dialect: load a configuration (following includes) into a typed,
 * validated Config, with every problem reported as a positioned diagnostic. Pure apart from
 * file reads, which go through a SourceReader.
 */
import { type Diagnostic, DiagnosticSink, sortDiagnostics } from './diagnostics.js';
import { fsReader } from './fs-reader.js';
import { RouteNames } from './iproute2-names.js';
import { buildConfig } from './keywords.js';
import { SourceLoader } from './parser.js';
import type { SourceReader } from './source-reader.js';
import type { Config } from './types.js';
import { validateConfig } from './validate.js';

export { defaultConfigId } from './config-id.js';
export { type Diagnostic, formatDiagnostic, formatPos, type Severity, type SourcePos } from './diagnostics.js';
export { fsReader } from './fs-reader.js';
export { regexFlags } from './keywords/checkers.js';
export { trackedNames } from './keywords/sync-tracking.js';
export { NOT_IMPLEMENTED, type NotImplemented } from './keywords.js';
export { createMemoryReader, type SourceReader } from './source-reader.js';
export type * from './types.js';
export { CHECKER_TYPES, DNS_QUERY_TYPES, PROTOCOL_KEEPALIVED, ROUTE_TYPES, SCHEDULERS } from './types.js';

export interface LoadOptions {
  /** Where files are read from; default: the local file system. */
  reader?: SourceReader;
  /**
   * Host interface name → its addresses (no prefix). When given, an unknown interface is a
   * warning and priority 255 is checked against the addresses the interface really has.
   */
  interfaces?: ReadonlyMap<string, readonly string[]>;
  /**
   * keepalived's `--config-id`: a line `@ID ...` is read only when this is ID, `@^ID ...`
   * only when it is not. Undefined is keepalived's "no id": every `@ID` line is dropped.
   * The daemon and `vigil check` pass keepalived's default, the short host name.
   */
  configId?: string;
  /**
   * keepalived's `-e` / `--all-config`: every include starts with all of include_check's
   * checks, so a missing or unreadable included file refuses the configuration.
   */
  allConfig?: boolean;
}

export interface LoadResult {
  /** Undefined exactly when there is at least one error diagnostic. */
  config?: Config;
  /** Sorted by file (in the order read), then line and column. */
  diagnostics: Diagnostic[];
  /** Every file read, main file first, includes in the order they were spliced in. */
  files: string[];
}

function load(path: string, text: string | undefined, opts: LoadOptions): LoadResult {
  try {
    return loadUnguarded(path, text, opts);
  } catch (err) {
    // A bug must not take down a daemon that is reloading: report it like any other problem.
    const reason = err instanceof Error ? err.message : String(err);
    return {
      diagnostics: [
        {
          severity: 'error',
          pos: { file: path, line: 1, col: 1 },
          message: `internal error while loading the configuration (please report it): ${reason}`,
        },
      ],
      files: [],
    };
  }
}

/** keepalived reads /etc/iproute2 where it runs; a file that cannot be read leaves the built-in names. */
function iproute2Names(reader: SourceReader): RouteNames {
  return new RouteNames((path) => {
    try {
      return reader.readFile(path);
    } catch {
      return undefined;
    }
  });
}

function loadUnguarded(path: string, text: string | undefined, opts: LoadOptions): LoadResult {
  const sink = new DiagnosticSink();
  const loader = new SourceLoader(opts.reader ?? fsReader, sink, opts.configId, opts.allConfig);
  const sources = loader.loadMain(path, text);
  let config: Config | undefined;
  // Unbalanced braces make the tree's shape a guess; interpreting it would only add noise.
  if (sources.balanced && sources.files.length > 0) {
    const built = buildConfig(sources.statements, sink, iproute2Names(opts.reader ?? fsReader));
    validateConfig(built.config, built.sites, sink, { interfaces: opts.interfaces });
    config = built.config;
  }
  const diagnostics = sortDiagnostics(sink.items, sources.files);
  return {
    config: config && !diagnostics.some((d) => d.severity === 'error') ? config : undefined,
    diagnostics,
    files: sources.files,
  };
}

/** Reads and validates the configuration at `path`, following its includes. Never throws. */
export function loadConfig(path: string, opts: LoadOptions = {}): LoadResult {
  return load(path, undefined, opts);
}

/**
 * Like loadConfig, for text already in memory; `fileName` names it in diagnostics and is the
 * base for relative includes, which are read through `opts.reader`.
 */
export function parseConfigText(text: string, fileName: string, opts: LoadOptions = {}): LoadResult {
  return load(fileName, text, opts);
}

export function summarize(c: Config): { instances: number; virtualServers: number; realServers: number } {
  return {
    instances: c.instances.length,
    virtualServers: c.virtualServers.length,
    realServers: c.virtualServers.reduce((sum, vs) => sum + vs.realServers.length, 0),
  };
}
