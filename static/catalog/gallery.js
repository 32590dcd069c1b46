/* Product page gallery: swipe (a scroll-snap track: touch, trackpad, or the arrow buttons and
   keys), thumbnails, zoom (a photo opens enlarged in a <dialog>; Escape or the close button shuts
   it and focus returns to the photo), and the colour picker showing that colour's photos (the ones
   of every colour stay). Without JavaScript the track still scrolls and every photo shows. */
(function () {
  "use strict";
  var gallery = document.querySelector("[data-gallery]");
  if (!gallery) return;
  var track = gallery.querySelector("[data-gallery-track]");
  var slides = Array.prototype.slice.call(gallery.querySelectorAll("[data-gallery-slide]"));
  var thumbs = Array.prototype.slice.call(gallery.querySelectorAll("[data-gallery-thumb]"));
  var dialog = gallery.querySelector("[data-gallery-dialog]");
  var large = gallery.querySelector("[data-gallery-large]");
  var opener = null;

  function visible() { return slides.filter(function (s) { return !s.hidden; }); }

  function current() {
    var shown = visible();
    var left = track.scrollLeft, best = 0, bestDistance = Infinity;
    shown.forEach(function (slide, i) {
      var d = Math.abs(slide.offsetLeft - track.offsetLeft - left);
      if (d < bestDistance) { best = i; bestDistance = d; }
    });
    return best;
  }

  function go(index, smooth) {
    var shown = visible();
    if (!shown.length) return;
    index = (index + shown.length) % shown.length;
    track.scrollTo({ left: shown[index].offsetLeft - track.offsetLeft, behavior: smooth === false ? "auto" : "smooth" });
    mark(shown[index]);
  }

  function mark(slide) {
    var at = slides.indexOf(slide);
    thumbs.forEach(function (t) {
      var on = Number(t.dataset.galleryThumb) === at;
      t.classList.toggle("is-current", on);
      t.setAttribute("aria-current", on ? "true" : "false");
    });
  }

  var prev = gallery.querySelector("[data-gallery-prev]");
  var next = gallery.querySelector("[data-gallery-next]");
  if (prev) prev.addEventListener("click", function () { go(current() - 1); });
  if (next) next.addEventListener("click", function () { go(current() + 1); });
  track.addEventListener("keydown", function (event) {
    if (event.key === "ArrowLeft") { event.preventDefault(); go(current() - 1); }
    if (event.key === "ArrowRight") { event.preventDefault(); go(current() + 1); }
  });
  var settle = null;
  track.addEventListener("scroll", function () {
    clearTimeout(settle);
    settle = setTimeout(function () { mark(visible()[current()]); }, 80);
  }, { passive: true });
  thumbs.forEach(function (thumb) {
    thumb.addEventListener("click", function () {
      var slide = slides[Number(thumb.dataset.galleryThumb)];
      go(visible().indexOf(slide));
    });
  });

  // Zoom: the widest rendition in a modal dialog (Escape closes it: the browser's own).
  gallery.querySelectorAll("[data-gallery-zoom]").forEach(function (button) {
    button.addEventListener("click", function () {
      var img = button.querySelector("img");
      if (!dialog || !img) return;
      opener = button;
      large.src = img.dataset.zoomSrc || img.currentSrc || img.src;
      large.alt = img.alt;
      dialog.showModal();
    });
  });
  if (dialog) {
    gallery.querySelector("[data-gallery-close]").addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("click", function (event) { if (event.target === dialog) dialog.close(); });
    large.addEventListener("click", function () { large.classList.toggle("is-magnified"); });
    dialog.addEventListener("close", function () {
      large.classList.remove("is-magnified");
      if (opener) opener.focus();
    });
  }

  // The colour chosen in the buy form shows its photos (and those of every colour).
  function showColour(colour) {
    if (colour === gallery.dataset.colour) return;
    gallery.dataset.colour = colour;
    var any = slides.some(function (s) { return s.dataset.colour === colour; });
    function fits(el) { return !colour || !any || !el.dataset.colour || el.dataset.colour === colour; }
    slides.forEach(function (s) { s.hidden = !fits(s); });
    gallery.querySelectorAll("[data-gallery-thumbs] li").forEach(function (li) { li.hidden = !fits(li); });
    // This colour's own photo first, when it has one.
    if (prev) prev.hidden = next.hidden = visible().length < 2;
    var own = visible().filter(function (s) { return s.dataset.colour === colour; })[0];
    go(own ? visible().indexOf(own) : 0, false);
  }

  var form = document.querySelector("[data-buy-form]");
  var dataEl = document.getElementById("variant-data");
  var variants = dataEl ? JSON.parse(dataEl.textContent) : {};
  function chosenColour() {
    var radio = form && form.querySelector('input[name="opt-color"]:checked');
    if (radio) return radio.value;
    var select = form && form.querySelector("select[name=sku]");
    var v = select && variants[select.value];
    return (v && v.options && v.options.color) || "";
  }
  if (form) form.addEventListener("change", function () { showColour(chosenColour()); });
  if (prev) prev.hidden = next.hidden = visible().length < 2;
  mark(visible()[0]);
})();
