// The compliance chart: the hand-overs of each period, on time, late and still open,
// stacked; the figures come from the page (a JSON block), drawn by the vendored Chart.js.
const source = document.getElementById("statistics-data");
const canvas = document.getElementById("statistics-chart");
if (source && canvas && window.Chart) {
  const data = JSON.parse(source.textContent);
  const colours = { on_time: "#2e7d32", late: "#c62828", open: "#f9a825" };
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.series.map((series) => ({
        label: series.title,
        data: series.values,
        backgroundColor: colours[series.measure],
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
  canvas.dataset.drawn = "1";
}
