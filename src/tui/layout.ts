// How the terminal's rows are shared between the panels. Ink clears the whole screen on every
// frame as tall as the terminal (it cannot move the cursor above the top), which flickers: the
// monitor always draws at most one row less than the terminal has.

export interface PanelNeeds {
  instances: number;
  servers: number;
}

/** Lines of content for each panel (their title lines not included). */
export interface Budget extends PanelNeeds {
  log: number;
}

/** A title line for each of the three panels. */
const TITLES = 3;

/** Shares `rows` minus `fixed` lines (header, footer, banner): the event log keeps a quarter. */
export function shareRows(rows: number, fixed: number, needs: PanelNeeds): Budget {
  const available = Math.max(0, rows - 1 - fixed - TITLES);
  const logFloor = Math.min(available, Math.max(2, Math.floor(available / 4)));
  const content = available - logFloor;
  let instances = Math.min(needs.instances, Math.max(1, Math.ceil(content / 3)), content);
  const servers = Math.min(needs.servers, content - instances);
  instances += Math.min(content - instances - servers, needs.instances - instances);
  return { instances, servers, log: available - instances - servers };
}
