// The `vigil` CLI as one bundle (dist/vigil.cjs, built by esbuild): oclif, the commands and
// what they import, in a single file. Node 20 loads a hundred small CommonJS modules much slower
// than one file with the same code, and a command's start-up is most of what an operator waits
// for. oclif finds the commands through `COMMANDS` (its "explicit" discovery strategy).
import { execute } from '@oclif/core/execute';
import Check from './check.js';
import Drain from './drain.js';
import Failover from './failover.js';
import Maintenance from './maintenance.js';
import Monitor from './monitor.js';
import Reload from './reload.js';
import Status from './status.js';
import Undrain from './undrain.js';

export const COMMANDS = {
  check: Check,
  drain: Drain,
  failover: Failover,
  maintenance: Maintenance,
  monitor: Monitor,
  reload: Reload,
  status: Status,
  undrain: Undrain,
};

/** `root` is the package directory, which holds package.json and oclif.manifest.json. */
export function run(root: string): Promise<unknown> {
  // vigil has no plugins: skip oclif's look-ups of user, dev and just-in-time plugins, which
  // cost start-up time and read files in the user's home directory.
  return execute({ loadOptions: { root, userPlugins: false, devPlugins: false, jitPlugins: false } });
}
