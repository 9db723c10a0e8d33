// The leaders' dashboard's two charts (ECharts, vendored): the chosen figure per group beside
// the previous period (or along the period for a trend grouping), and the trend of the
// period (events reported as bars, the chosen figure as a line). Data from the
// "dash-chart-data" json_script block; the tables are in the page already.
(function () {
  "use strict";

  function dataOf(id) {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function axisValue(chart) {
    return chart.percent
      ? { type: "value", axisLabel: { formatter: (v) => Math.round(v * 100) + "%" }, max: (r) => Math.min(1, Math.max(r.max, 0.1)) }
      : { type: "value" };
  }

  function shown(chart, v) {
    if (v === null || v === undefined) return "–";
    return chart.percent ? (v * 100).toFixed(2) + "%" : String(Math.round(v * 10) / 10);
  }

  function groups(node, chart) {
    const rows = chart.rows;
    const byValue = !chart.time_grouping;
    // Groups without the figure (no rated event for satisfaction…) have no bar to show.
    const ordered = byValue
      ? rows.filter((r) => r.value !== null || r.previous !== null).sort((a, b) => (b.value ?? -1) - (a.value ?? -1))
      : rows;
    const plot = echarts.init(node);
    const many = ordered.length > 12;
    plot.setOption({
      animation: false,
      color: ["#b71c1c", "#9fb3c8"],
      tooltip: { trigger: "axis", valueFormatter: (v) => shown(chart, v) },
      legend: { data: [chart.current_label, chart.previous_label], top: 0 },
      grid: { left: 56, right: 16, top: 32, bottom: many ? 90 : 48 },
      xAxis: { type: "category", data: ordered.map((r) => r.label), axisLabel: { interval: 0, rotate: many ? 45 : 0 } },
      yAxis: axisValue(chart),
      series: [
        { name: chart.current_label, type: chart.time_grouping ? "line" : "bar", barMaxWidth: 48, data: ordered.map((r) => r.value) },
        { name: chart.previous_label, type: chart.time_grouping ? "line" : "bar", barMaxWidth: 48, data: ordered.map((r) => r.previous) },
      ],
    });
    return plot;
  }

  function trend(node, chart) {
    const t = chart.trend;
    const plot = echarts.init(node);
    const series = [
      { name: chart.labels.reported, type: "bar", yAxisIndex: 1, data: t.series.reported, itemStyle: { color: "#d9e2ec" } },
    ];
    if (chart.rate !== "reported") {
      series.push({ name: chart.rate_label, type: "line", connectNulls: false, data: t.series[chart.rate], itemStyle: { color: "#b71c1c" } });
    }
    plot.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 56, right: 56, top: 32, bottom: 40 },
      xAxis: { type: "category", data: t.buckets },
      yAxis: [axisValue(chart), { type: "value", splitLine: { show: false } }],
      series,
    });
    return plot;
  }

  // A calendar period needs the day it holds; a range its two ends: show only those.
  function periodInputs() {
    const form = document.getElementById("dash-filters");
    const kind = document.getElementById("dash-period");
    if (!form || !kind) return;
    const show = () => {
      form.classList.toggle("range", kind.value === "range");
      form.classList.toggle("calendar", kind.value !== "range");
    };
    kind.addEventListener("change", show);
    show();
  }

  function start() {
    periodInputs();
    const chart = dataOf("dash-chart-data");
    if (!chart || typeof echarts === "undefined") return;
    const plots = [];
    const main = document.getElementById("dash-chart");
    const line = document.getElementById("dash-trend");
    if (main) plots.push(groups(main, chart));
    if (line) plots.push(trend(line, chart));
    window.addEventListener("resize", () => plots.forEach((p) => p.resize()));
    document.getElementById("dashboard").dataset.charts = String(plots.length);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
