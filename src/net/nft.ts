// The `nft` binary (Debian's nftables package) as the way into the kernel's nftables: a script
// on its stdin is one transaction, applied whole or not at all.
import { spawn } from 'node:child_process';

export type NftRun = (script: string) => Promise<void>;

/** Runs `nft -f -` on `script`; rejects with nft's own message, or a clear one when nft is missing. */
export const runNft: NftRun = (script) =>
  new Promise((resolve, reject) => {
    const child = spawn('nft', ['-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT'
          ? new Error('`nft` is not installed (Debian package nftables): the VIP drop rules cannot be set')
          : err,
      ),
    );
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`nft failed (exit ${code}): ${stderr.trim()}`)),
    );
    child.stdin.on('error', () => undefined); // nft gone early: its exit says why
    child.stdin.end(`${script}\n`);
  });
