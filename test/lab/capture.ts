// What went over the lab's wire, as an independent decoder sees it: tcpdump captures inside a
// node, and tshark (Wireshark's dissectors, not vigil's codec) reads the file back.
import { type ChildProcess, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Lab, NodeName } from '../../lab/lab.js';
import { waitFor } from '../../lab/processes.js';

const run = promisify(execFile);

/** Why capture tests cannot run here, or undefined when they can. */
export async function captureUnavailable(): Promise<string | undefined> {
  for (const [tool, flag] of [
    ['tcpdump', '--version'],
    ['tshark', '--version'],
  ] as const) {
    try {
      await run(tool, [flag]);
    } catch {
      return `wire tests need ${tool} (apt-get install tcpdump tshark)`;
    }
  }
  return undefined;
}

/** tcpdump on a node's eth0, writing every frame to a pcap file. */
export class PacketCapture {
  private stderr = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly file: string,
  ) {
    child.stderr!.on('data', (chunk) => (this.stderr += chunk));
  }

  /** Resolves once tcpdump is listening, so that nothing sent afterwards is missed. */
  static async start(lab: Lab, node: NodeName, file: string): Promise<PacketCapture> {
    // --immediate-mode: libpcap otherwise hands frames over a buffer (up to a second's worth) at
    // a time, and the last buffer is lost when tcpdump is stopped. -U: each frame is written to
    // the file at once. -Z root: Debian's tcpdump otherwise drops to its own user, which cannot
    // write a root-owned temp directory.
    const argv = ['tcpdump', '-i', 'eth0', '-n', '--immediate-mode', '-U', '-Z', 'root', '-w', file];
    const capture = new PacketCapture(lab.spawn(node, argv), file);
    await waitFor(`tcpdump in ${node} to listen`, () => {
      if (capture.child.exitCode !== null) throw new Error(`tcpdump exited: ${capture.stderr}`);
      return capture.stderr.includes('listening on');
    });
    return capture;
  }

  /** Stops tcpdump (SIGINT, as ^C) and waits until it has closed the file. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGINT');
    await exited;
  }
}

/**
 * Preferences that make tshark check what it can: IPv4 header checksums (off by default).
 * VRRP, ICMPv6 and ARP need nothing: the VRRP dissector always verifies the checksum, over the
 * pseudo-header for VRRPv3 (vrrp.v3_checksum_as_in_v2 is FALSE by default, and kept so here).
 */
const STRICT_PREFERENCES = ['-o', 'ip.check_checksum:TRUE', '-o', 'vrrp.v3_checksum_as_in_v2:FALSE'];

/** The tshark status value of a checksum that verified (0 is Bad, 2 Unverified). */
export const CHECKSUM_GOOD = '1';

async function tshark(file: string, args: string[]): Promise<string> {
  const { stdout } = await run('tshark', ['-r', file, ...STRICT_PREFERENCES, ...args], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** Separates a field's values in a frame: a control character no decoded text contains. */
const AGGREGATOR = '\x1f';

/**
 * One record per frame matching `filter`: for each field, the texts tshark gives for it in that
 * frame (several for e.g. vrrp.ip_addr, none when the frame lacks the field).
 */
export async function decodeFields<F extends string>(
  file: string,
  filter: string,
  fields: readonly F[],
): Promise<Record<F, string[]>[]> {
  const text = await tshark(file, [
    '-Y',
    filter,
    '-T',
    'fields',
    '-E',
    'separator=/t',
    '-E',
    'occurrence=a',
    '-E',
    `aggregator=${AGGREGATOR}`,
    ...fields.flatMap((f) => ['-e', f]),
  ]);
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const columns = line.split('\t');
      return Object.fromEntries(
        fields.map((field, i) => [field, columns[i] ? columns[i].split(AGGREGATOR) : []]),
      ) as Record<F, string[]>;
    });
}

export interface ExpertEntry {
  frame: number;
  /** tshark's summary, e.g. "Malformed Packet (Exception occurred)" or "Bad checksum [should be 0x1234]". */
  message: string;
}

/** Every expert-info entry tshark raises (malformed packets, bad checksums, protocol warnings...). */
export async function expertEntries(file: string): Promise<ExpertEntry[]> {
  const rows = await decodeFields(file, '_ws.expert', ['frame.number', '_ws.expert.message']);
  return rows.flatMap((row) =>
    row['_ws.expert.message'].map((message) => ({ frame: Number(row['frame.number'][0]), message })),
  );
}

/** tshark's own summary of expert entries by severity and group, for failure messages. */
export function expertSummary(file: string): Promise<string> {
  return tshark(file, ['-q', '-z', 'expert']);
}
