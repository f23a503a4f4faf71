// The trace page: expand or collapse every span at once, and open a span named in the URL's hash
// (#span-<id>). The rows are <details>: they open and close without this script.
(() => {
  'use strict';
  const rows = () => Array.from(document.querySelectorAll('details.span-row'));
  const tools = document.querySelector('.wf-tools');
  if (tools) {
    tools.hidden = false;
    tools.addEventListener('click', (event) => {
      const button = event.target.closest('button[data-expand]');
      if (!button) return;
      const open = button.getAttribute('data-expand') === 'all';
      for (const row of rows()) row.open = open;
    });
  }

  function openFromHash() {
    const m = /^#span-([0-9a-f]{16})$/.exec(location.hash);
    if (!m) return;
    const row = document.querySelector(`details.span-row[data-span-id="${m[1]}"]`);
    if (!row) return;
    row.open = true;
    row.classList.add('highlight');
    row.scrollIntoView({ block: 'center' });
  }
  openFromHash();
  window.addEventListener('hashchange', openFromHash);

  // Keep the hash in step with the row last opened, so its URL can be shared.
  for (const row of rows()) {
    row.addEventListener('toggle', () => {
      if (row.open) history.replaceState(null, '', `#span-${row.dataset.spanId}`);
    });
  }
})();
