// The Ink screen, loaded so that Ink draws on the terminal whatever the environment says, with
// React's production build.

/**
 * Ink draws nothing but a last frame on exit when it thinks it runs under CI (is-in-ci reads
 * CI and CONTINUOUS_INTEGRATION once, when Ink is first imported). The monitor only runs on a
 * terminal, which is interactive whatever those say (a CI job driving it through tmux).
 */
export async function loadScreen(): Promise<typeof import('./screen.js')> {
  // React's development build (what it loads without NODE_ENV) costs a fifth more CPU and half
  // again the memory under a thousand events a second (bench:tui).
  process.env.NODE_ENV ??= 'production';
  const saved = { CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION };
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  try {
    return await import('./screen.js');
  } finally {
    for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
  }
}
