// global_defs `startup_script` / `shutdown_script COMMAND [user [group]]` and their
// `*_script_timeout SECONDS`: what keepalived runs once before it starts its VRRP and checker
// processes, and once after they have stopped.
import type { GlobalDefs, LifecycleScript } from '../types.js';
import { ARGS, custom, field, type KeywordSpec } from './table.js';
import { integer, readCommandAndUser } from './values.js';

/** keepalived's time limit for each when no `*_script_timeout` is written. */
export const DEFAULT_LIFECYCLE_SCRIPT_TIMEOUT_S = 10;

type Moment = 'startup' | 'shutdown';

const KEY = { startup: 'startupScript', shutdown: 'shutdownScript' } as const;
const TIMEOUT_KEY = { startup: 'startupScriptTimeout', shutdown: 'shutdownScriptTimeout' } as const;

function scriptKeyword(moment: Moment): KeywordSpec<GlobalDefs> {
  return custom(`${moment}_script`, {
    args: ARGS.atLeastOne,
    repeatable: true,
    apply(global, stmt, ctx) {
      if (global[KEY[moment]]) {
        ctx.warning(
          stmt.keyword.pos,
          `a ${moment} script is already set; keepalived keeps the first one, so this one is ignored`,
        );
        return;
      }
      const line = readCommandAndUser(stmt.keyword, stmt.args, ctx);
      if (line) global[KEY[moment]] = { ...line, pos: stmt.keyword.pos } satisfies LifecycleScript;
    },
  });
}

export const lifecycleScriptKeywords: KeywordSpec<GlobalDefs>[] = (['startup', 'shutdown'] as const).flatMap(
  (moment) => [scriptKeyword(moment), field(`${moment}_script_timeout`, TIMEOUT_KEY[moment], integer(1, 1000))],
);
