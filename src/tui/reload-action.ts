// `r`: a dry run first, so the operator reads what the reload would change before saying yes.
import type { ReloadResponse } from '../api/schema.js';
import { formatReloadChange } from '../cli/render-reload.js';
import type { ActionClient, Confirmation } from './actions.js';

const warnings = (r: ReloadResponse) =>
  r.warnings.length > 0 ? `, ${r.warnings.length} warning${r.warnings.length === 1 ? '' : 's'}` : '';

/** Asks vigild for the dry run (an invalid config rejects here, with its message). */
export async function reloadAction(client: ActionClient): Promise<Confirmation> {
  const preview = await client.reload({ dryRun: true });
  const changes = preview.changes.map(formatReloadChange);
  return {
    what: 'reload',
    question: `Reload ${preview.files[0] ?? 'the config'}: apply ${changes.length === 0 ? 'it (no changes)' : `these ${changes.length} changes`}?`,
    detail: [...(changes.length > 0 ? changes : ['no changes']), ...preview.warnings.map((w) => `warning: ${w.text}`)],
    run: async () => {
      const done = await client.reload({});
      return `reloaded: generation ${done.generation}, ${done.changes.length} change${done.changes.length === 1 ? '' : 's'}${warnings(done)}`;
    },
  };
}
