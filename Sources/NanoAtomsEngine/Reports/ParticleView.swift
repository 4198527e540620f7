import Foundation

/// The report's 3D view of the particle: a canvas drawn by a small script inside the page (no
/// library, no network), so `report.html` stays one file that works offline. Drag to turn,
/// wheel to zoom, double-click to reset; atoms coloured by any column with a colour bar;
/// thermal ellipsoids from U (the paper's Fig. 2c); atoms removed by validation and by
/// refinement shown on demand.
package enum ParticleView {
    /// The probability contour the ellipsoids are drawn at (50 %, ORTEP's usual): the radius
    /// along each principal axis is this × the RMS displacement (the 50 % point of a
    /// chi distribution with 3 degrees of freedom).
    package static let ellipsoidScale = 1.5382

    /// The data the script draws, as JSON: positions (0.01 Å), every numeric column (four
    /// significant digits; null where not a number), U where the anisotropic fit is valid, and
    /// the removed atoms with their reasons.
    package static func data(atoms: AtomSet, removed: [(position: Vector3, reason: String)],
                             refinedAway: [(position: Vector3, reason: String)], atomRadius: Double, defaultColumn: String) -> JSONValue {
        func coordinate(_ v: Double) -> JSONValue { .number((v * 100).rounded() / 100) }
        // Four significant digits are all a colour needs, and keep the page small.
        func rounded(_ v: Double) -> Double {
            guard v != 0 else { return 0 }
            let scale = Foundation.pow(10, 3 - Foundation.floor(Foundation.log10(Swift.abs(v))))
            return (v * scale).rounded() / scale
        }
        func value(_ v: Double) -> JSONValue { v.isFinite ? .number(rounded(v)) : .null }
        let uKeys = Statistic.anisotropicU.map(\.key)
        let valid = atoms[column: "aniso_valid"]
        let u = uKeys.map { atoms[column: $0] }
        let columns = atoms.columnNames.filter { !uKeys.contains($0) && $0 != "aniso_valid" && $0 != "atomic_number" }
        let tensors: [JSONValue] = atoms.positions.indices.map { i in
            guard let valid, valid[i] == 1, u.allSatisfy({ $0 != nil }) else { return .null }
            let t = u.map { $0![i] }
            return t.allSatisfy(\.isFinite) ? .array(t.map { .number(rounded($0)) }) : .null
        }
        func places(_ list: [(position: Vector3, reason: String)]) -> JSONValue {
            .array(list.map { .array([coordinate($0.position.x), coordinate($0.position.y), coordinate($0.position.z), .string($0.reason)]) })
        }
        return .object([
            ("x", .array(atoms.positions.map { coordinate($0.x) })),
            ("y", .array(atoms.positions.map { coordinate($0.y) })),
            ("z", .array(atoms.positions.map { coordinate($0.z) })),
            ("element", .array(atoms.elements.map { .string($0.symbol) })),
            ("radius", .number(atomRadius)),
            ("columns", .object(columns.map { c in (c, .array((atoms[column: c] ?? []).map(value))) })),
            ("labels", .object(columns.map { c in (c, .string(StatisticLabel(column: c).axisLabel)) })),
            ("colour", .string(columns.contains(defaultColumn) ? defaultColumn : (columns.first ?? ""))),
            ("u", .array(tensors)),
            ("ellipsoid_scale", .number(ellipsoidScale)),
            ("removed", places(removed)),
            ("refined_away", places(refinedAway)),
            ("viridis", .array(ColorMap.viridis.map { .string(ColorMap.hex($0.0, $0.1, $0.2)) })),
            ("missing", .string(ColorMap.missing)),
        ])
    }

    /// The section of the page: controls, the canvas, the colour bar, the data and the script.
    package static func html(data: JSONValue) -> String {
        // "</" cannot end the data early: JSON allows "<\/" for "</".
        let json = data.singleLine().replacingOccurrences(of: "</", with: "<\\/")
        return """
        <h2 id="view3d-section">The particle in 3D</h2>
        <div class="view3d">
        <p class="controls">Colour by <select id="view3d-colour" style="max-width: 22em"></select>
        <label><input type="checkbox" id="view3d-ellipsoids"> thermal ellipsoids (50 % probability, from U)</label>
        <label><input type="checkbox" id="view3d-removed"> removed by validation</label>
        <label><input type="checkbox" id="view3d-refined"> removed by refinement</label>
        <button type="button" data-axis="z">along z</button><button type="button" data-axis="y">along y</button><button type="button" data-axis="x">along x</button>
        <span id="view3d-status" data-status="loading"></span></p>
        <canvas id="view3d" width="720" height="560" aria-label="the particle in 3D: drag to turn, wheel to zoom, double-click to reset"></canvas>
        <canvas id="view3d-bar" width="720" height="46" aria-label="colour bar"></canvas>
        <p><small>Drag to turn, wheel to zoom, double-click to reset. Grey: no valid value. Red rings: atoms validation removed; orange rings: atoms refinement removed or merged (their reasons are in the tables below).</small></p>
        </div>
        <script type="application/json" id="view3d-data">\(json)</script>
        <script>\(script)</script>

        """
    }

    /// The drawing script (plain ES2017, no dependencies).
    static let script = """
    (function () {
      var status = document.getElementById('view3d-status');
      function fail(message) { status.setAttribute('data-status', 'error'); status.textContent = 'The 3D view failed: ' + message; }
      try {
        var D = JSON.parse(document.getElementById('view3d-data').textContent);
        var canvas = document.getElementById('view3d'), ctx = canvas.getContext('2d');
        var bar = document.getElementById('view3d-bar'), bctx = bar.getContext('2d');
        var select = document.getElementById('view3d-colour');
        var boxes = { ell: document.getElementById('view3d-ellipsoids'), rem: document.getElementById('view3d-removed'),
                      ref: document.getElementById('view3d-refined') };
        var n = D.x.length, cx = 0, cy = 0, cz = 0, extent = 1, i;
        for (i = 0; i < n; i++) { cx += D.x[i]; cy += D.y[i]; cz += D.z[i]; }
        if (n > 0) { cx /= n; cy /= n; cz /= n; }
        for (i = 0; i < n; i++) {
          extent = Math.max(extent, Math.hypot(D.x[i] - cx, D.y[i] - cy, D.z[i] - cz) + D.radius);
        }
        Object.keys(D.columns).forEach(function (c) {
          var o = document.createElement('option'); o.value = c; o.textContent = D.labels[c] || c; select.appendChild(o);
        });
        select.value = D.colour;
        var R = [1, 0, 0, 0, 1, 0, 0, 0, 1], zoom = 1;
        function multiply(A, B) {
          var C = new Array(9);
          for (var r = 0; r < 3; r++) for (var c = 0; c < 3; c++) C[3 * r + c] = A[3 * r] * B[c] + A[3 * r + 1] * B[3 + c] + A[3 * r + 2] * B[6 + c];
          return C;
        }
        function turn(ax, ay) {
          var a = Math.cos(ax), b = Math.sin(ax), c = Math.cos(ay), d = Math.sin(ay);
          R = multiply(multiply([1, 0, 0, 0, c, -d, 0, d, c], [a, 0, b, 0, 1, 0, -b, 0, a]), R);
        }
        function colourAt(t) {
          var v = D.viridis, x = Math.min(Math.max(t, 0), 1) * (v.length - 1), k = Math.min(Math.floor(x), v.length - 2), f = x - k;
          function ch(s, o) { return parseInt(s.substr(1 + 2 * o, 2), 16); }
          var rgb = [0, 1, 2].map(function (o) { return Math.round(ch(v[k], o) + f * (ch(v[k + 1], o) - ch(v[k], o))); });
          return 'rgb(' + rgb.join(',') + ')';
        }
        function range(values) {
          var lo = Infinity, hi = -Infinity;
          values.forEach(function (v) { if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); } });
          if (!(lo <= hi)) return null;
          if (hi === lo) { lo -= 0.5; hi += 0.5; }
          return [lo, hi];
        }
        function drawBar(column, r) {
          bctx.clearRect(0, 0, bar.width, bar.height);
          bctx.font = '12px sans-serif'; bctx.fillStyle = '#222';
          if (!r) { bctx.fillText((D.labels[column] || column) + ': no valid values', 10, 20); return; }
          for (var x = 0; x < 400; x++) { bctx.fillStyle = colourAt(x / 399); bctx.fillRect(60 + x, 4, 1, 16); }
          bctx.fillStyle = '#222';
          bctx.fillText(String(+r[0].toPrecision(4)), 10, 17); bctx.fillText(String(+r[1].toPrecision(4)), 466, 17);
          bctx.fillText(D.labels[column] || column, 60, 38);
        }
        function draw() {
          var w = canvas.width, h = canvas.height, s = zoom * 0.46 * Math.min(w, h) / extent;
          var column = select.value, values = D.columns[column] || [], r = range(values);
          ctx.fillStyle = '#ffffff'; ctx.fillRect(0, 0, w, h);
          var sx = new Float64Array(n), sy = new Float64Array(n), sz = new Float64Array(n), order = new Array(n);
          for (i = 0; i < n; i++) {
            var px = D.x[i] - cx, py = D.y[i] - cy, pz = D.z[i] - cz;
            sx[i] = w / 2 + s * (R[0] * px + R[1] * py + R[2] * pz);
            sy[i] = h / 2 - s * (R[3] * px + R[4] * py + R[5] * pz);
            sz[i] = R[6] * px + R[7] * py + R[8] * pz;
            order[i] = i;
          }
          order.sort(function (a, b) { return sz[a] - sz[b]; });   // far atoms first
          var drawn = 0, ellipses = 0;
          order.forEach(function (k) {
            var v = values[k], fill = (v === null || v === undefined || !r) ? D.missing : colourAt((v - r[0]) / (r[1] - r[0]));
            ctx.fillStyle = fill; ctx.strokeStyle = 'rgba(0,0,0,0.55)'; ctx.lineWidth = 0.6;
            ctx.beginPath();
            var U = D.u[k];
            if (boxes.ell.checked && U) {
              // The projection of the ellipsoid is the 2D marginal of R U Rᵀ (screen y points down).
              var M = [U[0], U[3], U[4], U[3], U[1], U[5], U[4], U[5], U[2]];
              var RM = multiply(R, M), RT = [R[0], R[3], R[6], R[1], R[4], R[7], R[2], R[5], R[8]], S = multiply(RM, RT);
              var a = S[0], b = -S[1], c = S[4], half = (a + c) / 2, d = Math.sqrt(Math.max(0, (a - c) * (a - c) / 4 + b * b));
              var l1 = Math.max(half + d, 0), l2 = Math.max(half - d, 0), angle = 0.5 * Math.atan2(2 * b, a - c);
              ctx.ellipse(sx[k], sy[k], Math.max(0.5, D.ellipsoid_scale * Math.sqrt(l1) * s), Math.max(0.5, D.ellipsoid_scale * Math.sqrt(l2) * s), angle, 0, 2 * Math.PI);
              ellipses++;
            } else {
              ctx.arc(sx[k], sy[k], Math.max(0.5, 0.5 * D.radius * s), 0, 2 * Math.PI);
            }
            ctx.fill(); ctx.stroke(); drawn++;
          });
          function rings(list, colour) {
            ctx.strokeStyle = colour; ctx.lineWidth = 2;
            list.forEach(function (p) {
              var px = p[0] - cx, py = p[1] - cy, pz = p[2] - cz;
              ctx.beginPath();
              ctx.arc(w / 2 + s * (R[0] * px + R[1] * py + R[2] * pz), h / 2 - s * (R[3] * px + R[4] * py + R[5] * pz), Math.max(2, 0.5 * D.radius * s), 0, 2 * Math.PI);
              ctx.stroke();
            });
            return list.length;
          }
          var removed = boxes.rem.checked ? rings(D.removed, '#d62728') : 0;
          var refined = boxes.ref.checked ? rings(D.refined_away, '#ff7f0e') : 0;
          drawBar(column, r);
          canvas.setAttribute('data-drawn', String(drawn));
          canvas.setAttribute('data-ellipses', String(ellipses));
          canvas.setAttribute('data-rings', String(removed + refined));
          status.setAttribute('data-status', 'ok');
          status.textContent = drawn + ' atoms' + (ellipses ? ', ' + ellipses + ' ellipsoids' : '');
        }
        var dragging = null;
        canvas.addEventListener('pointerdown', function (e) { dragging = [e.clientX, e.clientY]; canvas.setPointerCapture(e.pointerId); });
        canvas.addEventListener('pointermove', function (e) {
          if (!dragging) return;
          turn((e.clientX - dragging[0]) * 0.01, (e.clientY - dragging[1]) * 0.01);
          dragging = [e.clientX, e.clientY]; draw();
        });
        canvas.addEventListener('pointerup', function () { dragging = null; });
        canvas.addEventListener('wheel', function (e) { e.preventDefault(); zoom = Math.min(20, Math.max(0.2, zoom * Math.exp(-e.deltaY * 0.001))); draw(); }, { passive: false });
        canvas.addEventListener('dblclick', function () { R = [1, 0, 0, 0, 1, 0, 0, 0, 1]; zoom = 1; draw(); });
        document.querySelectorAll('.view3d button[data-axis]').forEach(function (b) {
          b.addEventListener('click', function () {
            var axis = b.getAttribute('data-axis');
            R = axis === 'z' ? [1, 0, 0, 0, 1, 0, 0, 0, 1] : axis === 'y' ? [1, 0, 0, 0, 0, 1, 0, -1, 0] : [0, 1, 0, 0, 0, 1, 1, 0, 0];
            draw();
          });
        });
        [select, boxes.ell, boxes.rem, boxes.ref].forEach(function (el) { el.addEventListener('change', draw); });
        // Settings from the address (report.html#ellipsoids,removed,colour=uiso), so a view can be linked and tested.
        location.hash.replace(/^#/, '').split(',').forEach(function (word) {
          if (word === 'ellipsoids') boxes.ell.checked = true;
          if (word === 'removed') boxes.rem.checked = true;
          if (word === 'refined') boxes.ref.checked = true;
          if (word.indexOf('colour=') === 0 && D.columns[word.slice(7)]) select.value = word.slice(7);
          if (word.indexOf('turn=') === 0) { var t = word.slice(5).split(':').map(Number); turn(t[0] || 0, t[1] || 0); }
        });
        draw();
      } catch (e) { fail(e && e.message ? e.message : String(e)); throw e; }
    })();
    """
}
