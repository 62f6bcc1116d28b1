// A small line chart as SVG text (no dependencies): the trade-off curves of protocol.mjs --svg.

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];

/**
 * @param {{ name: string, points: { x: number, y: number }[], marks?: { x: number, y: number, label: string }[] }[]} series
 * @param {{ title: string, xLabel: string, yLabel: string, width?: number, height?: number }} o
 */
export function lineChart(series, { title, xLabel, yLabel, width = 720, height = 460 }) {
  const pad = { l: 64, r: 190, t: 36, b: 48 };
  const all = series.flatMap((s) => [...s.points, ...(s.marks ?? [])]);
  const ext = (k) => {
    const v = all.map((p) => p[k]);
    const lo = Math.min(...v), hi = Math.max(...v);
    const m = (hi - lo) * 0.05 || 0.01;
    return [lo - m, hi + m];
  };
  const [x0, x1] = ext('x'), [y0, y1] = ext('y');
  const X = (x) => pad.l + ((x - x0) / (x1 - x0)) * (width - pad.l - pad.r);
  const Y = (y) => height - pad.b - ((y - y0) / (y1 - y0)) * (height - pad.t - pad.b);
  const ticks = (lo, hi) => {
    const step = [0.005, 0.01, 0.02, 0.05, 0.1].find((s) => (hi - lo) / s <= 10) ?? 0.2;
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) out.push(Math.round(v * 1e4) / 1e4);
    return out;
  };
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${pad.l}" y="20" font-size="14">${esc(title)}</text>`];
  for (const t of ticks(x0, x1)) out.push(`<line x1="${X(t)}" x2="${X(t)}" y1="${pad.t}" y2="${height - pad.b}" stroke="#eee"/><text x="${X(t)}" y="${height - pad.b + 16}" text-anchor="middle">${(100 * t).toFixed(1)}</text>`);
  for (const t of ticks(y0, y1)) out.push(`<line x1="${pad.l}" x2="${width - pad.r}" y1="${Y(t)}" y2="${Y(t)}" stroke="#eee"/><text x="${pad.l - 6}" y="${Y(t) + 4}" text-anchor="end">${(100 * t).toFixed(1)}</text>`);
  out.push(`<text x="${(pad.l + width - pad.r) / 2}" y="${height - 10}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text transform="translate(16 ${(pad.t + height - pad.b) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    out.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${pts.map((p) => `${X(p.x).toFixed(1)},${Y(p.y).toFixed(1)}`).join(' ')}"/>`);
    for (const p of pts) out.push(`<circle cx="${X(p.x).toFixed(1)}" cy="${Y(p.y).toFixed(1)}" r="2.5" fill="${c}"/>`);
    for (const m of s.marks ?? []) {
      out.push(`<circle cx="${X(m.x).toFixed(1)}" cy="${Y(m.y).toFixed(1)}" r="6" fill="none" stroke="${c}" stroke-width="2"/>`,
        `<text x="${(X(m.x) + 8).toFixed(1)}" y="${(Y(m.y) - 8).toFixed(1)}" fill="${c}">${esc(m.label)}</text>`);
    }
    out.push(`<line x1="${width - pad.r + 12}" x2="${width - pad.r + 32}" y1="${pad.t + 8 + 18 * i}" y2="${pad.t + 8 + 18 * i}" stroke="${c}" stroke-width="2"/>`,
      `<text x="${width - pad.r + 38}" y="${pad.t + 12 + 18 * i}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
