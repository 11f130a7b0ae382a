import { html, type SafeHtml } from './html.js';
import type { ExecutionState } from '../protocol/states.js';

/** The page shell: one stylesheet and one deferred script, both served from /assets/ (no inline code), and an icon as a data: URL (no /favicon.ico request, which would 404). */
export function layout(title: string, body: SafeHtml, options: { script?: boolean } = {}): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${title} &middot; exec-track</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Ccircle cx='8' cy='8' r='6' fill='%232f855a'/%3E%3C/svg%3E">
<link rel="stylesheet" href="/assets/web.css">
${options.script === false ? '' : html`<script type="module" src="/assets/web.js"></script>`}
</head>
<body>
<header class="top"><a href="/" class="brand">exec-track</a></header>
<main>
${body}
</main>
</body>
</html>
`.value;
}

/** CSS class of a state, matching the terminal colours (src/report/colors.ts). */
export function stateClass(state: ExecutionState): string {
  return `state state-${state.toLowerCase().replace(/\s+/g, '-')}`;
}

/** A state badge. */
export function badge(state: ExecutionState): SafeHtml {
  return html`<span class="${stateClass(state)}" data-state="${state}">${state}</span>`;
}

/** A time as `<time>`: UTC in the markup, turned into the viewer's local time by the script; UTC on hover. */
export function timeTag(ms: number | null): SafeHtml {
  if (ms === null) return html`<span class="none">-</span>`;
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}" title="${iso}">${iso.replace('T', ' ').slice(0, 19)} UTC</time>`;
}
