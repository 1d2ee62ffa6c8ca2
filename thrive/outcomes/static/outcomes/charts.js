// Draws the outcomes charts from the JSON in each canvas's data-chart attribute (no inline script: strict CSP).
// Every chart has a data table beside it in the page; the chart is a picture of the same numbers.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    return;
  }
  var COLOURS = ["#005eb8", "#007f3b", "#d5281b", "#330072", "#ffb81c", "#ae2573", "#00a499", "#425563",
    "#41b6e6", "#78be20", "#ed8b00"];

  function lineChart(canvas, spec) {
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (set, index) {
          return {
            label: set.label, data: set.data, borderColor: COLOURS[index % COLOURS.length],
            backgroundColor: COLOURS[index % COLOURS.length], pointStyle: spec.pointStyles, pointRadius: 6,
            spanGaps: true, tension: 0,
          };
        }),
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: { y: { min: spec.yMin, max: spec.yMax, title: { display: true, text: spec.yTitle } } },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  function stackedBars(canvas, spec) {
    var colours = ["#007f3b", "#768692", "#d5281b"];
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (set, index) {
          return { label: set.label, data: set.data, backgroundColor: colours[index % colours.length] };
        }),
      },
      options: {
        indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
        scales: { x: { stacked: true, min: 0, max: 100, title: { display: true, text: "% of paired episodes" } },
                  y: { stacked: true } },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var spec = JSON.parse(canvas.getAttribute("data-chart"));
    if (canvas.getAttribute("data-kind") === "stacked") {
      stackedBars(canvas, spec);
    } else {
      lineChart(canvas, spec);
    }
  });
})();
