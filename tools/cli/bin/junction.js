#!/usr/bin/env node
'use strict';
// The `junction` command runs the built output: `npm ci` builds it (the root `prepare` script).
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'bin.js');
if (!fs.existsSync(entry)) {
  console.error(`junction: ${entry} is missing; run \`npm run build\` at the repository root first.`);
  process.exit(1);
}
require(entry);
