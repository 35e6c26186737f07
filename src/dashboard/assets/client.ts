/**
 * The dashboard's only script, served at /assets/dashboard.js (the CSP allows scripts from
 * 'self' only: no inline code, no handlers in markup). Progressive: every page works without
 * it; it adds copy buttons, auto-submitting toggles and the live run view (SSE).
 * Written without backticks or template placeholders so it can live in this raw string.
 */
export const DASHBOARD_JS = String.raw`
(function () {
  'use strict';
  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function say(text) { var s = $('#live-status'); if (s) { s.textContent = ''; setTimeout(function () { s.textContent = text; }, 30); } }

  // Copy buttons: data-copy names the element whose text is copied.
  function fallbackCopy(text) {
    var area = document.createElement('textarea');
    area.value = text; area.setAttribute('readonly', ''); area.className = 'visually-hidden';
    document.body.appendChild(area); area.select();
    var ok = false; try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    document.body.removeChild(area); return ok;
  }
  $all('button[data-copy]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      var target = document.getElementById(button.getAttribute('data-copy'));
      if (!target) return;
      var text = target.textContent || '';
      var done = function () { button.setAttribute('data-copied', 'true'); say('Copied to clipboard'); };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, function () { if (fallbackCopy(text)) done(); else say('Copy failed: select the text and copy it'); });
      } else if (fallbackCopy(text)) { done(); } else { say('Copy failed: select the text and copy it'); }
    });
  });

  // Toggles that save as soon as they change (the Save button stays for keyboard and no-JS use).
  $all('form[data-autosubmit]').forEach(function (form) {
    form.addEventListener('change', function () { if (form.requestSubmit) form.requestSubmit(); else form.submit(); });
  });

  // Typed confirmation: the destructive button stays disabled until the exact text is typed.
  $all('input[data-confirm-value]').forEach(function (input) {
    var button = document.getElementById(input.getAttribute('data-confirm-button'));
    if (!button) return;
    var sync = function () { button.disabled = input.value !== input.getAttribute('data-confirm-value'); };
    input.addEventListener('input', sync); sync();
  });

  // Live run view: follows GET /runs/{id}/events; the browser resends Last-Event-ID on reconnect.
  var run = $('[data-run-id]');
  if (!run || !window.EventSource) return;
  var runId = run.getAttribute('data-run-id');
  var terminal = { completed: 1, failed: 1, cancelled: 1 };
  var lastId = '';
  var source = null;
  var retryMs = 1000;

  function setRunStatus(status) {
    var el = $('#run-status');
    if (el) { el.textContent = status; el.className = 'badge ' + status; }
    if (terminal[status]) {
      $all('[data-while-active]').forEach(function (x) { x.hidden = true; });
      say('Run ' + status);
    }
  }
  // A step this page has not drawn yet (the plan arrived after it loaded): reload once to draw it;
  // the stream replays from the start, so nothing is missed.
  function ensureStep(stepId) {
    if (document.querySelector('[data-step="' + stepId + '"]')) return true;
    if (!sessionStorage.getItem('hydra-reloaded-' + stepId)) { sessionStorage.setItem('hydra-reloaded-' + stepId, '1'); location.reload(); }
    return false;
  }
  function setStep(stepId, status, progress) {
    if (!ensureStep(stepId)) return;
    $all('[data-step]').forEach(function (row) {
      if (row.getAttribute('data-step') !== stepId) return;
      if (status) { var s = $('.step-status', row); if (s) { s.textContent = status; s.className = 'badge step-status ' + status; } }
      if (progress !== undefined) { var p = $('progress', row); if (p) { p.value = progress; p.textContent = Math.round(progress * 100) + '%'; } }
    });
    $all('[data-node]').forEach(function (node) {
      if (node.getAttribute('data-node') === stepId && status) node.setAttribute('class', 'node s-' + status);
    });
  }
  function logEvent(name, data, id) {
    var list = $('#events');
    if (!list) return;
    var item = document.createElement('li');
    item.textContent = (id ? '#' + id + ' ' : '') + name + ' ' + JSON.stringify(data);
    list.appendChild(item);
    list.scrollTop = list.scrollHeight;
    var empty = $('#events-empty'); if (empty) empty.hidden = true;
  }
  function showApproval(d) {
    var panel = $('#approval');
    if (!panel) return;
    panel.hidden = false;
    $all('input[name=approval_id]', panel).forEach(function (i) { i.value = d.approval_id; });
    var fill = function (field, value) { var el = $('[data-field=' + field + ']', panel); if (el) el.textContent = value; };
    fill('action', d.action || '');
    fill('step', d.step_id || '');
    fill('description', d.description || '');
    fill('risk', String(d.risk_score));
    fill('reason', d.reason || '');
    fill('expires', d.expires_at || '');
    var params = document.getElementById('params-' + d.step_id);
    fill('parameters', params ? params.textContent : '{}');
    say('Approval required for ' + (d.action || 'a step'));
  }
  function stepStatusOf(result) {
    if (result === 'success' || result === 'delegated') return 'completed';
    if (result === 'failed' || result === 'error') return 'failed';
    return 'skipped';
  }
  var handlers = {
    run_started: function () { setRunStatus('running'); },
    step_started: function (d) { setStep(d.step_id, 'running'); },
    step_progress: function (d) { setStep(d.step_id, undefined, d.progress); },
    step_completed: function (d) { setStep(d.step_id, stepStatusOf(d.result), 1); },
    approval_required: function (d) { setStep(d.step_id, 'waiting_approval'); showApproval(d); setRunStatus('running'); },
    approval_resolved: function () { var p = $('#approval'); if (p) p.hidden = true; },
    run_frozen: function () { setRunStatus('frozen'); },
    run_resumed: function () { setRunStatus('running'); },
    run_completed: function () { setRunStatus('completed'); },
    run_error: function () { setRunStatus('failed'); },
    run_cancelled: function () { setRunStatus('cancelled'); }
  };
  function connect() {
    var url = '/runs/' + encodeURIComponent(runId) + '/events' + (lastId ? '?lastEventId=' + encodeURIComponent(lastId) : '');
    source = new EventSource(url);
    var conn = $('#stream-state');
    source.onopen = function () { retryMs = 1000; if (conn) conn.textContent = 'Live'; };
    Object.keys(handlers).concat(['risk_notice']).forEach(function (name) {
      source.addEventListener(name, function (e) {
        if (e.lastEventId) lastId = e.lastEventId;
        var data = {}; try { data = JSON.parse(e.data); } catch (err) { data = {}; }
        logEvent(name, data, e.lastEventId);
        if (handlers[name]) handlers[name](data);
        if (terminal[name === 'run_completed' ? 'completed' : name === 'run_error' ? 'failed' : name === 'run_cancelled' ? 'cancelled' : '']) {
          source.close(); if (conn) conn.textContent = 'Finished';
        }
      });
    });
    source.onerror = function () {
      if (conn) conn.textContent = 'Reconnecting';
      // The browser retries by itself (sending Last-Event-ID); a refused stream is closed, so retry here.
      if (source.readyState === 2) { setTimeout(connect, retryMs); retryMs = Math.min(retryMs * 2, 30000); }
    };
  }
  connect();
})();
`;
