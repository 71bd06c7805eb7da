// Small behaviours that CSP forbids inline. Everything works without them.
document.addEventListener("click", function (event) {
  var target = event.target.closest("[data-confirm]");
  if (target && !window.confirm(target.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
// After an htmx tab switch the tab clicked becomes the current one (the server marks it on full pages).
document.addEventListener("click", function (event) {
  var tab = event.target.closest("nav.tabs a[hx-get]");
  if (!tab) {
    return;
  }
  tab.parentNode.querySelectorAll("a[aria-current]").forEach(function (link) {
    link.removeAttribute("aria-current");
  });
  tab.setAttribute("aria-current", "page");
});
