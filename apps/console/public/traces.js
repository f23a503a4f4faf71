// The traces list: times in the browser's own zone beside the UTC the server wrote, and the
// filter form submitted as soon as its order, size or follow box changes.
(() => {
  'use strict';
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  for (const t of document.querySelectorAll('.trace-list time[datetime]')) {
    const d = new Date(t.getAttribute('datetime'));
    if (Number.isNaN(d.getTime())) continue;
    t.title = `${t.textContent} UTC`;
    t.textContent = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  }
  const head = document.querySelector('.trace-list thead th');
  if (head) head.textContent = 'Time';

  const form = document.querySelector('form.obs-filters');
  if (form) {
    for (const name of ['order', 'limit', 'follow', 'errors']) {
      const input = form.elements.namedItem(name);
      if (input) input.addEventListener('change', () => form.requestSubmit());
    }
  }
})();
