// The test SMTP server as a process, for a network namespace: `node smtp-sink-main.js PORT [hang]`
// prints `listening PORT`, then each mail it receives as one JSON line.
import { startSmtpSink } from './smtp-sink.js';

const [port = '0', mode] = process.argv.slice(2);
const sink = await startSmtpSink({ hang: mode === 'hang', port: Number(port) });
sink.onMail = (mail) => {
  process.stdout.write(`${JSON.stringify(mail)}\n`);
};
process.stdout.write(`listening ${sink.port}\n`);
process.on('SIGTERM', () => void sink.close().then(() => process.exit(0)));
