// The console's little script: the services search, copy buttons and snippet tabs. Pages work
// without it (search then needs the form's ?q=); it only makes them quicker to use.
'use strict';

(function () {
  // Services search: the same rules as the server's ?q= (src/pages/services.ts): a service whose
  // name or description matches shows every method; otherwise only its matching methods show.
  document.querySelectorAll('input[data-filter]').forEach(function (input) {
    var table = document.querySelector(input.getAttribute('data-filter'));
    if (!table) return;
    var form = input.form;
    if (form) form.addEventListener('submit', function (e) { e.preventDefault(); });
    function apply() {
      var q = input.value.trim().toLowerCase();
      var shown = 0;
      table.querySelectorAll('tbody tr[data-search]').forEach(function (row) {
        var serviceHit = q === '' || row.getAttribute('data-search').indexOf(q) !== -1;
        var methodHits = 0;
        row.querySelectorAll('[data-search]').forEach(function (chip) {
          var hit = serviceHit || chip.getAttribute('data-search').indexOf(q) !== -1;
          chip.hidden = !hit;
          if (hit && !serviceHit) methodHits++;
        });
        row.hidden = !(serviceHit || methodHits > 0);
        if (!row.hidden) shown++;
      });
      var empty = table.querySelector('[data-empty]');
      if (empty) {
        empty.hidden = shown > 0;
        var shownQuery = empty.querySelector('[data-query]');
        if (shownQuery) shownQuery.textContent = input.value;
      }
      // Keeps ?q= in the address, so a search can be shared and survives a reload.
      var url = new URL(window.location.href);
      if (q === '') url.searchParams.delete('q'); else url.searchParams.set('q', input.value);
      history.replaceState(null, '', url);
    }
    input.addEventListener('input', apply);
    input.addEventListener('keydown', function (e) {
      if (e.key !== 'Enter') return;
      var first = table.querySelector('tbody tr[data-search]:not([hidden]) a.chip:not([hidden])');
      if (first && input.value.trim() !== '') window.location.href = first.href;
    });
    // "/" focuses the search box, as on most developer sites.
    document.addEventListener('keydown', function (e) {
      if (e.key === '/' && document.activeElement !== input && !/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)) {
        e.preventDefault();
        input.focus();
      }
    });
  });

  // Copy buttons: data-copy names the element whose text is copied.
  document.querySelectorAll('[data-copy]').forEach(function (button) {
    button.addEventListener('click', function () {
      var source = document.querySelector(button.getAttribute('data-copy'));
      if (!source) return;
      var text = source.textContent;
      var done = function () {
        var label = button.textContent;
        button.textContent = 'Copied';
        button.classList.add('copied');
        setTimeout(function () { button.textContent = label; button.classList.remove('copied'); }, 1200);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { selectText(source); });
      } else {
        // Plain http on another host is not a secure context: select the text for Ctrl-C instead.
        selectText(source);
        try { if (document.execCommand('copy')) done(); } catch (_) { /* selected: the user copies */ }
      }
    });
  });
  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  // Snippet tabs: without the script every snippet shows, one under the other.
  document.querySelectorAll('.tabs').forEach(function (tabs) {
    var buttons = tabs.querySelectorAll('[data-tab]');
    if (buttons.length === 0) return;
    var key = 'junction.console.tab';
    function select(id) {
      buttons.forEach(function (b) { b.setAttribute('aria-selected', String(b.getAttribute('data-tab') === id)); });
      document.querySelectorAll('[data-snippet]').forEach(function (s) { s.hidden = s.getAttribute('data-snippet') !== id; });
    }
    buttons.forEach(function (b) {
      b.addEventListener('click', function () {
        select(b.getAttribute('data-tab'));
        try { localStorage.setItem(key, b.getAttribute('data-tab')); } catch (_) { /* private mode */ }
      });
    });
    tabs.hidden = false;
    var saved = null;
    try { saved = localStorage.getItem(key); } catch (_) { /* private mode */ }
    var ids = Array.prototype.map.call(buttons, function (b) { return b.getAttribute('data-tab'); });
    select(ids.indexOf(saved) !== -1 ? saved : ids[0]);
  });
})();
