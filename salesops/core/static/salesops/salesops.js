// Small behaviours shared by every page: the phone menu, confirmations, charts from
// JSON embedded in the page (the same numbers are always shown as a table too).
document.addEventListener("click", function (event) {
  var toggle = event.target.closest("[data-toggle-nav]");
  if (toggle) {
    var nav = document.getElementById("sidenav");
    var open = nav.classList.toggle("open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }
  var confirmable = event.target.closest("[data-confirm]:not(form)");
  if (confirmable && !window.confirm(confirmable.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
// A form marked data-confirm asks when it is submitted, however it is submitted.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.matches("form[data-confirm]") && !window.confirm(form.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});
// No inline handlers (the Content-Security-Policy forbids them): a field marked
// data-autosubmit submits its form when it changes.
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-autosubmit]") && event.target.form) {
    event.target.form.submit();
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

// Type-ahead pickers (core/typeahead.py): a search box in front of a <select data-typeahead="URL">
// that holds only the chosen option; typing asks URL?q=… and a tap on a result chooses it.
function salesopsTypeahead(select) {
  if (select.dataset.typeaheadReady) { return; }
  select.dataset.typeaheadReady = "1";
  var wrap = document.createElement("div");
  wrap.className = "typeahead";
  var input = document.createElement("input");
  input.type = "search";
  input.autocomplete = "off";
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-autocomplete", "list");
  input.placeholder = select.dataset.placeholder || "";
  input.dataset.typeaheadFor = select.name;
  if (select.id) { input.setAttribute("aria-labelledby", select.id + "_label"); }
  var label = select.id ? document.querySelector("label[for='" + select.id + "']") : null;
  if (label) { label.id = select.id + "_label"; label.setAttribute("for", select.id + "_search"); input.id = select.id + "_search"; }
  var chosen = select.options[select.selectedIndex];
  input.value = chosen && chosen.value ? chosen.text : "";
  var list = document.createElement("ul");
  list.className = "typeahead-list";
  list.setAttribute("role", "listbox");
  list.hidden = true;
  select.parentNode.insertBefore(wrap, select);
  wrap.appendChild(input);
  wrap.appendChild(list);
  wrap.appendChild(select);
  select.hidden = true;
  var timer = null, active = -1, items = [];

  function choose(item) {
    var option = Array.prototype.find.call(select.options, function (o) { return o.value === String(item.id); });
    if (!option) { option = new Option(item.label, item.id); select.appendChild(option); }
    select.value = String(item.id);
    input.value = item.label;
    close();
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }
  function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; }
  function render() {
    list.innerHTML = "";
    items.forEach(function (item, index) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.dataset.id = item.id;
      li.textContent = item.label;
      if (item.detail) { var small = document.createElement("small"); small.textContent = item.detail; li.appendChild(small); }
      li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(item); });
      if (index === active) { li.setAttribute("aria-selected", "true"); }
      list.appendChild(li);
    });
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
  }
  function ask() {
    var url = select.dataset.typeahead;
    url += (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(input.value.trim());
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (data) {
        items = (data.results || []).map(function (row) {
          return {
            id: row.id,
            label: row.label || [row.sku, row.name].filter(Boolean).join(" "),
            detail: row.detail || row.spec || ""
          };
        });
        active = items.length ? 0 : -1;
        render();
      });
  }
  input.addEventListener("input", function () {
    if (!input.value.trim()) { select.value = ""; }
    clearTimeout(timer);
    timer = setTimeout(ask, 200);
  });
  input.addEventListener("focus", function () { if (!input.value.trim()) { ask(); } });
  input.addEventListener("keydown", function (event) {
    if (list.hidden) { return; }
    if (event.key === "ArrowDown") { active = Math.min(active + 1, items.length - 1); render(); event.preventDefault(); }
    else if (event.key === "ArrowUp") { active = Math.max(active - 1, 0); render(); event.preventDefault(); }
    else if (event.key === "Enter" && active >= 0) { choose(items[active]); event.preventDefault(); }
    else if (event.key === "Escape") { close(); }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
}
function salesopsTypeaheads(root) {
  (root || document).querySelectorAll("select[data-typeahead]").forEach(salesopsTypeahead);
}
// A form reached from a record's page (`?customer=12`) starts with that choice when the form
// has not chosen anything yet.
function salesopsPrefill() {
  var params = new URLSearchParams(window.location.search);
  params.forEach(function (value, key) {
    document.querySelectorAll("form[method=post] select[name='" + CSS.escape(key) + "']").forEach(function (select) {
      if (select.value || select.dataset.typeaheadReady) { return; }
      if (Array.prototype.some.call(select.options, function (o) { return o.value === value; })) { select.value = value; }
    });
  });
}
document.addEventListener("DOMContentLoaded", function () { salesopsPrefill(); salesopsTypeaheads(document); });
document.addEventListener("htmx:afterSwap", function (event) { salesopsTypeaheads(event.target); });
