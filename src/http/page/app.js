// Status page script: fetches ./status.json (relative, so it works at an ingress sub-path) every
// refresh_seconds and renders it. All wording and figures come from the bridge (src/http/status.ts);
// this file only builds DOM, with textContent (never innerHTML) so names from upstream stay text.

(() => {
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const FALLBACK_REFRESH_S = 10;
  /** A gap longer than this breaks the chart line instead of drawing across missing data. */
  const LINE_BREAK_MS = 20 * 60 * 1000;

  let lastOk = null;
  let chartId = 0;

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'text') node.textContent = String(v);
      else node.setAttribute(k, String(v));
    }
    for (const c of children || []) if (c) node.append(c);
    return node;
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function clock(ms, withSeconds) {
    const opts = withSeconds
      ? { hour: '2-digit', minute: '2-digit', second: '2-digit' }
      : { hour: '2-digit', minute: '2-digit' };
    return new Date(ms).toLocaleTimeString([], opts);
  }

  function fmt(value, unit) {
    if (value === null || value === undefined) return '–';
    return unit === 'mmol/L' ? Number(value).toFixed(1) : String(Math.round(value));
  }

  function signed(value, digits) {
    if (value === null || value === undefined) return null;
    const text = Number(value).toFixed(digits);
    return value > 0 ? `+${text}` : text;
  }

  function rangeOf(value, p) {
    if (value < p.target_low) return 'low';
    if (value > p.target_high) return 'high';
    return 'in_range';
  }

  function chart(p) {
    const W = 600;
    const H = 210;
    const L = 40;
    const R = 10;
    const T = 10;
    const B = 24;
    const c = p.chart;
    const span = Math.max(1, c.to - c.from);
    const ySpan = Math.max(1e-9, c.y_max - c.y_min);
    const x = (t) => L + ((t - c.from) / span) * (W - L - R);
    const y = (v) => T + (1 - (Math.min(Math.max(v, c.y_min), c.y_max) - c.y_min) / ySpan) * (H - T - B);
    const id = `chart-title-${++chartId}`;
    const values = c.points.map((pt) => pt.value);
    const summary =
      values.length === 0
        ? `No readings in the last 12 hours for ${p.name}.`
        : `Glucose of ${p.name} over the last 12 hours: ${values.length} readings, lowest ${fmt(
            Math.min(...values),
            p.unit,
          )}, highest ${fmt(Math.max(...values), p.unit)} ${p.unit}; target range ${fmt(
            p.target_low,
            p.unit,
          )} to ${fmt(p.target_high, p.unit)}.`;
    const root = svg('svg', {
      class: 'chart',
      viewBox: `0 0 ${W} ${H}`,
      role: 'img',
      'aria-labelledby': id,
      'data-points': values.length,
    });
    root.append(svg('title', { id }, summary));

    // Target band and its edges, labelled with the target values.
    const top = y(p.target_high);
    const bottom = y(p.target_low);
    root.append(
      svg('rect', { class: 'band', x: L, y: top, width: W - L - R, height: Math.max(0, bottom - top) }),
    );
    for (const [v, yy] of [
      [p.target_high, top],
      [p.target_low, bottom],
    ]) {
      root.append(svg('line', { class: 'band-edge', x1: L, x2: W - R, y1: yy, y2: yy }));
      root.append(
        svg('text', { class: 'axis-label', x: L - 6, y: yy + 4, 'text-anchor': 'end' }, fmt(v, p.unit)),
      );
    }
    root.append(
      svg('text', { class: 'axis-label', x: L - 6, y: T + 8, 'text-anchor': 'end' }, fmt(c.y_max, p.unit)),
    );

    // Hour lines every 3 hours of local time.
    const tick = new Date(c.from);
    tick.setMinutes(0, 0, 0);
    tick.setHours(tick.getHours() + 1);
    while (tick.getHours() % 3 !== 0) tick.setHours(tick.getHours() + 1);
    for (; tick.getTime() <= c.to; tick.setHours(tick.getHours() + 3)) {
      const xx = x(tick.getTime());
      root.append(svg('line', { class: 'grid', x1: xx, x2: xx, y1: T, y2: H - B }));
      root.append(
        svg(
          'text',
          { class: 'axis-label', x: xx, y: H - 6, 'text-anchor': 'middle' },
          clock(tick.getTime(), false),
        ),
      );
    }
    root.append(svg('line', { class: 'grid', x1: L, x2: W - R, y1: H - B, y2: H - B }));

    if (c.points.length === 0) {
      root.append(
        svg('text', { class: 'empty', x: (W + L) / 2, y: H / 2, 'text-anchor': 'middle' }, 'No readings yet'),
      );
      return root;
    }
    let d = '';
    let prev = null;
    for (const pt of c.points) {
      const move = prev === null || pt.time - prev.time > LINE_BREAK_MS;
      d += `${move ? 'M' : 'L'}${x(pt.time).toFixed(1)},${y(pt.value).toFixed(1)}`;
      prev = pt;
    }
    root.append(svg('path', { class: 'trace', d }));
    const last = c.points[c.points.length - 1];
    root.append(
      svg('circle', { class: `dot ${rangeOf(last.value, p)}`, cx: x(last.time), cy: y(last.value), r: 4 }),
    );
    return root;
  }

  function stat(label, value) {
    return el('div', {}, [el('dt', { text: label }), el('dd', { text: value })]);
  }

  function patientCard(p) {
    const unit = p.unit;
    const article = el('article', {
      class: `patient range-${p.range || 'none'}${p.stale ? ' stale' : ''}`,
      'data-slug': p.slug,
      'data-stale': p.stale ? 'true' : 'false',
      'aria-labelledby': `name-${p.slug}`,
    });
    article.append(
      el('div', { class: 'patient-head' }, [
        el('h2', { id: `name-${p.slug}`, text: p.name }),
        el('span', { class: 'muted', text: p.account }),
      ]),
    );
    const reading = el('p', { class: 'reading' }, [
      el('span', { class: 'value', text: fmt(p.value, unit) }),
      el('span', { class: 'unit', text: unit }),
    ]);
    if (p.trend_arrow) {
      reading.append(
        el('span', { class: 'trend-arrow', 'aria-hidden': 'true', text: p.trend_arrow }),
        el('span', { class: 'trend-text', text: p.trend_text }),
      );
    }
    article.append(reading);
    const meta = el('p', { class: 'meta' });
    if (p.range_text) meta.append(el('span', { class: 'badge', text: p.range_text }));
    if (p.timestamp) {
      meta.append(
        el('time', { class: 'age', datetime: p.timestamp, title: new Date(p.timestamp).toLocaleString() }, [
          document.createTextNode(`${p.age_text} (${clock(Date.parse(p.timestamp), false)})`),
        ]),
      );
    }
    meta.append(
      el('span', {
        class: 'muted',
        text: `target ${fmt(p.target_low, unit)}–${fmt(p.target_high, unit)} ${unit}`,
      }),
    );
    article.append(meta);
    if (p.stale) article.append(el('p', { class: 'stale-note', text: p.stale_text || 'Stale' }));

    const digits = unit === 'mmol/L' ? 1 : 0;
    const stats = el('dl', { class: 'stats' }, [
      stat('Time in range (24 h)', p.time_in_range === null ? 'not enough data' : `${p.time_in_range} %`),
      stat('Average (24 h)', p.average === null ? 'not enough data' : `${fmt(p.average, unit)} ${unit}`),
      stat('GMI', p.gmi === null ? 'not enough data' : `${p.gmi} %`),
    ]);
    const delta = signed(p.delta, digits);
    if (delta !== null) stats.append(stat('Change', `${delta} ${unit}`));
    article.append(stats);
    article.append(chart(p));
    return article;
  }

  function healthSection(h) {
    const parts = [el('p', { class: `health-summary ${h.status}`, text: h.status_text })];
    parts.push(
      el('p', {
        class: 'muted',
        text: `MQTT broker: ${h.broker_connected ? 'connected' : 'not connected'}`,
      }),
    );
    if (h.reasons.length > 0) {
      parts.push(
        el(
          'ul',
          { class: 'reasons' },
          h.reasons.map((r) => el('li', { text: r })),
        ),
      );
    }
    const rows = h.accounts.map((a) =>
      el('tr', {}, [
        el('td', { text: a.name }),
        el('td', { class: a.ok ? 'state-ok' : 'state-problem', text: a.ok ? '✓ OK' : '✕ Problem' }),
        el('td', { text: a.last_success_text ?? 'never' }),
        el('td', { text: a.next_poll_text ?? '–' }),
        el('td', { text: a.last_error ?? (a.ok ? 'none' : a.state_text) }),
      ]),
    );
    const head = el(
      'tr',
      {},
      ['Account', 'State', 'Last success', 'Next poll', 'Last error'].map((t) =>
        el('th', { scope: 'col', text: t }),
      ),
    );
    parts.push(
      el('div', { class: 'table-wrap' }, [
        el('table', { class: 'accounts' }, [el('thead', {}, [head]), el('tbody', {}, rows)]),
      ]),
    );
    return parts;
  }

  function render(data) {
    const patients = document.getElementById('patients');
    patients.replaceChildren(...data.patients.map(patientCard));
    if (data.patients.length === 0) {
      patients.append(
        el('p', { class: 'muted', text: 'No patients yet: waiting for the first poll of LibreLinkUp.' }),
      );
    }
    document.getElementById('health-body').replaceChildren(...healthSection(data.health));
    document.getElementById('version').textContent = `librelinkup2mqtt ${data.version}`;
    document.getElementById('updated').textContent =
      `Updated ${clock(Date.parse(data.generated_at), true)} · refreshes every ${data.refresh_seconds} s`;
  }

  async function refresh() {
    let wait = FALLBACK_REFRESH_S;
    const problem = document.getElementById('problem');
    try {
      const res = await fetch('./status.json', {
        cache: 'no-store',
        headers: { accept: 'application/json' },
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const data = await res.json();
      render(data);
      // The bridge's clock, like every other time on the page: under `demo --fast` it runs ahead of
      // this browser's, and "showing data from" must match the times shown with that data.
      lastOk = Date.parse(data.generated_at);
      wait = data.refresh_seconds || FALLBACK_REFRESH_S;
      problem.hidden = true;
      document.body.dataset.loaded = 'true';
      document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes || 0) + 1);
    } catch (error) {
      problem.textContent =
        lastOk === null
          ? `Cannot reach the bridge (${error.message}). Retrying…`
          : `Cannot reach the bridge (${error.message}). Showing data from ${clock(lastOk, true)}; retrying…`;
      problem.hidden = false;
    }
    setTimeout(refresh, wait * 1000);
  }

  refresh();
})();
