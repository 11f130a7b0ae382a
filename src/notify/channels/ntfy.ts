import type { MessageKind } from '../../protocol/notify.js';
import { fitText, headline, lineTexts, metricLines, utf8Bytes, type MessageFacts, type RenderedMessage } from '../message.js';

/**
 * ntfy: a message body holds at most 4 096 bytes; a larger one becomes an attachment
 * (https://docs.ntfy.sh/publish/#limitations; server `message-size-limit`, 4k since ntfy 1.11.0).
 * Headers `Title`, `Priority` (1–5), `Tags` (comma-separated, emoji short codes) and `Click` (the URL
 * opened on tap) per https://docs.ntfy.sh/publish/. Header values are Latin-1 on the wire: a title
 * with other characters is sent RFC 2047-encoded (`=?UTF-8?B?…?=`), which ntfy ≥ 2.4.0 decodes.
 */
export const NTFY_BODY_LIMIT_BYTES = 4096;

const PRIORITY: Record<MessageKind, string> = { finished: '3', failed: '4', lost: '5', stalled: '4', recovered: '3', 'session-done': '3' };
const TAGS: Record<MessageKind, string> = {
  finished: 'white_check_mark',
  failed: 'x',
  lost: 'skull',
  stalled: 'hourglass',
  recovered: 'arrow_forward',
  'session-done': 'checkered_flag',
};

/** A ntfy publish: plain-text body (metrics, last lines, link) cut to {@link NTFY_BODY_LIMIT_BYTES}, the rest in headers. */
export function renderNtfy(f: MessageFacts): RenderedMessage {
  const head = [...metricLines(f.metrics), f.link].join('\n');
  const body = fitText(head, lineTexts(f.lines), NTFY_BODY_LIMIT_BYTES, utf8Bytes);
  return {
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      title: headerValue(headline(f).slice(0, 250)),
      priority: PRIORITY[f.kind],
      tags: `exec-track,${TAGS[f.kind]}`,
      click: f.link,
    },
    body,
  };
}

function headerValue(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}
