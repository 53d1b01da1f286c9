// The real checker worker, which throws once, half a second after it starts, the first time it
// runs with a given marker file (CRASHING_CHECKER_MARKER): how a test sees the checker thread
// restarted after a bug.
import { existsSync, writeFileSync } from 'node:fs';
import '../../src/check/checker-worker.js';

const marker = process.env.CRASHING_CHECKER_MARKER;
if (marker && !existsSync(marker)) {
  writeFileSync(marker, 'crashed once\n');
  setTimeout(() => {
    throw new Error('a checker bug');
  }, 500);
}
