/* Small behaviours of the measurement pages (no inline handlers):
 * - <select data-autosubmit> submits its form on change;
 * - [data-confirm] buttons ask once before a destructive action;
 * - a button with data-disabled-until-checked stays disabled until the checkbox whose
 *   data-enables names it is ticked (without JavaScript the server refuses instead).
 */
(function () {
  "use strict";
  function syncEnables() {
    var boxes = document.querySelectorAll("input[data-enables]");
    for (var i = 0; i < boxes.length; i++) {
      var target = document.getElementById(boxes[i].getAttribute("data-enables"));
      if (target && target.hasAttribute("data-disabled-until-checked")) {
        target.disabled = !boxes[i].checked;
      }
    }
  }
  document.addEventListener("DOMContentLoaded", syncEnables);
  document.addEventListener("htmx:afterSettle", syncEnables);
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("input[data-enables]")) { syncEnables(); }
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) {
      if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
    }
  });
  document.addEventListener("click", function (event) {
    var el = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
