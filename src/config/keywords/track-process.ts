// vrrp_track_process NAME { ... }, read as keepalived 2.2.7 reads it (vrrp_parser.c): keywords
// apply in order, so `quorum` is checked against the `quorum_max` set so far and the other way
// round; a second `process`, or a second non-zero `weight`, is ignored.
import type { SourcePos } from '../diagnostics.js';
import type { Statement } from '../parser.js';
import type { TrackProcess } from '../types.js';
import { ARGS, applyBlock, type BuildContext, custom, defineBlock, flag, Sites } from './table.js';
import { decimal, integer, readWeight } from './values.js';

/** The kernel keeps 15 bytes of a process name (TASK_COMM_LEN 16, with its NUL). */
export const COMM_MAX = 15;

export function newTrackProcess(name: string, pos: SourcePos): TrackProcess {
  return {
    name,
    pos,
    process: '',
    params: [],
    paramMatch: 'none',
    fullCommand: false,
    weight: 0,
    weightReverse: false,
    quorum: 1,
    forkDelay: 0,
    terminateDelay: 0,
  };
}

const QUORUM_LIMIT = 65535;
/** keepalived reads delays in microseconds: 0.000001 s up to an hour. */
const delay = decimal({ min: 0.000001, max: 3600 });

function delayKeyword(name: string, set: (tp: TrackProcess, seconds: number) => void) {
  return custom<TrackProcess>(name, {
    args: ARGS.one,
    apply(tp, stmt, ctx) {
      const seconds = delay(stmt.args[0]!, ctx, name);
      if (seconds !== undefined) set(tp, seconds);
    },
  });
}

const ignoredLater = (stmt: Statement, ctx: BuildContext, what: string) =>
  ctx.warning(stmt.keyword.pos, `${what} is already set; keepalived 2.2.7 keeps the first and ignores this one`);

export const trackProcessBlock = defineBlock<TrackProcess>('vrrp_track_process', [
  custom('process', {
    args: ARGS.atLeastOne,
    repeatable: true,
    apply(tp, stmt, ctx) {
      if (tp.process !== '') return ignoredLater(stmt, ctx, '`process`');
      const [command, ...params] = stmt.args.map((tok) => tok.text);
      tp.process = command!;
      if (params.length === 0) return;
      // Parameters are on the command line only, so naming any matches it (exactly, by default).
      tp.params = params;
      tp.fullCommand = true;
      if (tp.paramMatch === 'none') tp.paramMatch = 'exact';
    },
  }),
  custom('param_match', {
    args: ARGS.optional,
    apply(tp, stmt, ctx) {
      const word = stmt.args[0]?.text ?? 'exact';
      if (word !== 'exact' && word !== 'initial' && word !== 'partial') {
        ctx.error(stmt.args[0]!.pos, `\`param_match\` takes \`initial\` or \`partial\` (or nothing), got \`${word}\``);
        return;
      }
      tp.paramMatch = word;
      tp.fullCommand = true;
    },
  }),
  custom('weight', {
    args: [1, 2],
    repeatable: true,
    apply(tp, stmt, ctx) {
      if (tp.weight !== 0) return ignoredLater(stmt, ctx, 'a non-zero `weight`');
      const weight = readWeight(stmt.keyword, stmt.args, ctx, [-254, 254], ['reverse']);
      if (!weight) return;
      tp.weight = weight.weight;
      tp.weightReverse = weight.reverse ?? false;
    },
  }),
  custom('quorum', {
    args: ARGS.one,
    apply(tp, stmt, ctx) {
      const quorum = integer(1, QUORUM_LIMIT)(stmt.args[0]!, ctx, 'quorum');
      if (quorum === undefined) return;
      if (tp.quorumMax !== undefined && quorum > tp.quorumMax) {
        ctx.error(stmt.args[0]!.pos, `\`quorum ${quorum}\` is greater than \`quorum_max ${tp.quorumMax}\``);
        return;
      }
      tp.quorum = quorum;
    },
  }),
  custom('quorum_max', {
    args: ARGS.one,
    apply(tp, stmt, ctx) {
      const max = integer(0, QUORUM_LIMIT)(stmt.args[0]!, ctx, 'quorum_max');
      if (max === undefined) return;
      // `quorum_max 0` (none may run) is allowed while quorum is still at most 1, and lowers it to 0.
      if ((max > 0 || tp.quorum > 1) && max < tp.quorum) {
        ctx.error(stmt.args[0]!.pos, `\`quorum_max ${max}\` is less than \`quorum ${tp.quorum}\``);
        return;
      }
      tp.quorumMax = max;
      if (max === 0) tp.quorum = 0;
      else if (tp.quorum === 0) tp.quorum = 1;
    },
  }),
  delayKeyword('delay', (tp, seconds) => {
    tp.forkDelay = seconds;
    tp.terminateDelay = seconds;
  }),
  delayKeyword('fork_delay', (tp, seconds) => {
    tp.forkDelay = seconds;
  }),
  delayKeyword('terminate_delay', (tp, seconds) => {
    tp.terminateDelay = seconds;
  }),
  flag('full_command', 'fullCommand'),
]);

/** Reads the block; keepalived drops a vrrp_track_process that names no process, so it is an error here. */
export function readTrackProcess(tp: TrackProcess, stmt: Statement, ctx: BuildContext): void {
  applyBlock(trackProcessBlock, stmt.block!, tp, ctx);
  const name = ctx.sites.get(tp, Sites.DEFINITION)?.args[0]?.pos ?? tp.pos;
  if (tp.process === '') {
    ctx.error(name, `vrrp_track_process \`${tp.name}\` needs a \`process\` to look for`);
    return;
  }
  if (!tp.fullCommand && Buffer.byteLength(tp.process) > COMM_MAX) {
    const at = ctx.sites.get(tp, 'process')!.args[0]!.pos;
    ctx.warning(
      at,
      `process name \`${tp.process}\` is longer than the ${COMM_MAX} bytes the kernel keeps of a name, so no process matches it (as in keepalived); add \`full_command\` to match the command line`,
    );
  }
}
