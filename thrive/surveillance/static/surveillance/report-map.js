// The report form's map: London's boroughs (from the app, no tile server), click to place a pin; the pin fills
// the latitude and longitude fields and chooses "by a pin on the map". Without JavaScript the fields still work.
(function () {
  "use strict";
  var element = document.getElementById("incident-map");
  if (!element || typeof L === "undefined") { return; }
  var lat = document.getElementById("id_lat");
  var lon = document.getElementById("id_lon");
  var map = L.map(element, { attributionControl: true });
  map.attributionControl.addAttribution("Boundaries: ONS, OGL v3.0");
  var marker = null;

  function place(latlng) {
    if (marker) { marker.setLatLng(latlng); } else { marker = L.circleMarker(latlng, { radius: 8 }).addTo(map); }
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
    var radio = document.querySelector("input[name='location_by'][value='point']");
    if (radio) { radio.checked = true; }
  }

  fetch(element.dataset.geojson, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var layer = L.geoJSON(data, {
        style: { color: "#005eb8", weight: 1, fillOpacity: 0.05 },
        onEachFeature: function (feature, shape) { shape.bindTooltip(feature.properties.name); }
      }).addTo(map);
      if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds()); } else { map.setView([51.5072, -0.1276], 10); }
      if (lat.value && lon.value) { place(L.latLng(parseFloat(lat.value), parseFloat(lon.value))); }
    })
    .catch(function () { map.setView([51.5072, -0.1276], 10); });

  map.on("click", function (event) { place(event.latlng); });
})();
