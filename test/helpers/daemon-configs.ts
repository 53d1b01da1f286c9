// keepalived.conf texts that tests of vigild's process (start, signals) run it with.

/** Nothing to run: vigild serves its API and nothing else, so it needs no namespace. */
export const noInstances = (routerId: string) => `global_defs {\n  router_id ${routerId}\n}\n`;

export const MASTER_VIP = '198.51.100.10';

/** One VRRPv3 instance on eth0 that starts as MASTER at once (state MASTER, 0.1 s adverts). */
export const ONE_MASTER = `vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 150
  version 3
  advert_int 0.1
  virtual_ipaddress {
    ${MASTER_VIP}/24
  }
}
`;
