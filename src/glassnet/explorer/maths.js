// glassnet's arithmetic in plain JavaScript (float64), operation for operation as
// layers.py, activations.py, losses.py and optimizers.SGD compute it, so that N steps in the
// page equal N steps of glassnet. The page (page.js) is inlined after this file, inside one
// function: L, the number of layers, is set there before anything here runs.

// ---- numbers: as glassnet.trace.render.number (4 decimals, trailing zeros dropped) ----
function num(v) {
  if (v === 0) return "0";
  if (!isFinite(v)) return isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  var a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) { // Python's "{:.4g}": 4 significant digits, e-05 style
    var s = v.toExponential(3).split("e");
    var mant = s[0].replace(/0+$/, "").replace(/\.$/, "");
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
