// A long list of stations, searchable: typing in the search box above a <select> keeps only the
// stations whose name holds the typed text (Thai or English, any case). Nothing is chosen for the
// officer: the select stays without a choice until they pick one.
(function () {
  "use strict";
  document.querySelectorAll("input.station-filter[data-filters]").forEach(function (search) {
    const select = document.getElementById(search.dataset.filters);
    if (!select) return;
    search.addEventListener("input", function () {
      const wanted = search.value.trim().toLocaleLowerCase();
      for (const option of select.options) {
        option.hidden = wanted !== "" && !option.textContent.toLocaleLowerCase().includes(wanted);
        if (option.hidden && option.selected) option.selected = false;
      }
    });
  });
})();
