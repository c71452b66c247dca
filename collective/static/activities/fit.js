/* Fits the contribution chart (an indicator curve with activity lanes beneath: a Vega-Lite
 * vconcat, whose views need a fixed width) to the card it is drawn in, so a phone shows it at
 * full size instead of a scaled-down desktop drawing. It runs before measurement/charts.js
 * draws the charts (this script is included first and the specs are already in the page):
 * boxes marked data-chart-fit="1" get their views' width and the lane labels' room from the
 * box's width. */
(function () {
  "use strict";
  var boxes = document.querySelectorAll("[data-chart-spec][data-chart-fit='1']");
  for (var i = 0; i < boxes.length; i++) {
    var box = boxes[i];
    var node = document.getElementById(box.getAttribute("data-chart-spec"));
    var width = box.clientWidth;
    if (!node || !width) { continue; }
    var spec;
    try { spec = JSON.parse(node.textContent); } catch (e) { continue; }
    if (!spec.vconcat) { continue; }
    // Lane labels take about a third of a narrow card, at most 220 px; the plots the rest.
    var labels = Math.max(90, Math.min(220, Math.round(width * 0.3)));
    var plot = Math.max(160, Math.min(520, width - labels - 48));
    spec.vconcat.forEach(function (view) {
      if (typeof view.width === "number") { view.width = plot; }
      var y = view.encoding && view.encoding.y;
      if (y && y.axis && y.axis.labelLimit) { y.axis.labelLimit = labels; }
      // A legend in one row would be wider than the plots and shrink the whole drawing.
      [view].concat(view.layer || []).forEach(function (part) {
        var encoding = part.encoding || {};
        for (var channel in encoding) {
          var legend = encoding[channel] && encoding[channel].legend;
          if (legend && typeof legend === "object" && width < 560) {
            legend.columns = 3;
            legend.labelLimit = plot;
          }
        }
      });
    });
    node.textContent = JSON.stringify(spec);
  }
})();
