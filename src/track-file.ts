// track_file values: read when the file changes (fs.watch on its directory, as keepalived
// uses inotify on it) and again at a fixed interval, as a safety net for changes a watch can
// miss (a directory created or replaced later, a watch that failed). Values are read the way
// keepalived reads them, and only changes are reported.
import { type FSWatcher, constants as fsConstants, watch } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from './clock.js';
import type { TrackFile } from './config/index.js';

/** keepalived reads at most this much of a track file. */
const READ_BYTES = 127;
/**
 * keepalived reads a 32-bit value. VRRP cuts the weighted value to ±254 itself, but a real
 * server's FILE_CHECK adds the whole product to its weight, so the value is not cut here.
 */
const VALUE_MIN = -(2 ** 31);
const VALUE_MAX = 2 ** 31;

/**
 * A track file's text as keepalived reads it, with C's strtol(text, NULL, 0): leading
 * whitespace, an optional sign, then hex (`0x1f`), octal (`017`) or decimal digits; anything
 * after them is ignored, and no digits at all read as 0. The value is kept within 32 bits.
 */
export function parseTrackFileValue(text: string): number {
  const match = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(text);
  if (!match) return 0;
  const [sign, digits] = [match[1], match[2]!];
  const magnitude = /^0[xX]/.test(digits)
    ? parseInt(digits.slice(2), 16)
    : digits.startsWith('0')
      ? parseInt(digits, 8)
      : parseInt(digits, 10);
  const value = sign === '-' ? -magnitude : magnitude;
  return Math.max(VALUE_MIN, Math.min(VALUE_MAX, value));
}

/** The file's value; a missing or unreadable file reads 0, as keepalived reads it. */
export async function readTrackFileValue(file: string): Promise<number> {
  try {
    // Non-blocking, so a FIFO with no writer cannot hold a thread of the pool.
    const handle = await open(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(READ_BYTES), 0, READ_BYTES, 0);
      return parseTrackFileValue(buffer.subarray(0, bytesRead).toString('latin1'));
    } finally {
      await handle.close();
    }
  } catch {
    return 0;
  }
}

/**
 * `init_file VALUE [overwrite]`: writes the value when the file is missing, or always with
 * `overwrite` — except on a reload, which never overwrites (keepalived's rule: a reload must not
 * undo what was written to the file since the start).
 */
export async function initialiseTrackFile(trackFile: TrackFile, reload: boolean): Promise<void> {
  const init = trackFile.initFile;
  if (!init) return;
  const existing = await stat(trackFile.file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (existing && !existing.isFile()) throw new Error(`${trackFile.file} exists and is not a regular file`);
  if (existing && (reload || !init.overwrite)) return;
  // O_NOFOLLOW: root must not write through a symlink someone planted in the file's place.
  const handle = await open(
    trackFile.file,
    fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_TRUNC | fsConstants.O_NOFOLLOW,
    0o644,
  );
  try {
    await handle.writeFile(`${init.value}\n`);
  } finally {
    await handle.close();
  }
}

export interface TrackFileObserver {
  valueChanged(name: string, value: number): void;
  /** Something an operator should see: an init_file that could not be written, a watch that failed. */
  problem(message: string): void;
}

export interface TrackFilePorts {
  clock: Clock;
  observer: TrackFileObserver;
  /** How often every file is read regardless of watch events; default 1 s. */
  rereadIntervalMs?: number;
}

const DEFAULT_REREAD_MS = 1000;
/**
 * A write arrives as several events (truncate, write, close); reading this long after the
 * first lets the writer finish, so a half-written file is not reported as a value.
 */
const SETTLE_MS = 10;

interface WatchedFile {
  config: TrackFile;
  value: number;
  watcher?: FSWatcher;
  /** A read is in flight; `readAgain` asks for another once it is done. */
  reading: boolean;
  readAgain: boolean;
  cancelSettle?: () => void;
}

/** Watches the track files some instance tracks. A watcher runs once: after stop(), make a new one. */
export class TrackFileWatcher {
  readonly #files = new Map<string, WatchedFile>();
  #cancelReread: (() => void) | undefined;
  #stopped = false;

  constructor(
    files: readonly TrackFile[],
    private readonly ports: TrackFilePorts,
  ) {
    for (const config of files) this.#files.set(config.name, { config, value: 0, reading: false, readAgain: false });
  }

  /**
   * Writes init_file values (`reload`: only into missing files), reads every file once (no
   * callbacks: read values() afterwards) and starts watching.
   */
  async start(options: { reload?: boolean } = {}): Promise<void> {
    await Promise.all(
      [...this.#files.values()].map(async (file) => {
        await initialiseTrackFile(file.config, options.reload ?? false).catch((err: Error) =>
          this.ports.observer.problem(`track_file ${file.config.name}: init_file not written: ${err.message}`),
        );
        file.value = await readTrackFileValue(file.config.file);
        await this.#watch(file);
      }),
    );
    if (!this.#stopped) this.#scheduleReread();
  }

  stop(): void {
    this.#stopped = true;
    this.#cancelReread?.();
    for (const file of this.#files.values()) {
      file.watcher?.close();
      file.cancelSettle?.();
    }
  }

  /** Every file's value now, for evaluateTracking. */
  values(): ReadonlyMap<string, number> {
    return new Map([...this.#files].map(([name, file]) => [name, file.value]));
  }

  /** Watches the directory the file really lives in, so it is seen when created, replaced or removed. */
  async #watch(file: WatchedFile): Promise<void> {
    const configured = file.config.file;
    try {
      const real = await realpath(configured).catch(async () =>
        path.join(await realpath(path.dirname(configured)), path.basename(configured)),
      );
      if (this.#stopped) return;
      const base = path.basename(real);
      file.watcher = watch(path.dirname(real), (_event, name) => {
        if (name === null || name === base) this.#settleThenRead(file);
      });
      file.watcher.on('error', (err) =>
        this.ports.observer.problem(
          `track_file ${file.config.name}: watching ${configured} failed (${err.message}); it is still read every ${this.#rereadMs} ms`,
        ),
      );
    } catch (err) {
      this.ports.observer.problem(
        `track_file ${file.config.name}: cannot watch ${configured} (${(err as Error).message}); it is read every ${this.#rereadMs} ms instead`,
      );
    }
  }

  get #rereadMs(): number {
    return this.ports.rereadIntervalMs ?? DEFAULT_REREAD_MS;
  }

  #scheduleReread(): void {
    this.#cancelReread = this.ports.clock.after(this.#rereadMs, () => {
      for (const file of this.#files.values()) void this.#read(file);
      this.#scheduleReread();
    });
  }

  #settleThenRead(file: WatchedFile): void {
    if (file.cancelSettle) return;
    file.cancelSettle = this.ports.clock.after(SETTLE_MS, () => {
      file.cancelSettle = undefined;
      void this.#read(file);
    });
  }

  async #read(file: WatchedFile): Promise<void> {
    if (file.reading) {
      file.readAgain = true;
      return;
    }
    file.reading = true;
    const value = await readTrackFileValue(file.config.file);
    file.reading = false;
    if (this.#stopped) return;
    if (value !== file.value) {
      file.value = value;
      this.ports.observer.valueChanged(file.config.name, value);
    }
    if (file.readAgain) {
      file.readAgain = false;
      await this.#read(file);
    }
  }
}
