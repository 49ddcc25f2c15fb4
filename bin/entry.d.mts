// Types of bin/entry.mjs for the tests (properties/binEntry.prop.ts); not shipped.
export declare const STAMP: string;
export declare function newestChange(dir: string): number;
export declare function buildStarted(root: string): number | null;
export interface EntryFacts {
  readonly hasSource: boolean;
  readonly hasDist: boolean;
  readonly distFresh: boolean;
  readonly tsxAvailable: boolean;
}
export declare function inspect(root: string, tsxAvailable: () => boolean): EntryFacts;
export type EntryChoice =
  | { readonly run: 'dist' | 'source'; readonly why: string; readonly warning?: string }
  | { readonly run: 'error'; readonly why: string };
export declare function chooseEntry(facts: EntryFacts, from: string | undefined): EntryChoice;
