import { el } from './dom.js';
import type { ChartSettings } from './chart.js';

/** The shared chart controls: x as step or time, log y, smoothing; calls `onChange` with new settings. */
export function mountChartTools(tools: HTMLElement, onChange: (settings: ChartSettings) => void): ChartSettings {
  const settings: ChartSettings = { x: 'step', logY: false, smoothing: 0 };
  const x = el('select');
  x.setAttribute('aria-label', 'x axis');
  for (const [value, label] of [
    ['step', 'x: step'],
    ['ts', 'x: time'],
  ]) {
    const option = el('option', '', label);
    option.value = value!;
    x.append(option);
  }
  const logY = el('input');
  logY.type = 'checkbox';
  const smoothing = el('input');
  smoothing.type = 'range';
  smoothing.min = '0';
  smoothing.max = '0.99';
  smoothing.step = '0.01';
  smoothing.value = '0';
  const changed = () => {
    settings.x = x.value as ChartSettings['x'];
    settings.logY = logY.checked;
    settings.smoothing = Number(smoothing.value);
    onChange({ ...settings });
  };
  for (const input of [x, logY, smoothing]) input.addEventListener('change', changed);
  smoothing.addEventListener('input', changed);
  const label = (text: string, input: HTMLElement) => {
    const l = el('label', '', text);
    l.prepend(input);
    return l;
  };
  tools.append(x, label(' log y', logY), label(' smoothing ', smoothing));
  tools.hidden = false;
  return settings;
}
