/* Charts of Collective: render every Vega-Lite spec found on the page with vega-embed.
 *
 * Markup (see measurement/_chart.html):
 *   <figure class="chart-box" data-chart-spec="SPEC_ID"> ... <script type="application/json"
 *   id="SPEC_ID"> (json_script) ... <div class="chart-canvas" hidden> ... <div class="chart-table">
 * Without JavaScript the data table shows; with it the chart shows and a button toggles the
 * table. Content swapped in by htmx is rendered too.
 */
(function () {
  "use strict";

  function readSpec(box) {
    var node = document.getElementById(box.getAttribute("data-chart-spec"));
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function setMode(box, mode) {
    var canvas = box.querySelector(".chart-canvas");
    var table = box.querySelector(".chart-table");
    var toggle = box.querySelector(".chart-toggle");
    var showTable = mode === "table";
    if (canvas) { canvas.hidden = showTable; }
    if (table) { table.hidden = !showTable; }
    if (toggle) { toggle.textContent = showTable ? "Show chart" : "Show table"; }
    box.setAttribute("data-chart-mode", mode);
    if (!showTable && box.getAttribute("data-chart-rendered") === "1") {
      // A chart sized to its container measured 0 while hidden: let vega-embed measure again.
      window.dispatchEvent(new Event("resize"));
    }
  }

  // On a phone a legend in one row runs past the edge: stack its entries instead.
  var NARROW = 480;
  function narrowLegends(spec, width) {
    if (!width || width >= NARROW) { return; }
    var layers = spec.layer || [spec];
    for (var i = 0; i < layers.length; i++) {
      var encoding = layers[i].encoding || {};
      for (var channel in encoding) {
        var legend = encoding[channel] && encoding[channel].legend;
        if (legend && typeof legend === "object") {
          legend.columns = channel === "color" && legend.columns ? 2 : 1;
          legend.labelLimit = Math.max(120, width - 60);
        }
      }
    }
  }

  function render(box) {
    if (box.getAttribute("data-chart-ready") === "1") { return; }
    var spec = readSpec(box);
    var canvas = box.querySelector(".chart-canvas");
    if (!spec || !canvas || typeof window.vegaEmbed !== "function") { return; }
    box.setAttribute("data-chart-ready", "1");
    var toggle = box.querySelector(".chart-toggle");
    if (toggle) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        setMode(box, box.getAttribute("data-chart-mode") === "table" ? "chart" : "table");
      });
    }
    setMode(box, "chart");
    narrowLegends(spec, canvas.clientWidth || box.clientWidth);
    // `ast: true` runs Vega's expressions through the interpreter bundled in vega-embed instead
    // of compiling them with Function(): the page's Content-Security-Policy has no unsafe-eval.
    var options = { actions: false, renderer: "svg", ast: true };
    window.vegaEmbed(canvas, spec, options).then(function (result) {
      box.setAttribute("data-chart-rendered", "1");
      var svg = canvas.querySelector("svg");
      if (svg) {
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-label", spec.description || "");
      }
      return result;
    }).catch(function () {
      // The table stays the way to read the data if the chart cannot be drawn.
      box.setAttribute("data-chart-ready", "0");
      setMode(box, "table");
      if (toggle) { toggle.hidden = true; }
    });
  }

  function renderAll(root) {
    var boxes = (root || document).querySelectorAll("[data-chart-spec]");
    for (var i = 0; i < boxes.length; i++) { render(boxes[i]); }
  }

  document.addEventListener("DOMContentLoaded", function () { renderAll(document); });
  document.body.addEventListener("htmx:afterSettle", function (event) {
    renderAll(event.target);
  });
})();
