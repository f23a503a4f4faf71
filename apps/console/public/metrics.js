// The metrics page, live: every 2 s it asks /metrics.json for the same figures the server rendered
// and puts them in place. Without JS the page is complete as rendered; a reload refreshes it.
(() => {
  'use strict';
  const root = document.querySelector('section.metrics[data-json]');
  if (!root) return;
  const url = root.getAttribute('data-json');
  const EVERY_MS = 2000;
  const live = root.querySelector('[data-field="live"]');
  const field = (name) => root.querySelector(`[data-field="${name}"]`);

  /** A cell as the server writes it: a number right-aligned, and its column named for scripts and tests. */
  function cell(text, col, numeric) {
    const td = document.createElement('td');
    if (numeric) td.className = 'num';
    if (col) td.dataset.col = col;
    td.textContent = text;
    return td;
  }

  /** The panel's error box: created, updated or removed to match `error`. */
  function panelError(panel, error) {
    let box = panel.querySelector('.obs-error');
    if (!error) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = document.createElement('div');
      box.className = 'obs-error';
      box.setAttribute('role', 'alert');
      box.append(document.createElement('strong'), ' ', document.createElement('span'));
      box.firstChild.className = 'obs-error-code';
      box.lastChild.className = 'obs-error-message';
      panel.prepend(box);
    }
    box.querySelector('.obs-error-code').textContent = error.code;
    box.querySelector('.obs-error-message').textContent = error.message;
  }

  function fillTable(table, rows, empty, toRow) {
    const body = document.createElement('tbody');
    for (const r of rows) body.append(toRow(r));
    if (rows.length === 0) {
      const tr = document.createElement('tr');
      tr.className = 'obs-empty-row';
      const td = cell(empty);
      td.colSpan = table.tHead.rows[0].cells.length;
      tr.append(td);
      body.append(tr);
    }
    table.tBodies[0].replaceWith(body);
  }

  function methodRow(m) {
    const tr = document.createElement('tr');
    tr.dataset.method = m.method;
    if (m.failing) tr.className = 'failing';
    const errors = cell(m.errors, 'errors', true);
    if (m.errorShare) {
      const small = document.createElement('small');
      small.textContent = `(${m.errorShare})`;
      errors.append(' ', small);
    }
    tr.append(cell(m.method, 'method'), cell(m.calls, 'calls', true), cell(m.rate, 'rate', true), cell(m.p50, 'p50', true), cell(m.p99, 'p99', true), errors);
    return tr;
  }

  function queueRow(q) {
    const tr = document.createElement('tr');
    tr.dataset.node = q.node;
    tr.dataset.queue = q.name;
    tr.className = q.full ? 'full' : q.busy ? 'busy' : '';
    tr.append(cell(q.node, 'node'), cell(q.name, 'name'), ...['inFlight', 'waiting', 'meanWait', 'maxWait', 'accepted', 'rejected', 'expired'].map((col) => cell(q[col], col, true)));
    return tr;
  }

  // One panel: its error, or its source line and table. Returns the data to show, or undefined.
  function panel(name, data, error) {
    const el = root.querySelector(`[data-panel="${name}"]`);
    panelError(el, error);
    field(`${name}Source`).hidden = !data;
    el.querySelector('table').hidden = !data;
    return data && el.querySelector('table');
  }

  function render(view) {
    field('updatedAt').textContent = view.updatedAt;
    const methods = panel('methods', view.methods, view.methodsError);
    if (methods) {
      field('methodsNodes').textContent = view.methods.nodes;
      field('methodsSeconds').textContent = view.methods.seconds;
      fillTable(methods, view.methods.rows, 'No calls in the last minute.', methodRow);
    }
    const queues = panel('queues', view.queues, view.queuesError);
    if (queues) {
      field('queuesNodes').textContent = view.queues.nodes;
      fillTable(queues, view.queues.rows, 'No queues reported.', queueRow);
    }
  }

  function problem(text) {
    live.classList.add('stale');
    live.title = text;
  }

  async function refresh() {
    try {
      const res = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' });
      // A page with every call failed is not a 200, but still a view to show.
      const type = res.headers.get('content-type') || '';
      if (!type.includes('application/json')) return problem(`live refresh: ${res.status} ${res.statusText} (signed out?); reload the page`);
      render(await res.json());
      live.classList.remove('stale');
      live.title = '';
    } catch (err) {
      problem(`live refresh failed: ${err && err.message ? err.message : err}`);
    }
  }

  // One request at a time, and none while the tab is hidden.
  async function loop() {
    if (!document.hidden) await refresh();
    setTimeout(loop, EVERY_MS);
  }
  root.classList.add('live');
  setTimeout(loop, EVERY_MS);
})();
