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
    // Keep keyboard focus on the same control when a card is replaced under it.
    const focused = old.contains(document.activeElement) ? document.activeElement : null;
    const focusKey = focused?.closest('form')?.getAttribute('action');
    const focusName = focused?.getAttribute('name');
    // Keep what someone is typing (a problem's note, a quantity) and which panels are open.
    const typed = [...old.querySelectorAll('form input:not([type=hidden]), form select, form textarea')]
      .filter((el) => el.name)
      .map((el) => [el.closest('form').getAttribute('action'), el.name, el.value]);
    const open = [...old.querySelectorAll('details[open]')].map((d) => d.className);
    const changed = old.dataset.state !== card.dataset.state;
    old.replaceWith(card);
    for (const [action, name, value] of typed) {
      const el = card.querySelector(`form[action="${CSS.escape(action)}"] [name="${CSS.escape(name)}"]`);
      if (el && el.type !== 'hidden') el.value = value;
    }
    for (const cls of open) {
      const d = cls ? card.querySelector(`details.${CSS.escape(cls.split(' ')[0])}`) : null;
      if (d) d.open = true;
    }
    if (focusKey) {
      const inForm = `form[action="${CSS.escape(focusKey)}"]`;
      const again =
        (focusName && card.querySelector(`${inForm} [name="${CSS.escape(focusName)}"]`)) ||
        card.querySelector(`${inForm} button`);
      again?.focus();
    }
    if (changed && announce) announce.textContent = card.dataset.announce || '';
  });
  window.addEventListener('pagehide', () => source.close());
})();
