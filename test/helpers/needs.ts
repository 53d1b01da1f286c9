import { spawnSync } from 'node:child_process';

// A suite that needs what is missing here (root and ip for a lab, nft for its impairments,
// keepalived for interop, tcpdump and tshark for the wire checks) skips with the reason, so that
// `npm test` runs anywhere. Under CI=true it fails instead, as the VM step (test/vm/run.ts) does:
// CI installs every one of them (.ci/run), and a skip there would hide a broken setup.

/** The `skip` option for a suite needing what `checks` look for: the first reason one gives, or false. */
export async function skipWithout(...checks: (() => Promise<string | undefined>)[]): Promise<string | false> {
  for (const check of checks) {
    const missing = await check();
    if (missing === undefined) continue;
    if (process.env.CI === 'true') throw new Error(`${missing}; under CI=true a missing test dependency fails`);
    return missing;
  }
  return false;
}

/**
 * For tests that run a part of the checkout as uid 65534 (the user a hostile neighbour is): the
 * reason it cannot, when the checkout sits where that user may not read (a home directory).
 */
export function unreadableByNobody(file: string): () => Promise<string | undefined> {
  return async () => {
    const probe = spawnSync(process.execPath, ['-e', 'require("node:fs").accessSync(process.argv[1], 4)', file], {
      uid: 65534,
      gid: 65534,
    });
    return probe.status === 0 ? undefined : `uid 65534 cannot read ${file} (the checkout is not readable by others)`;
  };
}

/** For suites that run a program `command` (tmux): the reason they cannot, when it is not on the PATH. */
export function commandOnPath(command: string, debianPackage = command): () => Promise<string | undefined> {
  return async () => {
    const found = spawnSync('bash', ['-c', `command -v ${command}`]).status === 0;
    return found ? undefined : `\`${command}\` is not installed here (apt-get install ${debianPackage})`;
  };
}
