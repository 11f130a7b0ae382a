import type { MessageFacts, RenderedMessage } from '../message.js';
import { chatText, markdownSyntax } from './chat.js';

/**
 * Discord: a webhook message's `content` holds at most 2 000 characters
 * (https://discord.com/developers/docs/resources/webhook#execute-webhook, "content: the message
 * contents (up to 2000 characters)"). `allowed_mentions: {parse: []}` keeps `@everyone` in a log
 * line from pinging anyone (https://discord.com/developers/docs/resources/message#allowed-mentions-object).
 */
export const DISCORD_CONTENT_LIMIT = 2000;

/** A Discord webhook message in Markdown, cut to {@link DISCORD_CONTENT_LIMIT}; the link in `<…>` (no embed preview). */
export function renderDiscord(f: MessageFacts): RenderedMessage {
  const content = chatText(
    f,
    DISCORD_CONTENT_LIMIT,
    markdownSyntax((url, label) => `[${label}](<${url}>)`),
  );
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content, allowed_mentions: { parse: [] } }) };
}
