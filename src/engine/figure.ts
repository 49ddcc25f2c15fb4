/** A 2-D line/point chart, produced by a claim or a check and rendered by the report layer (plain data). */
export interface Figure {
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly logX?: boolean;
  readonly logY?: boolean;
  readonly series: readonly FigureSeries[];
  /** Vertical markers, e.g. a minimizer. */
  readonly markers?: readonly { readonly x: number; readonly label: string }[];
  /** One or two sentences under the chart. */
  readonly caption?: string;
}

export interface FigureSeries {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
  readonly style?: 'line' | 'points';
}
