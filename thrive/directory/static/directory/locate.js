// "Use my location": asks the browser for its position and sends it once with the search form. The server
// turns it into a borough and redirects, so the position is not kept. Without JavaScript the button stays hidden.
(function () {
  "use strict";
  if (!("geolocation" in navigator)) { return; }
  Array.prototype.forEach.call(document.querySelectorAll(".directory-search"), function (form) {
    var wrapper = form.querySelector(".directory-locate");
    var button = form.querySelector("[data-locate]");
    var status = form.querySelector(".directory-locate__status");
    if (!wrapper || !button) { return; }
    wrapper.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = "Finding your location…";
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (position) {
        form.querySelector("input[name=lat]").value = position.coords.latitude.toFixed(5);
        form.querySelector("input[name=lon]").value = position.coords.longitude.toFixed(5);
        var postcode = form.querySelector("input[name=postcode]");
        if (postcode) { postcode.value = ""; }
        form.submit();
      }, function () {
        status.textContent = "We could not get your location. Enter your postcode or choose your borough instead.";
        button.disabled = false;
      }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 });
    });
  });
})();
