// Small progressive enhancements; every page works without them.
document.addEventListener("change", function (event) {
  var box = event.target.closest("[data-show-password]");
  if (!box) return;
  var field = document.getElementById(box.getAttribute("data-show-password"));
  if (field) field.type = box.checked ? "text" : "password";
});

// Progress of a long import: poll its status; reload when it changes state, so the page
// (and a reload of it) always shows the truth kept on the server.
(function () {
  var box = document.querySelector("[data-progress-url]");
  if (!box) return;
  var url = box.getAttribute("data-progress-url");
  var initial = box.getAttribute("data-status");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (bar) { bar.max = Math.max(s.total, 1); bar.value = s.processed; }
        if (text) { text.textContent = s.processed + " / " + s.total; }
        if (s.status !== initial) { window.location.reload(); return; }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();

// The menu is a <details>: folded on a phone, open on a wide screen (CSS shows it there too where
// the browser allows; this covers the others and a window resized across the line).
(function () {
  var menu = document.querySelector("[data-menu]");
  if (!menu || !window.matchMedia) return;
  var wide = window.matchMedia("(min-width: 56.01em)");
  function sync() { menu.open = wide.matches; }
  sync();
  if (wide.addEventListener) wide.addEventListener("change", sync);
})();

// Unit pickers: a search box in front of a long <select> of unit paths ("Sở Y tế › Văn phòng Sở").
// Typing keeps the units whose words start with the words typed, accents or not ("y te van"
// finds "Sở Y tế › Văn phòng Sở", as does its code), and selects the first of them. Without
// this script the <select> is all there is, and it works the same.
(function () {
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }
  function words(s) { return fold(s).split(/[^a-z0-9'.]+/).filter(Boolean); }
  Array.prototype.forEach.call(document.querySelectorAll("select[data-unit-picker]"), function (select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "unit-search";
    box.autocomplete = "off";
    box.placeholder = select.getAttribute("data-unit-picker") || "";
    box.setAttribute("aria-label", box.placeholder);
    if (select.id) box.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(box, select);
    var items = Array.prototype.map.call(select.options, function (o) {
      return { option: o, words: words(o.text + " " + o.value) };
    });
    box.addEventListener("input", function () {
      var wanted = words(box.value), first = null;
      items.forEach(function (item) {
        item.match = wanted.length === 0 || (item.option.value !== "" && wanted.every(function (w) {
          return item.words.some(function (x) { return x.indexOf(w) === 0; });
        }));
        if (wanted.length && item.match && !first) first = item.option;
      });
      if (first) first.selected = true;
      items.forEach(function (item) { item.option.hidden = !item.match && !item.option.selected; });
      if (first) select.dispatchEvent(new Event("change", { bubbles: true }));
    });
  });
})();

// A password strength meter: length first (the policy's rule), then repeated characters. The server
// decides (blocklist, names, history) and gives its reasons; this only guides while typing.
document.addEventListener("input", function (event) {
  var id = event.target.id;
  var meter = id && document.querySelector('meter[data-strength-for="' + id + '"]');
  if (!meter) return;
  var text = document.querySelector('[data-strength-text="' + id + '"]');
  var labels = (meter.getAttribute("data-labels") || "").split("|");
  var min = parseInt(meter.getAttribute("data-min"), 10) || 15;
  var chars = Array.from(event.target.value.normalize("NFC"));
  var distinct = new Set(chars).size;
  var score;
  if (chars.length < min) score = 0;
  else if (distinct <= 3) score = 1;
  else if (chars.length < min + 5) score = 2;
  else if (chars.length < min + 12 || distinct < 8) score = 3;
  else score = 4;
  meter.value = score;
  if (text) text.textContent = (labels[score] || "") + " (" + chars.length + "/" + min + ")";
});

// The unit tree's indentation: each row's depth comes as data-depth (the Content-Security-Policy
// allows no inline style attribute; setting a property from this script is allowed).
Array.prototype.forEach.call(document.querySelectorAll("[data-depth]"), function (cell) {
  cell.style.setProperty("--depth", cell.getAttribute("data-depth"));
});
