import type { Ora } from 'ora';

/** A spinner that appears only if a fetch takes a while, and only on a TTY. */
export interface Spinner {
  /** Removes the spinner (if shown); call before writing the view. Safe to call twice. */
  stop(): void;
}

/** Delay before the spinner shows (ms): quick reports never flash one. */
const SHOW_AFTER_MS = 300;

/**
 * Starts an ora spinner with `text` on `stream` (a command's stderr) after {@link SHOW_AFTER_MS},
 * when there is one and it is a TTY; ora is imported only then, so piped and quick runs never load it.
 */
export function startSpinner(text: string, stream: NodeJS.WriteStream | undefined): Spinner {
  if (!stream?.isTTY) return { stop: () => undefined };
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
