// The reports page's charts (Chart.js, vendored): the figures the page also shows as
// tables, read from its JSON block, one bar per measure, by month and by unit.
const data = JSON.parse(document.getElementById("report-data").textContent);
const colours = { processed: "#087443", overdue: "#b42318", unsigned: "#b54708" };

function draw(canvasId, figures, horizontal) {
  new Chart(document.getElementById(canvasId), {
    type: "bar",
    data: {
      labels: figures.labels,
      datasets: figures.series.map((s) => ({ label: s.title, data: s.values, backgroundColor: colours[s.key] })),
    },
    options: {
      indexAxis: horizontal ? "y" : "x",
      maintainAspectRatio: false,
      animation: false,
      scales: { [horizontal ? "x" : "y"]: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
}

draw("chart-months", data.months, false);
draw("chart-units", data.units, true);
