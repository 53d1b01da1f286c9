// Walks the words of one route or rule line, as keepalived does: an option word, then its values.
// It also keeps the line's address family, which the first address (or `inet` / `inet6`) settles.
import type { Family } from '../../inet/address.js';
import type { Token } from '../lexer.js';
import type { Statement } from '../parser.js';
import { notImplementedMessage } from './not-implemented.js';
import type { BuildContext } from './table.js';

export class LineReader {
  readonly #words: Token[];
  #next = 0;
  family: Family | undefined;

  constructor(
    line: Statement,
    readonly ctx: BuildContext,
    /** `route` or `rule`, for messages. */
    readonly what: string,
  ) {
    this.#words = [line.keyword, ...line.args];
  }

  get done(): boolean {
    return this.#next >= this.#words.length;
  }

  /** The next word; at the end, undefined after an error at `after` ("needs a value"). */
  take(after?: Token): Token | undefined {
    const tok = this.#words[this.#next];
    if (tok) this.#next++;
    else if (after) this.ctx.error(after.pos, `\`${after.text}\` needs a value`);
    return tok;
  }

  /** The next word without taking it. */
  peek(): Token | undefined {
    return this.#words[this.#next];
  }

  /** Settles the family, or reports the mix of IPv4 and IPv6 at `tok`. */
  setFamily(family: Family | undefined, tok: Token): boolean {
    if (family === undefined || this.family === undefined || this.family === family) {
      this.family ??= family;
      return true;
    }
    this.ctx.error(
      tok.pos,
      `\`${tok.text}\` is IPv${family}, but this ${this.what} is IPv${this.family}: a ${this.what} cannot mix IPv4 and IPv6`,
    );
    return false;
  }

  /**
   * `inet` / `inet6` settle the family. keepalived 2.2.7 also steps over the word after them
   * (it moves on twice), so that word is ignored here too, with a warning; last on the line, they skip nothing.
   */
  setFamilyByWord(tok: Token): boolean {
    if (!this.setFamily(tok.text === 'inet' ? 4 : 6, tok)) return false;
    const skipped = this.take();
    if (skipped)
      this.ctx.warning(
        skipped.pos,
        `keepalived 2.2.7 skips the word after \`${tok.text}\`, so \`${skipped.text}\` is ignored; put \`${tok.text}\` last on the line`,
      );
    return true;
  }

  /** Warns that `tok` is not implemented and skips its values (and a `lock` before the first). */
  skipOption(tok: Token, values: number, lockable = false): boolean {
    this.ctx.warning(tok.pos, notImplementedMessage(tok.text));
    if (lockable && this.peek()?.text === 'lock') this.take();
    for (let i = 0; i < values; i++) if (!this.take(tok)) return false;
    return true;
  }

  /** Warns that `tok` is not implemented, so the whole line is left out. */
  skipLine(tok: Token): undefined {
    this.ctx.warning(
      tok.pos,
      `\`${tok.text}\` is accepted but not implemented by vigil yet; this ${this.what} is ignored`,
    );
    return undefined;
  }
}
