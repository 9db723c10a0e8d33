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

  // Below this width the groups' names cannot stand side by side under their bars (a
  // phone: 390 px held ten streets' names on top of each other): the bars lie across, one
  // row per group, and the chart grows to hold them.
  const NARROW = 560;
  const ROW = 34;

  function groupsOption(chart, ordered, narrow, height) {
    const many = ordered.length > 12;
    const series = (name, key) => ({
      name,
      type: chart.time_grouping ? "line" : "bar",
      barMaxWidth: narrow ? 12 : 48,
      data: ordered.map((r) => r[key]),
    });
    const across = narrow && !chart.time_grouping;
    const labels = ordered.map((r) => r.label);
    const option = {
      animation: false,
      color: ["#b71c1c", "#9fb3c8"],
      tooltip: { trigger: "axis", valueFormatter: (v) => shown(chart, v) },
      legend: { data: [chart.current_label, chart.previous_label], top: 0 },
      series: [series(chart.current_label, "value"), series(chart.previous_label, "previous")],
    };
    if (across) {
      // Names on the left, at most a third of the width; the largest on top.
      option.grid = { left: 8, right: 16, top: 32, bottom: 24, containLabel: true };
      option.yAxis = { type: "category", inverse: true, data: labels, axisLabel: { width: 110, overflow: "truncate" } };
      option.xAxis = axisValue(chart);
      option.xAxis.axisLabel = Object.assign({ hideOverlap: true }, option.xAxis.axisLabel);
    } else {
      option.grid = { left: 56, right: 16, top: 32, bottom: many || narrow ? 90 : 48 };
      const rotate = many || narrow ? 45 : 0;
      option.xAxis = { type: "category", data: labels, axisLabel: { interval: narrow ? "auto" : 0, rotate, hideOverlap: narrow } };
      option.yAxis = axisValue(chart);
    }
    return { option, height: across ? Math.max(height, 60 + ROW * ordered.length) : height };
  }

  function groups(node, chart) {
    const rows = chart.rows;
    const byValue = !chart.time_grouping;
    // Groups without the figure (no rated event for satisfaction…) have no bar to show.
    const ordered = byValue
      ? rows.filter((r) => r.value !== null || r.previous !== null).sort((a, b) => (b.value ?? -1) - (a.value ?? -1))
      : rows;
    const height = parseFloat(getComputedStyle(node).height);
    let narrow = null;
    const plot = echarts.init(node);
    // Laid out again only when the width crosses NARROW (a phone turned, a window resized).
    const layout = () => {
      const now = node.clientWidth < NARROW;
      if (now === narrow) return false;
      narrow = now;
      const fitted = groupsOption(chart, ordered, narrow, height);
      node.style.height = fitted.height + "px";
      node.dataset.layout = narrow && byValue ? "across" : "upright";
      plot.resize();
      plot.setOption(fitted.option, true);
      return true;
    };
    layout();
    return { resize: () => { if (!layout()) plot.resize(); } };
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
