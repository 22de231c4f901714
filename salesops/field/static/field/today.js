// Today's route on the phone. A visit is recorded in the page: check-in (time and, when the
// browser gives it, position), the record, check-out. On check-out the whole visit goes into
// a queue kept in localStorage with a key made here (crypto.randomUUID), then the queue is
// sent. A record the server has (same key) is answered with the stored visit, so a retry
// after a lost answer never records twice; a record that cannot be sent now stays in the
// queue and is sent when the network returns (the "online" event, or the next page load).
(function () {
  "use strict";
  var QUEUE = "salesops.field.queue";
  var DRAFTS = "salesops.field.drafts";

  function load(name) { try { return JSON.parse(localStorage.getItem(name) || (name === QUEUE ? "[]" : "{}")); } catch (e) { return name === QUEUE ? [] : {}; } }
  function save(name, value) { localStorage.setItem(name, JSON.stringify(value)); }
  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, function (c) {
      var r = crypto.getRandomValues(new Uint8Array(1))[0] % 16;
      return (c === "x" ? r : (r & 0x3) | 0x8).toString(16);
    });
  }
  var cards = document.getElementById("visit-cards");
  if (!cards) { return; }
  var statusLine = document.getElementById("field-queue-status");

  function card(visitId) { return cards.querySelector('[data-visit="' + visitId + '"]'); }

  function showQueue() {
    var queue = load(QUEUE);
    var text = queue.length ? queue.length + " " + statusLine.getAttribute("data-waiting") : "";
    if (!navigator.onLine) { text = statusLine.getAttribute("data-offline") + (text ? " (" + text + ")" : ""); }
    statusLine.textContent = text;
  }

  function openForm(el, draft) {
    el.querySelector("[data-action=check-in]").hidden = true;
    var form = el.querySelector(".visit-form");
    form.hidden = false;
    var when = new Date(draft.check_in_at);
    var where = draft.latitude != null ? (draft.latitude.toFixed(5) + ", " + draft.longitude.toFixed(5)) : cards.getAttribute("data-msg-no-position");
    form.querySelector("[data-role=checked-in]").textContent = when.toLocaleTimeString() + " · " + where;
  }

  function checkIn(el) {
    var visitId = el.getAttribute("data-visit");
    var drafts = load(DRAFTS);
    var draft = { client_key: uuid(), visit: Number(visitId), check_in_at: new Date().toISOString(), latitude: null, longitude: null };
    drafts[visitId] = draft;
    save(DRAFTS, drafts);
    openForm(el, draft);
    if (navigator.geolocation) {
      navigator.geolocation.getCurrentPosition(function (position) {
        var stored = load(DRAFTS);
        if (!stored[visitId]) { return; }
        stored[visitId].latitude = Math.round(position.coords.latitude * 1e6) / 1e6;
        stored[visitId].longitude = Math.round(position.coords.longitude * 1e6) / 1e6;
        save(DRAFTS, stored);
        openForm(el, stored[visitId]);
      }, function () {}, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
    }
  }

  function collect(el, draft) {
    var form = el.querySelector(".visit-form");
    var value = function (name) { var f = form.querySelector('[name="' + name + '"]'); return f ? f.value : ""; };
    var checked = function (name) { var f = form.querySelector('[name="' + name + '"]'); return f ? f.checked : false; };
    draft.record = {
      outcome: value("outcome"),
      price_tags_ok: checked("price_tags_ok"),
      shelf_ok: checked("shelf_ok"),
      competitor_info: value("competitor_info"),
      next_step: value("next_step"),
      next_step_due: value("next_step_due") || null
    };
    draft.lines = [];
    form.querySelectorAll("[data-product]").forEach(function (row) {
      var id = row.getAttribute("data-product");
      var stock = row.querySelector('[name="stock-' + id + '"]').value;
      var suggest = row.querySelector('[name="suggest-' + id + '"]').value;
      if (stock !== "" || suggest !== "") {
        draft.lines.push({ product: Number(id), stock_seen: stock === "" ? null : stock, suggested_quantity: suggest === "" ? "0" : suggest });
      }
    });
    draft.cooler_checks = [];
    form.querySelectorAll("[data-cooler]").forEach(function (box) {
      var check = { cooler: Number(box.getAttribute("data-cooler")) };
      ["placed", "powered", "clean", "right_packs"].forEach(function (n) { check[n] = box.querySelector('[name="' + n + '"]').checked; });
      draft.cooler_checks.push(check);
    });
    draft.make_order = checked("make_order");
    draft.check_out_at = new Date().toISOString();
    return draft;
  }

  function checkOut(el) {
    var visitId = el.getAttribute("data-visit");
    var drafts = load(DRAFTS);
    var draft = drafts[visitId];
    if (!draft) { return; }
    var errors = el.querySelector("[data-role=errors]");
    errors.textContent = "";
    var record = collect(el, draft);
    if (!record.record.outcome && !record.make_order) {
      errors.textContent = el.querySelector('[name="outcome"]').closest("label").firstChild.textContent.trim() + " ?";
      return;
    }
    var queue = load(QUEUE);
    queue.push(record);
    save(QUEUE, queue);
    delete drafts[visitId];
    save(DRAFTS, drafts);
    el.querySelector(".visit-form").hidden = true;
    el.querySelector("[data-role=status]").textContent = cards.getAttribute("data-msg-queued");
    el.setAttribute("data-status", "queued");
    flush();
  }

  var sending = false;
  function flush() {
    showQueue();
    if (sending || !navigator.onLine) { return; }
    var queue = load(QUEUE);
    if (!queue.length) { return; }
    sending = true;
    var item = queue[0];
    var token = document.querySelector("meta[name=csrf-token]").getAttribute("content");
    fetch(cards.getAttribute("data-submit-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token, "Accept": "application/json" },
      body: JSON.stringify(item)
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (answer) {
      var rest = load(QUEUE).filter(function (q) { return q.client_key !== item.client_key; });
      var el = card(item.visit);
      if (answer.status === 200 || answer.status === 201) {
        save(QUEUE, rest);
        if (el) {
          el.setAttribute("data-status", "sent");
          var statusTag = el.querySelector("[data-role=status]");
          statusTag.textContent = cards.getAttribute("data-msg-sent");
          if (answer.body.order && answer.body.order_number) {
            // the draft order made from the suggested order, one tap away
            var link = document.createElement("a");
            link.href = cards.getAttribute("data-order-url").replace(/\/0\/$/, "/" + answer.body.order + "/");
            link.setAttribute("data-testid", "visit-order");
            link.textContent = cards.getAttribute("data-msg-order") + " " + answer.body.order_number;
            statusTag.appendChild(document.createTextNode(" · "));
            statusTag.appendChild(link);
          }
        }
      } else if (answer.status >= 400 && answer.status < 500) {
        // refused: back into the form with the message next to it, nothing lost
        save(QUEUE, rest);
        var drafts = load(DRAFTS);
        drafts[item.visit] = item;
        save(DRAFTS, drafts);
        if (el) {
          openForm(el, item);
          el.setAttribute("data-status", "refused");
          var fields = answer.body.fields || {};
          var text = [answer.body.message].concat(Object.keys(fields).map(function (k) { return [].concat(fields[k]).join(" "); }));
          el.querySelector("[data-role=errors]").textContent = text.join(" ");
        }
      }
      sending = false;
      if (answer.status < 500) { flush(); } else { showQueue(); }
    }).catch(function () {
      sending = false;  // no network: the record stays queued
      showQueue();
    });
  }

  cards.addEventListener("click", function (event) {
    var button = event.target.closest("[data-action]");
    if (!button) { return; }
    var el = button.closest("[data-visit]");
    if (button.getAttribute("data-action") === "check-in") { checkIn(el); }
    if (button.getAttribute("data-action") === "check-out") { checkOut(el); }
  });

  // a visit checked in before the page was reloaded goes on where it was
  var drafts = load(DRAFTS);
  Object.keys(drafts).forEach(function (visitId) { var el = card(visitId); if (el) { openForm(el, drafts[visitId]); } });
  load(QUEUE).forEach(function (item) {
    var el = card(item.visit);
    if (el) { el.querySelector(".visit-form").hidden = true; el.querySelector("[data-action=check-in]").hidden = true;
      el.querySelector("[data-role=status]").textContent = cards.getAttribute("data-msg-queued"); }
  });
  window.addEventListener("online", flush);
  window.addEventListener("offline", showQueue);
  flush();
})();
