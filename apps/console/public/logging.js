// The logging page: a level form posts with fetch and its row shows the new levels in place.
// Without JS the same form posts and the server redirects back to the page.
(() => {
  'use strict';
  const table = document.querySelector('table.levels');
  if (!table) return;

  function levelSpan(level) {
    const span = document.createElement('span');
    span.className = `level level-${level}`;
    span.textContent = level;
    return span;
  }

  function updateRow(tr, row) {
    for (const c of row.cells) {
      const td = tr.querySelector(`td[data-node-id="${CSS.escape(c.nodeId)}"]`);
      if (!td || !c.level) continue;
      td.dataset.level = c.level;
      td.replaceChildren(levelSpan(c.level));
    }
    const override = tr.querySelector('td[data-col="override"]');
    if (override && row.override) {
      const small = document.createElement('small');
      small.textContent = row.override.until;
      override.replaceChildren(levelSpan(row.override.level), ' ', small);
    }
  }

  table.addEventListener('submit', async (event) => {
    const form = event.target.closest('form.level-form');
    if (!form) return;
    event.preventDefault();
    const tr = form.closest('tr[data-service]');
    const status = form.querySelector('.level-form-status');
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    status.className = 'level-form-status';
    status.textContent = 'setting…';
    try {
      const res = await fetch(form.action, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(new FormData(form)),
        credentials: 'same-origin',
      });
      const type = res.headers.get('content-type') || '';
      if (!type.includes('application/json')) {
        // Not an answer of this page (a login redirect): let the browser post the form itself.
        form.submit();
        return;
      }
      const answer = await res.json();
      if (answer.error) {
        status.className = 'level-form-status failed';
        status.textContent = `${answer.error.code}: ${answer.error.message}`;
        return;
      }
      if (answer.row) updateRow(tr, answer.row);
      status.textContent = answer.pending && answer.pending.length ? `asked; not shown yet by ${answer.pending.join(', ')}` : `now ${answer.level}`;
    } catch (err) {
      status.className = 'level-form-status failed';
      status.textContent = `failed: ${err && err.message ? err.message : err}`;
    } finally {
      button.disabled = false;
    }
  });
})();
