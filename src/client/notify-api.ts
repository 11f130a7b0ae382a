import type { AddNotificationBody, NotificationRuleJson } from '../protocol/notify.js';
import type { ApiClient } from './api.js';
import { requestJson } from './http.js';

/**
 * The notification-rule routes of a server (docs/api.md "Notifications"), with this machine's claim
 * key: only the owner of a session may add, list or remove its rules.
 * Errors are ExecTrackError from {@link requestJson}.
 */
export class NotifyApi {
  readonly #api: ApiClient;

  constructor(api: ApiClient) {
    this.#api = api;
  }

  async add(sessionId: string, body: AddNotificationBody): Promise<NotificationRuleJson> {
    const { rule } = await this.#call<{ rule: NotificationRuleJson }>('POST', `/sessions/${encodeURIComponent(sessionId)}/notifications`, body);
    return rule;
  }

  async list(sessionId: string): Promise<NotificationRuleJson[]> {
    const { rules } = await this.#call<{ rules: NotificationRuleJson[] }>('GET', `/sessions/${encodeURIComponent(sessionId)}/notifications`);
    return rules;
  }

  async remove(ruleId: string): Promise<void> {
    await this.#call('DELETE', `/notifications/${encodeURIComponent(ruleId)}`);
  }

  async #call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    return requestJson<T>(`${this.#api.server}/api/v1${path}`, { method, body, bearer: await this.#api.claimKey() });
  }
}
