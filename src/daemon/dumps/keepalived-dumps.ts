// keepalived's three dumps in vigild: what each dump signal writes, from the store's state, to
// keepalived's files. The formatting is in the pure modules beside this one.

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { processClock } from '../../clock.js';
import type { Config } from '../../config/index.js';
import { interfaceIndex } from '../../net/native.js';
import { vrrpAlerts } from '../../scripts/alert-mail.js';
import { resolveScriptIdentity } from '../../scripts/launcher.js';
import type { Logger } from '../logger.js';
import type { DumpKind } from '../signals.js';
import type { StateStore } from '../store.js';
import { needsDropRules } from '../vip-firewall.js';
import { dataDump } from './data-dump.js';
import type { ScriptIds } from './data-instances.js';
import { DEFAULT_DUMP_UMASK, type DumpFile, dumpPath, writeAtomically } from './dump-files.js';
import { DumpQueue } from './dump-queue.js';
import { instanceViews } from './instance-view.js';
import { jsonDump } from './json-dump.js';
import { statsDump } from './stats-dump.js';

export interface DumpPorts {
  store: StateStore;
  /** keepalived's STATS_CLEAR: zero the VRRP counters. */
  clearCounters(): void;
  /** Where the files go (see dumpDirectory). */
  directory: string;
  log: Logger;
}

export class KeepalivedDumps {
  private readonly queue: DumpQueue;

  constructor(private readonly ports: DumpPorts) {
    this.queue = new DumpQueue({
      render: (file, clear) => this.render(file, clear),
      write: (file, text) => writeAtomically(dumpPath(ports.directory, file), text, this.umask()),
      failed: (file, err) =>
        ports.log.warn({ err: err.message }, `cannot write ${dumpPath(ports.directory, file)}: ${err.message}`),
    });
  }

  /** Writes the dump a signal asks for, soon; repeated requests while it is written make one more. */
  request(kind: DumpKind): void {
    this.queue.request(kind);
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** The running config's umask: a reload that changes it applies to the next dump. */
  private umask(): number {
    return this.ports.store.loaded.config.global.umask ?? DEFAULT_DUMP_UMASK;
  }

  private render(file: DumpFile, clear: boolean): string | undefined {
    const { config } = this.ports.store.loaded;
    const clocks = { wallNow: Date.now(), monotonicNow: processClock.now() };
    const instances = instanceViews(config, this.ports.store.vrrpInstances(), clocks, { ifindex: ifindexOf });
    if (clear) this.ports.clearCounters();
    if (file === 'stats') return statsDump(instances);
    // keepalived writes no JSON without instances, and leaves an older file as it was.
    if (file === 'json') return instances.length > 0 ? jsonDump(instances) : undefined;
    const groups = config.syncGroups.map((group) => ({
      group,
      smtpAlert: vrrpAlerts(group.smtpAlert, config.global.mail),
    }));
    const global = {
      global: config.global,
      routerId: config.global.routerId ?? hostname(),
      scriptIds: defaultScriptIds(config),
      umask: this.umask(),
      firewall: config.global.nftables.named || config.instances.some(needsDropRules),
    };
    return dataDump(global, instances, groups);
  }
}

/** An interface's index in vigild's network namespace; undefined when it has none. */
function ifindexOf(name: string): number | undefined {
  try {
    return interfaceIndex(name);
  } catch {
    return undefined;
  }
}

/** Who scripts without a user of their own run as; vigild itself when none is configured. */
function defaultScriptIds(config: Config): ScriptIds {
  const self = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  };
  const identity = resolveScriptIdentity(
    undefined,
    { scriptUser: config.global.scriptUser, enableScriptSecurity: false },
    { passwd: read('/etc/passwd'), group: read('/etc/group') },
    self,
  );
  return 'error' in identity ? self : { uid: identity.uid, gid: identity.gid };
}
