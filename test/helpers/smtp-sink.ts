// A small SMTP server for tests, on 127.0.0.1: it answers every command, records each mail's
// envelope and DATA, and can be told to hang (accept and never greet) to play a dead server.
import { once } from 'node:events';
import net from 'node:net';

export interface ReceivedMail {
  helo: string;
  from: string;
  to: string[];
  /** The DATA as sent (headers, blank line, body), without the final `.` line. */
  data: string;
}

export interface SmtpSink {
  port: number;
  mails: ReceivedMail[];
  /** Resolves once `count` mails arrived (or rejects after `ms`). */
  waitFor(count: number, ms?: number): Promise<ReceivedMail[]>;
  /** Called with each mail as it arrives. */
  onMail?: (mail: ReceivedMail) => void;
  close(): Promise<void>;
}

export async function startSmtpSink(options: { hang?: boolean; port?: number } = {}): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  const sockets = new Set<net.Socket>();
  const waiters: (() => void)[] = [];
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    if (options.hang) return;
    serve(socket, (mail) => {
      mails.push(mail);
      sink.onMail?.(mail);
      for (const wake of waiters.splice(0)) wake();
    });
  });
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const sink: SmtpSink = {
    port,
    mails,
    async waitFor(count, ms = 10_000) {
      const deadline = Date.now() + ms;
      while (mails.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} mails, got ${mails.length}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return mails;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return sink;
}

function serve(socket: net.Socket, received: (mail: ReceivedMail) => void): void {
  let buffer = '';
  let mail: ReceivedMail = { helo: '', from: '', to: [], data: '' };
  let inData = false;
  const reply = (line: string) => socket.write(`${line}\r\n`);
  reply('220 sink ESMTP');
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (inData) {
        if (line === '.') {
          inData = false;
          received(mail);
          mail = { helo: mail.helo, from: '', to: [], data: '' };
          reply('250 queued');
        } else {
          mail.data += `${line.startsWith('..') ? line.slice(1) : line}\r\n`;
        }
        continue;
      }
      const [verb = '', ...rest] = line.split(' ');
      const arg = rest.join(' ');
      switch (verb.toUpperCase()) {
        case 'EHLO':
        case 'HELO':
          mail.helo = arg;
          reply('250 sink');
          break;
        case 'MAIL':
          mail.from = /<(.*)>/.exec(arg)?.[1] ?? arg;
          reply('250 ok');
          break;
        case 'RCPT':
          mail.to.push(/<(.*)>/.exec(arg)?.[1] ?? arg);
          reply('250 ok');
          break;
        case 'DATA':
          inData = true;
          reply('354 go ahead');
          break;
        case 'QUIT':
          reply('221 bye');
          socket.end();
          break;
        default:
          reply('250 ok');
      }
    }
  });
}

/** A header's value in a recorded DATA (unfolded). */
export function header(data: string, name: string): string | undefined {
  const head = data.split('\r\n\r\n', 1)[0]!.replace(/\r\n[ \t]+/g, ' ');
  const line = head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}
