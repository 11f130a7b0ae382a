// Summarises a V8 .cpuprofile (node --cpu-prof): top self time by function, then inclusive time by
// package/folder. Usage: node bench/profile-summary.mjs <file.cpuprofile> [top=25]. Used to find the costs in docs/benchmarks.md.
import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = p.timeDeltas;
let total = 0;
for (let i = 0; i < p.samples.length; i++) {
  const n = byId.get(p.samples[i]);
  const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/.*node_modules\//, 'nm/').replace(/.*\/work\/main\//, '')}:${n.callFrame.lineNumber}`;
  self.set(k, (self.get(k) ?? 0) + dt[i]);
  total += dt[i];
}
// inclusive by url (file)
const incl = new Map();
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
for (let i = 0; i < p.samples.length; i++) {
  const seen = new Set();
  let id = p.samples[i];
  while (id !== undefined) {
    const u = byId
      .get(id)
      .callFrame.url.replace(/.*node_modules\//, 'nm/')
      .replace(/.*\/work\/main\//, '')
      .split('/')
      .slice(0, 2)
      .join('/');
    if (!seen.has(u)) {
      seen.add(u);
      incl.set(u, (incl.get(u) ?? 0) + dt[i]);
    }
    id = parent.get(id);
  }
}
console.log('total ms', (total / 1000).toFixed(0), 'wall', ((p.endTime - p.startTime) / 1000).toFixed(0));
console.log(
  [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, +(process.argv[3] ?? 25))
    .map(([k, v]) => `${(v / 1000).toFixed(1).padStart(8)} ${k}`)
    .join('\n'),
);
console.log('--- inclusive by package/dir');
console.log(
  [...incl]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([k, v]) => `${(v / 1000).toFixed(1).padStart(8)} ${k}`)
    .join('\n'),
);
