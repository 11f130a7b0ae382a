import type { MessageFacts, RenderedMessage } from '../message.js';
import { chatText, markdownSyntax, SLACK_SYNTAX } from './chat.js';

/**
 * Slack: the `text` of a message should stay within 4 000 characters; Slack truncates beyond
 * 40 000 (https://api.slack.com/methods/chat.postMessage#truncating, "Truncating content").
 * Links in mrkdwn are `<url|label>` (https://api.slack.com/reference/surfaces/formatting#linking-urls).
 */
export const SLACK_TEXT_LIMIT = 4000;

/**
 * Mattermost: a post's message holds at most 16 383 characters (server `MaxMessageSize`/
 * `POST_MESSAGE_MAX_RUNES_V2`, https://developers.mattermost.com/integrate/webhooks/incoming/
 * "Tips and best practices": longer text is split into several posts). Incoming webhooks take
 * Slack's `text` field; links are Markdown `[label](url)`.
 */
export const MATTERMOST_TEXT_LIMIT = 16_383;

/** A Slack incoming-webhook message: `{"text": …}` in mrkdwn, cut to {@link SLACK_TEXT_LIMIT}. */
export function renderSlack(f: MessageFacts): RenderedMessage {
  const text = chatText(f, SLACK_TEXT_LIMIT, SLACK_SYNTAX);
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) };
}

/** A Mattermost incoming-webhook message: `{"text": …}` in Markdown, cut to {@link MATTERMOST_TEXT_LIMIT}. */
export function renderMattermost(f: MessageFacts): RenderedMessage {
  const text = chatText(
    f,
    MATTERMOST_TEXT_LIMIT,
    markdownSyntax((url, label) => `[${label}](${url})`),
  );
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) };
}
