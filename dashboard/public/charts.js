// Treasurer's charts: drawn from the JSON the page carries; the same numbers are in tables.

(() => {
  const holder = document.getElementById('chart-data');
  if (!holder || typeof Chart === 'undefined') return;
  const { locale, charts } = JSON.parse(holder.textContent);
  const euros = new Intl.NumberFormat(locale, { style: 'currency', currency: 'EUR' });
  const counts = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  // Colour-blind-safe palette (Okabe–Ito); each chart also has its table.
  const palette = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
  const reduceMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches;

  for (const spec of charts) {
    const canvas = document.getElementById(spec.id);
    if (!canvas) continue;
    const round = spec.type === 'doughnut';
    const fmt = (v) => (spec.money === false ? counts.format(v) : euros.format(v));
    new Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.series.map((s, i) => ({
          label: s.label,
          // money in cents, shown as euros; counts as they are (null: a hidden small count)
          data: s.data.map((v) => (v === null ? null : spec.money === false ? v : v / 100)),
          backgroundColor: round
            ? spec.labels.map((_, j) => palette[j % palette.length])
            : palette[i % palette.length],
          borderColor: round ? '#ffffff' : palette[i % palette.length],
          tension: 0.2,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : undefined,
        locale,
        plugins: {
          legend: { display: round || spec.series.length > 1 },
          tooltip: {
            callbacks: {
              label: (ctx) => `${ctx.dataset.label}: ${fmt(ctx.parsed.y ?? ctx.parsed)}`,
            },
          },
        },
        scales: round
          ? {}
          : {
              y: {
                beginAtZero: true,
                // counts: whole numbers only on the axis
                ticks: { callback: (v) => fmt(v), ...(spec.money === false ? { precision: 0 } : {}) },
              },
            },
      },
    });
  }
})();
