// The ranking history chart: one line per member over the frozen periods (and the live one).
(function () {
  function draw() {
    var el = document.getElementById("ranking-chart");
    var data = document.getElementById("ranking-history");
    if (!el || !data || !window.echarts) return;
    var history = JSON.parse(data.textContent);
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 36, right: 12, top: 16, bottom: 48 },
      xAxis: { type: "category", data: history.periods },
      yAxis: { type: "value", min: 0 },
      series: history.series.map(function (s) {
        return { name: s.name, type: "line", connectNulls: true, data: s.data.map(function (v) { return v === null ? null : Number(v); }) };
      }),
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
