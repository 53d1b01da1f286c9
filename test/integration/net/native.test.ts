// The addon's contract, against the host's own kernel and without root: Node-shaped errors,
// closed sockets, readiness polling stopped safely, and rtnetlink answers read-only.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { repoRoot } from '../../../lab/paths.js';
import { interfaceIndex, nativeConstants, RawSocket, sockets } from '../../../src/net/native.js';
import { NetlinkSocket } from '../../../src/net/netlink.js';
import { Rtnetlink } from '../../../src/net/rtnetlink.js';

test('a failed system call throws like Node: code, negated errno, syscall', () => {
  assert.throws(() => sockets().socket(12345, nativeConstants().SOCK_RAW, 0), {
    code: 'EAFNOSUPPORT',
    errno: -97,
    syscall: 'socket',
    message: 'EAFNOSUPPORT: address family not supported, socket',
  });
  assert.throws(() => interfaceIndex('vigil-nope0'), {
    code: 'ENODEV',
    message: "ENODEV: no such device, if_nametoindex 'vigil-nope0'",
  });
  assert.equal(interfaceIndex('lo'), 1);
});

test('arguments of the wrong type are TypeErrors, not crashes', () => {
  const c = nativeConstants();
  assert.throws(() => sockets().socket('inet' as unknown as number, c.SOCK_RAW, 0), {
    name: 'TypeError',
    message: 'domain must be a number',
  });
  assert.throws(() => sockets().sendto(0, 'text' as unknown as Buffer), {
    name: 'TypeError',
    message: 'data must be a Buffer',
  });
  assert.throws(() => sockets().bind(0, { family: 9999 } as never), /only AF_INET, AF_INET6, AF_PACKET and AF_NETLINK/);
  assert.throws(() => sockets().pollStop({} as never), /must be a handle from pollStart/);
  const netlink = new RawSocket(c.AF_NETLINK, c.SOCK_RAW, c.NETLINK_ROUTE);
  try {
    const kernel = { family: c.AF_NETLINK };
    assert.throws(() => sockets().sendto(netlink.fd, Buffer.alloc(16), kernel, 1 as never), {
      name: 'TypeError',
      message: 'options must be an object',
    });
    assert.throws(() => netlink.send(Buffer.alloc(16), kernel, { ifindex: 1 }), {
      name: 'TypeError',
      message: 'options: a source address or interface applies to AF_INET and AF_INET6 sockets only',
    });
  } finally {
    netlink.close();
  }
});

test('a closed socket refuses further use, and closing twice is harmless', () => {
  const c = nativeConstants();
  const socket = new RawSocket(c.AF_NETLINK, c.SOCK_RAW, c.NETLINK_ROUTE);
  socket.on('message', () => {});
  socket.close();
  socket.close();
  assert.throws(() => socket.send(Buffer.alloc(16), { family: c.AF_NETLINK }), {
    code: 'ERR_SOCKET_CLOSED',
    message: 'sendto on a closed socket',
  });
});

test('rtnetlink lists the host links and addresses without privileges', async () => {
  const route = new Rtnetlink();
  try {
    const links = await route.listLinks();
    assert.ok(links.some((l) => l.index === 1 && l.name === 'lo' && l.up));
    const addresses = await route.listAddresses();
    assert.ok(addresses.some((x) => x.address === '127.0.0.1' && x.prefix === 8 && x.scope === 'host'));
  } finally {
    route.close();
  }
});

test('requests queued on a netlink socket reject when it closes', async () => {
  const socket = new NetlinkSocket(nativeConstants().NETLINK_ROUTE);
  const dumps = [socket.dump('first dump', 18, Buffer.alloc(16)), socket.dump('second dump', 18, Buffer.alloc(16))];
  socket.close();
  for (const [i, dump] of dumps.entries()) {
    await assert.rejects(dump, {
      code: 'ERR_SOCKET_CLOSED',
      message: `${i === 0 ? 'first' : 'second'} dump: netlink socket closed`,
    });
  }
  await assert.rejects(socket.dump('late', 18, Buffer.alloc(16)), { code: 'ERR_SOCKET_CLOSED' });
});

test('a worker that exits while its sockets are still polling tears down cleanly', async () => {
  const netlink = pathToFileURL(`${repoRoot}/dist/src/net/netlink.js`).href;
  const native = pathToFileURL(`${repoRoot}/dist/src/net/native.js`).href;
  const worker = new Worker(
    `import('${native}').then(async ({ nativeConstants }) => {
       const { NetlinkSocket } = await import('${netlink}');
       // Joined to the link group, so it polls; never closed.
       new NetlinkSocket(nativeConstants().NETLINK_ROUTE, [1]);
       await new NetlinkSocket(nativeConstants().NETLINK_ROUTE).dump('links', 18, Buffer.alloc(16));
       process.exit(0);
     });`,
    { eval: true },
  );
  const code = await new Promise((resolve, reject) => {
    worker.on('error', reject);
    worker.on('exit', resolve);
  });
  assert.equal(code, 0);
});

/** Runs an ES module script in a child node with `native` bound to the addon's face; a crash there fails only the test. */
function runWithAddon(script: string) {
  const native = pathToFileURL(`${repoRoot}/dist/src/net/native.js`).href;
  return spawnSync(
    process.execPath,
    ['--input-type=module', '-e', `const native = await import('${native}');\n${script}`],
    { encoding: 'utf8', timeout: 10_000 },
  );
}

test('stopping a poll again, after it closed, is harmless and never stops a newer watch', () => {
  // Sixteen watches stopped, their memory given back, sixteen new ones started, then the old
  // handles stopped again: a stop through a stale handle must not reach the new watches.
  const { status, stdout, stderr } = runWithAddon(`
    const s = native.sockets(), c = native.nativeConstants();
    const open = () => s.socket(c.AF_NETLINK, c.SOCK_RAW, c.NETLINK_ROUTE);
    const oldFds = Array.from({ length: 16 }, open);
    const old = oldFds.map((fd) => s.pollStart(fd, () => {}));
    for (const handle of old) s.pollStop(handle);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const fds = Array.from({ length: 16 }, open);
    const called = new Set();
    const watches = fds.map((fd, i) => s.pollStart(fd, () => { called.add(i); while (s.recvmsg(fd)); }));
    for (const handle of old) s.pollStop(handle);
    // An RTM_GETLINK dump request on each new socket makes it readable.
    const request = Buffer.alloc(32);
    request.writeUInt32LE(32, 0);
    request.writeUInt16LE(18, 4);
    request.writeUInt16LE(0x301, 6);
    for (const fd of fds) s.sendto(fd, request, { family: c.AF_NETLINK });
    setTimeout(() => {
      console.log(called.size + ' of 16 called');
      for (const handle of watches) s.pollStop(handle), s.pollStop(handle);
      for (const fd of [...oldFds, ...fds]) s.close(fd);
    }, 300);
  `);
  assert.equal(status, 0, stderr);
  assert.equal(stdout.trim(), '16 of 16 called');
});

test('a signal by number calls back on the event loop, and does not keep the process alive', () => {
  const { status, stdout, stderr } = runWithAddon(`
    const { SIGRTMIN } = native.nativeConstants();
    const waiting = setTimeout(() => console.log('no signal'), 5000);
    const stop = native.onSignalNumber(SIGRTMIN + 2, () => {
      console.log('SIGRTMIN+2 arrived');
      clearTimeout(waiting);
      stop();
      stop();
    });
    process.kill(process.pid, SIGRTMIN + 2);
    // Never stopped, and yet the process ends when nothing else is left to do.
    native.onSignalNumber(SIGRTMIN + 3, () => {});
  `);
  assert.equal(status, 0, stderr);
  assert.equal(stdout, 'SIGRTMIN+2 arrived\n');
});
