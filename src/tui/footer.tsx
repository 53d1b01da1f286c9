// The bottom two lines: what the monitor asks or answers now, and the keys.
import { Line } from './line.js';
import type { LogEntry } from './model.js';

export type Prompt =
  | { kind: 'confirm'; question: string }
  | { kind: 'filter'; text: string }
  | { kind: 'busy'; what: string }
  | { kind: 'answer'; severity: LogEntry['severity']; text: string }
  | { kind: 'none' };

const ANSWER_COLORS: Record<LogEntry['severity'], string> = { info: 'green', warn: 'yellow', error: 'red' };

function PromptLine({ prompt }: { prompt: Prompt }) {
  switch (prompt.kind) {
    case 'confirm':
      return (
        <Line color="yellow" bold>
          {`${prompt.question} (y/n, Esc cancels)`}
        </Line>
      );
    case 'filter':
      return <Line color="cyan">{`/${prompt.text}▏ (Enter keeps the filter, Esc clears it)`}</Line>;
    case 'busy':
      return <Line color="yellow">{`… ${prompt.what}`}</Line>;
    case 'answer':
      return <Line color={ANSWER_COLORS[prompt.severity]}>{prompt.text}</Line>;
    case 'none':
      return <Line />;
  }
}

export function Footer({ prompt, keys, filter }: { prompt: Prompt; keys: string; filter: string }) {
  return (
    <>
      <PromptLine prompt={prompt} />
      <Line dimColor>{filter ? `[filter /${filter}]  ${keys}` : keys}</Line>
    </>
  );
}

export const FOOTER_LINES = 2;
