// One case's place on a small map: a circle marker the browser draws, with tiles beneath only
// when the deployment set a tile server.
(function () {
  "use strict";
  const element = document.getElementById("case-map");
  if (!element || typeof L === "undefined") return;
  const point = [Number(element.dataset.lat), Number(element.dataset.lng)];
  const map = L.map(element, { minZoom: 5, maxZoom: 18 }).setView(point, 15);
  if (element.dataset.tileUrl) {
    L.tileLayer(element.dataset.tileUrl, { maxZoom: 19, attribution: element.dataset.tileAttribution }).addTo(map);
  }
  L.circleMarker(point, { radius: 10, color: "#fff", weight: 2, fillColor: "#c62828", fillOpacity: 0.9 }).addTo(map);
})();
