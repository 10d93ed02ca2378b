// The HCL page: a table of (device, release) certifications with filters. The data comes
// from hcl-data.js (window.HCL_DATA), so the page works from file:// where fetch() is
// blocked. Filters are read from and written to the URL query (?q=&vendor=&did=&type=
// &driver=&release=&status=&feature=), so a link shows the same selection.
(function () {
  "use strict";
  var data = window.HCL_DATA;
  var fields = ["q", "vendor", "did", "type", "driver", "release", "status", "feature"];
  var rows = [];

  function el(id) { return document.getElementById(id); }

  function text(tag, s, cls) {
    var e = document.createElement(tag);
    e.textContent = s;
    if (cls) e.className = cls;
    return e;
  }

  function flatten() {
    data.entries.forEach(function (e) {
      Object.keys(e.releases).forEach(function (rel) {
        var c = e.releases[rel];
        rows.push({ e: e, rel: rel, c: c,
          hay: [e.vendor, e.model, e.vid + ":" + e.did, e.svid + ":" + e.ssid, e.type, rel,
                c.driver, c.driver_version, c.firmware || "", c.features.join(" "),
                c.status].join(" ").toLowerCase() });
      });
    });
  }

  // What the certification's runs covered: "full" when every configuration that applies
  // to the device ran and passed, else "partial" with what was not run and why.
  function coverage(c) {
    var td = document.createElement("td"), v = c.coverage;
    if (!v) { td.textContent = "not stated"; td.className = "coverage unknown"; return td; }
    var nr = v.not_run.length, d = document.createElement("details");
    var sum = document.createElement("summary");
    td.className = "coverage " + (nr ? "partial" : "full");
    sum.textContent = (nr ? "partial: " : "full: ") + v.passed.length + " of " +
      (v.passed.length + nr) + " configurations";
    d.appendChild(sum);
    d.appendChild(text("div", "passed: " + v.passed.join(", "), "passed"));
    v.not_run.forEach(function (n) {
      d.appendChild(text("div", "not run: " + n.name + " (" + n.reason + ")", "notrun"));
    });
    v.not_applicable.forEach(function (n) {
      d.appendChild(text("div", "not applicable: " + n.name + " (" + n.reason + ")", "na"));
    });
    td.appendChild(d);
    return td;
  }

  function fillSelect(id, values) {
    var s = el(id);
    values.sort().forEach(function (v) {
      var o = document.createElement("option");
      o.value = v; o.textContent = v;
      s.appendChild(o);
    });
  }

  function uniq(f) {
    var seen = {};
    rows.forEach(function (r) { seen[f(r)] = 1; });
    return Object.keys(seen);
  }

  function current() {
    var f = {};
    fields.forEach(function (k) { f[k] = el(k).value.trim(); });
    return f;
  }

  function matches(r, f) {
    if (f.q && r.hay.indexOf(f.q.toLowerCase()) < 0) return false;
    if (f.vendor && r.e.vendor !== f.vendor) return false;
    if (f.did) {
      var want = f.did.toLowerCase();
      var id = r.e.vid + ":" + r.e.did;
      if (want.indexOf(":") < 0 ? r.e.did !== want : id !== want) return false;
    }
    if (f.type && r.e.type !== f.type) return false;
    if (f.driver && r.c.driver !== f.driver) return false;
    if (f.release && r.rel !== f.release) return false;
    if (f.status && r.c.status !== f.status) return false;
    if (f.feature && r.c.features.indexOf(f.feature) < 0) return false;
    return true;
  }

  function render() {
    var f = current(), body = el("rows"), shown = 0;
    body.textContent = "";
    rows.forEach(function (r) {
      if (!matches(r, f)) return;
      var tr = document.createElement("tr");
      tr.className = "row " + r.c.status;
      tr.setAttribute("data-key", [r.e.vid, r.e.did, r.e.svid, r.e.ssid, r.rel].join(":"));
      tr.appendChild(text("td", r.e.vendor));
      tr.appendChild(text("td", r.e.model));
      tr.appendChild(text("td", r.e.vid + ":" + r.e.did, "id"));
      tr.appendChild(text("td", r.e.svid + ":" + r.e.ssid, "id"));
      tr.appendChild(text("td", r.e.type));
      tr.appendChild(text("td", r.rel));
      tr.appendChild(text("td", r.c.driver + " " + r.c.driver_version, "driver"));
      // The firmware rule as hcl check states it, and the certified build's sha256.
      var m = r.c.firmware_match || (r.c.firmware ? "exact" : "any");
      var fw = !r.c.firmware ? "any" : m === "minimum" ? "at least " + r.c.firmware :
        m === "any" ? r.c.firmware + " (any accepted)" : r.c.firmware;
      var ftd = text("td", fw, "firmware");
      if (r.c.module_sha256) {
        var b = document.createElement("div");
        b.className = "build";
        b.title = "the certified module file's sha256: hvkernel binds only this build";
        b.textContent = "build " + r.c.module_sha256.slice(0, 12);
        ftd.appendChild(b);
      }
      tr.appendChild(ftd);
      // Features: each proven by certify tests its runs passed (hcl features, docs/hcl.md).
      var ftr = text("td", r.c.features.length ? "" : "none listed", "features");
      r.c.features.forEach(function (x) { ftr.appendChild(text("span", x, "feature")); });
      tr.appendChild(ftr);
      tr.appendChild(text("td", r.c.status, "status"));
      tr.appendChild(text("td", r.c.certified));
      tr.appendChild(text("td", r.c.runs.join(", ")));
      tr.appendChild(coverage(r.c));
      body.appendChild(tr);
      shown++;
    });
    el("count").textContent = shown;
    var q = fields.filter(function (k) { return f[k]; })
      .map(function (k) { return k + "=" + encodeURIComponent(f[k]); }).join("&");
    try { history.replaceState(null, "", q ? "?" + q : location.pathname); } catch (e) { }
  }

  function readQuery() {
    location.search.replace(/^\?/, "").split("&").forEach(function (kv) {
      if (!kv) return;
      var i = kv.indexOf("="), k = decodeURIComponent(i < 0 ? kv : kv.slice(0, i));
      var v = i < 0 ? "" : decodeURIComponent(kv.slice(i + 1).replace(/\+/g, " "));
      if (fields.indexOf(k) >= 0) el(k).value = v;
    });
  }

  function staleness() {
    var gen = Date.parse(data.generated), days = Math.floor((Date.now() - gen) / 86400000);
    if (days > 90) {
      var s = el("stale");
      s.textContent = "This list is " + days + " days old; a newer one may exist.";
      s.hidden = false;
    }
  }

  if (!data) { el("count").textContent = "no data (hcl-data.js missing)"; return; }
  flatten();
  el("total").textContent = rows.length;
  fillSelect("vendor", uniq(function (r) { return r.e.vendor; }));
  fillSelect("driver", uniq(function (r) { return r.c.driver; }));
  fillSelect("release", data.releases.slice());
  var feats = {};
  rows.forEach(function (r) { r.c.features.forEach(function (x) { feats[x] = 1; }); });
  fillSelect("feature", Object.keys(feats));
  readQuery();
  staleness();
  fields.forEach(function (k) {
    el(k).addEventListener("input", render);
    el(k).addEventListener("change", render);
  });
  el("filters").addEventListener("submit", function (ev) { ev.preventDefault(); render(); });
  render();
})();
