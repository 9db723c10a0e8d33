// People's KPIs (/leaders/kpis/): the bar chart of the leading rows on the KPI the table is
// ranked by. Data comes from the page (json_script), never from inline script (CSP).
(function () {
  "use strict";

  function draw() {
    const box = document.getElementById("kpis-chart");
    const source = document.getElementById("kpis-chart-data");
    if (!box || !source || !window.echarts) return;
    const chart = JSON.parse(source.textContent);
    // Best at the top: ECharts draws a category axis bottom-up, so the lists are reversed.
    const names = chart.names.slice().reverse();
    const values = chart.values.slice().reverse();
    // A bar per row, about 24 px each: two departments do not need a 360 px box.
    box.style.height = Math.max(140, 40 + 24 * names.length) + "px";
    const plot = window.echarts.init(box);
    plot.setOption({
      animation: false, // drawn at once: a screenshot or a glance never catches half-grown bars
      grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: (v) => v + "%" },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: names, axisLabel: { width: 140, overflow: "truncate", interval: 0 } },
      series: [{
        type: "bar",
        data: values,
        barMaxWidth: 18,
        itemStyle: { color: chart.higher_is_better ? "#2e7d32" : "#c62828" },
        label: { show: true, position: "right", formatter: "{c}%", color: "#243b53" },
      }],
    });
    window.addEventListener("resize", () => plot.resize());
    box.dataset.drawn = "true";
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
