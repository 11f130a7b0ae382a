import { describe, expect, it } from 'vitest';
import { render } from '../../src/notify/channels/index.js';
import { DISCORD_CONTENT_LIMIT } from '../../src/notify/channels/discord.js';
import { WEBHOOK_LINE_CHARS } from '../../src/notify/channels/webhook.js';
import { NTFY_BODY_LIMIT_BYTES } from '../../src/notify/channels/ntfy.js';
import { MATTERMOST_TEXT_LIMIT, SLACK_TEXT_LIMIT } from '../../src/notify/channels/slack.js';
import type { MessageFacts } from '../../src/notify/message.js';
import { sampleFacts } from '../../src/notify/sample.js';
import { maskUrl, parseTarget } from '../../src/notify/target.js';
import { webhookPayloadSchema } from '../../src/protocol/notify.js';

const LINK = 'http://ci.example:8080/e/e_AAAAAAAAAAAAAAAAAAAAAA';

/** A failed run whose 20 last lines are long and multi-byte. */
function bigFacts(): MessageFacts {
  const f = sampleFacts(1_700_000_000_000, LINK);
  f.lines = Array.from({ length: 20 }, (_, i) => ({ seq: i, ts: 1_700_000_000_000 + i, stream: 'stdout' as const, text: `${i} ${'é🚀'.repeat(200)} L${i}` }));
  return f;
}

describe('parseTarget', () => {
  it.each([
    ['https://hooks.slack.com/services/T0/B0/xyz', 'slack'],
    ['https://discord.com/api/webhooks/123/abc', 'discord'],
    ['https://discordapp.com/api/webhooks/123/abc', 'discord'],
    ['https://ntfy.sh/my-topic', 'ntfy'],
    ['https://ntfy.example.org/alerts', 'ntfy'],
    ['https://chat.example.org/hooks/xk3pq9rnbtgm8', 'mattermost'],
    ['https://example.org/ci/notify', 'webhook'],
    ['https://discord.com/channels/1/2', 'webhook'],
    ['slack+https://chat.example.org/anything', 'slack'],
    ['webhook+https://hooks.slack.com/services/T0/B0/xyz', 'webhook'],
    ['NTFY+http://127.0.0.1:8000/topic', 'ntfy'],
  ])('reads %s as %s', (url, channel) => {
    const target = parseTarget(url);
    expect(target.channel).toBe(channel);
    expect(target.url).not.toMatch(/^[a-z]+\+/i);
  });

  it.each([
    ['teams+https://example.org/x', /Unknown notification channel "teams\+"/],
    ['not a url', /is not a URL/],
    ['ftp://example.org/x', /must be http:\/\/ or https:\/\//],
    ['https://user:pw@example.org/hooks/x', /carries a user name or password, which cannot be sent/],
  ])('refuses %s with a usage error', (url, message) => {
    expect(() => parseTarget(url)).toThrow(expect.objectContaining({ code: 'USAGE', message: expect.stringMatching(message) }));
  });
});

describe('maskUrl', () => {
  it('keeps the scheme, the host and the last 4 characters only', () => {
    expect(maskUrl('https://hooks.slack.com/services/T000/B000/XXXXsecretx9Qz')).toBe('https://hooks.slack.com/…x9Qz');
    expect(maskUrl('slack+https://user:pw@chat.example.org/hooks/abcdef?token=s3cr3t')).toBe('https://chat.example.org/…cr3t');
    expect(maskUrl('https://example.org')).toBe('https://example.org');
    expect(maskUrl('garbage-secret')).toBe('…cret');
  });
});

describe('render', () => {
  it('sends the generic webhook payload v1 with the summary, the last lines, metrics, the link and the idempotency key', () => {
    const f = sampleFacts(1_700_000_000_000, LINK);
    const message = render('webhook', f);
    const payload = webhookPayloadSchema.parse(JSON.parse(message.body));
    expect(payload).toMatchObject({
      version: 1,
      event: 'failed',
      url: LINK,
      id: f.key,
      execution: { exitCode: 1, state: 'Execution crushed', durationMs: 185_000 },
    });
    expect(payload.lines).toHaveLength(3);
    expect(payload.metrics?.loss).toEqual({ last: 0.412, min: 0.4, max: 2.3, count: 3 });
    expect(message.headers).toMatchObject({ 'content-type': 'application/json', 'idempotency-key': f.key });
  });

  it.each([
    ['slack', SLACK_TEXT_LIMIT, (b: string) => JSON.parse(b).text as string, `<${LINK}|open the run>`],
    ['mattermost', MATTERMOST_TEXT_LIMIT, (b: string) => JSON.parse(b).text as string, `[open the run](${LINK})`],
    ['discord', DISCORD_CONTENT_LIMIT, (b: string) => JSON.parse(b).content as string, `[open the run](<${LINK}>)`],
  ] as const)('%s: the text stays within %i characters, keeps the link and the newest line', (channel, limit, textOf, link) => {
    const text = textOf(render(channel, bigFacts()).body);
    expect(text.length).toBeLessThanOrEqual(limit);
    expect(text).toContain(link);
    expect(text).toContain('é🚀 L19');
    expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    expect(text).toMatch(/```\n[\s\S]*\n```$/);
  });

  it('webhook: 20 lines of a megabyte each make a payload of about 100 KB, each line keeping its end', () => {
    const f = sampleFacts(1_700_000_000_000, LINK);
    f.lines = Array.from({ length: 20 }, (_, i) => ({ seq: i, ts: 0, stream: 'stdout' as const, text: `${'y'.repeat(1_000_000)}END${i}` }));
    const body = render('webhook', f).body;
    expect(Buffer.byteLength(body)).toBeLessThan(20 * WEBHOOK_LINE_CHARS * 1.1 + 4096);
    const lines = webhookPayloadSchema.parse(JSON.parse(body)).lines!;
    expect(lines.map((l) => [l.text.length, l.text.startsWith('…'), l.text.endsWith(`END${lines.indexOf(l)}`)])).toEqual(
      lines.map(() => [WEBHOOK_LINE_CHARS, true, true]),
    );
  });

  it("titles are one line, bold in each service's syntax (Slack *…*, Markdown **…**)", () => {
    const f = sampleFacts(1_700_000_000_000, LINK);
    f.execution!.name = null;
    f.execution!.command = ['sh', '-c', 'set -e\n  ./prepare\n  ./train'];
    const first = (channel: 'slack' | 'mattermost' | 'discord') => {
      const body = JSON.parse(render(channel, f).body) as { text?: string; content?: string };
      return (body.text ?? body.content)!.split('\n')[0];
    };
    expect(first('slack')).toMatch(/^\*[^*].*sh -c set -e \.\/prepare \.\/train.*[^*]\*$/);
    expect(first('mattermost')).toMatch(/^\*\*.*sh -c set -e \.\/prepare \.\/train.*\*\*$/);
    expect(first('discord')).toMatch(/^\*\*.*\*\*$/);
  });

  it('a name or a line like <!channel> or @channel mentions nobody: Slack gets entities, Markdown an escaped title', () => {
    const f = sampleFacts(1_700_000_000_000, LINK);
    f.execution!.name = 'deploy <!channel> a&b @channel';
    f.lines = [{ seq: 0, ts: 0, stream: 'stdout', text: '<!here> & <@U123>' }];
    const slack = JSON.parse(render('slack', f).body).text as string;
    expect(slack).toContain('deploy &lt;!channel&gt; a&amp;b');
    expect(slack).toContain('&lt;!here&gt; &amp; &lt;@U123&gt;');
    expect(slack).toContain(`<${LINK}|open the run>`);
    const mattermost = JSON.parse(render('mattermost', f).body).text as string;
    expect(mattermost.split('\n')[0]).toContain('deploy \\<!channel\\> a&b @\u200bchannel');
  });

  it('discord: never pings anyone from a log line', () => {
    expect(JSON.parse(render('discord', bigFacts()).body).allowed_mentions).toEqual({ parse: [] });
  });

  it('ntfy: title, priority, tags and click headers; a body within 4096 bytes that ends with the newest line', () => {
    const message = render('ntfy', bigFacts());
    expect(message.headers).toMatchObject({ title: 'failed: sample run (exit 1 after 3m 5s)', priority: '4', tags: 'exec-track,x', click: LINK });
    expect(Buffer.byteLength(message.body)).toBeLessThanOrEqual(NTFY_BODY_LIMIT_BYTES);
    expect(message.body).toContain(LINK);
    expect(message.body.split('\n').at(-1)).toMatch(/ L19$/);
  });

  it('ntfy: a title with non-Latin-1 characters is RFC 2047-encoded (header values are Latin-1)', () => {
    const f = sampleFacts(1_700_000_000_000, LINK);
    f.execution!.name = 'entraînement 🚀';
    const title = render('ntfy', f).headers.title!;
    expect(title).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
    expect(Buffer.from(title.slice(10, -2), 'base64').toString()).toContain('entraînement 🚀');
  });

  it('a single line longer than the whole limit keeps its end', () => {
    const f = sampleFacts(1_700_000_000_000, LINK);
    f.lines = [{ seq: 0, ts: 0, stream: 'stderr', text: `${'x'.repeat(5000)}THE-END` }];
    const text = JSON.parse(render('discord', f).body).content as string;
    expect(text.length).toBeLessThanOrEqual(DISCORD_CONTENT_LIMIT);
    expect(text).toContain(LINK);
    expect(text).toContain('xxxTHE-END');
  });
});
