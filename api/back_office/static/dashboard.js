// The dashboard's charts, drawn from the figures the page carries (no request of its own).
(function () {
  "use strict";
  const source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") return; // the tables below still show every figure
  const data = JSON.parse(source.textContent);
  const thai = document.documentElement.lang !== "en";
  const label = (pair) => (Array.isArray(pair) ? pair[thai ? 0 : 1] : pair);
  const buddhistEra = document.body.dataset.buddhistEra === "true";
  const day = (iso) => {
    const [y, m, d] = iso.split("-").map(Number);
    return `${String(d).padStart(2, "0")}/${String(m).padStart(2, "0")}/${buddhistEra ? y + 543 : y}`;
  };
  const draw = (id, type, figure, labels, horizontal) => {
    const canvas = document.getElementById(id);
    if (!canvas) return;
    new Chart(canvas, {
      type,
      data: { labels, datasets: [{ data: figure.values, backgroundColor: "#1f6fb2", borderColor: "#1f6fb2" }] },
      options: { indexAxis: horizontal ? "y" : "x", animation: false, plugins: { legend: { display: false } },
                 scales: { [horizontal ? "x" : "y"]: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  };
  draw("chart-per-day", "line", data.perDay, data.perDay.labels.map(day), false);
  draw("chart-per-type", "bar", data.perType, data.perType.labels.map(label), true);
  draw("chart-per-province", "bar", data.perProvince, data.perProvince.labels.map(label), true);
  draw("chart-acknowledge", "bar", data.acknowledge, data.acknowledge.labels.map(label), false);
  draw("chart-care-outcomes", "bar", data.careOutcomes, data.careOutcomes.labels.map(label), true);
  document.body.dataset.chartsDrawn = "true";
})();
