/* The data entry grid: keyboard movement, "same as last period", inline validation marks.
 *
 * - Enter moves to the same column in the next row (Shift+Enter: the row above); on the last
 *   row it moves to the Save button. Tab moves across as usual.
 * - Buttons with data-fill copy last period's value into the empty cells of one row ("all":
 *   every row) without a round trip; without JavaScript they submit and the server fills them.
 * - After htmx validated a cell, the input is marked aria-invalid when a problem came back.
 */
(function () {
  "use strict";
  var form = document.getElementById("grid-form");
  if (!form) { return; }

  function inputsOfColumn(col) {
    return Array.prototype.slice.call(form.querySelectorAll('.grid-input[data-col="' + col + '"]'));
  }

  form.addEventListener("keydown", function (event) {
    var el = event.target;
    if (event.key !== "Enter" || !el.classList.contains("grid-input")) { return; }
    event.preventDefault();
    var column = inputsOfColumn(el.getAttribute("data-col"));
    var index = column.indexOf(el) + (event.shiftKey ? -1 : 1);
    if (index >= 0 && index < column.length) {
      column[index].focus();
      column[index].select();
    } else if (!event.shiftKey) {
      var save = form.querySelector('button[name="save"]');
      if (save) { save.focus(); }
    }
  });

  function fillRow(row) {
    var filled = false;
    var inputs = row.querySelectorAll(".grid-input[data-last]");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      var last = input.getAttribute("data-last");
      if (last && !input.value) {
        input.value = last;
        filled = true;
      }
    }
    if (filled) {
      var note = row.querySelector('.grid-input[data-col="n"]');
      if (note && !note.value) { note.value = "Unchanged since last period."; }
      var first = row.querySelector(".grid-input[data-last]");
      if (first && window.htmx) { window.htmx.trigger(first, "change"); }
    }
    return filled;
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-fill]") : null;
    if (!button) { return; }
    event.preventDefault();
    var key = button.getAttribute("data-fill");
    var rows = key === "all"
      ? form.querySelectorAll("tr[data-key]")
      : form.querySelectorAll('tr[data-key="' + key + '"]');
    var count = 0;
    for (var i = 0; i < rows.length; i++) { if (fillRow(rows[i])) { count++; } }
    var status = document.getElementById("grid-status");
    if (status) {
      status.textContent = count
        ? count + " value" + (count === 1 ? "" : "s") + " copied from last period — press Save to keep them."
        : "No empty cell had a value last period.";
    }
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.id || target.id.indexOf("msg-") !== 0) { return; }
    var key = target.id.slice(4);
    var bad = target.querySelector(".grid-problem") !== null;
    var inputs = form.querySelectorAll('tr[data-key="' + key + '"] .grid-input[aria-describedby]');
    for (var i = 0; i < inputs.length; i++) {
      if (bad) { inputs[i].setAttribute("aria-invalid", "true"); }
      else { inputs[i].removeAttribute("aria-invalid"); }
    }
    var row = form.querySelector('tr[data-key="' + key + '"]');
    if (row) { row.classList.toggle("has-error", bad); }
  });
})();
