// The reports page's charts (Chart.js, vendored): the figures the page also shows as
// tables, read from its JSON block, one bar per measure, by month and by unit. The units' chart
// grows with the number of units (a row each, long names shortened) so that one unit or twenty
// stay readable; a bar is never wider than a row.
const data = JSON.parse(document.getElementById("report-data").textContent);
const colours = { incoming: "#1d4ed8", outgoing: "#6d28d9", processed: "#087443", overdue: "#b42318", unsigned: "#b54708" };
const ROW_PX = 22; // per unit and measure
const MAX_LABEL = 28;

function shortened(label) {
  return label.length > MAX_LABEL ? `${label.slice(0, MAX_LABEL - 1)}…` : label;
}

function draw(canvasId, figures, horizontal) {
  const canvas = document.getElementById(canvasId);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: figures.labels,
      datasets: figures.series.map((s) => ({
        label: s.title, data: s.values, backgroundColor: colours[s.key], maxBarThickness: 28,
      })),
    },
    options: {
      indexAxis: horizontal ? "y" : "x",
      maintainAspectRatio: false,
      animation: false,
      plugins: { tooltip: { callbacks: { title: (items) => figures.labels[items[0].dataIndex] } } },
      scales: {
        [horizontal ? "x" : "y"]: { beginAtZero: true, ticks: { precision: 0 } },
        ...(horizontal ? { y: { ticks: { callback: (value) => shortened(figures.labels[value]) } } } : {}),
      },
    },
  });
  canvas.dataset.drawn = "true"; // what the page's tests wait on (the page's CSP allows them no eval)
}

const unitsBox = document.getElementById("chart-units-box");
const rows = data.units.labels.length * data.units.series.length;
unitsBox.style.height = `${Math.max(220, rows * ROW_PX + 90)}px`;
draw("chart-months", data.months, false);
draw("chart-units", data.units, true);
