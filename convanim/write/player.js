// convanim's HTML player: every [data-convanim-player] not yet started. No network, no globals
// besides this one function's scope; several players on a page (a notebook) work side by side.
(function () {
  "use strict";
  function start(root) {
    if (root.dataset.ready) return;
    root.dataset.ready = "1";
    var data = JSON.parse(root.querySelector("script.ca-data").textContent);
    var poster = root.querySelector(".ca-poster"), canvas = root.querySelector(".ca-canvas");
    var ctx = canvas.getContext("2d");
    var n = data.durations.length, $ = function (s) { return root.querySelector(s); };
    var slider = $(".ca-slider"), count = $(".ca-count"), play = $("[data-act=play]"), speed = $(".ca-speed");
    var bitmaps = new Array(n), shown = -1, frame = 0, playing = false, timer = null, plays = 0;
    var every = Math.max(32, Math.ceil(n / 64)), saved = {};  // snapshots for jumping back
    slider.max = String(n - 1);

    function blob(text) {
      var bytes = atob(text), array = new Uint8Array(bytes.length);
      for (var i = 0; i < bytes.length; i++) array[i] = bytes.charCodeAt(i);
      return new Blob([array], { type: "image/png" });
    }
    function apply(i) {  // draw frame i over frame i - 1
      var f = data.frames[i];
      if (i === 0) ctx.clearRect(0, 0, canvas.width, canvas.height);
      else if (f[2]) ctx.clearRect(f[0], f[1], bitmaps[i].width, bitmaps[i].height);
      ctx.drawImage(bitmaps[i], i === 0 ? 0 : f[0], i === 0 ? 0 : f[1]);
      if (i % every === 0 && !(i in saved)) saved[i] = ctx.getImageData(0, 0, canvas.width, canvas.height);
    }
    function draw(i) {
      if (i < shown || shown < 0) {
        var from = i - (i % every);
        while (from > 0 && !(from in saved)) from -= every;
        if (from > 0) ctx.putImageData(saved[from], 0, 0); else apply(0);
        shown = from;
      }
      while (shown < i) apply(++shown);
    }
    function show(i) {
      frame = Math.max(0, Math.min(n - 1, i));
      draw(frame);
      slider.value = String(frame);
      var words = "Frame " + (frame + 1) + " of " + n;
      slider.setAttribute("aria-valuetext", words);
      count.textContent = (frame + 1) + " / " + n;
      root.dataset.frame = String(frame);
      root.dispatchEvent(new CustomEvent("convanim:frame", { detail: { frame: frame, time: performance.now() } }));
    }
    function tick() {
      timer = setTimeout(function () {
        if (frame === n - 1) {
          plays += 1;
          if (data.loop !== 0 && plays >= data.loop) { pause(); return; }
          show(0);
        } else show(frame + 1);
        tick();
      }, data.durations[frame] / Number(speed.value));
    }
    function resume() {
      if (playing || n < 2) return;
      if (frame === n - 1 && data.loop !== 0 && plays >= data.loop) { plays = 0; show(0); }
      playing = true;
      root.dataset.playing = "true";
      play.textContent = "\u258C\u258C";
      play.setAttribute("aria-label", "Pause");
      count.setAttribute("aria-live", "off");
      tick();
    }
    function pause() {
      clearTimeout(timer);
      playing = false;
      root.dataset.playing = "false";
      play.textContent = "\u25B6\uFE0E";
      play.setAttribute("aria-label", "Play");
      count.setAttribute("aria-live", "polite");
    }
    function go(i) { pause(); show(i); }
    var acts = {
      first: function () { go(0); }, last: function () { go(n - 1); },
      prev: function () { go(frame - 1); }, next: function () { go(frame + 1); },
      play: function () { if (playing) pause(); else resume(); }
    };
    root.querySelectorAll("button[data-act]").forEach(function (b) {
      b.addEventListener("click", function () { acts[b.dataset.act](); });
    });
    slider.addEventListener("input", function () { go(Number(slider.value)); });
    speed.addEventListener("change", function () { if (playing) { clearTimeout(timer); tick(); } });
    var keys = { " ": "play", ArrowLeft: "prev", ArrowRight: "next", Home: "first", End: "last" };
    (data.page ? document : root).addEventListener("keydown", function (e) {
      var act = keys[e.key];
      if (!act || e.altKey || e.ctrlKey || e.metaKey || e.target === speed) return;
      if (e.target === slider && act !== "play") return;  // the slider moves itself, then says so
      e.preventDefault();
      acts[act]();
    });
    var decoded = [poster.src.slice(poster.src.indexOf(",") + 1)].concat(data.frames.slice(1).map(function (f) { return f[3]; }));
    Promise.all(decoded.map(function (text, i) {
      return createImageBitmap(blob(text), { premultiplyAlpha: "none", colorSpaceConversion: "none" })
        .then(function (b) { bitmaps[i] = b; });
    })).then(function () {
      canvas.hidden = false;
      poster.hidden = true;
      root.querySelector(".ca-controls").hidden = false;
      show(0);
      pause();
      var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      if (!still) resume();
    });
  }
  document.querySelectorAll("[data-convanim-player]").forEach(start);
})();
