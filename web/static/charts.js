// Draws every element with a data-chart (an ECharts option as JSON) and every relationship graph (data-graph).
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(JSON.parse(element.getAttribute("data-chart")));
    charts.push(chart);
  });
  // Relationship graphs: a person's neighbourhood, a finding's evidence (directed, its relations written on the links).
  document.querySelectorAll("[data-graph]").forEach(function (element) {
    var data = JSON.parse(element.getAttribute("data-graph"));
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      tooltip: {},
      legend: [{ data: data.categories.map(function (c) { return c.name; }) }],
      series: [{
        type: "graph", layout: "force", roam: true, draggable: true,
        label: { show: true, position: "right" }, force: data.directed ? { repulsion: 600, edgeLength: [120, 200], gravity: 0.05 } : { repulsion: 160, edgeLength: 80 },
        edgeSymbol: data.directed ? ["none", "arrow"] : ["none", "none"],
        edgeLabel: { show: !!data.directed, formatter: "{c}", fontSize: 11 },
        categories: data.categories, data: data.nodes, links: data.links
      }]
    });
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
