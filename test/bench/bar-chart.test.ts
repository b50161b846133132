// The seed experiments' chart: bars scaled to each panel's largest value, text escaped, every
// value printed beside its bar.
import { expect } from "chai";
import { renderBarChart } from "../../bench/bar-chart.js";
import { echoPanels, findPanel } from "../../bench/seed-chart.js";

function barWidths(svg: string): number[] {
  return [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"/g)].map((match) => Number(match[1]));
}

describe("bench/bar-chart", () => {
  const svg = renderBarChart({
    title: "find <& echod>",
    panels: [
      { title: "find", unit: "ms", groups: [{ label: "in-memory", bars: [{ label: "kernel mode", value: 10, highlight: true }, { label: "user mode", value: 20 }] }] },
      { title: "echod", unit: "µs", groups: [{ label: "p50", bars: [{ label: "kernel mode", value: 30 }, { label: "node:net", value: 15 }] }] },
    ],
    caption: ["npm run bench -- find"],
  });

  it("is one SVG document whose title text is escaped", () => {
    expect(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).to.equal(true);
    expect(svg.trimEnd().endsWith("</svg>")).to.equal(true);
    expect(svg).to.include("find &lt;&amp; echod&gt;");
    expect(svg).not.to.include("<& echod>");
  });

  it("scales each panel's bars to its own largest value", () => {
    // One rect per bar, in order (the background rect has no x and is not matched).
    const [findKernel, findUser, echodKernel, echodNet] = barWidths(svg);
    expect(findKernel! / findUser!).to.be.closeTo(0.5, 0.01);
    expect(echodNet! / echodKernel!).to.be.closeTo(0.5, 0.01);
    expect(findUser).to.equal(echodKernel);
  });

  it("prints each value with its panel's unit and colours the highlighted bar", () => {
    expect(svg).to.include(">10.0 ms<");
    expect(svg).to.include(">15.0 µs<");
    expect(svg.match(/fill="#2f6fb3"/g)).to.have.length(1);
  });
});

describe("bench/seed-chart panels", () => {
  it("draws find's four walks per tree, ours highlighted", () => {
    const panel = findPanel({ date: "d", milliseconds: [{ tree: "host directory", entries: 10_000, kernel: 30, user: 45, javascript: 20, gnuFind: 35 }] });
    expect(panel.groups[0]!.bars.map((bar) => [bar.label, bar.value, bar.highlight ?? false])).to.deep.equal([
      ["Singlet find, kernel mode", 30, true], ["Singlet find, user mode", 45, false], ["plain JavaScript walk", 20, false], ["GNU find (child process)", 35, false],
    ]);
    expect(panel.title).to.include("10000 entries");
  });

  it("draws echod's p50, p99 and throughput per server, the kernel-mode echod highlighted", () => {
    const panels = echoPanels({ date: "d", clients: 8, servers: [
      { server: "echod (kernel domain)", p50Microseconds: 80, p99Microseconds: 500, requestsPerSecond: 70_000, ours: true },
      { server: "node:net echo server", p50Microseconds: 60, p99Microseconds: 300, requestsPerSecond: 90_000, ours: false },
    ] });
    expect(panels.map((panel) => panel.groups.map((group) => group.label))).to.deep.equal([["p50", "p99"], ["all clients together"]]);
    expect(panels[0]!.groups[1]!.bars.map((bar) => bar.value)).to.deep.equal([500, 300]);
    expect(panels[1]!.groups[0]!.bars.filter((bar) => bar.highlight).map((bar) => bar.label)).to.deep.equal(["echod (kernel domain)"]);
  });
});
