// Where each number came from: the computation of one cell with the numbers plugged in, and
// the cells it used. Inlined between maths.js and page.js (see glassnet/explorer/page.py);
// it reads the page's state (V, Q, net, lr, FD) when a cell is pointed at or focused.

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
