import { spawn } from 'node:child_process';

/**
 * Opens `url` in the desktop's browser (`open` on macOS, `start` on Windows, `xdg-open` with a
 * DISPLAY or WAYLAND_DISPLAY elsewhere). Returns false when there is no desktop or the opener is
 * missing: the caller has printed the URL anyway. Never waits for the browser.
 */
export function openInBrowser(url: string, env: NodeJS.ProcessEnv = process.env, platform = process.platform): Promise<boolean> {
  const opener =
    platform === 'darwin'
      ? ['open', url]
      : platform === 'win32'
        ? ['cmd', '/c', 'start', '""', url]
        : env.DISPLAY || env.WAYLAND_DISPLAY
          ? ['xdg-open', url]
          : undefined;
  if (!opener) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(opener[0]!, opener.slice(1), { stdio: 'ignore', detached: true, env });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
