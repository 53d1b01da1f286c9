import type { GlobalDefs } from '../types.js';
import { custom, defineBlock, field, flag, toggle, type ValueParser } from './table.js';
import { decimal, integer, oneOf, readRunAs, text } from './values.js';

export const vrrpVersion: ValueParser<2 | 3> = (tok, ctx, keyword) => {
  const version = oneOf(['2', '3'])(tok, ctx, keyword);
  return version === undefined ? undefined : version === '2' ? 2 : 3;
};

/** A nice value, -20 (runs first) to 19 (runs last), as keepalived's vrrp_priority and checker_priority take it. */
const nice = integer(-20, 19);

/** keepalived's defaults. */
export function defaultGlobalDefs(): GlobalDefs {
  return {
    vrrpVersion: 2,
    garpMasterDelay: 5,
    garpMasterRepeat: 5,
    garpMasterRefresh: 0,
    garpMasterRefreshRepeat: 1,
    garpInterval: 0,
    gnaInterval: 0,
    enableScriptSecurity: false,
    skipCheckAdvAddr: false,
    vrrpStrict: false,
    higherPrioSendAdvert: false,
  };
}

export const globalDefsBlock = defineBlock<GlobalDefs>('global_defs', [
  field('router_id', 'routerId', text),
  field('vrrp_version', 'vrrpVersion', vrrpVersion),
  field('vrrp_garp_master_delay', 'garpMasterDelay', integer(0)),
  field('vrrp_garp_master_repeat', 'garpMasterRepeat', integer(0)),
  field('vrrp_garp_master_refresh', 'garpMasterRefresh', integer(0)),
  field('vrrp_garp_master_refresh_repeat', 'garpMasterRefreshRepeat', integer(1)),
  field('vrrp_garp_interval', 'garpInterval', decimal()),
  field('vrrp_gna_interval', 'gnaInterval', decimal()),
  custom('script_user', {
    args: [1, 2],
    apply(global, stmt) {
      global.scriptUser = readRunAs(stmt.args);
    },
  }),
  flag('enable_script_security', 'enableScriptSecurity'),
  toggle('vrrp_skip_check_adv_addr', 'skipCheckAdvAddr'),
  flag('vrrp_strict', 'vrrpStrict'),
  toggle('vrrp_higher_prio_send_advert', 'higherPrioSendAdvert'),
  field('vrrp_priority', 'vrrpNice', nice),
  field('checker_priority', 'checkerNice', nice),
]);
