import { Chalk, supportsColor, type ChalkInstance, type ColorSupportLevel } from 'chalk';
import type { ExecutionState } from '../protocol/states.js';

/** The colours of the terminal views; a level-0 palette renders plain text. */
export interface Palette {
  chalk: ChalkInstance;
  /** Paints a state name in its colour: Passive green, Running cyan, Execution crushed red, Exec crushed magenta. */
  state: (state: ExecutionState) => string;
  dim: (text: string) => string;
  bold: (text: string) => string;
  /** Marks stderr lines. */
  err: (text: string) => string;
}

/**
 * Colour level for a stream: 0 when `NO_COLOR` is set (non-empty, no-color.org) or the stream is
 * not a TTY (unless `FORCE_COLOR` asks for colour), else chalk's detected level.
 */
export function colorLevel(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): ColorSupportLevel {
  if (env.NO_COLOR) return 0;
  const forced = env.FORCE_COLOR;
  if (forced !== undefined && forced !== 'false' && forced !== '0') return supportsColor ? supportsColor.level : 1;
  if (!stream.isTTY) return 0;
  return supportsColor ? supportsColor.level : 0;
}

/** A palette at `level` (0 = no escape codes at all). */
export function createPalette(level: ColorSupportLevel): Palette {
  const chalk = new Chalk({ level });
  const stateColor: Record<ExecutionState, ChalkInstance> = {
    Passive: chalk.green,
    Running: chalk.cyan,
    'Execution crushed': chalk.red,
    'Exec crushed': chalk.magenta,
  };
  return {
    chalk,
    state: (state) => stateColor[state](state),
    dim: (text) => chalk.dim(text),
    bold: (text) => chalk.bold(text),
    err: (text) => chalk.red(text),
  };
}
