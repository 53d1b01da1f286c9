// vigild and Debian's keepalived 2.2.7 as peers whose configs are written with `!`, `#`, `$`
// and quotes in the password, the track scripts and the notify scripts: both read the same
// password (one master, failover each way), and every script runs with the same argv in both
// daemons, recorded by the script itself; a `</dev/tcp` check runs in /bin/sh in both (issue 14).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { keepalivedUnavailable } from '../../lab/keepalived.js';
import { labUnavailable } from '../../lab/lab.js';
import { waitForStates } from '../../lab/routers.js';
import { skipWithout } from '../helpers/needs.js';
import { expectSoleMaster, MixedLab } from './interop.js';

const skip = await skipWithout(labUnavailable, keepalivedUnavailable);

const VIP = '198.51.100.202';

// Root-owned and closed to others, as enable_script_security wants the recorder's path.
const dir = mkdtempSync(path.join(tmpdir(), 'vigil-interop-scripts-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const records = path.join(dir, 'argv');

/**
 * A script that writes its argv ($0 included), NUL-separated, to argv/NAMESPACE/LABEL, where
 * LABEL is its first argument: both daemons run the same file, the namespace tells them apart.
 * It writes beside and renames, because track scripts still run every second while the test
 * reads: a file truncated by the next run read as an empty argv.
 */
function writeRecorder(): string {
  const file = path.join(dir, 'record');
  const ip = execFileSync('sh', ['-c', 'command -v ip'], { encoding: 'utf8' }).trim();
  writeFileSync(
    file,
    `#!/bin/sh\nout="${records}/$(${ip} netns identify $$)"\nmkdir -p "$out"\ntmp=$(mktemp "${dir}/run.XXXXXX")\nprintf '%s\\0' "$0" "$@" > "$tmp"\nmv "$tmp" "$out/$1"\n`,
  );
  chmodSync(file, 0o755);
  return file;
}

/**
 * The config both run. `!` and `#` inside double quotes are no comments; outside them the
 * line ends there. Escapes are read twice (`\\.` is `.`), `${WORD}` is a definition, `$HOME`
 * is not and stays as written; a command in single quotes is one word too. The `#` of `c#d`
 * once hid `${WORD}` from vigil's definitions.
 */
function config(recorder: string, priority: number): string {
  return `$WORD=w0rd
global_defs {
  script_user root
  enable_script_security
}
vrrp_script chk_quotes {
  script "${recorder} track 'single q' \\"double q\\" 'a!b' \\"c#d\\" $HOME \${WORD} 'x\\\\.y' it\\\\'s" # why: a comment
  interval 1
}
vrrp_script chk_single {
  script '${recorder} track2 "a  b" $1 \\x41' ! another comment
  interval 1
}
vrrp_script chk_port {
  script "</dev/tcp/127.0.0.1/1"
  interval 1
  weight -2
}
vrrp_script chk_missing {
  script "${dir}/no-such-check"
  interval 1
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  version 2
  virtual_router_id 54
  priority ${priority}
  advert_int 1
  authentication {
    auth_type PASS
    auth_pass "p!#$'x"
  }
  virtual_ipaddress {
    ${VIP}/24 dev eth0
  }
  track_script {
    chk_quotes
    chk_single
    chk_port
    chk_missing
  }
  notify_master "${recorder} master '!#$' \\"it's\\""
  notify_backup '${recorder} backup "#x" "!y" $HOME'
}
`;
}

/** Each label's recorded argv, as each namespace's run recorded it. */
function recorded(): Map<string, Map<string, string[]>> {
  const byLabel = new Map<string, Map<string, string[]>>();
  for (const ns of readdirSync(records)) {
    for (const label of readdirSync(path.join(records, ns))) {
      const argv = readFileSync(path.join(records, ns, label), 'utf8')
        .split('\0')
        .slice(0, -1);
      byLabel.set(label, (byLabel.get(label) ?? new Map()).set(ns, argv));
    }
  }
  return byLabel;
}

describe('interop with keepalived: passwords and scripts written with !, #, $ and quotes', { skip }, () => {
  const mixed = new MixedLab();
  mixed.hooks();

  test('one master, failover each way, and every script run with the same argv by both', async () => {
    const recorder = writeRecorder();
    const { vigild, keepalived, lab } = mixed;
    await Promise.all([vigild.start(config(recorder, 150)), keepalived.start(config(recorder, 100))]);
    await expectSoleMaster(lab, vigild, [keepalived, 'BACKUP'], VIP);

    await vigild.stop();
    await expectSoleMaster(lab, keepalived, [vigild, 'DOWN'], VIP);
    // Back below keepalived, so that keepalived stays master until it is stopped in turn.
    await vigild.start(config(recorder, 50));
    await waitForStates([
      [vigild, 'BACKUP'],
      [keepalived, 'MASTER'],
    ]);
    await keepalived.stop();
    await expectSoleMaster(lab, vigild, [keepalived, 'DOWN'], VIP);
    await mixed.assertAcceptedEachOther();

    const byLabel = recorded();
    assert.deepEqual([...byLabel.keys()].sort(), ['backup', 'master', 'track', 'track2']);
    for (const [label, runs] of byLabel) {
      const [r1, r2] = [lab.ns('r1'), lab.ns('r2')].map((ns) => runs.get(ns));
      assert.deepEqual(r1, r2, `${label}: vigild's argv (r1) differs from keepalived's (r2)`);
    }
    assert.deepEqual(byLabel.get('track')!.get(lab.ns('r2')), [
      recorder,
      'track',
      'single q',
      'double q',
      'a!b',
      'c#d',
      '$HOME',
      'w0rd',
      'x.y',
      "it's",
    ]);
    // Both drop the missing check alone, and say so: vigild at the line that defines it.
    assert.deepEqual(keepalived.log.match(/Disabling track script \S+|Unable to parse|missing terminating/g), [
      'Disabling track script chk_missing',
    ]);
    assert.deepEqual(vigild.log.match(/:\d+:\d+: vrrp_script \S+: disabled/g), [
      ':19:1: vrrp_script chk_missing: disabled',
    ]);
    // The localcheck sample's port check: both hand it to /bin/sh, which cannot open port 1.
    const status = spawnSync('/bin/sh', ['-c', '</dev/tcp/127.0.0.1/1']).status;
    assert.match(keepalived.log, new RegExp(`VRRP_Script\\(chk_port\\) failed \\(exited with status ${status}\\)`));
    assert.match(vigild.log, new RegExp(`vrrp_script chk_port: failed \\(exited with status ${status}\\b`));
  });
});
