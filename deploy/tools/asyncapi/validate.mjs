// Validates an AsyncAPI document with the official parser (spec + Spectral rules), offline:
// the document must be self-contained (local $refs only). Prints the diagnostics as JSON and exits
// 1 when any has severity "error" (0 = error in Spectral's scale).
import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';

const file = process.argv[2];
if (!file) {
  console.error('usage: node validate.mjs <asyncapi.yaml>');
  process.exit(2);
}
const parser = new Parser();
const { document, diagnostics } = await parser.parse(readFileSync(file, 'utf8'), { source: file });
const report = diagnostics.map((d) => ({
  severity: d.severity,
  code: d.code,
  message: d.message,
  path: d.path.join('.'),
}));
const errors = report.filter((d) => d.severity === 0);
const summary = document
  ? {
      version: document.version(),
      channels: document.channels().all().map((c) => c.address()),
      messages: document.components().messages().all().length,
      operations: document.operations().all().length,
    }
  : null;
console.log(JSON.stringify({ valid: errors.length === 0 && document !== undefined, summary, diagnostics: report }, null, 2));
process.exit(errors.length === 0 && document !== undefined ? 0 : 1);
