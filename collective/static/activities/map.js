/* Network drawings of activities (system map, partner network): Vega specs with a force layout,
 * rendered with vega-embed. Markup: <div class="map-box" data-map-spec="SPEC_ID"
 * [data-map-export="1"]> with a json_script and a hidden .map-canvas. Without JavaScript the
 * list or table beside it carries the same information. With data-map-export the vega-embed
 * menu offers PNG and SVG downloads. */
(function () {
  "use strict";
  function render(box) {
    if (box.getAttribute("data-map-ready") === "1" || typeof window.vegaEmbed !== "function") { return; }
    var node = document.getElementById(box.getAttribute("data-map-spec"));
    var canvas = box.querySelector(".map-canvas");
    if (!node || !canvas) { return; }
    var spec;
    try { spec = JSON.parse(node.textContent); } catch (e) { return; }
    box.setAttribute("data-map-ready", "1");
    canvas.hidden = false;
    var width = Math.max(300, Math.min(canvas.clientWidth || box.clientWidth || 900, 1200));
    spec.width = width - 16;
    if (width < 500) { spec.height = Math.round(spec.height * 0.8); }
    var exportable = box.getAttribute("data-map-export") === "1";
    // `ast: true`: Vega's expression interpreter, since the page's CSP has no unsafe-eval.
    var options = { renderer: "svg", ast: true, actions: exportable ? { export: true, source: false, compiled: false, editor: false } : false,
                    downloadFileName: "system-map" };
    window.vegaEmbed(canvas, spec, options).then(function () {
      var fallback = box.querySelector(".map-fallback");
      if (fallback) { fallback.hidden = true; }
      var svg = canvas.querySelector("svg");
      if (svg) { svg.setAttribute("role", "img"); svg.setAttribute("aria-label", spec.description || ""); }
      box.setAttribute("data-map-rendered", "1");
    }).catch(function () { canvas.hidden = true; box.setAttribute("data-map-ready", "0"); });
  }
  function renderAll(root) {
    var boxes = (root || document).querySelectorAll("[data-map-spec]");
    for (var i = 0; i < boxes.length; i++) { render(boxes[i]); }
  }
  document.addEventListener("DOMContentLoaded", function () { renderAll(document); });
  document.body.addEventListener("htmx:afterSettle", function (event) { renderAll(event.target); });
})();
