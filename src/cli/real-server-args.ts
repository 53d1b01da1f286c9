// The real-server argument and --vs flag of `vigil drain` and `vigil undrain`.
import * as Args from '@oclif/core/args';
import { CLIError } from '@oclif/core/errors';
import * as Flags from '@oclif/core/flags';
import { parseEndpoint } from './render-checks.js';

export const realServerArg = Args.string({
  description: 'real server as ADDR:PORT ([v6]:PORT)',
  required: true,
  parse: async (input) => {
    const endpoint = parseEndpoint(input);
    if (!endpoint) throw new CLIError(`RS must be ADDR:PORT or [v6]:PORT, got '${input}'`, { exit: 2 });
    return endpoint;
  },
});

export const virtualServerFlag = Flags.string({
  description:
    'only in this virtual server, as status names it (ADDR:PORT, "fwmark N", "group NAME" or NAME); default: every one holding RS',
});

/** The API errors that mean RS or --vs named nothing there is: usage errors (exit 2). */
export const UNKNOWN_TARGET = ['not_found', 'bad_request'] as const;

/** The daemon answers once the kernel has the new weight; in a loaded guest that can take a while. */
export const DRAIN_REQUEST_TIMEOUT_MS = 30_000;
