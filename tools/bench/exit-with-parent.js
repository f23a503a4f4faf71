'use strict';
// Preloaded (`node -r`) into every process embedded.js starts. embedded.js kills its children on
// exit, Ctrl-C and errors; but nothing runs in a process killed with SIGKILL (or an OOM kill), so
// each child also watches the IPC channel it was given and exits when the parent goes away.
// Costs nothing per request: one 'disconnect' listener, and the channel is unref'd so it never
// keeps a process alive by itself.
if (typeof process.send === 'function') {
  process.on('disconnect', () => process.exit(1));
  process.channel?.unref();
}
