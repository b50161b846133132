// A horizontal bar chart as a standalone SVG: how the seed experiments' figures reach docs/ as a
// picture. Hand-written rather than a charting package: a few rectangles and labels, no fonts or
// scripts, so the file renders the same in any viewer and diffs as text.

export interface ChartBar {
  readonly label: string;
  readonly value: number;
  /** Marks the bar the panel is about (ours), drawn in the accent colour. */
  readonly highlight?: boolean;
}

export interface ChartGroup {
  readonly label: string;
  readonly bars: readonly ChartBar[];
}

export interface ChartPanel {
  readonly title: string;
  /** Unit of every value in the panel, printed after each bar's value. */
  readonly unit: string;
  readonly groups: readonly ChartGroup[];
}

export interface BarChart {
  readonly title: string;
  readonly panels: readonly ChartPanel[];
  /** Lines under the chart: what was measured, when, and with which command. */
  readonly caption: readonly string[];
}

const WIDTH = 760;
const LABEL_WIDTH = 250;
const VALUE_WIDTH = 90;
const BAR_HEIGHT = 16;
const BAR_GAP = 4;
const GROUP_GAP = 12;
const PANEL_GAP = 28;
const LINE_HEIGHT = 16;
const ACCENT = "#2f6fb3";
const PLAIN = "#9aa5b1";

function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** The chart as SVG text. Each panel scales its bars to its own largest value. */
export function renderBarChart(chart: BarChart): string {
  const parts: string[] = [];
  let y = 28;
  parts.push(`<text x="12" y="${y}" font-size="16" font-weight="bold">${escapeText(chart.title)}</text>`);
  y += 14;
  const barSpace = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 24;
  for (const panel of chart.panels) {
    y += PANEL_GAP;
    parts.push(`<text x="12" y="${y}" font-size="14" font-weight="bold">${escapeText(panel.title)}</text>`);
    y += 8;
    const largest = Math.max(...panel.groups.flatMap((group) => group.bars.map((bar) => (Number.isFinite(bar.value) ? bar.value : 0))), Number.MIN_VALUE);
    for (const group of panel.groups) {
      y += GROUP_GAP + LINE_HEIGHT - 4;
      parts.push(`<text x="12" y="${y}" font-size="12" font-style="italic">${escapeText(group.label)}</text>`);
      y += 4;
      for (const bar of group.bars) {
        const length = Number.isFinite(bar.value) ? Math.max(1, (bar.value / largest) * barSpace) : 0;
        const top = y;
        parts.push(`<text x="${LABEL_WIDTH}" y="${top + BAR_HEIGHT - 4}" font-size="12" text-anchor="end">${escapeText(bar.label)}</text>`);
        parts.push(`<rect x="${LABEL_WIDTH + 8}" y="${top}" width="${length.toFixed(1)}" height="${BAR_HEIGHT}" fill="${bar.highlight ? ACCENT : PLAIN}"/>`);
        parts.push(`<text x="${(LABEL_WIDTH + 14 + length).toFixed(1)}" y="${top + BAR_HEIGHT - 4}" font-size="12">${escapeText(`${formatValue(bar.value)} ${panel.unit}`)}</text>`);
        y += BAR_HEIGHT + BAR_GAP;
      }
    }
  }
  y += PANEL_GAP - 8;
  for (const line of chart.caption) {
    y += LINE_HEIGHT;
    parts.push(`<text x="12" y="${y}" font-size="11" fill="#444">${escapeText(line)}</text>`);
  }
  const height = y + 16;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}
