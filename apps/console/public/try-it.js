// The try-it form of a method page: turns the inputs into args, checks them with the method's
// params schema (Ajv, the validator the provider uses, in its browser build), sends them to the
// console (POST /try/<service>/<method>), and shows the outcome with a link to its trace.
'use strict';

(function () {
  var form = document.getElementById('try-form');
  if (!form) return;
  var outcome = document.getElementById('try-outcome');
  var formError = document.getElementById('try-form-error');
  var schema = JSON.parse(document.getElementById('params-schema').textContent);
  var validate = compile(schema);

  function compile(s) {
    if (typeof window.ajv7 !== 'function') return null;
    var ajv = new window.ajv7({ allErrors: true, strict: false });
    // The formats the platform's schemas use (DateTime, Binary) and the common ones; ajv-formats is not in the browser build.
    ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$/);
    ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
    ajv.addFormat('time', /^\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$/);
    ajv.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
    ajv.addFormat('email', /^[^\s@]+@[^\s@]+$/);
    ajv.addFormat('uri', /^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]*$/);
    ajv.addFormat('uuid', /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/);
    try {
      return ajv.compile(s);
    } catch (err) {
      // A schema the browser build cannot compile: the gateway still validates.
      console.warn('try it: params schema not compiled in the browser:', err);
      return null;
    }
  }

  function fields() {
    return Array.prototype.slice.call(form.querySelectorAll('.field[data-field]'));
  }
  function control(field) {
    return field.querySelector('input:not([type=file]), select, textarea');
  }
  function showError(name, message) {
    var el = form.querySelector('[data-error-for="' + CSS.escape(name) + '"]');
    if (el) el.textContent = message;
    var field = form.querySelector('.field[data-field="' + CSS.escape(name) + '"]');
    if (field) field.classList.add('invalid');
  }
  function clearErrors() {
    form.querySelectorAll('.field-error').forEach(function (el) { el.textContent = ''; });
    form.querySelectorAll('.field.invalid').forEach(function (el) { el.classList.remove('invalid'); });
    formError.textContent = '';
  }

  /** The args the inputs say, or null after showing what cannot be read. */
  function readArgs() {
    var args = {};
    var ok = true;
    fields().forEach(function (field) {
      var name = field.getAttribute('data-field');
      var kind = field.getAttribute('data-kind');
      var required = field.hasAttribute('data-required');
      var input = control(field);
      var text = input.value;
      if (kind === 'checkbox') { args[name] = input.checked; return; }
      if (text === '' && (!required || kind !== 'text')) return;
      if (kind === 'select' || kind === 'tristate') { args[name] = JSON.parse(text); return; }
      if (kind === 'number' || kind === 'integer') {
        var n = Number(text);
        if (text.trim() === '' || !isFinite(n)) { ok = false; showError(name, 'not a number'); return; }
        args[name] = n;
        return;
      }
      if (kind === 'json') {
        try { args[name] = JSON.parse(text); } catch (err) { ok = false; showError(name, 'not valid JSON: ' + err.message); }
        return;
      }
      args[name] = text;
    });
    return ok ? args : null;
  }

  /** Ajv's errors under the inputs they are about: `/frameIn` under frameIn, `/shots/0/code` under shots. */
  function showSchemaErrors(errors) {
    errors.forEach(function (e) {
      var path = e.instancePath;
      if (e.keyword === 'required') path += '/' + e.params.missingProperty;
      var parts = path.split('/').slice(1).map(function (p) { return p.replace(/~1/g, '/').replace(/~0/g, '~'); });
      var message = e.keyword === 'required' ? 'is required' : e.message;
      if (e.keyword === 'enum') message += ': ' + e.params.allowedValues.map(function (v) { return JSON.stringify(v); }).join(', ');
      if (parts.length === 0) { formError.textContent = 'args ' + message; return; }
      var inner = parts.length > 1 ? parts.slice(1).join('.') + ' ' : '';
      var field = form.querySelector('.field[data-field="' + CSS.escape(parts[0]) + '"]');
      if (field) showError(parts[0], inner + message);
      else formError.textContent = parts.join('.') + ' ' + message;
    });
  }

  function show(result) {
    outcome.hidden = false;
    outcome.classList.toggle('failed', !result.ok);
    outcome.querySelector('[data-status]').textContent = result.ok ? 'OK' : result.error.code;
    outcome.querySelector('[data-duration]').textContent = result.durationMs.toFixed(result.durationMs < 10 ? 2 : 1) + ' ms';
    var link = outcome.querySelector('[data-trace]');
    link.href = form.getAttribute('data-traces') + encodeURIComponent(result.traceId);
    link.textContent = 'Trace ' + result.traceId.slice(0, 8) + '…';
    link.title = 'trace ' + result.traceId;
    var message = outcome.querySelector('[data-message]');
    message.hidden = result.ok;
    message.textContent = result.ok ? '' : result.error.message;
    var body = outcome.querySelector('[data-body]');
    var shown = result.ok ? result.result : result.error.details;
    body.hidden = !result.ok && shown === undefined;
    body.textContent = shown === undefined ? '' : JSON.stringify(shown, null, 2);
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    clearErrors();
    var args = readArgs();
    if (args === null) return;
    if (validate && !validate(args)) { showSchemaErrors(validate.errors); return; }
    var button = form.querySelector('button[type=submit]');
    button.disabled = true;
    form.classList.add('busy');
    fetch(form.getAttribute('data-action'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(args),
      credentials: 'same-origin',
    }).then(function (res) {
      if (res.status === 401) {
        formError.innerHTML = '';
        formError.append('Your session has ended: ');
        var a = document.createElement('a');
        a.href = form.getAttribute('data-login') + '?next=' + encodeURIComponent(location.pathname);
        a.textContent = 'sign in again';
        formError.append(a);
        return;
      }
      return res.json().then(function (body) {
        if (body && typeof body.ok === 'boolean') show(body);
        else formError.textContent = (body && body.error && body.error.message) || 'unexpected answer (HTTP ' + res.status + ')';
      });
    }).catch(function (err) {
      formError.textContent = 'the console did not answer: ' + err.message;
    }).finally(function () {
      button.disabled = false;
      form.classList.remove('busy');
    });
  });

  // Enter in a one-line input submits; Ctrl/Cmd-Enter submits from a JSON textarea too.
  form.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); }
  });

  form.querySelectorAll('[data-now-for]').forEach(function (b) {
    b.addEventListener('click', function () {
      document.getElementById(b.getAttribute('data-now-for')).value = new Date().toISOString();
    });
  });
  form.querySelectorAll('[data-base64-for]').forEach(function (input) {
    input.addEventListener('change', function () {
      var file = input.files && input.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () {
        var url = String(reader.result);
        document.getElementById(input.getAttribute('data-base64-for')).value = url.slice(url.indexOf(',') + 1);
      };
      reader.readAsDataURL(file);
    });
  });
})();
