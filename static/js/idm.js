// Small progressive enhancements; every page works without them.
document.addEventListener("change", function (event) {
  var box = event.target.closest("[data-show-password]");
  if (!box) return;
  var field = document.getElementById(box.getAttribute("data-show-password"));
  if (field) field.type = box.checked ? "text" : "password";
});
