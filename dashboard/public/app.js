// Sésame dashboard: small progressive enhancements; every page works without this file.

// Elapsed times on the live board ("12 min 30 s") advance on the client clock: no requests.
function formatElapsed(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  return `${m} min ${String(s % 60).padStart(2, '0')} s`;
}

function tickElapsed() {
  for (const el of document.querySelectorAll('[data-since]')) {
    const since = Date.parse(el.getAttribute('data-since'));
    if (!Number.isNaN(since)) el.textContent = formatElapsed((Date.now() - since) / 1000);
  }
}
setInterval(tickElapsed, 1000);

// Read-only secrets and links: select all on focus, ready to copy.
document.addEventListener('focusin', (e) => {
  if (e.target instanceof HTMLInputElement && e.target.classList.contains('secret')) e.target.select();
});

// Issue badge form: a badge presented at a reader in enrolment mode fills in the UID field.
document.addEventListener('change', (e) => {
  const el = e.target;
  if (!(el instanceof HTMLInputElement) || !el.dataset.fill) return;
  const target = document.getElementById(el.dataset.fill);
  if (target instanceof HTMLInputElement) target.value = el.value;
});
for (const el of document.querySelectorAll('input[data-fill]:checked')) {
  const target = document.getElementById(el.dataset.fill);
  if (target instanceof HTMLInputElement && target.value === '') target.value = el.value;
}
