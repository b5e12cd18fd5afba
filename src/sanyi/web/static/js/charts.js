// Renders every element with a data-chart attribute: the server writes the ECharts option as JSON,
// so pages need no inline script (the Content-Security-Policy forbids it).
(function () {
  function render(root) {
    if (typeof echarts === "undefined") return;
    root.querySelectorAll("[data-chart]").forEach(function (element) {
      if (element.dataset.chartReady) return;
      var option = JSON.parse(element.dataset.chart);
      var chart = echarts.init(element, null, { renderer: "canvas" });
      chart.setOption(option);
      element.dataset.chartReady = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { render(document); });
  document.addEventListener("htmx:afterSettle", function (event) { render(event.target); });
})();
