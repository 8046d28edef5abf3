// Injected into every benchmarked page before its own scripts run (Playwright addInitScript),
// the same for Marginalia and the peers. It times "the next painted frame after a change" from
// inside the page with performance.now(), so that no round trip to node is in any figure.
//
// "Painted" = the first requestAnimationFrame callback after the change, then a MessageChannel
// task: that task runs once the frame the change belongs to has been produced. A change made
// inside a requestAnimationFrame callback (text-annotator and recogito-js paint there) belongs
// to the frame being produced, so then only the MessageChannel task is awaited: the wrapper
// below knows when code runs inside such a callback, including the promise reactions and
// MutationObserver callbacks that follow it in the same microtask checkpoint.
(() => {
  if (window.__bench) return;
  const B = (window.__bench = {
    inRaf: 0,
    events: {}, // last timeStamp of each input event type (capture phase on window)
    armed: {}, // name -> { promise, result }
    loaded: null, // ms since navigation start when everything was painted (set by the page)
    loadInfo: null,
    errors: [],
  });

  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = function requestAnimationFrame(cb) {
    return raf((t) => {
      B.inRaf++;
      try {
        return cb(t);
      } finally {
        // Drop the flag at the end of this microtask checkpoint: re-queueing lets promise
        // chains and observers that this callback started (up to 16 hops) still see it.
        let hops = 16;
        const down = () => (--hops > 0 ? queueMicrotask(down) : B.inRaf--);
        queueMicrotask(down);
      }
    });
  };

  // WebAssembly memory: the JS heap figures of CDP leave it out, so every Memory that a module
  // exports or is given is remembered here, and B.wasmBytes() sums their current sizes.
  const memories = new Set();
  const W = window.WebAssembly;
  const remember = (instance) => {
    for (const v of Object.values(instance?.exports ?? {})) if (v instanceof W.Memory) memories.add(v);
    return instance;
  };
  if (W) {
    const instantiate = W.instantiate;
    W.instantiate = function (...args) {
      return instantiate.apply(this, args).then((r) => (remember(r.instance ?? r), r));
    };
    const streaming = W.instantiateStreaming;
    if (streaming)
      W.instantiateStreaming = function (...args) {
        return streaming.apply(this, args).then((r) => (remember(r.instance), r));
      };
    const Instance = W.Instance;
    W.Instance = new Proxy(Instance, { construct: (T, args) => remember(Reflect.construct(T, args)) });
    const Memory = W.Memory;
    W.Memory = new Proxy(Memory, {
      construct: (T, args) => {
        const m = Reflect.construct(T, args);
        memories.add(m);
        return m;
      },
    });
  }
  B.wasmBytes = () => [...memories].reduce((a, m) => a + m.buffer.byteLength, 0);

  /** Resolves to performance.now() once the frame holding the changes made so far is painted. */
  B.afterPaint = () =>
    new Promise((resolve) => {
      const post = () => {
        const ch = new MessageChannel();
        ch.port1.onmessage = () => resolve(performance.now());
        ch.port2.postMessage(null);
      };
      if (B.inRaf > 0) post();
      else raf(post);
    });

  for (const type of ['pointerdown', 'pointerup', 'keydown', 'input', 'change', 'click']) {
    window.addEventListener(
      type,
      (e) => {
        B.events[type] = { t: e.timeStamp, key: e.key };
      },
      { capture: true, passive: true },
    );
  }

  /**
   * Arms a measurement: after the next DOM mutation batch (anywhere in the document) for which
   * cond() holds, waits for the painted frame and records its time. `from` is an input event
   * type whose timeStamp is the start, or a number (performance.now()). `watch` narrows what
   * is observed ({ node, options } of MutationObserver.observe). Returns nothing: read the
   * result with B.result(name).
   */
  B.arm = (name, cond, from, watch = {}) => {
    const entry = { from, result: null, error: null };
    let done = false;
    entry.promise = new Promise((resolve) => {
      const finish = async () => {
        if (done) return;
        done = true;
        mo.disconnect();
        const t = await B.afterPaint();
        const start = typeof entry.from === 'number' ? entry.from : B.events[entry.from]?.t;
        entry.result = start === undefined ? null : t - start;
        if (start === undefined) entry.error = `no ${entry.from} event seen`;
        resolve(entry.result);
      };
      const mo = new MutationObserver(() => {
        let ok = false;
        try {
          ok = cond();
        } catch (e) {
          entry.error = String(e);
        }
        if (ok) finish();
      });
      // A condition that never comes true (the page is responsive but nothing changed) ends
      // as an error after 20 s; a page that blocks its main thread is the harness's to kill.
      setTimeout(() => {
        if (done) return;
        done = true;
        mo.disconnect();
        entry.error = `${name}: the expected change did not come within 20 s`;
        resolve(null);
      }, 20_000);
      mo.observe(
        watch.node ?? document,
        watch.options ?? { subtree: true, childList: true, attributes: true, characterData: true },
      );
      entry.finish = finish;
    });
    B.armed[name] = entry;
  };

  B.result = (name) => {
    const e = B.armed[name];
    return e ? { value: e.result, error: e.error, done: e.result !== null || e.error !== null } : null;
  };

  // Frames during scrolling: long animation frames (over 50 ms, as Chromium reports them) and
  // the longest gap between consecutive requestAnimationFrame callbacks.
  B.startFrames = (root) => {
    const el = document.querySelector(root);
    const box = el.getBoundingClientRect();
    const f = (B.frames = { loaf: [], gaps: [], running: true, last: null, el, top: box.top });
    // How far the text can move at all (a short document ends before 20 steps).
    f.room = Math.max(0, box.bottom - innerHeight);
    try {
      f.po = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) f.loaf.push(e.duration);
      });
      f.po.observe({ type: 'long-animation-frame', buffered: false });
    } catch (e) {
      f.loafError = String(e);
    }
    const tick = (t) => {
      if (!f.running) return;
      if (f.last !== null) f.gaps.push(t - f.last);
      f.last = t;
      raf(tick);
    };
    raf(tick);
  };
  B.stopFrames = () => {
    const f = B.frames;
    f.running = false;
    if (f.po) {
      for (const e of f.po.takeRecords()) f.loaf.push(e.duration);
      f.po.disconnect();
    }
    return {
      loafMax: f.loaf.length ? Math.max(...f.loaf) : 0,
      loafCount: f.loaf.length,
      gapMax: f.gaps.length ? Math.max(...f.gaps) : null,
      frames: f.gaps.length,
      scrolledPx: Math.round(f.top - f.el.getBoundingClientRect().top),
      roomPx: Math.round(f.room),
      loafError: f.loafError ?? null,
    };
  };

  // Marginalia's contract: opened by link (?open=/bench-data/<id>.marginalia.json), it marks
  // <html data-doc="<id>" data-annotations="<count>"> once drawn. All painted = the frame after.
  const open = new URLSearchParams(location.search).get('open');
  if (open) {
    const id = open.split('/').pop().replace(/\.marginalia\.json$/, '');
    const count = Number(id.match(/-(\d+)$/)?.[1] ?? NaN);
    const html = () => document.documentElement;
    // The file's document id, or, for a text equal to the article the app opens on (the 1×
    // file), that article with the file's annotations imported into it.
    const drawn = () =>
      html()?.dataset.annotations !== undefined &&
      (html().dataset.doc === id || Number(html().dataset.annotations) === count);
    B.arm('load', drawn, 0, {
      node: document,
      options: { subtree: true, attributes: true, attributeFilter: ['data-doc', 'data-annotations'] },
    });
    B.armed.load.promise.then((t) => {
      B.loadInfo = { annotations: Number(html().dataset.annotations) };
      B.loaded = t;
    });
  }

  window.addEventListener('error', (e) => B.errors.push(String(e.message)));
  window.addEventListener('unhandledrejection', (e) => B.errors.push(String(e.reason)));
})();
