// Agenda consultation: show the "proposed text" field only for amendments, and start it
// from the current wording of the chosen part so people edit rather than retype.
(function () {
  "use strict";
  var form = document.querySelector("#compose form");
  if (!form) return;
  var proposed = form.querySelector("[name=proposed_text]");
  var target = form.querySelector("[name=target]");
  if (!proposed || !target) return;
  var wrapper = proposed.closest(".mb-3");
  var texts = {};
  document.querySelectorAll("[data-target-key]").forEach(function (el) {
    texts[el.getAttribute("data-target-key")] = el.getAttribute("data-target-text") || "";
  });
  function kind() {
    var checked = form.querySelector("[name=kind]:checked");
    return checked ? checked.value : "comment";
  }
  function update() {
    var isAmendment = kind() === "amendment";
    if (wrapper) wrapper.hidden = !isAmendment;
    if (isAmendment && !proposed.value.trim() && texts[target.value] !== undefined) {
      proposed.value = texts[target.value];
    }
  }
  form.addEventListener("change", function (event) {
    if (event.target === target && kind() === "amendment") {
      if (texts[target.value] !== undefined) proposed.value = texts[target.value];
    }
    update();
  });
  update();
  // Arriving from a "Propose amendment" / "Comment" link: put the cursor where to write, so
  // keyboard users do not have to find the form.
  // (After the load: the browser's own jump to #compose would take the focus away again.)
  if (window.location.hash === "#compose" && /[?&]target=/.test(window.location.search)) {
    var field = kind() === "amendment" ? proposed : form.querySelector("[name=body]");
    if (field) {
      window.addEventListener("load", function () {
        window.setTimeout(function () { field.focus(); }, 0);
      });
    }
  }
})();

// Endorse form: show the text box that belongs to the chosen stance (reservations, or why not).
// Without JavaScript both stay visible, each saying when it is needed.
(function () {
  "use strict";
  var form = document.querySelector("form.endorse-form");
  if (!form) return;
  var boxes = { reservations: "reservations", declined: "reason" };
  function update() {
    var checked = form.querySelector("[name=stance]:checked");
    var stance = checked ? checked.value : "";
    Object.keys(boxes).forEach(function (key) {
      var field = form.querySelector("[name=" + boxes[key] + "]");
      var wrapper = field && field.closest(".mb-3");
      if (!wrapper) return;
      wrapper.hidden = stance !== key;
    });
  }
  form.addEventListener("change", update);
  update();
})();
