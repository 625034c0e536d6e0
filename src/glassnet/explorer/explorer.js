// glassnet explorer: step through one forward and backward pass, see where each number came
// from, and train live. The arithmetic mirrors glassnet's (layers.py, activations.py,
// losses.py, optimizers.SGD) in float64, operation for operation, so that N steps here equal
// N steps of glassnet. No libraries, no requests: everything is in this file.
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("glassnet-data").textContent);
  var PAGE = DATA.page;
  var L = DATA.sizes.length - 1;
  var MAX = PAGE.max_shown; // rows, columns and units shown before a summary
  var H = 1e-6; // the finite-difference step, as glassnet.gradcheck
  var MAX_FD = 400; // finite differences for up to this many parameters

  // ---- numbers: as glassnet.trace.render.number (4 decimals, trailing zeros dropped) ----
  function num(v) {
    if (v === 0) return "0";
    if (!isFinite(v)) return isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
    var a = Math.abs(v);
    if (a >= 1e6 || a < 1e-4) {
      var s = v.toPrecision(4).split("e");
      var mant = s[0].indexOf(".") >= 0 ? s[0].replace(/0+$/, "").replace(/\.$/, "") : s[0];
      if (s.length === 1) return mant;
      var e = parseInt(s[1], 10);
      return mant + "e" + (e < 0 ? "-" : "+") + (Math.abs(e) < 10 ? "0" : "") + Math.abs(e);
    }
    var t = v.toFixed(4);
    if (t.indexOf(".") >= 0) t = t.replace(/0+$/, "").replace(/\.$/, "");
    return t === "-0" ? "-0" : t;
  }
  function par(v) { return v < 0 ? "(" + num(v) + ")" : num(v); }
  function sci(v) { return v === 0 ? "0" : v.toExponential(1); }

  // ---- matrices: arrays of rows of numbers ----
  function zeros(n, m) {
    var M = [];
    for (var i = 0; i < n; i++) { M.push(new Array(m).fill(0)); }
    return M;
  }
  function copy(M) { return M.map(function (r) { return r.slice(); }); }
  function matmul(A, B) { // A @ B
    var n = A.length, k = B.length, m = B[0].length, C = zeros(n, m);
    for (var i = 0; i < n; i++) for (var j = 0; j < m; j++) {
      var s = 0;
      for (var p = 0; p < k; p++) s += A[i][p] * B[p][j];
      C[i][j] = s;
    }
    return C;
  }
  function matmulT(A, B) { // A @ B.T
    var n = A.length, m = B.length, k = B[0].length, C = zeros(n, m);
    for (var i = 0; i < n; i++) for (var j = 0; j < m; j++) {
      var s = 0;
      for (var p = 0; p < k; p++) s += A[i][p] * B[j][p];
      C[i][j] = s;
    }
    return C;
  }
  function tmatmul(A, B) { // A.T @ B
    var n = A[0].length, m = B[0].length, k = A.length, C = zeros(n, m);
    for (var i = 0; i < n; i++) for (var j = 0; j < m; j++) {
      var s = 0;
      for (var p = 0; p < k; p++) s += A[p][i] * B[p][j];
      C[i][j] = s;
    }
    return C;
  }
  function map2(A, B, f) {
    return A.map(function (r, i) { return r.map(function (a, j) { return f(a, B[i][j], i, j); }); });
  }

  // ---- activations: f beside f', as activations.py ----
  var ACT = {
    identity: { sym: "I", f: function (z) { return z; }, df: function () { return 1; } },
    relu: { sym: "R", f: function (z) { return z > 0 ? z : 0; },
      df: function (z) { return z > 0 ? 1 : 0; } },
    leaky_relu: { sym: "LR", f: function (z) { return z > 0 ? z : 0.01 * z; },
      df: function (z) { return z > 0 ? 1 : 0.01; } },
    sigmoid: { sym: "σ", f: function (z) { // exp of −|z| only, as glassnet: never overflows
      var e = Math.exp(-Math.abs(z)); return z >= 0 ? 1 / (1 + e) : e / (1 + e);
    }, df: function (z, a) { return a * (1 - a); } },
    tanh: { sym: "tanh", f: Math.tanh, df: function (z, a) { return 1 - a * a; } },
    softmax: { sym: "S", rows: true }
  };
  function activate(name, Z) {
    if (name === "softmax") {
      return Z.map(function (r) {
        var m = Math.max.apply(null, r), s = 0;
        var e = r.map(function (z) { return Math.exp(z - m); });
        for (var j = 0; j < e.length; j++) s += e[j];
        return e.map(function (v) { return v / s; });
      });
    }
    var f = ACT[name].f;
    return Z.map(function (r) { return r.map(function (z) { return f(z); }); });
  }
  function backward(name, dA, Z, A) { // E = dA * f'(Z); softmax applies its Jacobian
    if (name === "softmax") {
      return A.map(function (a, i) {
        var s = 0;
        for (var j = 0; j < a.length; j++) s += dA[i][j] * a[j];
        return a.map(function (v, j) { return v * (dA[i][j] - s); });
      });
    }
    if (name === "identity") return copy(dA);
    var df = ACT[name].df;
    return map2(dA, Z, function (d, z, i, j) { return d * df(z, A[i][j]); });
  }

  // ---- losses: cost beside output error, as losses.py (scale = 1/n or 1) ----
  var EPS = 1e-12;
  function cost(net, Z, O, Y, scale) {
    var s = 0, i, j, out = net.out;
    if (net.loss === "mse") {
      for (i = 0; i < O.length; i++) for (j = 0; j < O[i].length; j++) {
        var d = O[i][j] - Y[i][j]; s += d * d;
      }
      return scale * 0.5 * s;
    }
    if (net.loss === "cross_entropy") {
      for (i = 0; i < O.length; i++) {
        var m = Math.max.apply(null, Z[i]), t = 0;
        for (j = 0; j < Z[i].length; j++) t += Math.exp(Z[i][j] - m);
        var lse = m + Math.log(t);
        for (j = 0; j < O[i].length; j++) {
          var logO = out === "softmax" ? Z[i][j] - lse : Math.log(Math.max(O[i][j], EPS));
          s += Y[i][j] * logO;
        }
      }
      return -scale * s;
    }
    for (i = 0; i < O.length; i++) { // binary_cross_entropy: each row summed, then scaled
      var row = 0;
      for (j = 0; j < O[i].length; j++) {
        var z = Z[i][j], y = Y[i][j], e;
        if (out === "sigmoid") {
          e = Math.max(z, 0) - y * z + Math.log1p(Math.exp(-Math.abs(z)));
        } else {
          var c = Math.min(Math.max(O[i][j], EPS), 1 - EPS);
          e = -(y * Math.log(c) + (1 - y) * Math.log1p(-c));
        }
        row += e;
      }
      s += scale * row;
    }
    return s;
  }
  function fused(net) {
    return (net.loss === "cross_entropy" && net.out === "softmax") ||
      (net.loss === "binary_cross_entropy" && net.out === "sigmoid");
  }
  function outputError(net, Z, O, Y, scale) {
    if (net.loss === "mse" || fused(net)) {
      var D = map2(O, Y, function (o, y) { return (o - y) * scale; });
      return fused(net) ? D : backward(net.out, D, Z, O);
    }
    var dO = map2(O, Y, function (o, y) {
      if (net.loss === "cross_entropy") return -scale * y / Math.max(o, EPS);
      var c = Math.min(Math.max(o, EPS), 1 - EPS);
      return scale * (c - y) / (c * (1 - c));
    });
    return backward(net.out, dO, Z, O);
  }

  // ---- the network: forward, cost, backward, as network.py ----
  function actOf(net, l) { return l === L ? net.out : net.hidden[l - 1]; }
  function scaleOf(net) { return net.reduction === "mean" ? 1.0 / net.X.length : 1.0; }
  function forward(net, P) {
    var A = [net.X], Z = [null];
    for (var l = 1; l <= L; l++) {
      var Zl = matmul(A[l - 1], P.W[l]), B = P.B[l][0];
      Zl = Zl.map(function (r) { return r.map(function (z, j) { return z + B[j]; }); });
      Z.push(Zl);
      A.push(activate(actOf(net, l), Zl));
    }
    return { Z: Z, A: A };
  }
  function costOf(net, P) {
    var f = forward(net, P);
    return cost(net, f.Z[L], f.A[L], net.Y, scaleOf(net));
  }
  function compute(net, P, lr) { // every quantity of one trace, by its indexed name
    var q = { X: net.X, Y: net.Y }, f = forward(net, P), scale = scaleOf(net), l;
    for (l = 1; l <= L; l++) {
      q["W" + l] = P.W[l]; q["B" + l] = P.B[l]; q["Z" + l] = f.Z[l]; q["A" + l] = f.A[l];
    }
    q.A0 = net.X;
    q.C = cost(net, f.Z[L], f.A[L], net.Y, scale);
    var E = outputError(net, f.Z[L], f.A[L], net.Y, scale);
    for (l = L; l >= 1; l--) {
      q["E" + l] = E;
      q["dW" + l] = tmatmul(f.A[l - 1], E);
      var dB = new Array(E[0].length).fill(0);
      for (var i = 0; i < E.length; i++) for (var j = 0; j < dB.length; j++) dB[j] += E[i][j];
      q["dB" + l] = [dB];
      if (l > 1) E = backward(actOf(net, l - 1), matmulT(E, P.W[l]), f.Z[l - 1], f.A[l - 1]);
    }
    for (l = 1; l <= L; l++) {
      q["W" + l + "_new"] = sgd(P.W[l], q["dW" + l], lr);
      q["B" + l + "_new"] = sgd(P.B[l], q["dB" + l], lr);
    }
    return q;
  }
  function sgd(W, dW, lr) { return map2(W, dW, function (w, g) { return w - lr * g; }); }

  // ---- state ----
  var Q = {}; // quantity meta by key, for the current hidden activation
  var byName = {};
  var initial = { W: [null], B: [null] };
  DATA.quantities.forEach(function (q) {
    var m = /^([WB])(\d+)$/.exec(q.key);
    if (m) initial[m[1]][+m[2]] = q.values;
  });
  var net = {
    X: valuesOf("X"), Y: valuesOf("Y"), loss: DATA.loss, reduction: DATA.reduction,
    hidden: DATA.activations.slice(), out: DATA.output_activation
  };
  var P = { W: initial.W.map(cp), B: initial.B.map(cp) };
  function cp(M) { return M === null ? null : copy(M); }
  function valuesOf(key) {
    for (var k = 0; k < DATA.quantities.length; k++) {
      if (DATA.quantities[k].key === key) return DATA.quantities[k].values;
    }
    return null;
  }
  var meta = { network: DATA.network, activations: DATA.activations, quantities: DATA.quantities };
  var live = !PAGE.live;
  var V = {}; // the values shown, by key
  var FD = null; // finite differences: FD["dW1"][i][j]
  var lr = DATA.learning_rate;
  var history = [];
  var stepIndex = 0;
  var selected = null; // the cell whose origin is shown: {key, i, j}
  var editing = null;

  function setMeta(m) {
    meta = m; Q = {}; byName = {};
    m.quantities.forEach(function (q) {
      Q[q.key] = q; byName[q.name] = q.key;
      q.aliases.forEach(function (a) { byName[a] = q.key; });
    });
  }
  function nm(key) { return key === "A0" ? "X" : Q[key] ? Q[key].name : key; }
  function recompute() {
    if (live) {
      V = compute(net, P, lr);
      FD = fdChecks();
    } else {
      DATA.quantities.forEach(function (q) { V[q.key] = q.values; });
      V.A0 = V.X;
    }
  }
  function fdChecks() { // (C(p + h) − C(p − h)) / 2h for each weight and bias, as gradcheck
    var n = 0, l, out = {};
    for (l = 1; l <= L; l++) n += P.W[l].length * P.W[l][0].length + P.B[l][0].length;
    if (n > MAX_FD) return null;
    for (l = 1; l <= L; l++) {
      ["W", "B"].forEach(function (k) {
        var M = P[k][l];
        out["d" + k + l] = M.map(function (r) {
          return r.map(function (v, j) {
            r[j] = v + H; var cp_ = costOf(net, P);
            r[j] = v - H; var cm = costOf(net, P);
            r[j] = v;
            return (cp_ - cm) / (2 * H);
          });
        });
      });
    }
    return out;
  }
  function relError(g, n) { // |g − n| / |n|, as gradcheck (0 when they are equal)
    var err = Math.abs(g - n);
    return err === 0 ? 0 : err / Math.max(Math.abs(n), 2.2250738585072014e-308);
  }

  // ---- the trace as JSON (the schema of `glassnet explain --format json`) ----
  function traceJSON() {
    var qs = meta.quantities.map(function (q) {
      return {
        name: q.name, aliases: q.aliases, description: q.description, phase: q.phase,
        layer: q.layer, shape: q.shape, equation: q.equation, shapes: q.shapes,
        values: V[q.key]
      };
    });
    return {
      network: meta.network, sizes: DATA.sizes, activations: meta.activations,
      output_activation: DATA.output_activation, loss: DATA.loss, reduction: DATA.reduction,
      dtype: live ? "float64" : DATA.dtype, n_samples: net.X.length, learning_rate: lr,
      cost: V.C, quantities: qs
    };
  }
  function download(name, type, text) {
    var a = document.createElement("a");
    a.href = "data:" + type + ";charset=utf-8," + encodeURIComponent(text);
    a.download = name;
    document.body.appendChild(a); a.click(); a.remove();
  }
  function csv(M) {
    var rows = Array.isArray(M) ? M : [[M]];
    return rows.map(function (r) { return r.map(String).join(","); }).join("\n") + "\n";
  }

  // ---- the page ----
  var $ = function (id) { return document.getElementById(id); };
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  var SVGNS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function shown(n) { // which of n units or rows to draw: all, or first and last few with a gap
    var all = [], k;
    if (n <= MAX) { for (k = 0; k < n; k++) all.push(k); return all; }
    var h = Math.max(Math.floor((MAX - 1) / 2), 1);
    for (k = 0; k < h; k++) all.push(k);
    all.push(null);
    for (k = n - h; k < n; k++) all.push(k);
    return all;
  }
  var PHASE_TITLE = {
    input: "Forward pass", parameter: "Forward pass", forward: "Forward pass",
    target: "Target and cost", cost: "Target and cost", backward: "Backward pass: errors",
    gradient: "Backward pass: derivatives of the cost", update: "The update: gradient descent"
  };

  function buildMatrices() {
    var box = $("matrices");
    box.textContent = "";
    var section = null, title = "";
    meta.quantities.forEach(function (q) {
      if (PHASE_TITLE[q.phase] !== title) {
        title = PHASE_TITLE[q.phase];
        section = el("section", { "class": "phase" });
        section.appendChild(el("h2", {}, title));
        box.appendChild(section);
      }
      var card = el("article", { "class": "card", id: "card-" + q.key, "data-key": q.key });
      var head = el("h3");
      head.appendChild(el("span", { "class": "qname" }, q.name));
      head.appendChild(el("span", { "class": "qshape" },
        q.shape.length ? "(" + q.shape.join(", ") + ")" : "scalar"));
      head.appendChild(el("span", { "class": "qdesc" }, q.description));
      head.appendChild(el("span", { "class": "badge" }, "◀ current"));
      card.appendChild(head);
      var eq = el("div", { "class": "eq" });
      if (q.mathml) eq.innerHTML = q.mathml;
      eq.appendChild(el("code", {}, q.equation));
      card.appendChild(eq);
      card.appendChild(buildGrid(q));
      var b = el("button", { type: "button", "class": "csv", "data-key": q.key },
        "CSV of " + q.name);
      b.addEventListener("click", function () { download(q.name + ".csv", "text/csv", csv(V[q.key])); });
      card.appendChild(b);
      section.appendChild(card);
    });
  }
  function buildGrid(q) {
    var t = el("table", { "class": "grid", "data-key": q.key, role: "grid",
      "aria-label": q.name + " " + (q.shape.join(" by ") || "scalar") });
    var rows = q.shape.length ? shown(q.shape[0]) : [0];
    var cols = q.shape.length ? shown(q.shape[1]) : [0];
    var first = true;
    rows.forEach(function (i) {
      var tr = el("tr", { role: "row" });
      cols.forEach(function (j) {
        if (i === null || j === null) {
          var more = i === null ? (q.shape[0] - rows.length + 1) + " more rows"
            : (q.shape[1] - cols.length + 1) + " more";
          tr.appendChild(el("td", { "class": "gap" }, i === null && j !== cols[0] ? "⋮" : i === null ? more : "…"));
          return;
        }
        var td = el("td", { role: "gridcell", tabindex: first ? "0" : "-1",
          "data-key": q.key, "data-i": i, "data-j": j });
        first = false;
        tr.appendChild(td);
      });
      t.appendChild(tr);
    });
    return t;
  }
  function cellValue(key, i, j) {
    var M = V[key];
    return Array.isArray(M) ? M[i][j] : M;
  }
  function fillGrids() {
    var cells = document.querySelectorAll("#matrices td[data-key]");
    for (var k = 0; k < cells.length; k++) {
      var c = cells[k], v = cellValue(c.dataset.key, +c.dataset.i, +c.dataset.j);
      c.textContent = num(v);
      c.dataset.value = String(v);
      c.classList.toggle("neg", v < 0);
    }
  }

  // ---- the diagram ----
  var GEO = {};
  function buildDiagram() {
    var s = $("diagram"), sizes = DATA.sizes, cols = sizes.length;
    s.textContent = "";
    var units = sizes.map(shown), rows = Math.max.apply(null, units.map(function (u) { return u.length; }));
    var DX = 150, DY = 58, W = DX * (cols - 1) + 110, Hh = DY * rows + 66;
    s.setAttribute("viewBox", "0 0 " + W + " " + Hh);
    var x = function (l) { return 55 + DX * l; };
    var y = function (l, k) { return 48 + DY * (k + (rows - units[l].length) / 2); };
    GEO = { x: x, y: y, units: units };
    for (var l = 1; l <= L; l++) {
      var g = svg("g", { "class": "edges", "data-l": l });
      var Wl = P.W[l], big = 0, pairs = 0;
      Wl.forEach(function (r) { r.forEach(function (w) { big = Math.max(big, Math.abs(w)); }); });
      units[l - 1].forEach(function (i) { units[l].forEach(function (j) { if (i !== null && j !== null) pairs++; }); });
      units[l - 1].forEach(function (i, a) {
        if (i === null) return;
        units[l].forEach(function (j, b) {
          if (j === null) return;
          var w = Wl[i][j], cls = w >= 0 ? "pos" : "neg";
          var line = svg("line", { x1: x(l - 1), y1: y(l - 1, a), x2: x(l), y2: y(l, b), "class": "edge " + cls,
            "stroke-width": (0.6 + 4 * Math.abs(w) / (big || 1)).toFixed(2), "data-l": l, "data-i": i, "data-j": j });
          line.appendChild(svg("title", {}, nm("W" + l) + "[" + (i + 1) + "," + (j + 1) + "] = " + num(w) + " (click to edit)"));
          line.addEventListener("click", function () { startEdit("W" + l, i, j); });
          g.appendChild(line);
          if (pairs <= 12) {
            // labels spread along the edges so that those leaving one unit do not overlap
            var t = 0.3 + 0.4 * b / Math.max(units[l].length - 1, 1), lx = x(l - 1) + t * DX, ly = y(l - 1, a) + t * (y(l, b) - y(l - 1, a));
            g.appendChild(svg("text", { x: lx, y: ly - 2, "class": "wlabel " + cls }, num(w)));
          }
        });
      });
      s.appendChild(g);
    }
    units.forEach(function (u, l) {
      var g = svg("g", { "class": "units", "data-l": l });
      var role = l === 0 ? "input" : l === L ? "output" : "hidden";
      u.forEach(function (i, k) {
        if (i === null) {
          g.appendChild(svg("text", { x: x(l), y: y(l, k) + 4, "class": "more" }, "⋮ " + (sizes[l] - u.length + 1) + " more"));
          return;
        }
        g.appendChild(svg("circle", { cx: x(l), cy: y(l, k), r: 16, "class": "unit " + role }));
        g.appendChild(svg("text", { x: x(l), y: y(l, k) + 4, "class": "ulabel" }, String(i + 1)));
      });
      var name = l === 0 ? "X" : nm("A" + l);
      var act = l === 0 ? "input" : actOf(net, l);
      g.appendChild(svg("text", { x: x(l), y: 22, "class": "lname" }, name + " (" + sizes[l] + ")"));
      g.appendChild(svg("text", { x: x(l), y: Hh - 10, "class": "lact" }, act));
      s.appendChild(g);
    });
    s.appendChild(svg("text", { x: W / 2, y: Hh - 26, "class": "now", id: "diagram-now" }, ""));
  }
  function where(key) { // the diagram's part for a quantity: ["edges" | "units", layer]
    var m = /^(d?)([A-Z])(\d+)(_new)?$/.exec(key);
    if (key === "X" || key === "A0") return ["units", 0];
    if (key === "Y" || key === "C") return ["units", L];
    if (!m) return null;
    return [m[2] === "W" ? "edges" : "units", +m[3]];
  }

  // ---- stepping ----
  function stepTo(k) {
    var qs = meta.quantities;
    stepIndex = Math.max(0, Math.min(qs.length - 1, k));
    var q = qs[stepIndex];
    document.querySelectorAll(".card.current").forEach(function (c) { c.classList.remove("current"); });
    document.querySelectorAll("#diagram .hl").forEach(function (c) { c.classList.remove("hl"); });
    var card = $("card-" + q.key);
    card.classList.add("current");
    var part = where(q.key);
    if (part) {
      var g = document.querySelector("#diagram g." + part[0] + "[data-l='" + part[1] + "']");
      if (g) g.classList.add("hl");
    }
    var phase = q.phase === "backward" || q.phase === "gradient" ? "backward pass"
      : q.phase === "update" ? "update" : q.phase === "cost" || q.phase === "target" ? "cost" : "forward pass";
    $("step-label").textContent = "Step " + (stepIndex + 1) + " of " + qs.length + " (" + phase + "): " +
      q.name + ", " + q.description + ", " + (q.shape.length ? "(" + q.shape.join(", ") + ")" : "scalar");
    $("step-math").innerHTML = q.mathml || "<p>given</p>";
    $("step-shapes").textContent = q.shapes ? "shapes: " + q.shapes : "";
    $("diagram-now").textContent = "now: " + q.name + (part ? (part[0] === "edges" ? " (weights into layer " : " (units of layer ") + part[1] + ")" : "");
    document.body.dataset.current = q.name;
    card.scrollIntoView({ block: "nearest" });
  }

  // ---- where a number came from ----
  function idx(key, i, j) {
    var q = Q[key];
    if (q && q.shape.length === 2 && q.shape[0] === 1 && /B/.test(key)) return nm(key) + "[" + (j + 1) + "]";
    return nm(key) + "[" + (i + 1) + "," + (j + 1) + "]";
  }
  function terms(a, b) { // "a1·b1 + a2·b2 + ..." (the first 6 and a count)
    var out = [];
    for (var p = 0; p < a.length && p < 6; p++) out.push(num(a[p]) + "·" + par(b[p]));
    if (a.length > 6) out.push("… (" + a.length + " terms)");
    return out.join(" + ");
  }
  function col(M, j) { return M.map(function (r) { return r[j]; }); }
  function origin(key, i, j) { // {text, sources: [[key, "row" | "col" | "cell" | "all", i, j]]}
    var v = cellValue(key, i, j), m = /^(d?)([WBZAE])(\d+)(_new)?$/.exec(key);
    var scaleText = net.reduction === "mean" ? "·(1/" + net.X.length + ")" : "";
    if (key === "X") return { text: "X[" + (i + 1) + "," + (j + 1) + "] = " + num(v) + "  (input: sample " + (i + 1) + ", feature " + (j + 1) + ")", sources: [] };
    if (key === "Y") return { text: "Y[" + (i + 1) + "," + (j + 1) + "] = " + num(v) + "  (target of sample " + (i + 1) + ")", sources: [] };
    var O = "A" + L;
    if (key === "C") {
      if (net.loss === "mse") {
        var parts = [], n = 0;
        V[O].forEach(function (r, a) { r.forEach(function (o, b) {
          if (n++ < 6) parts.push("(" + num(o) + " − " + par(V.Y[a][b]) + ")²");
        }); });
        if (n > 6) parts.push("… (" + n + " terms)");
        var pre = net.reduction === "mean" ? "(1/" + net.X.length + ")·½·(" : "½·(";
        return { text: "C = " + Q.C.equation.slice(4) + " = " + pre + parts.join(" + ") + ") = " + num(v),
          sources: [[O, "all"], ["Y", "all"]] };
      }
      return { text: Q.C.equation + " = " + num(v), sources: [[O, "all"], ["Y", "all"]] };
    }
    var d = m[1], k = m[2], l = +m[3], isNew = !!m[4], f = actOf(net, l), A = V["A" + l], Z = V["Z" + l];
    var prev = "A" + (l - 1), here = idx(key, i, j);
    if (isNew) {
      var g = "d" + k + l;
      return { text: here + " = " + idx(k + l, i, j) + " − η·" + idx(g, i, j) + " = " + num(V[k + l][i][j]) + " − " +
        num(lr) + "·" + par(V[g][i][j]) + " = " + num(v), sources: [[k + l, "cell", i, j], [g, "cell", i, j]] };
    }
    if (!d && (k === "W" || k === "B")) {
      return { text: here + " = " + num(v) + (k === "W" ? "  (weight from unit " + (i + 1) + " of " + nm(prev) +
        " to unit " + (j + 1) + " of " + nm("A" + l) + ")" : "  (bias of unit " + (j + 1) + ")") +
        (live ? "; press Enter or click to edit it" : ""), sources: [] };
    }
    if (k === "Z") {
      var row = V[prev][i];
      return { text: here + " = " + nm(prev) + "[" + (i + 1) + ",:]·" + nm("W" + l) + "[:," + (j + 1) + "] + " + idx("B" + l, 0, j) +
        " = " + terms(row, col(V["W" + l], j)) + " + " + par(V["B" + l][0][j]) + " = " + num(v),
        sources: [[prev, "row", i], ["W" + l, "col", j], ["B" + l, "cell", 0, j]] };
    }
    if (k === "A") {
      var z = Z[i][j], src = [["Z" + l, "cell", i, j]];
      if (f === "identity") return { text: here + " = " + idx("Z" + l, i, j) + " = " + num(v), sources: src };
      if (f === "softmax") {
        return { text: here + " = exp(" + idx("Z" + l, i, j) + ") / Σ_k exp(" + nm("Z" + l) + "[" + (i + 1) + ",k]) = exp(" +
          num(z) + ") / " + num(Z[i].reduce(function (s, x) { return s + Math.exp(x); }, 0)) + " = " + num(v),
          sources: [["Z" + l, "row", i]] };
      }
      var sym = ACT[f] ? ACT[f].sym : f;
      return { text: here + " = " + sym + "(" + idx("Z" + l, i, j) + ") = " + sym + "(" + num(z) + ") = " + num(v), sources: src };
    }
    if (k === "E" && !d) {
      var fsym = ACT[f] ? ACT[f].sym : f, dfv = ACT[f] && ACT[f].df ? ACT[f].df(Z[i][j], A[i][j]) : null;
      var tail = f === "identity" ? "" : "·" + fsym + "′(" + idx("Z" + l, i, j) + ")";
      var tailv = f === "identity" || dfv === null ? "" : "·" + par(dfv);
      if (l === L) {
        var o = A[i][j], y = V.Y[i][j], s2 = [[O, "cell", i, j], ["Y", "cell", i, j], ["Z" + l, "cell", i, j]];
        if (fused(net)) tail = tailv = "";
        if (net.loss === "mse" || fused(net)) {
          return { text: here + " = (" + idx(O, i, j) + " − " + idx("Y", i, j) + ")" + scaleText + tail + " = (" + num(o) + " − " +
            par(y) + ")" + scaleText + tailv + " = " + num(v), sources: s2 };
        }
        return { text: Q[key].equation + ": " + here + " = " + num(v), sources: s2 };
      }
      var En = V["E" + (l + 1)], Wn = V["W" + (l + 1)];
      var s3 = [["E" + (l + 1), "row", i], ["W" + (l + 1), "row", j], ["Z" + l, "cell", i, j]];
      if (f === "softmax" || dfv === null) return { text: Q[key].equation + ": " + here + " = " + num(v), sources: s3 };
      return { text: here + " = (" + nm("E" + (l + 1)) + "[" + (i + 1) + ",:]·" + nm("W" + (l + 1)) + "[" + (j + 1) + ",:])" + tail +
        " = (" + terms(En[i], Wn[j]) + ")" + tailv + " = " + num(v), sources: s3 };
    }
    var E = V["E" + l];
    var fd = FD && FD[key] ? FD[key][i][j] : null;
    var check = fd === null ? "" : "finite difference (C(p + h) − C(p − h)) / 2h with h = 1e-6: " + num(fd) +
      "; analytic " + num(v) + "; relative error " + sci(relError(v, fd));
    if (k === "W") {
      return { text: here + " = " + nm(prev) + "[:," + (i + 1) + "]·" + nm("E" + l) + "[:," + (j + 1) + "] = " +
        terms(col(V[prev], i), col(E, j)) + " = " + num(v), check: check,
        sources: [[prev, "col", i], ["E" + l, "col", j]] };
    }
    var es = col(E, j).slice(0, 6).map(num).join(" + ") + (E.length > 6 ? " + … (" + E.length + " terms)" : "");
    return { text: here + " = Σ_rows " + nm("E" + l) + "[:," + (j + 1) + "] = " + es + " = " + num(v), check: check,
      sources: [["E" + l, "col", j]] };
  }
  function explain(key, i, j) {
    selected = { key: key, i: i, j: j };
    var o = origin(key, i, j);
    $("explain-formula").textContent = o.text;
    $("explain-check").textContent = o.check || "";
    document.querySelectorAll("#matrices .src, #matrices .picked").forEach(function (c) { c.classList.remove("src", "picked"); });
    var names = [];
    o.sources.forEach(function (s) {
      var sel = "#matrices td[data-key='" + s[0] + "']", all = document.querySelectorAll(sel);
      var k2 = s[0] === "A0" ? "X" : s[0];
      all = document.querySelectorAll("#matrices td[data-key='" + k2 + "']");
      all.forEach(function (c) {
        var ci = +c.dataset.i, cj = +c.dataset.j;
        if (s[1] === "all" || (s[1] === "row" && ci === s[2]) || (s[1] === "col" && cj === s[2]) ||
            (s[1] === "cell" && ci === s[2] && cj === s[3])) c.classList.add("src");
      });
      names.push(nm(s[0]) + (s[1] === "all" ? " (all)" : s[1] === "cell" ? " " + idx(s[0], s[2], s[3]).slice(nm(s[0]).length)
        : " " + s[1] + " " + (s[2] + 1)));
    });
    var me = document.querySelector("#matrices td[data-key='" + key + "'][data-i='" + i + "'][data-j='" + j + "']");
    if (me) me.classList.add("picked");
    $("explain-sources").textContent = names.length ? "Came from (outlined in blue, dotted): " + names.join("; ") : "";
  }

  // ---- editing a weight ----
  function startEdit(key, i, j) {
    if (!live) return;
    editing = { key: key, i: i, j: j };
    $("edit").hidden = false;
    $("edit-label").textContent = "New value of " + idx(key, i, j) + ":";
    $("edit-value").value = String(cellValue(key, i, j));
    $("edit-value").focus();
    $("edit-value").select();
  }
  function finishEdit(apply) {
    if (!editing) return;
    var e = editing;
    editing = null;
    $("edit").hidden = true;
    if (apply) {
      var v = parseFloat($("edit-value").value), m = /^([WB])(\d+)$/.exec(e.key);
      if (isFinite(v)) { P[m[1]][+m[2]][e.i][e.j] = v; refresh(); }
    }
    var back = document.querySelector("#matrices td[data-key='" + e.key + "'][data-i='" + e.i + "'][data-j='" + e.j + "']");
    if (back) back.focus();
  }

  // ---- live training ----
  function trainSteps(n) { // n steps of full-batch gradient descent: P ← P − η·dP
    if (!live) return;
    for (var s = 0; s < n; s++) {
      var q = compute(net, P, lr);
      history.push(q.C);
      for (var l = 1; l <= L; l++) { P.W[l] = q["W" + l + "_new"]; P.B[l] = q["B" + l + "_new"]; }
    }
  }
  function refresh() {
    recompute();
    fillGrids();
    buildDiagram();
    stepTo(stepIndex);
    if (selected) explain(selected.key, selected.i, selected.j);
    drawCurve();
    $("live-status").textContent = live ? "steps trained: " + history.length + "; cost now C = " + num(V.C) : "";
  }
  function drawCurve() {
    var s = $("curve"), w = 320, h = 120;
    s.setAttribute("viewBox", "0 0 " + w + " " + h);
    s.textContent = "";
    var pts = history.concat(live ? [V.C] : []);
    if (pts.length < 2) {
      s.appendChild(svg("text", { x: 10, y: 60, "class": "axis" }, "the cost C after each step appears here"));
      return;
    }
    var lo = Math.min.apply(null, pts), hi = Math.max.apply(null, pts), span = hi - lo || 1;
    var path = pts.map(function (c, k) {
      return (k ? "L" : "M") + (40 + 270 * k / (pts.length - 1)).toFixed(1) + " " + (10 + 90 * (hi - c) / span).toFixed(1);
    }).join(" ");
    s.appendChild(svg("path", { d: path, "class": "loss" }));
    s.appendChild(svg("text", { x: 2, y: 14, "class": "axis" }, num(hi)));
    s.appendChild(svg("text", { x: 2, y: 100, "class": "axis" }, num(lo)));
    s.appendChild(svg("text", { x: 40, y: 116, "class": "axis" }, "cost C over " + (pts.length - 1) + " steps"));
  }
  var timer = null;
  function run() {
    if (timer || !live) return;
    $("run").disabled = true; $("pause").disabled = false;
    timer = setInterval(function () { trainSteps(5); refresh(); }, 50);
  }
  function pause() {
    if (timer) clearInterval(timer);
    timer = null;
    $("run").disabled = !live; $("pause").disabled = true;
  }
  function reset() {
    pause();
    P = { W: initial.W.map(cp), B: initial.B.map(cp) };
    history = [];
    refresh();
  }
  function setActivation(name) {
    if (!PAGE.choices.length) return;
    net.hidden = net.hidden.map(function () { return name; });
    setMeta(name === PAGE.hidden ? { network: DATA.network, activations: DATA.activations, quantities: DATA.quantities }
      : PAGE.variants[name]);
    buildMatrices();
    history = [];
    refresh();
  }

  // ---- keyboard and pointer ----
  function onGridKey(ev, td) {
    var t = td.closest("table"), i = +td.dataset.i, j = +td.dataset.j, di = 0, dj = 0;
    if (ev.key === "ArrowUp") di = -1; else if (ev.key === "ArrowDown") di = 1;
    else if (ev.key === "ArrowLeft") dj = -1; else if (ev.key === "ArrowRight") dj = 1;
    else if ((ev.key === "Enter" || ev.key === " ") && /^[WB]\d+$/.test(td.dataset.key)) {
      ev.preventDefault(); startEdit(td.dataset.key, i, j); return true;
    } else return false;
    ev.preventDefault();
    var cells = Array.prototype.slice.call(t.querySelectorAll("td[data-key]"));
    var rowsI = cells.map(function (c) { return +c.dataset.i; }).filter(function (v, k, a) { return a.indexOf(v) === k; });
    var colsJ = cells.map(function (c) { return +c.dataset.j; }).filter(function (v, k, a) { return a.indexOf(v) === k; });
    var ni = rowsI[Math.max(0, Math.min(rowsI.length - 1, rowsI.indexOf(i) + di))];
    var nj = colsJ[Math.max(0, Math.min(colsJ.length - 1, colsJ.indexOf(j) + dj))];
    var next = t.querySelector("td[data-i='" + ni + "'][data-j='" + nj + "']");
    if (next) { td.tabIndex = -1; next.tabIndex = 0; next.focus(); }
    return true;
  }
  function wire() {
    $("first").onclick = function () { stepTo(0); };
    $("prev").onclick = function () { stepTo(stepIndex - 1); };
    $("next").onclick = function () { stepTo(stepIndex + 1); };
    $("last").onclick = function () { stepTo(meta.quantities.length - 1); };
    document.addEventListener("keydown", function (ev) {
      var t = ev.target;
      if (t && t.matches && t.matches("td[data-key]") && onGridKey(ev, t)) return;
      if (t && t.matches && t.matches("input, select, textarea")) {
        if (t.id === "edit-value" && ev.key === "Enter") finishEdit(true);
        if (t.id === "edit-value" && ev.key === "Escape") finishEdit(false);
        return;
      }
      var moves = { ArrowRight: stepIndex + 1, ArrowLeft: stepIndex - 1, Home: 0, End: meta.quantities.length - 1 };
      if (ev.key in moves && !ev.altKey && !ev.ctrlKey && !ev.metaKey) { ev.preventDefault(); stepTo(moves[ev.key]); }
    });
    var box = $("matrices");
    var show = function (ev) {
      var td = ev.target.closest ? ev.target.closest("td[data-key]") : null;
      if (td) explain(td.dataset.key, +td.dataset.i, +td.dataset.j);
    };
    box.addEventListener("mouseover", show);
    box.addEventListener("focusin", show);
    box.addEventListener("click", function (ev) {
      var td = ev.target.closest ? ev.target.closest("td[data-key]") : null;
      if (td && /^[WB]\d+$/.test(td.dataset.key)) startEdit(td.dataset.key, +td.dataset.i, +td.dataset.j);
    });
    $("edit-set").onclick = function () { finishEdit(true); };
    $("edit-cancel").onclick = function () { finishEdit(false); };
    $("train-step").onclick = function () { trainSteps(1); refresh(); };
    $("run").onclick = run;
    $("pause").onclick = pause;
    $("reset").onclick = reset;
    $("lr").value = String(lr);
    $("lr").onchange = function () {
      var v = parseFloat($("lr").value);
      if (isFinite(v) && v >= 0) { lr = v; refresh(); } else { $("lr").value = String(lr); }
    };
    var sel = $("act");
    PAGE.choices.forEach(function (a) { sel.appendChild(el("option", { value: a }, a)); });
    if (PAGE.choices.length) { sel.value = PAGE.hidden || PAGE.choices[0]; } else { sel.hidden = true; $("act-label").hidden = true; }
    sel.onchange = function () { setActivation(sel.value); };
    $("download-json").onclick = function () {
      download("trace.json", "application/json", JSON.stringify(traceJSON(), null, 1));
    };
    if (!live) {
      ["train-step", "run", "reset", "lr", "act"].forEach(function (id) { $(id).disabled = true; });
      $("live-why").textContent = "Live training is off for this network: " + PAGE.live + ".";
    }
  }

  setMeta(meta);
  $("about").textContent = DATA.network + "; " + net.X.length + " samples, loss " + DATA.loss +
    " (" + DATA.reduction + "), learning rate η = " + num(lr) + (live ? "; the page computes in float64" : "");
  wire();
  buildMatrices();
  refresh();
  stepTo(0);
  // for tests and for the curious: the page's state, read from the console
  window.glassnetExplorer = {
    train: function (n) { trainSteps(n); refresh(); return history.length; },
    trace: traceJSON, history: function () { return history.slice(); },
    step: function () { return stepIndex; }, origin: origin
  };
})();
