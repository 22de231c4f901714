// Small behaviours shared by every page: the phone menu, confirmations, charts from
// JSON embedded in the page (the same numbers are always shown as a table too).
document.addEventListener("click", function (event) {
  var toggle = event.target.closest("[data-toggle-nav]");
  if (toggle) {
    var nav = document.getElementById("sidenav");
    var open = nav.classList.toggle("open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }
  var confirmable = event.target.closest("[data-confirm]");
  if (confirmable && !window.confirm(confirmable.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

function salesopsRenderCharts(root) {
  if (typeof echarts === "undefined") { return; }
  (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source) { return; }
    var chart = echarts.getInstanceByDom(el) || echarts.init(el);
    chart.setOption(JSON.parse(source.textContent));
    window.addEventListener("resize", function () { chart.resize(); });
  });
}
document.addEventListener("DOMContentLoaded", function () { salesopsRenderCharts(document); });
document.addEventListener("htmx:afterSwap", function (event) { salesopsRenderCharts(event.target); });
