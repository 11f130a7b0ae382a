import type { MessageFacts, RenderedMessage } from '../message.js';
import type { Channel } from '../target.js';
import { renderDiscord } from './discord.js';
import { renderNtfy } from './ntfy.js';
import { renderMattermost, renderSlack } from './slack.js';
import { renderWebhook } from './webhook.js';

const RENDERERS: Record<Channel, (f: MessageFacts) => RenderedMessage> = {
  webhook: renderWebhook,
  slack: renderSlack,
  mattermost: renderMattermost,
  discord: renderDiscord,
  ntfy: renderNtfy,
};

/**
 * The request body and headers of a message for `channel`, with the event's `Idempotency-Key`
 * header (the IETF draft's name, draft-ietf-httpapi-idempotency-key-header) and a User-Agent.
 */
export function render(channel: Channel, f: MessageFacts): RenderedMessage {
  const message = RENDERERS[channel](f);
  return { headers: { ...message.headers, 'idempotency-key': f.key, 'user-agent': 'exec-track-notify' }, body: message.body };
}
