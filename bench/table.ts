// A benchmark table: printed as text and written as JSON by the bench runner.
export interface BenchTable {
  title: string;
  columns: string[];
  rows: (string | number)[][];
  notes?: string[];
}
