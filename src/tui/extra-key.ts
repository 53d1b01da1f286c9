/** A key the embedding program adds (the demo's): shown in the footer and help; `run` returns a line for the log. */
export interface ExtraKey {
  key: string;
  label: string;
  run(): Promise<string>;
}
