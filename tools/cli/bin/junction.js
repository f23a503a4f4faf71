#!/usr/bin/env node
'use strict';
// The `junction` command runs the built output: `npm ci` builds it (the root `prepare` script).
const path = require('node:path');
const main = path.join(__dirname, '..', 'dist', 'main.js');
try {
  require.resolve(main);
} catch {
  console.error(`junction: ${main} is missing; run \`npm run build\` at the repository root first.`);
  process.exit(1);
}
require(main)
  .main(process.argv.slice(2))
  .then((code) => {
    if (typeof code === 'number') process.exitCode = code;
  });
