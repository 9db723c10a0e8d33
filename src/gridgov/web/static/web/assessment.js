// The classified assessment's pages: bar charts of scores (ECharts) from the json_script
// data, and a confirmation before publishing or removing (no inline handlers: CSP).
(function () {
  "use strict";

  const GRADE_COLORS = { A: "#2f855a", B: "#3182ce", C: "#d69e2e", D: "#dd6b20", E: "#c53030" };

  function data(id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function scoreColor(score) {
    if (score === null || score === undefined) return "#cbd2d9";
    if (score >= 90) return GRADE_COLORS.A;
    if (score >= 75) return GRADE_COLORS.B;
    if (score >= 60) return GRADE_COLORS.C;
    if (score >= 40) return GRADE_COLORS.D;
    return GRADE_COLORS.E;
  }

  function bars(el, names, scores, colors, horizontal) {
    if (!window.echarts || !el) return;
    const chart = window.echarts.init(el);
    const valueAxis = { type: "value", min: 0, max: 100, splitNumber: 5 };
    const categoryAxis = {
      type: "category",
      data: names,
      inverse: horizontal,
      axisLabel: { interval: 0, width: horizontal ? 210 : 90, overflow: "truncate" },
    };
    chart.setOption({
      animation: false,
      grid: { left: horizontal ? 220 : 40, right: 40, top: 16, bottom: horizontal ? 24 : 40 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: [{
        type: "bar",
        barMaxWidth: 36,
        data: scores.map((s, i) => ({ value: s, itemStyle: { color: colors[i] } })),
        label: { show: true, position: horizontal ? "right" : "top", formatter: (p) => (p.value === null || p.value === undefined ? "—" : p.value) },
      }],
    });
    window.addEventListener("resize", () => chart.resize());
  }

  function overviewCharts() {
    const chart = data("as-chart-data");
    if (!chart) return;
    (chart.zones || []).forEach((zone, i) => {
      const el = document.querySelector(`[data-chart-zone="${i}"]`);
      const colors = zone.grades.map((g, j) => GRADE_COLORS[g] || scoreColor(zone.scores[j]));
      bars(el, zone.streets, zone.scores, colors, false);
    });
  }

  function areaChart() {
    const chart = data("as-area-chart");
    if (!chart) return;
    const el = document.getElementById("as-lines-chart");
    el.style.height = `${Math.max(160, chart.labels.length * 40 + 40)}px`;
    bars(el, chart.labels, chart.scores, chart.scores.map(scoreColor), true);
  }

  function confirmations() {
    document.querySelectorAll("button[data-confirm]").forEach((button) => {
      button.addEventListener("click", (event) => {
        if (!window.confirm(button.dataset.confirm)) event.preventDefault();
      });
    });
  }

  function start() {
    overviewCharts();
    areaChart();
    confirmations();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
