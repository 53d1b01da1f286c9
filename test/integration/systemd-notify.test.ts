// vigild under a Type=notify unit: systemd binds a datagram socket, passes it as $NOTIFY_SOCKET
// and lets `systemctl start` return on READY=1. Here a python3 receiver plays systemd: on READY=1
// it asks the control socket for status at once, so READY=1 sent before vigild serves fails.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DaemonProcess, waitFor } from '../../lab/processes.js';
import { noInstances } from '../helpers/daemon-configs.js';

// Prints each datagram on a line ('|' for its newlines); after READY=1, whether GET /v1/status
// on the control socket answered right then.
const RECEIVER = `
import socket, sys
name, control = sys.argv[1], sys.argv[2]
receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
receiver.bind('\\0' + name[1:] if name.startswith('@') else name)
print('bound', flush=True)
while True:
    message = receiver.recv(4096).decode()
    print(message.replace('\\n', '|'), flush=True)
    if 'READY=1' in message:
        try:
            client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            client.connect(control)
            client.sendall(b'GET /v1/status HTTP/1.1\\r\\nHost: vigild\\r\\nConnection: close\\r\\n\\r\\n')
            print('control: ' + client.recv(64).decode().split('\\r\\n')[0], flush=True)
        except OSError as error:
            print('control: ' + str(error), flush=True)
`;

class Receiver {
  readonly lines: string[] = [];
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(name: string, control: string) {
    this.child = spawn('python3', ['-c', RECEIVER, name, control]);
    let partial = '';
    this.child.stdout.on('data', (chunk: Buffer) => {
      const text = partial + chunk.toString();
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      this.lines.push(...lines);
    });
  }

  bound = () => waitFor('the receiver to bind', () => this.lines.includes('bound'));

  /** Waits for a line starting `prefix` after the first `after` lines; returns its index. */
  async line(prefix: string, after = 0): Promise<number> {
    const found = () => this.lines.findIndex((line, i) => i >= after && line.startsWith(prefix));
    await waitFor(`'${prefix}' from vigild; got ${JSON.stringify(this.lines)}`, () => found() >= 0);
    return found();
  }

  stop(): void {
    this.child.kill();
  }
}

async function withDaemon(
  notifySocket: (dir: string) => string,
  body: (daemon: DaemonProcess, receiver: Receiver) => Promise<void>,
) {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-notify-'));
  const name = notifySocket(dir);
  const daemon = new DaemonProcess({ dir, env: { NOTIFY_SOCKET: name } });
  const receiver = new Receiver(name, daemon.socket);
  try {
    await receiver.bound();
    daemon.writeConfig(noInstances('notify-test'));
    await daemon.start();
    await body(daemon, receiver);
  } finally {
    receiver.stop();
    await daemon.cleanup();
  }
}

describe('vigild tells systemd (sd_notify) when it serves', () => {
  test('READY=1 once the control socket answers, on a socket path', async () => {
    await withDaemon(
      (dir) => path.join(dir, 'notify.sock'),
      async (_daemon, receiver) => {
        const ready = await receiver.line('READY=1');
        assert.equal(receiver.lines[await receiver.line('control:', ready)], 'control: HTTP/1.1 200 OK');
        assert.deepEqual(receiver.lines.slice(0, ready), ['bound'], 'nothing before READY=1');
      },
    );
  });

  test('RELOADING=1 then READY=1 around a SIGHUP reload, STOPPING=1 on SIGTERM, on an abstract socket', async () => {
    await withDaemon(
      () => `@vigil-notify-test-${randomBytes(6).toString('hex')}`,
      async (daemon, receiver) => {
        const ready = await receiver.line('READY=1');
        daemon.signal('SIGHUP');
        const reloading = await receiver.line('RELOADING=1', ready + 1);
        assert.match(receiver.lines[reloading]!, /^RELOADING=1\|MONOTONIC_USEC=\d+$/);
        await receiver.line('READY=1', reloading + 1);
        await waitFor('the reload to be logged', () => daemon.log.includes('config reloaded'));
        assert.equal(await daemon.stop(), 0);
        await receiver.line('STOPPING=1');
      },
    );
  });
});
