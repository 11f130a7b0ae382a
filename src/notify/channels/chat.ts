import { fitText, lineTexts, metricLines, titleWithIcon, type MessageFacts } from '../message.js';

/** How a chat service writes a message: its link, its bold marker, and how plain text is escaped in it. */
export interface ChatSyntax {
  link: (url: string, label: string) => string;
  /** `*` in Slack mrkdwn, `**` in Markdown (where `*` is italic). */
  bold: '*' | '**';
  /** Plain text (the title) as the service reads it literally. */
  text: (plain: string) => string;
  /** A log line inside the code block. */
  code: (line: string) => string;
}

/**
 * Slack mrkdwn: `&`, `<` and `>` are sent as entities everywhere, code blocks included, so a line
 * such as `<!channel>` is text, not a mention (https://api.slack.com/reference/surfaces/formatting#escaping).
 * mrkdwn has no backslash escape: `*` stays as it is.
 */
export const SLACK_SYNTAX: ChatSyntax = {
  link: (url, label) => `<${url}|${label}>`,
  bold: '*',
  text: slackEscape,
  code: slackEscape,
};

/**
 * Markdown (Mattermost, Discord): the title's Markdown characters backslash-escaped and `@` followed
 * by a zero-width space, so `@channel` in a run's name notifies nobody; code blocks are literal.
 */
export function markdownSyntax(link: ChatSyntax['link']): ChatSyntax {
  return { link, bold: '**', text: (plain) => plain.replace(/[\\*_`~[\]<>|]/g, '\\$&').replaceAll('@', '@\u200b'), code: (line) => line };
}

function slackEscape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * The text of a chat message in the service's `syntax`: the title, the link, the metrics, then the
 * last lines in a code block, cut to `maxLength` characters by dropping the oldest lines first; the
 * title and the link always stay.
 */
export function chatText(f: MessageFacts, maxLength: number, syntax: ChatSyntax): string {
  const metrics = metricLines(f.metrics).map((m) => `• ${syntax.text(m)}`);
  const head = [
    `${syntax.bold}${syntax.text(titleWithIcon(f))}${syntax.bold}`,
    syntax.link(f.link, f.execution ? 'open the run' : 'open the session'),
    ...metrics,
  ].join('\n');
  const lines = lineTexts(f.lines).map((l) => syntax.code(l.replaceAll('```', "'''")));
  if (lines.length === 0) return fitText(head, [], maxLength);
  // the fence costs 8 characters; fitText keeps head whole and the newest lines that fit
  const text = fitText(head, lines, maxLength - 8);
  const body = text.slice(head.length + 1);
  return body.length > 0 ? `${head}\n\`\`\`\n${body}\n\`\`\`` : head;
}
