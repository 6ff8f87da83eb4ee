/**
 * What the bookkeeping columns of a written row say: `data_source`, `data_quality` and
 * `is_validated`. In the backend's own table the crawler writes what the backend's writer
 * wrote (`broker_crawler`, `corrected_daily`, validated), so that whatever reads those
 * columns sees one kind of row; in the crawler's own table the mirror that served a bar
 * and the weekend flag are kept. The run summary names the mirrors either way.
 */
export interface RowVocabulary {
  readonly name: RowVocabularyName;
  /** data_source of a bar served by `mirror`. */
  source(mirror: string): string;
  /** data_quality of a bar (weekend: dated on a Saturday or Sunday). */
  quality(weekend: boolean): string;
  /** is_validated to write; undefined leaves the column to its default. */
  readonly validated: boolean | undefined;
}

export const ROW_VOCABULARY_NAMES = ['backend', 'crawler'] as const;
export type RowVocabularyName = (typeof ROW_VOCABULARY_NAMES)[number];

export const ROW_VOCABULARIES: Readonly<Record<RowVocabularyName, RowVocabulary>> = {
  // The Python service's writer: every row it stored said this.
  backend: { name: 'backend', source: () => 'broker_crawler', quality: () => 'corrected_daily', validated: true },
  crawler: { name: 'crawler', source: (mirror) => mirror, quality: (weekend) => (weekend ? 'weekend' : 'valid'), validated: undefined },
};

/** The vocabulary asked for, or by default the backend's in an adopted table and the crawler's in its own. */
export function rowVocabularyFor(asked: RowVocabularyName | undefined, tableIsOurs: boolean): RowVocabulary {
  return ROW_VOCABULARIES[asked ?? (tableIsOurs ? 'crawler' : 'backend')];
}
