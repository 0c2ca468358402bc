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
