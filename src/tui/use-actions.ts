// The operator's requests as the monitor runs them: one at a time, asked first when they change
// something, and answered on the prompt line and in the event log (model.note).
import type { Confirmation, Refusal } from './actions.js';
import type { LogEntry, MonitorModel } from './model.js';
import { useCurrent } from './use-current.js';

export interface Answer {
  severity: LogEntry['severity'];
  text: string;
}

interface ActionState {
  /** The request waiting for y/n. */
  pending?: Confirmation;
  /** What is being asked of vigild now. */
  busy?: string;
  answer?: Answer;
}

export interface Actions {
  state(): ActionState;
  /** Asks y/n for a request, or says why the key does nothing here. */
  ask(request: Confirmation | Refusal): void;
  accept(): void;
  cancel(): void;
  /** Runs `task` now and reports its line (extra keys, which ask nothing). */
  perform(what: string, task: () => Promise<string>): void;
  /** Runs `task` to build the question (a reload's dry run), then asks it. */
  prepare(what: string, task: () => Promise<Confirmation>): void;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function useActions(model: Pick<MonitorModel, 'note'>, now: () => number): Actions {
  const current = useCurrent<ActionState>({});
  const change = (patch: ActionState) => current.set((s) => ({ ...s, ...patch }));

  const report = (severity: Answer['severity'], text: string) => {
    model.note(now(), severity, text);
    change({ answer: { severity, text } });
  };
  const whenIdle = (start: () => void) => {
    const { busy } = current.get();
    if (busy) change({ answer: { severity: 'warn', text: `still waiting for vigild: ${busy}` } });
    else start();
  };
  const track = <T>(what: string, task: () => Promise<T>, done: (result: T) => void) => {
    change({ busy: what, answer: undefined });
    task()
      .then(done, (err) => report('error', `${what}: ${errorText(err)}`))
      .finally(() => change({ busy: undefined }));
  };
  const perform = (what: string, task: () => Promise<string>) =>
    whenIdle(() => track(what, task, (text) => report('info', text)));

  return {
    state: current.get,
    ask: (request) =>
      whenIdle(() =>
        change(typeof request === 'string' ? { answer: { severity: 'warn', text: request } } : { pending: request }),
      ),
    accept: () => {
      const { pending } = current.get();
      if (!pending) return;
      change({ pending: undefined });
      perform(pending.what, pending.run);
    },
    cancel: () => change({ pending: undefined, answer: { severity: 'info', text: 'cancelled: nothing was sent' } }),
    perform,
    prepare: (what, task) => whenIdle(() => track(what, task, (pending) => change({ pending }))),
  };
}
