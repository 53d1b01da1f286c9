// The daemon's one state store and event bus: what is running now, and every change to it as
// an event. The control API reads from here; nothing else keeps a second copy.
import { EventEmitter } from 'node:events';
import type { DaemonEvent, Diagnostic } from '../api/schema.js';
import type { Config } from '../config/index.js';

export interface LoadedConfig {
  config: Config;
  path: string;
  files: string[];
  loadedAt: Date;
  generation: number;
  warnings: Diagnostic[];
}

export interface RejectedReload {
  at: Date;
  errors: Diagnostic[];
}

export class StateStore {
  private loadedConfig: LoadedConfig;
  private rejected: RejectedReload | undefined;
  private readonly bus = new EventEmitter();

  constructor(path: string, config: Config, files: string[], warnings: Diagnostic[], now: Date) {
    this.loadedConfig = { config, path, files, loadedAt: now, generation: 1, warnings };
    // Every TUI and `vigil monitor` holds a listener; a busy host may have many.
    this.bus.setMaxListeners(0);
  }

  get loaded(): LoadedConfig {
    return this.loadedConfig;
  }

  get lastRejectedReload(): RejectedReload | undefined {
    return this.rejected;
  }

  acceptConfig(config: Config, files: string[], warnings: Diagnostic[], now: Date): LoadedConfig {
    const generation = this.loadedConfig.generation + 1;
    this.loadedConfig = { config, path: this.loadedConfig.path, files, loadedAt: now, generation, warnings };
    this.rejected = undefined;
    this.publish({ type: 'config.reloaded', at: now.toISOString(), generation, files, warnings });
    return this.loadedConfig;
  }

  rejectConfig(errors: Diagnostic[], now: Date): void {
    this.rejected = { at: now, errors };
    this.publish({ type: 'config.rejected', at: now.toISOString(), errors });
  }

  publish(event: DaemonEvent): void {
    this.bus.emit('event', event);
  }

  /** Calls `listener` for every event from now on; returns the function that stops it. */
  subscribe(listener: (event: DaemonEvent) => void): () => void {
    this.bus.on('event', listener);
    return () => this.bus.off('event', listener);
  }
}
