/* The scorecard prints whole: every outcome (a <details>) opens before printing and closes
 * again after, so a folded section is never left out of the paper. Without JavaScript the
 * sections are open anyway (they start open). */
(function () {
  "use strict";
  var reopened = [];
  window.addEventListener("beforeprint", function () {
    reopened = [];
    var all = document.querySelectorAll("details.scorecard-section:not([open])");
    for (var i = 0; i < all.length; i++) { all[i].open = true; reopened.push(all[i]); }
  });
  window.addEventListener("afterprint", function () {
    for (var i = 0; i < reopened.length; i++) { reopened[i].open = false; }
    reopened = [];
  });
})();
