// The explorer page: step through one forward and backward pass, see where each number came
// from, and train live. No libraries, no requests: everything is in the page. Inlined after
// maths.js inside one function (see glassnet/explorer/page.py).

var DATA = JSON.parse(document.getElementById("glassnet-data").textContent);
var PAGE = DATA.page;
var L = DATA.sizes.length - 1;
var MAX = PAGE.max_shown; // rows, columns and units shown before a summary
var H = 1e-6; // the finite-difference step, as glassnet.gradcheck
var MAX_FD = 400; // finite differences for up to this many parameters

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
    if (q.phase === "gradient") card.appendChild(el("div", { "class": "fd", id: "fd-" + q.key }));
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

function fillChecks() { // each dW and dB beside its finite difference and relative error
  document.querySelectorAll("#matrices .fd").forEach(function (box) {
    var key = box.id.slice(3), q = Q[key], was = box.querySelector("details");
    var open = was ? was.open : false; // kept open across steps of training
    box.textContent = "";
    if (!FD || !FD[key]) {
      box.appendChild(el("p", {}, live ? "Finite-difference check: off past " + MAX_FD + " parameters."
        : "Finite-difference check: needs live training (see Train live)."));
      return;
    }
    var worst = 0, t = el("table", { "class": "grid fdgrid", "aria-label": "finite-difference check of " + q.name });
    var head = el("tr");
    ["entry", "analytic", "finite diff.", "rel. error"].forEach(function (h) { head.appendChild(el("th", {}, h)); });
    t.appendChild(head);
    var rows = shown(q.shape[0]), cols = shown(q.shape[1]);
    rows.forEach(function (i) {
      cols.forEach(function (j) {
        if (i === null || j === null) return;
        var g = V[key][i][j], n = FD[key][i][j], r = relError(g, n);
        worst = Math.max(worst, r);
        var tr = el("tr");
        [idx(key, i, j), num(g), num(n), sci(r)].forEach(function (c) { tr.appendChild(el("td", {}, c)); });
        t.appendChild(tr);
      });
    });
    box.appendChild(el("p", {}, "Finite-difference check, (C(p + h) − C(p − h)) / 2h with h = 1e-6: " +
      "largest relative error " + sci(worst) + (worst < 1e-5 ? " (agrees)" : " (check this!)")));
    var more = el("details");
    more.open = open;
    more.appendChild(el("summary", {}, "each entry"));
    more.appendChild(t);
    box.appendChild(more);
  });
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
  fillChecks();
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
  step: function () { return stepIndex; }, origin: origin, number: num
};
