/** Shapes of the API answers the page scripts read (docs/api.md). */

export type State = 'Passive' | 'Running' | 'Execution crushed' | 'Exec crushed';

export interface ExecutionJson {
  id: string;
  sessionId: string;
  name: string | null;
  command: string[];
  state: State;
  exitCode: number | null;
  signal: string | null;
  reason: string | null;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  lineCount: number;
}

export interface SummaryJson extends ExecutionJson {
  metrics: Record<string, { last: number | null; min: number | null; max: number | null; count: number }>;
}

export interface LineJson {
  seq: number;
  ts: string;
  stream: 'stdout' | 'stderr';
  text: string;
  partial?: true;
  truncated?: true;
}

export interface SeriesJson {
  step: number[];
  ts: number[];
  value: (number | null)[];
  total: number;
  downsampled: boolean;
}

export interface PointJson {
  key: string;
  step: number;
  value: number | null;
  ts: number | string;
  seq: number;
}

export type FollowFrame =
  | { type: 'execution'; execution: ExecutionJson }
  | { type: 'reports'; reports: LineJson[] }
  | { type: 'metrics'; points: PointJson[] }
  | { type: 'error'; error: { code: string; message: string } };
