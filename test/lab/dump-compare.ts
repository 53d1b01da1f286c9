// Reading keepalived's three dumps into fields, so that vigild's and keepalived's can be compared
// field by field: the same names in the same order, and the same values where both must agree.
import assert from 'node:assert/strict';

export interface DumpField {
  /** Section and instance it is in, and its name: `VRRP Topology/VI_1/Priority`. */
  name: string;
  value: string;
}

/**
 * What keepalived writes and vigild leaves out of the data dump, on purpose: keepalived's socket
 * pool and file descriptors, its interface table (netlink flags, debounce timers, ARP sysctl
 * bookkeeping of its own), and the version of the nftables library it was built with.
 */
const KEEPALIVED_ONLY_SECTIONS = ['VRRP Sockpool', 'Interfaces'];
const KEEPALIVED_ONLY_LINES = [/^libnftnl version /, /^fd_in \d+, fd_out \d+$/];

/** The data dump's lines as fields; ` Priority = 150` is Priority with 150, a bare line is its own name. */
export function dataFields(text: string): DumpField[] {
  const fields: DumpField[] = [];
  let section = '';
  let instance = '';
  for (const raw of text.split('\n')) {
    const heading = /^------< (.+) >------$/.exec(raw);
    if (heading) {
      section = heading[1]!;
      instance = '';
      continue;
    }
    const line = raw.trim();
    if (line === '' || KEEPALIVED_ONLY_SECTIONS.includes(section)) continue;
    if (KEEPALIVED_ONLY_LINES.some((pattern) => pattern.test(line))) continue;
    const top = /^ (VRRP Instance|VRRP Sync Group) = ([^,]+)/.exec(raw);
    if (top) instance = top[2]!;
    const [name, value = ''] = line.includes(' = ') ? splitOnce(line, ' = ') : [line, ''];
    fields.push({ name: [section, instance, name].filter(Boolean).join('/'), value });
  }
  return fields;
}

/** The stats dump's lines as fields under their headings: `VI_1/Advertisements/Sent`. */
export function statsFields(text: string): DumpField[] {
  const fields: DumpField[] = [];
  let instance = '';
  let heading = '';
  for (const raw of text.split('\n').filter(Boolean)) {
    const [name, value = ''] = splitOnce(raw.trim(), ':').map((part) => part.trim());
    if (raw.startsWith('VRRP Instance: ')) instance = value;
    else if (raw.startsWith('  ') && !raw.startsWith('    ')) {
      heading = value === '' ? name! : '';
      if (value !== '') fields.push({ name: `${instance}/${name}`, value });
    } else fields.push({ name: `${instance}/${heading}/${name}`, value });
  }
  return fields;
}

/** The JSON dump's fields, in the file's order: `VI_1/data/vrid`, `VI_1/stats/advert_sent`. */
export function jsonFields(text: string): DumpField[] {
  const instances = JSON.parse(text) as { data: Record<string, unknown>; stats: Record<string, unknown> }[];
  return instances.flatMap(({ data, stats }) =>
    Object.entries({ data, stats }).flatMap(([part, object]) =>
      Object.entries(object).map(([key, value]) => ({
        name: `${data.iname}/${part}/${key}`,
        value: JSON.stringify(value),
      })),
    ),
  );
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + separator.length)];
}

/**
 * Asserts the same field names in the same order, and the same values except for the fields
 * `mayDiffer` matches (each with the reason it may, in the caller).
 */
export function assertSameFields(
  what: string,
  vigild: DumpField[],
  keepalived: DumpField[],
  mayDiffer: RegExp[],
): void {
  assert.deepEqual(
    vigild.map((f) => f.name),
    keepalived.map((f) => f.name),
    `${what}: vigild's fields (actual) are not keepalived's (expected)`,
  );
  const compared = (fields: DumpField[]) =>
    fields.filter((f) => !mayDiffer.some((pattern) => pattern.test(f.name))).map((f) => `${f.name} = ${f.value}`);
  assert.deepEqual(
    compared(vigild),
    compared(keepalived),
    `${what}: vigild's values (actual) differ from keepalived's (expected)`,
  );
}
