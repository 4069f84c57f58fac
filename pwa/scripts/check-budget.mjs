// Owns the bundle budget: sums the gzip size of the JS and CSS that dist/index.html loads at
// start (entry script, modulepreloads, stylesheets and their static imports) and fails the build
// above the budget (150 KB gzip, override with LINLI_BUDGET_KB). Writes dist/budget.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '../dist');
const budgetKb = Number(process.env.LINLI_BUDGET_KB ?? 150);
const html = readFileSync(join(dist, 'index.html'), 'utf8');

const initial = new Set();
for (const m of html.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="\/?([^"]+\.(?:js|css))"/g)) initial.add(m[1]);

// Follow static `import … from "./x.js"` edges: the browser fetches those before the app starts.
const queue = [...initial].filter((f) => f.endsWith('.js'));
while (queue.length) {
  const file = queue.pop();
  const code = readFileSync(join(dist, file), 'utf8');
  for (const m of code.matchAll(/(?:^|[;\n}])\s*import\s*(?:[\w*{}\s,$]+from\s*)?["']\.\/([^"']+\.js)["']/g)) {
    const dep = join(dirname(file), m[1]);
    if (!initial.has(dep)) {
      initial.add(dep);
      queue.push(dep);
    }
  }
}

const rows = [...initial].sort().map((file) => {
  const buf = readFileSync(join(dist, file));
  return { file, bytes: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
});
const total = rows.reduce((s, r) => s + r.gzip, 0);
const kb = (n) => (n / 1024).toFixed(1);
for (const r of rows) console.log(`  ${r.file.padEnd(44)} ${kb(r.bytes).padStart(8)} KB  ${kb(r.gzip).padStart(7)} KB gzip`);
console.log(`budget: initial JS+CSS ${kb(total)} KB gzip of ${budgetKb} KB allowed`);
writeFileSync(join(dist, 'budget.json'), JSON.stringify({ budget_kb: budgetKb, initial_gzip_bytes: total, files: rows }, null, 2));
if (total > budgetKb * 1024) {
  console.error(`budget: FAILED, initial JS+CSS is ${kb(total)} KB gzip, over ${budgetKb} KB`);
  process.exit(1);
}
