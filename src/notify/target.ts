import { ExecTrackError } from '../errors.js';

/** The services a notification can be sent to; `webhook` is the generic JSON POST. */
export const CHANNELS = ['webhook', 'slack', 'mattermost', 'discord', 'ntfy'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Where a notification goes: the service and the URL to POST to (without any `<channel>+` prefix). */
export interface NotifyTarget {
  channel: Channel;
  url: string;
}

/**
 * Reads a notification URL (docs/notifications.md "Channels"). An explicit `<channel>+` prefix wins
 * (`slack+https://chat.example/hooks/…`, `ntfy+https://push.example/topic`, `webhook+https://…`);
 * otherwise the URL tells: host `hooks.slack.com` → slack; `discord.com`/`discordapp.com` with a path
 * under `/api/webhooks/` → discord; host `ntfy.sh` or a host starting with `ntfy.` → ntfy; a path
 * `/hooks/<id>` (Mattermost's incoming-webhook path) → mattermost; anything else → webhook.
 * @throws ExecTrackError USAGE for an unknown prefix, a URL that does not parse, a scheme other than
 * http(s), or a user name or password in the URL.
 */
export function parseTarget(raw: string): NotifyTarget {
  const text = raw.trim();
  const prefixed = /^([a-z]+)\+(https?:\/\/.*)$/i.exec(text);
  let explicit: Channel | undefined;
  let rest = text;
  if (prefixed) {
    const name = prefixed[1]!.toLowerCase();
    if (!(CHANNELS as readonly string[]).includes(name)) {
      throw new ExecTrackError(
        'USAGE',
        `Unknown notification channel "${name}+"; use one of ${CHANNELS.map((c) => `${c}+`).join(', ')} or a plain https:// URL.`,
      );
    }
    explicit = name as Channel;
    rest = prefixed[2]!;
  }
  let url: URL;
  try {
    url = new URL(rest);
  } catch {
    throw new ExecTrackError('USAGE', `${maskUrl(rest)} is not a URL; give the full webhook URL, e.g. https://hooks.slack.com/services/….`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ExecTrackError('USAGE', `A notification URL must be http:// or https://, got ${url.protocol}//.`);
  }
  // fetch refuses such URLs (WHATWG Fetch: "includes credentials"), so nothing would ever be sent
  if (url.username !== '' || url.password !== '') {
    throw new ExecTrackError(
      'USAGE',
      `The notification URL ${maskUrl(rest)} carries a user name or password, which cannot be sent; put the secret in its path or query, as webhook services do.`,
    );
  }
  return { channel: explicit ?? channelOf(url), url: url.toString() };
}

function channelOf(url: URL): Channel {
  const host = url.hostname.toLowerCase();
  if (host === 'hooks.slack.com') return 'slack';
  if ((host === 'discord.com' || host === 'discordapp.com' || host.endsWith('.discord.com')) && url.pathname.startsWith('/api/webhooks/')) return 'discord';
  if (host === 'ntfy.sh' || host.startsWith('ntfy.')) return 'ntfy';
  if (/^\/(?:.*\/)?hooks\/[a-z0-9]+\/?$/i.test(url.pathname)) return 'mattermost';
  return 'webhook';
}

/**
 * A webhook URL with its secret hidden, for every listing, log and report: `scheme://host/…` and the
 * last 4 characters of the rest (`https://hooks.slack.com/…x9Qz`). Credentials in the URL are dropped.
 * Text that is no URL shows only its last 4 characters.
 */
export function maskUrl(raw: string): string {
  const text = raw.replace(/^[a-z]+\+(?=https?:)/i, '');
  try {
    const url = new URL(text);
    const rest = `${url.pathname}${url.search}`.replace(/^\/$/, '');
    return `${url.protocol}//${url.host}${rest.length > 0 ? `/…${rest.slice(-4)}` : ''}`;
  } catch {
    return `…${text.slice(-4)}`;
  }
}
