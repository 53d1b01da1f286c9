import path from 'node:path';
import { DefinitionReader, Definitions, type LogicalLine } from './definitions.js';
import type { Diagnostic, DiagnosticSink, SourcePos } from './diagnostics.js';
import {
  CHECK_READ,
  findInclude,
  findIncludeCheck,
  type IncludeLine,
  includeCheckAfter,
  includedFiles,
  includeReporter,
} from './include.js';
import { type Token, tokenize } from './lexer.js';
import type { SourceReader } from './source-reader.js';

/**
 * One line of configuration: a keyword, its arguments up to `{`, `}` or the end of the line,
 * and the statements of the block it opens, if any.
 */
export interface Statement {
  keyword: Token;
  args: Token[];
  block?: Statement[];
  pos: SourcePos;
}

export interface TokenParseResult {
  statements: Statement[];
  diagnostics: Diagnostic[];
  /** False when braces did not pair up; the statement tree is then not worth interpreting. */
  balanced: boolean;
}

interface Frame {
  statements: Statement[];
  open?: Token;
  /** Contents are dropped: the block had no keyword. */
  discard: boolean;
}

/** Statements end at the end of the line keepalived reads, which a definition may have made. */
const lineOf = (tok: Token): number => tok.logicalLine ?? tok.pos.line;

/** Builds the statement tree of one file's tokens. Includes are left as ordinary statements. */
export function parseTokens(tokens: readonly Token[]): TokenParseResult {
  const diagnostics: Diagnostic[] = [];
  const error = (pos: SourcePos, message: string): void => {
    diagnostics.push({ severity: 'error', pos, message });
  };
  const root: Frame = { statements: [], discard: false };
  const stack: Frame[] = [root];
  const top = (): Frame => stack[stack.length - 1]!;
  let balanced = true;
  let current: Statement | undefined;
  // A statement that ended at its line end may still take a `{` standing alone on the next
  // line (`vrrp_instance VI_1` newline `{` is a common style).
  let blockCandidate: Statement | undefined;

  const finish = (atLineEnd: boolean): void => {
    if (!current) return;
    top().statements.push(current);
    blockCandidate = atLineEnd ? current : undefined;
    current = undefined;
  };

  for (const tok of tokens) {
    if (current && lineOf(tok) !== lineOf(current.keyword)) finish(true);

    if (tok.kind === 'word') {
      if (current) {
        current.args.push(tok);
        continue;
      }
      blockCandidate = undefined;
      current = { keyword: tok, args: [], pos: tok.pos };
      continue;
    }

    if (tok.kind === 'open') {
      let owner: Statement | undefined;
      if (current) {
        owner = current;
        finish(false);
      } else if (blockCandidate && !blockCandidate.block) {
        owner = blockCandidate;
      }
      blockCandidate = undefined;
      if (owner) {
        owner.block = [];
        stack.push({ statements: owner.block, open: tok, discard: top().discard });
      } else {
        if (!top().discard) {
          error(tok.pos, '`{` has no keyword before it: a block must follow a keyword such as `vrrp_instance NAME`');
        }
        stack.push({ statements: [], open: tok, discard: true });
      }
      continue;
    }

    finish(false);
    blockCandidate = undefined;
    if (stack.length === 1) {
      error(tok.pos, 'unexpected `}`: no block is open here; remove it or add the missing `{`');
      balanced = false;
    } else {
      stack.pop();
    }
  }
  finish(true);
  for (const frame of stack.slice(1)) {
    error(frame.open!.pos, 'unclosed `{`: the block opened here is never closed; add the missing `}`');
    balanced = false;
  }
  return { statements: root.statements, diagnostics, balanced };
}

export interface SourcesResult {
  statements: Statement[];
  /** Every file read, main file first, in the order they were spliced in, without repeats. */
  files: string[];
  /** False when any file had unbalanced braces. */
  balanced: boolean;
}

interface ChainLink {
  display: string;
  resolved: string;
}

/**
 * Reads the main file (or takes its text) and splices every `include` in place, depth first,
 * so that the result is one statement tree spanning all files.
 */
export class SourceLoader {
  private readonly files: string[] = [];
  private balanced = true;
  /** keepalived's definitions hold from where they are read on, also into and out of includes. */
  private readonly definitions: Definitions;
  /** Includes already read where their line was, so that definitions apply in reading order. */
  private readonly spliced = new Map<Token, Statement[]>();
  /** The checks global_defs `include_check` adds to every include read while it holds. */
  private includeCheck = 0;

  constructor(
    private readonly reader: SourceReader,
    private readonly sink: DiagnosticSink,
    /** Selects the `@ID` / `@^ID` lines of every file, included ones too (see tokenize). */
    private readonly configId?: string,
    /** keepalived's `-e`: include_check with no type, before the first line. */
    allConfig = false,
  ) {
    this.definitions = new Definitions(configId);
    if (allConfig) this.includeCheck = includeCheckAfter([], 0);
  }

  loadMain(file: string, text?: string): SourcesResult {
    const chain = [{ display: file, resolved: path.resolve(file) }];
    let statements: Statement[] = [];
    if (text !== undefined) {
      this.noteFile(file);
      statements = this.parseText(text, file, chain);
    } else {
      const blame = { file, line: 1, col: 1 };
      const cannotRead = (reason: string): void => this.sink.error(blame, `cannot read \`${file}\`: ${reason}`);
      statements = this.readAndParse(file, chain, cannotRead) ?? [];
    }
    return { statements, files: this.files, balanced: this.balanced };
  }

  private noteFile(file: string): void {
    if (!this.files.includes(file)) this.files.push(file);
  }

  private readAndParse(
    file: string,
    chain: ChainLink[],
    cannotRead: (reason: string) => void,
  ): Statement[] | undefined {
    let text: string;
    try {
      text = this.reader.readFile(file);
    } catch (err) {
      cannotRead(err instanceof Error ? err.message : String(err));
      return undefined;
    }
    this.noteFile(file);
    return this.parseText(text, file, chain);
  }

  private parseText(text: string, file: string, chain: ChainLink[]): Statement[] {
    const lines = new DefinitionReader(this.definitions, file, this.sink.items, this.configId);
    const tokens: Token[] = [];
    let logicalLine = 0;
    for (const line of lines.lines(text.startsWith('\uFEFF') ? text.slice(1) : text)) {
      logicalLine++;
      tokens.push(...this.readLine(line, file, logicalLine, chain));
    }
    const parsed = parseTokens(tokens);
    for (const d of parsed.diagnostics) this.sink.items.push(d);
    if (!parsed.balanced) this.balanced = false;
    return this.expand(parsed.statements, file, chain);
  }

  /**
   * One line's tokens, acting on it as keepalived does while reading: an `include_check` holds
   * from here on, and an included file is read where its `include` is, before the next line.
   */
  private readLine(line: LogicalLine, file: string, logicalLine: number, chain: ChainLink[]): Token[] {
    const { lineTokens, include } = this.tokenizeLine(line, file, logicalLine);
    const checkWords = findIncludeCheck(lineTokens);
    if (checkWords) this.includeCheck = includeCheckAfter(checkWords, this.includeCheck);
    if (include) {
      const keyword = lineTokens[include.at]!;
      this.spliced.set(keyword, this.include(include, keyword, file, chain));
    }
    return lineTokens;
  }

  /**
   * Tokens of one line as keepalived reads it, placed where their text was written. An include
   * keeps its keyword and one token for its pattern, the raw rest of the line.
   */
  private tokenizeLine(line: LogicalLine, file: string, logicalLine: number) {
    const lexed = tokenize(line.text, file, this.configId);
    const include = findInclude(lexed.tokens, line.text);
    const kept = include ? [...lexed.tokens.slice(0, include.at + 1), include.pattern] : lexed.tokens;
    const place = (pos: SourcePos): SourcePos => ({
      file,
      line: line.line,
      col: line.cols[Math.min(pos.col - 1, line.cols.length - 1)]!,
    });
    for (const d of lexed.diagnostics) {
      // A pattern is read as written: what the lexer found in its words does not apply.
      if (!include || d.pos.col < include.pattern.pos.col) this.sink.items.push({ ...d, pos: place(d.pos) });
    }
    const lineTokens = kept.map((t) => ({ ...t, pos: place(t.pos), logicalLine }));
    return { lineTokens, include: include && { ...include, pattern: lineTokens[include.at + 1]! } };
  }

  private expand(statements: Statement[], file: string, chain: ChainLink[]): Statement[] {
    const out: Statement[] = [];
    for (const stmt of statements) {
      const spliced = this.spliced.get(stmt.keyword);
      if (spliced) {
        if (stmt.block) this.sink.error(stmt.keyword.pos, `\`${stmt.keyword.text}\` does not take a block`);
        out.push(...spliced);
        continue;
      }
      if (stmt.block) stmt.block = this.expand(stmt.block, file, chain);
      out.push(stmt);
    }
    return out;
  }

  private include(written: IncludeLine, keyword: Token, file: string, chain: ChainLink[]): Statement[] {
    const report = includeReporter(written, keyword.text, this.includeCheck, this.sink);
    const include = { ...written, checks: written.checks | this.includeCheck };
    const out: Statement[] = [];
    for (const match of includedFiles(include, file, this.reader, report)) {
      const resolved = path.resolve(match);
      const loopAt = chain.findIndex((link) => link.resolved === resolved);
      if (loopAt !== -1) {
        const cycle = [...chain.slice(loopAt).map((link) => link.display), match].join(' → ');
        this.sink.error(include.pattern.pos, `include cycle: ${cycle}`);
        continue;
      }
      const link = { display: match, resolved };
      const cannotRead = (reason: string): void => report(CHECK_READ, `cannot read \`${match}\`: ${reason}`);
      // An include_check in the included file holds only until that file ends.
      const checks = this.includeCheck;
      out.push(...(this.readAndParse(match, [...chain, link], cannotRead) ?? []));
      this.includeCheck = checks;
    }
    return out;
  }
}
