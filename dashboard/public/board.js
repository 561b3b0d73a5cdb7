// Live board: the server pushes a machine's card (HTML it rendered) over server-sent events
// whenever that machine changes; this swaps it in. No polling.

(() => {
  const grid = document.getElementById('machines');
  const status = document.getElementById('live-status');
  const announce = document.getElementById('live-announce');
  if (!grid || !('EventSource' in window)) return;

  const source = new EventSource('/board/events');
  source.addEventListener('ready', () => {
    if (status) {
      status.textContent = status.dataset.on;
      status.dataset.live = 'on';
    }
  });
  source.addEventListener('error', () => {
    if (status) {
      status.textContent = status.dataset.off;
      status.dataset.live = 'off';
    }
  });
  source.addEventListener('machine', (event) => {
    const { id, html } = JSON.parse(event.data);
    const template = document.createElement('template');
    template.innerHTML = html.trim();
    const card = template.content.firstElementChild;
    if (!card) return;
    const old = document.getElementById(`machine-${id}`);
    if (!old) {
      grid.append(card);
      return;
    }
    // Keep keyboard focus on the same button when a card is replaced under it.
    const focused = old.contains(document.activeElement) ? document.activeElement : null;
    const focusKey = focused?.closest('form')?.getAttribute('action');
    const changed = old.dataset.state !== card.dataset.state;
    old.replaceWith(card);
    if (focusKey) {
      const again = card.querySelector(`form[action="${CSS.escape(focusKey)}"] button`);
      again?.focus();
    }
    if (changed && announce) announce.textContent = card.dataset.announce || '';
  });
  window.addEventListener('pagehide', () => source.close());
})();
