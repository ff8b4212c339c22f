// Draws every element with a data-chart (an ECharts option as JSON) and the neighbourhood graph, if any.
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(JSON.parse(element.getAttribute("data-chart")));
    charts.push(chart);
  });
  var graph = document.getElementById("neighbourhood");
  if (graph) {
    var data = JSON.parse(graph.getAttribute("data-graph"));
    var chart = echarts.init(graph, null, { renderer: "canvas" });
    chart.setOption({
      tooltip: {},
      legend: [{ data: data.categories.map(function (c) { return c.name; }) }],
      series: [{
        type: "graph", layout: "force", roam: true, draggable: true,
        label: { show: true, position: "right" }, force: { repulsion: 160, edgeLength: 80 },
        categories: data.categories, data: data.nodes, links: data.links
      }]
    });
    charts.push(chart);
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
