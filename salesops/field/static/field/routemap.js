// Route maps without internet tiles: outlets as points on their coordinates, each day's
// route as a line (ECharts scatter + lines). Data comes from a JSON block in the page.
// On an editable cycle, a stop dragged from one day's list onto another moves that visit.
(function () {
  "use strict";
  var fallback = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777", "#4b5563", "#65a30d"];

  function render(el) {
    if (typeof echarts === "undefined") { return; }
    var data = JSON.parse(document.getElementById(el.getAttribute("data-route-map")).textContent);
    var coloursEl = el.getAttribute("data-colours") && document.getElementById(el.getAttribute("data-colours"));
    var colours = coloursEl ? JSON.parse(coloursEl.textContent) : fallback;
    var colour = function (day) { return day ? colours[(day - 1) % colours.length] : colours[0]; };
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", formatter: function (p) { return p.data && p.data.name ? p.data.name : ""; } },
      xAxis: { type: "value", scale: true, show: false },
      yAxis: { type: "value", scale: true, show: false },
      grid: { left: 10, right: 10, top: 10, bottom: 10 },
      series: [
        { type: "lines", coordinateSystem: "cartesian2d", polyline: true, silent: true,
          data: data.routes.map(function (r) { return { coords: r.coords, lineStyle: { color: colour(r.day), width: 2, opacity: 0.7 } }; }) },
        { type: "scatter", symbolSize: 9,
          data: data.points.map(function (p) { return { name: p.name, value: p.value, stop: p.stop, itemStyle: { color: colour(p.day) } }; }) }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function enableDragging(root) {
    if (!root.hasAttribute("data-editable")) { return; }
    var moving = null;
    root.addEventListener("dragstart", function (e) {
      var item = e.target.closest("[data-stop]");
      if (item) { moving = item.getAttribute("data-stop"); e.dataTransfer.setData("text/plain", moving); }
    });
    root.addEventListener("dragover", function (e) { if (e.target.closest("[data-day]")) { e.preventDefault(); } });
    root.addEventListener("drop", function (e) {
      var day = e.target.closest("[data-day]");
      if (!day || !moving) { return; }
      e.preventDefault();
      var form = document.createElement("form");
      form.method = "post";
      form.action = root.getAttribute("data-move-url");
      var token = document.querySelector("meta[name=csrf-token]").getAttribute("content");
      [["csrfmiddlewaretoken", token], ["stop", moving], ["day", day.getAttribute("data-day")]].forEach(function (pair) {
        var input = document.createElement("input");
        input.type = "hidden"; input.name = pair[0]; input.value = pair[1];
        form.appendChild(input);
      });
      document.body.appendChild(form);
      form.submit();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-route-map]").forEach(render);
    document.querySelectorAll(".route-days").forEach(enableDragging);
  });
})();
