// What a question needs read before the answer (a reload's changes), in place of the event log.
import { Line } from './line.js';
import { moreLine, windowAround } from './window.js';

export function DetailPanel({ title, detail, lines }: { title: string; detail: readonly string[]; lines: number }) {
  const w = windowAround(detail.length, lines, -1);
  return (
    <>
      <Line bold color="yellow">{`  ${title}`}</Line>
      {detail.slice(w.start, w.end).map((text, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list, shown once
        <Line key={i}>{`  ${text}`}</Line>
      ))}
      {w.below > 0 && <Line dimColor>{moreLine(w)}</Line>}
    </>
  );
}
