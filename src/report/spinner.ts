import type { Ora } from 'ora';

/** A spinner on stderr that appears only if a fetch takes a while, and only on a TTY. */
export interface Spinner {
  /** Removes the spinner (if shown); call before writing the view. Safe to call twice. */
  stop(): void;
}

/** Delay before the spinner shows (ms): quick reports never flash one. */
const SHOW_AFTER_MS = 300;

/**
 * Starts an ora spinner with `text` on stderr after {@link SHOW_AFTER_MS}, when stderr is a TTY
 * and `enabled`; ora is imported only then, so piped and quick runs never load it.
 */
export function startSpinner(text: string, enabled: boolean, stream: NodeJS.WriteStream = process.stderr): Spinner {
  if (!enabled || !stream.isTTY) return { stop: () => undefined };
  let spinner: Ora | undefined;
  let stopped = false;
  const timer = setTimeout(() => {
    void import('ora').then(({ default: ora }) => {
      if (!stopped) spinner = ora({ text, stream }).start();
    });
  }, SHOW_AFTER_MS);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      spinner?.stop();
    },
  };
}
