// The console's only script, served from the jar under script-src 'self'. It appends each live
// event of a sandbox page as it arrives; every value goes in as text, never as markup.
'use strict';

document.addEventListener('DOMContentLoaded', () => {
  const table = document.getElementById('events');
  if (!table || !table.dataset.stream) return;
  const body = table.tBodies[0];
  const status = document.getElementById('stream-status');
  const source = new EventSource(table.dataset.stream);
  source.addEventListener('open', () => { status.textContent = 'live'; });
  source.addEventListener('safety_event', (message) => {
    const e = JSON.parse(message.data);
    const row = body.insertRow();
    row.classList.add('event', 'action-' + String(e.action).replace(/[^a-z]/g, ''));
    for (const value of [e.step === null ? '' : e.step, e.time, e.rule, e.category, e.severity, e.action, e.detail]) {
      row.insertCell().textContent = String(value);
    }
  });
  source.addEventListener('end', () => {
    status.textContent = 'sandbox gone';
    source.close();
  });
  source.addEventListener('error', () => { status.textContent = 'reconnecting'; });
});
