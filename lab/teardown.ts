// What a program builds in a lab goes when the program ends: when it is done, on Ctrl-C (SIGINT),
// SIGTERM or SIGHUP (its terminal closed), and when it crashes. For the demo and the benches;
// tests tear down in their own after hooks.
import { constants } from 'node:os';

/**
 * Runs `main`, then `teardown` once, whichever comes first: `main` ending (a rejection still
 * rejects, after the teardown), SIGINT, SIGTERM or SIGHUP (exit 128 + the signal's number), or
 * an exception nothing caught (exit 1). A second Ctrl-C during the teardown does not cut it short.
 */
export async function withTeardown(main: () => Promise<void>, teardown: () => Promise<void>): Promise<void> {
  let ending: Promise<void> | undefined;
  const end = (exitCode?: number): Promise<void> => {
    ending ??= teardown().catch((error: Error) => console.error(`teardown failed: ${error.message}`));
    if (exitCode !== undefined) void ending.then(() => process.exit(exitCode));
    return ending;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: tearing the lab down`);
    void end(128 + constants.signals[signal]);
  };
  const onCrash = (error: Error) => {
    console.error(error);
    void end(1);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('uncaughtException', onCrash);
  try {
    await main();
  } finally {
    await end();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    process.off('uncaughtException', onCrash);
  }
}
