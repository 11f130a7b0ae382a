import { existsSync } from 'node:fs';
import { ApiClient } from '../../client/api.js';
import { NotifyApi } from '../../client/notify-api.js';
import { embeddedDbPath } from '../../config/paths.js';
import { resolveServer } from '../../config/settings.js';
import { ExecTrackError } from '../../errors.js';
import { isId } from '../../protocol/ids.js';
import type { AddNotificationBody, NotificationRuleJson } from '../../protocol/notify.js';
import { EMBEDDED_PAGES, ruleOptions } from '../../notify/rule-options.js';
import type { Store } from '../../store/store.js';
import type { CommandIo } from '../io.js';

/** Options of `notify add`. */
export interface NotifyAddOptions {
  on?: string;
  stallAfter?: string;
  server?: string;
}

/**
 * `exec-track notify add <session> <url>`: a rule that sends the session's events (`--on`, default
 * failed,lost,stalled,session-done) to the URL, on the server (`--server`/config) or in the embedded
 * store (sent by the `run` wrappers of that store). Prints the rule with its URL masked.
 * @throws ExecTrackError USAGE for a bad URL or option; NOT_FOUND for an unknown session.
 */
export async function notifyAddCommand(session: string, url: string, opts: NotifyAddOptions, io: CommandIo): Promise<number> {
  const { env } = io;
  const { parseTarget } = await import('../../notify/target.js');
  parseTarget(url);
  const body: AddNotificationBody = { url, ...ruleOptions(opts.on, opts.stallAfter, { on: '--on', stallAfter: '--stall-after' }) };
  const server = resolveServer(opts.server, env);
  let rule: NotificationRuleJson;
  if (server) {
    const api = new ApiClient(server, { env });
    rule = await new NotifyApi(api).add(await remoteSessionId(api, session), body);
  } else {
    rule = await withEmbedded(env, true, async (store) => {
      const { addRule, ruleJson } = await import('../../notify/rules.js');
      return ruleJson(store, await addRule(store, (await localSession(store, session)).id, body, Date.now()));
    });
  }
  io.stdout.write(`Added notification ${rule.id}: ${rule.on.join(',')} → ${rule.url} (${rule.channel})\n`);
  return 0;
}

/** `exec-track notify list <session> [--json]`: the session's rules, URLs masked, with delivery counts. */
export async function notifyListCommand(session: string, opts: { server?: string; json?: boolean }, io: CommandIo): Promise<number> {
  const { env } = io;
  const server = resolveServer(opts.server, env);
  let rules: NotificationRuleJson[];
  if (server) {
    const api = new ApiClient(server, { env });
    rules = await new NotifyApi(api).list(await remoteSessionId(api, session));
  } else {
    rules = await withEmbedded(env, false, async (store) => {
      const { ruleJson } = await import('../../notify/rules.js');
      const id = (await localSession(store, session)).id;
      return Promise.all((await store.notify.listRules(id)).map((r) => ruleJson(store, r)));
    });
  }
  if (opts.json) {
    io.stdout.write(`${JSON.stringify({ rules }, null, 2)}\n`);
    return 0;
  }
  if (rules.length === 0) {
    io.stdout.write('No notifications in this session; add one with `exec-track notify add <session> <url>`.\n');
    return 0;
  }
  for (const r of rules) {
    const counts =
      Object.entries(r.deliveries)
        .map(([state, n]) => `${n} ${state}`)
        .join(', ') || 'nothing sent yet';
    const scope = r.executionId ? ` (execution ${r.executionId} only)` : '';
    io.stdout.write(`${r.id}  ${r.channel}  ${r.url}  on ${r.on.join(',')}${scope}  · ${counts}\n`);
  }
  return 0;
}

/**
 * `exec-track notify rm <rule-id>`: removes a rule and its undelivered messages.
 * @throws ExecTrackError USAGE (exit 2) for an id not shaped `n_…`; NOT_FOUND (exit 1) for no such rule.
 */
export async function notifyRmCommand(ruleId: string, opts: { server?: string }, io: CommandIo): Promise<number> {
  const { env } = io;
  if (!isId('n', ruleId))
    throw new ExecTrackError('USAGE', `"${ruleId}" is not a notification rule id (n_…); list them with \`exec-track notify list <session>\`.`);
  const notFound = () => ExecTrackError.of('NOT_FOUND', { thing: `notification rule ${ruleId}`, hint: 'list them with `exec-track notify list <session>`' });
  const server = resolveServer(opts.server, env);
  if (server) {
    await new NotifyApi(new ApiClient(server, { env })).remove(ruleId);
  } else {
    const removed = await withEmbedded(env, false, (store) => store.notify.removeRule(ruleId));
    if (!removed) throw notFound();
  }
  io.stdout.write(`Removed notification ${ruleId}.\n`);
  return 0;
}

/**
 * `exec-track notify test <url>`: sends a sample `failed` message in the URL's channel format from
 * this machine and prints the receiver's real answer (`HTTP <status>` and its body). Returns the exit
 * code: 0 for a 2xx answer, 1 otherwise (no answer included).
 */
export async function notifyTestCommand(url: string, io: CommandIo): Promise<number> {
  const { env } = io;
  const [{ parseTarget }, { sampleFacts }, { render }, { post }] = await Promise.all([
    import('../../notify/target.js'),
    import('../../notify/sample.js'),
    import('../../notify/channels/index.js'),
    import('../../notify/send.js'),
  ]);
  const target = parseTarget(url);
  const answer = await post(
    target.url,
    render(target.channel, sampleFacts(Date.now(), `${resolveServer(undefined, env) ?? EMBEDDED_PAGES}/e/e_sample`)),
    10_000,
  );
  if (answer.status === null) {
    io.stderr.write(`exec-track: no answer from the ${target.channel} URL (${answer.text}); check the URL and the network.\n`);
    return 1;
  }
  io.stdout.write(`HTTP ${answer.status}\n${answer.text}${answer.text.endsWith('\n') || answer.text === '' ? '' : '\n'}`);
  return answer.status >= 200 && answer.status < 300 ? 0 : 1;
}

async function remoteSessionId(api: ApiClient, ref: string): Promise<string> {
  if (isId('s', ref)) return ref;
  const session = (await api.listSessions()).find((s) => s.title === ref);
  if (!session)
    throw ExecTrackError.of('NOT_FOUND', {
      thing: `session titled "${ref}" of this machine on ${api.server}`,
      hint: 'give its id (s_…) or run `exec-track sessions`',
    });
  return session.id;
}

async function localSession(store: Store, ref: string): Promise<{ id: string }> {
  const session = isId('s', ref) ? await store.getSession(ref) : await store.findSessionByTitle(ref, null);
  if (!session) throw ExecTrackError.of('NOT_FOUND', { thing: `session ${ref} in the embedded store`, hint: 'run `exec-track sessions` to list them' });
  return session;
}

async function withEmbedded<T>(env: NodeJS.ProcessEnv, create: boolean, work: (store: Store) => Promise<T>): Promise<T> {
  const path = embeddedDbPath(env);
  if (!create && !existsSync(path))
    throw ExecTrackError.of('NOT_FOUND', {
      thing: 'notification rules in the embedded store (it is empty)',
      hint: '`exec-track notify add <session> <url>` adds one',
    });
  const { openStore } = await import('../../store/open.js');
  const store = await openStore(path);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
