/**
 * Collects every problem found while loading the configuration, so the user sees
 * them all at once instead of fixing one per run. Each problem is formatted as
 * `file:line:col: path.to.key: what is wrong`; values are never part of the text
 * (they may be URLs with passwords), only key paths and types.
 */

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

/** Whether a problem is about a key itself (unknown key) or about its value. */
export type Part = 'key' | 'value';

export interface LinePosition {
  readonly line: number;
  readonly col: number;
}

/** Finds where a path is written in the file; undefined when the format gives no positions (TOML). */
export type Locate = (path: Path, part: Part) => LinePosition | undefined;

const PLAIN_SEGMENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `tables.filters."public.orders".limit`, `tables.include[2]`. */
export function formatPath(path: Path): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else {
      const written = PLAIN_SEGMENT.test(segment) ? segment : JSON.stringify(segment);
      text += text === '' ? written : `.${written}`;
    }
  }
  return text;
}

interface Entry {
  readonly text: string;
  readonly line: number;
  readonly col: number;
  readonly seq: number;
}

export class Reporter {
  private readonly fileProblems: Entry[] = [];
  private readonly otherProblems: string[] = [];
  private readonly warningList: Entry[] = [];
  private seq = 0;

  constructor(
    /** The config file as shown to the user; undefined when there is none. */
    private readonly file: string | undefined,
    private readonly locate: Locate,
  ) {}

  /** A problem at a path of the config file. */
  problem(path: Path, what: string, part: Part = 'value'): void {
    this.fileProblems.push(this.entry(path, what, part));
  }

  /** A problem with a flag or an environment variable: `label: what`. */
  external(label: string, what: string): void {
    this.otherProblems.push(`${label}: ${what}`);
  }

  warning(path: Path, what: string, part: Part = 'value'): void {
    this.warningList.push(this.entry(path, what, part));
  }

  /** Problems at a position reported by the parser itself (syntax errors). */
  syntax(position: LinePosition | undefined, what: string): void {
    const where = position === undefined ? this.fileLabel() : `${this.fileLabel()}:${position.line}:${position.col}`;
    this.fileProblems.push({ text: `${where}: ${what}`, line: position?.line ?? 0, col: position?.col ?? 0, seq: this.seq++ });
  }

  get fileProblemCount(): number {
    return this.fileProblems.length;
  }

  /** File problems in file order, then flag and environment problems. */
  get problems(): string[] {
    return [...sorted(this.fileProblems), ...this.otherProblems];
  }

  get warnings(): string[] {
    return sorted(this.warningList);
  }

  private fileLabel(): string {
    return this.file ?? 'config';
  }

  private entry(path: Path, what: string, part: Part): Entry {
    const position = this.locate(path, part);
    const where = position === undefined ? this.fileLabel() : `${this.fileLabel()}:${position.line}:${position.col}`;
    const key = formatPath(path);
    const text = key === '' ? `${where}: ${what}` : `${where}: ${key}: ${what}`;
    return { text, line: position?.line ?? 0, col: position?.col ?? 0, seq: this.seq++ };
  }
}

function sorted(entries: readonly Entry[]): string[] {
  return [...entries].sort((a, b) => a.line - b.line || a.col - b.col || a.seq - b.seq).map((entry) => entry.text);
}
