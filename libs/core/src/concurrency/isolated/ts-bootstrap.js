'use strict';
// Only when Junction runs from its TypeScript sources (tests): compiles the guest entry on load.
// The built package starts the compiled entry directly. See entries.ts.
require('tsx/cjs/api').register();
const { workerData } = require('node:worker_threads');
module.exports = require(workerData?.tsEntry ?? process.env.JUNCTION_GUEST_TS_ENTRY);
