// Draws area boundaries from the page's GeoJSON endpoint with Leaflet: polygons only, no tile server.
// The tables on the page list the same areas, so the map is an addition, never the only way to the data.
(function () {
  "use strict";
  var element = document.getElementById("area-map");
  if (!element || !window.L) {
    return;
  }
  // IMD decile 1 (most deprived) to 10 (least): the same colours as geography.css's legend.
  var DECILE_COLOURS = ["#7f0000", "#b30000", "#d7301f", "#ef6548", "#fc8d59",
                        "#fdbb84", "#fdd49e", "#fee8c8", "#fff7ec", "#ffffff"];
  var colourByDecile = element.getAttribute("data-colour-by") === "imd_decile";

  function style(feature) {
    var props = feature.properties;
    if (props.role === "area") {
      return { color: "#005eb8", weight: 3, fill: false };
    }
    if (colourByDecile && props.imd_decile) {
      return { color: "#425563", weight: 0.6, fillColor: DECILE_COLOURS[props.imd_decile - 1], fillOpacity: 0.85 };
    }
    return { color: "#425563", weight: 1, fillColor: "#41b6e6", fillOpacity: 0.15 };
  }

  function label(props) {
    var span = document.createElement("span");
    var text = props.name + " (" + props.code + ")";
    if (colourByDecile && props.imd_decile) {
      text += ", IMD decile " + props.imd_decile;
    }
    span.textContent = text;
    return span;
  }

  var map = L.map(element, { zoomSnap: 0.25, attributionControl: true });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Boundaries: ONS, OGL v3.0; contains OS data © Crown copyright 2022");

  fetch(element.getAttribute("data-geojson-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    })
    .then(function (data) {
      var layer = L.geoJSON(data, {
        style: style,
        onEachFeature: function (feature, path) {
          path.bindTooltip(label(feature.properties), { sticky: true });
          if (feature.properties.role === "child") {
            path.on("click", function () { window.location.assign(feature.properties.url); });
          }
        }
      }).addTo(map);
      layer.eachLayer(function (path) {
        if (path.feature.properties.role === "area") {
          path.bringToFront();
        }
      });
      map.fitBounds(layer.getBounds(), { padding: [8, 8] });
    })
    .catch(function () {
      element.textContent = "The map could not be loaded. The tables on this page list the same areas.";
    });
})();
