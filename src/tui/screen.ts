// The Ink app on a terminal, from start to quit. Imported only once the environment is set
// for Ink (see main.ts).
import { render } from 'ink';
import { createElement } from 'react';
import { App, type AppProps } from './app.js';
import { borrowScreen, onTermination } from './terminal.js';

export interface ScreenOptions extends AppProps {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
}

/** Resolves when the operator quit (q, Ctrl-C) or a signal ended the monitor. */
export async function runScreen({ stdin, stdout, ...props }: ScreenOptions): Promise<void> {
  const restore = borrowScreen(stdout);
  const app = render(createElement(App, props), { stdin, stdout, exitOnCtrlC: false, patchConsole: true });
  const stopListening = onTermination(
    () => app.unmount(),
    () => {
      app.unmount();
      restore();
    },
  );
  try {
    await app.waitUntilExit();
  } finally {
    stopListening();
    restore();
  }
}
