// global_defs `vigil_metrics_listen ADDR:PORT`: vigil's own keyword, not keepalived's (keepalived
// logs it as an unknown keyword and carries on, so one file still serves both). It opens the
// Prometheus /metrics listener; vigild's --metrics-listen overrides it.
import { parseListenAddress } from '../../inet/listen-address.js';
import type { GlobalDefs } from '../types.js';
import { ARGS, custom } from './table.js';

export const metricsListenKeyword = custom<GlobalDefs>('vigil_metrics_listen', {
  args: ARGS.one,
  apply(global, stmt, ctx) {
    const tok = stmt.args[0]!;
    const address = parseListenAddress(tok.text);
    if ('error' in address) return ctx.error(tok.pos, `\`vigil_metrics_listen\`: ${address.error}`);
    global.metricsListen = address;
  },
});
