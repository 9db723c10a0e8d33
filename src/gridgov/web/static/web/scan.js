// A place's page: a grid worker's check-in carries where the phone is.
(function () {
  "use strict";
  const lon = document.getElementById("lon");
  const lat = document.getElementById("lat");
  if (!lon || !lat || !navigator.geolocation) return;
  navigator.geolocation.getCurrentPosition((p) => { lon.value = p.coords.longitude; lat.value = p.coords.latitude; });
})();
