// Issue #12: "Copy" buttons next to read-only commands and secrets (data-copy = the field's id).
document.addEventListener('click', async (e) => {
  const button = e.target instanceof Element ? e.target.closest('button[data-copy]') : null;
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  if (!(field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement)) return;
  field.select();
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    document.execCommand('copy');
  }
  const status = document.getElementById(`${button.dataset.copy}-status`);
  if (status) status.textContent = button.dataset.copied ?? '✓';
});
for (const b of document.querySelectorAll('button[data-copy]')) b.hidden = false;
