// The man pages and shell completions are generated (npm run gen) from the commands' own
// definitions: these fail when a command or flag changed and the committed files were not
// regenerated, or when a page leaves one out.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { generatedFiles, packageRoot } from '../../../scripts/gen-docs.js';
import { readManifest, visibleCommands, visibleFlags } from '../../../scripts/gen-manifest.js';
import { DAEMON_FLAGS, DAEMON_SIGNALS } from '../../../src/daemon/flags.js';

const committed = (file: string) => readFileSync(path.join(packageRoot, file), 'utf8');
// roff writes minus signs as \-; the page's text with them as typed.
const plain = (roff: string) => roff.replaceAll('\\-', '-');

describe('generated man pages and completions', () => {
  for (const [file, text] of generatedFiles()) {
    test(`${file} is what npm run gen writes now`, () => {
      assert.ok(committed(file) === text, `${file} is stale: run \`npm run build && npm run gen\` and commit it`);
    });
  }

  test('vigil.1 has every command and, in its section, every flag of it', () => {
    const page = plain(committed('man/vigil.1'));
    const sections = page.split(/^\.SS /m).slice(1);
    for (const command of visibleCommands(readManifest(packageRoot))) {
      const own = sections.find((s) => s.startsWith(`\\fBvigil ${command.id} `));
      assert.ok(own, `no section for vigil ${command.id}`);
      for (const flag of visibleFlags(command)) {
        assert.match(own, new RegExp(`--${flag.name}\\b`), `vigil ${command.id} --${flag.name} missing`);
        if (flag.char) assert.ok(own.includes(`-${flag.char}, --${flag.name}`), `-${flag.char} missing`);
      }
    }
  });

  test('vigil.1 documents the exit codes, VIGIL_SOCKET, files and related pages', () => {
    const page = committed('man/vigil.1');
    for (const heading of ['EXIT STATUS', 'ENVIRONMENT', 'FILES', 'SEE ALSO'])
      assert.match(page, new RegExp(`^\\.SH ${heading}$`, 'm'));
    for (const code of [0, 1, 2, 3, 4]) assert.match(page, new RegExp(`^\\\\fB${code}\\\\fR$`, 'm'));
    assert.match(page, /VIGIL_SOCKET/);
  });

  test("vigild.8 has every flag and signal of vigild's own tables", () => {
    const page = plain(committed('man/vigild.8'));
    for (const flag of DAEMON_FLAGS) assert.ok(page.includes(`--${flag.name}`), `--${flag.name} missing`);
    for (const [signal] of DAEMON_SIGNALS) assert.ok(page.includes(signal), `${signal} missing`);
  });

  test('vigil.conf.5 lists the keywords vigil reads', () => {
    const page = plain(committed('man/vigil.conf.5'));
    for (const keyword of ['vrrp_instance', 'virtual_server', 'HTTP_GET', 'router_id', 'virtual_router_id'])
      assert.ok(page.includes(keyword), `${keyword} missing`);
  });
});
