import { fitText, lineTexts, metricLines, titleWithIcon, type MessageFacts } from '../message.js';

/**
 * The Markdown text of a chat message (Slack mrkdwn, Mattermost and Discord Markdown read it alike):
 * the title, the link, the metrics, then the last lines in a code block, cut to `maxLength` characters
 * by dropping the oldest lines first; the title and the link always stay.
 * @param link formats the run's link in the service's syntax.
 * @param bold the service's bold marker: `*` in Slack mrkdwn, `**` in Markdown (where `*` is italic).
 */
export function chatText(f: MessageFacts, maxLength: number, link: (url: string, label: string) => string, bold: '*' | '**' = '**'): string {
  const metrics = metricLines(f.metrics).map((m) => `• ${m}`);
  const head = [`${bold}${escapeStars(titleWithIcon(f))}${bold}`, link(f.link, f.execution ? 'open the run' : 'open the session'), ...metrics].join('\n');
  const lines = lineTexts(f.lines).map((l) => l.replaceAll('```', "'''"));
  if (lines.length === 0) return fitText(head, [], maxLength);
  // the fence costs 8 characters; fitText keeps head whole and the newest lines that fit
  const text = fitText(head, lines, maxLength - 8);
  const body = text.slice(head.length + 1);
  return body.length > 0 ? `${head}\n\`\`\`\n${body}\n\`\`\`` : head;
}

function escapeStars(text: string): string {
  return text.replaceAll('*', '\\*');
}
