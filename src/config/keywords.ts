import type { DiagnosticSink, SourcePos } from './diagnostics.js';
import type { RouteNames } from './iproute2-names.js';
import { checkerTables } from './keywords/checkers.js';
import { defaultGlobalDefs, globalDefsBlock, resolveGlobalDefs } from './keywords/global.js';
import { ignoredKeywords } from './keywords/ignored.js';
import {
  lvsTables,
  readVirtualServerGroupEntries,
  resolveVirtualServer,
  virtualServerKeyword,
} from './keywords/lvs.js';
import { resolveLvsSyncDaemon } from './keywords/lvs-sync-daemon.js';
import { readRoute, readRule, routeBlock } from './keywords/routes.js';
import { correctTrackingWeights } from './keywords/sync-tracking.js';
import {
  ARGS,
  applyBlock,
  type BlockTable,
  BuildContext,
  collectHomes,
  custom,
  defineBlock,
  type KeywordSpec,
  listLines,
  Sites,
} from './keywords/table.js';
import { newTrackProcess, readTrackProcess, trackProcessBlock } from './keywords/track-process.js';
import {
  dropEmptySyncGroups,
  instanceBlock,
  newInstance,
  newSyncGroup,
  newTrackFile,
  newVrrpScript,
  readSyncGroup,
  readVip,
  resolveInstance,
  syncGroupBlock,
  trackFileBlock,
  vrrpScriptBlock,
} from './keywords/vrrp.js';
import { correctVirtualServers } from './lvs-corrections.js';
import type { Statement } from './parser.js';
import type { Config } from './types.js';

export { NOT_IMPLEMENTED, type NotImplemented } from './keywords/not-implemented.js';

type ListKey = 'scripts' | 'trackFiles' | 'trackProcesses' | 'instances' | 'syncGroups' | 'virtualServerGroups';

/** `KEYWORD NAME { ... }`: creates a named object, reads its block and adds it to a list. */
function namedBlock<K extends ListKey>(
  name: string,
  list: K,
  create: (name: string, pos: SourcePos) => Config[K][number],
  read: (item: Config[K][number], stmt: Statement, ctx: BuildContext) => void,
  aliases?: readonly string[],
): KeywordSpec<Config> {
  return custom(name, {
    aliases,
    args: ARGS.one,
    block: true,
    repeatable: true,
    apply(config, stmt, ctx) {
      const item = create(stmt.args[0]!.text, stmt.keyword.pos);
      ctx.sites.note(item, Sites.DEFINITION, stmt);
      read(item, stmt, ctx);
      (config[list] as Config[K][number][]).push(item);
    },
  });
}

const readWith =
  <T extends object>(table: BlockTable<T>) =>
  (item: T, stmt: Statement, ctx: BuildContext): void =>
    applyBlock(table, stmt.block!, item, ctx);

const topLevel = defineBlock<Config>('top level', [
  custom('global_defs', {
    args: ARGS.none,
    block: true,
    repeatable: true,
    apply(config, stmt, ctx) {
      applyBlock(globalDefsBlock, stmt.block!, config.global, ctx);
    },
  }),
  namedBlock('vrrp_script', 'scripts', newVrrpScript, readWith(vrrpScriptBlock)),
  namedBlock('track_file', 'trackFiles', newTrackFile, readWith(trackFileBlock), ['vrrp_track_file']),
  namedBlock('vrrp_track_process', 'trackProcesses', newTrackProcess, readTrackProcess),
  namedBlock('vrrp_sync_group', 'syncGroups', newSyncGroup, readSyncGroup),
  namedBlock('vrrp_instance', 'instances', newInstance, readWith(instanceBlock)),
  namedBlock(
    'virtual_server_group',
    'virtualServerGroups',
    (name, pos) => ({ name, pos, entries: [] }),
    readVirtualServerGroupEntries,
  ),
  virtualServerKeyword,
  custom('static_ipaddress', {
    args: ARGS.none,
    block: true,
    repeatable: true,
    apply(config, stmt, ctx) {
      for (const line of listLines(stmt, ctx)) {
        const vip = readVip(line, 'static_ipaddress', ctx);
        if (vip) config.staticAddresses.push(vip);
      }
    },
  }),
  routeBlock<Config, 'staticRoutes'>('static_routes', 'staticRoutes', readRoute, true),
  routeBlock<Config, 'staticRules'>('static_rules', 'staticRules', readRule, true),
  ...ignoredKeywords<Config>('top level'),
]);

/** Every block vigil reads, for the keyword lists of vigil.conf(5) (scripts/gen-man-conf.ts) too. */
export const ALL_TABLES: readonly BlockTable<never>[] = [
  topLevel,
  globalDefsBlock,
  vrrpScriptBlock,
  trackFileBlock,
  trackProcessBlock,
  syncGroupBlock,
  instanceBlock,
  ...lvsTables,
  ...checkerTables,
];

const KEYWORD_HOMES = collectHomes(ALL_TABLES);

function emptyConfig(): Config {
  return {
    global: defaultGlobalDefs(),
    scripts: [],
    trackFiles: [],
    trackProcesses: [],
    instances: [],
    syncGroups: [],
    virtualServerGroups: [],
    virtualServers: [],
    staticAddresses: [],
    staticRoutes: [],
    staticRules: [],
  };
}

/**
 * Interprets the statement tree into a typed Config. Value errors are reported as found, then
 * keepalived's corrections made (lvs-corrections.ts); cross-object rules are left to validate(). `sites` records which statement set what.
 */
export function buildConfig(
  statements: readonly Statement[],
  sink: DiagnosticSink,
  names: RouteNames,
): { config: Config; sites: Sites } {
  const sites = new Sites();
  const ctx = new BuildContext(sink, sites, KEYWORD_HOMES, names);
  const config = emptyConfig();
  applyBlock(topLevel, statements, config, ctx);
  resolveGlobalDefs(config.global, sites);
  // keepalived puts a static address without `dev` on default_interface (eth0 unless set).
  const { defaultInterface } = config.global;
  if (defaultInterface) for (const vip of config.staticAddresses) vip.dev ??= defaultInterface;
  for (const instance of config.instances) resolveInstance(instance, config.global, ctx);
  dropEmptySyncGroups(config.syncGroups, ctx);
  correctTrackingWeights(config, ctx);
  resolveLvsSyncDaemon(config, ctx);
  correctVirtualServers(config, ctx);
  for (const vs of config.virtualServers) resolveVirtualServer(vs, ctx);
  return { config, sites };
}
