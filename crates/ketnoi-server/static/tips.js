// ketnoi tip pages: sealing a tip in the citizen's browser, following it by receipt code, and
// opening, answering and keeping the keys of tips in the unit's console.
//
// All cryptography is window.ketnoiSeal's (seal.js). This file gathers what people typed, moves
// ciphertext to and from the API, and shows what was opened. Plaintext, keys and passphrases
// live in this page's memory only: nothing is stored in the browser, and nothing in clear is sent.
//
// Without JavaScript, or where WebCrypto is missing (a page that is neither HTTPS nor
// localhost), the citizen's forms post to the server, which seals in memory and says so; the
// console's key pages need this script and say that instead. Their passphrase fields have no
// `name`, so a form submitted before this script runs sends no passphrase anywhere.
(function () {
  "use strict";

  var seal = window.ketnoiSeal;
  if (!seal) { return; }

  // --- Small helpers --------------------------------------------------------------------------

  function $(root, css) { return root.querySelector(css); }

  function show(el, on) { if (el) { el.hidden = !on; } }

  function say(root, css, text) {
    var el = $(root, css);
    if (el) { el.textContent = text || ""; show(el, !!text); }
  }

  // A request to the API; a problem+json answer becomes an Error carrying its title and code.
  function api(path, options) {
    return fetch(path, options).then(function (response) {
      if (response.ok) {
        var type = response.headers.get("Content-Type") || "";
        if (response.status === 204 || response.status === 201 && type.indexOf("json") < 0) {
          return null;
        }
        return type.indexOf("json") >= 0 ? response.json() : response.arrayBuffer();
      }
      return response.json().catch(function () { return {}; }).then(function (problem) {
        var error = new Error(problem.title || response.statusText);
        error.code = problem.code;
        error.status = response.status;
        throw error;
      });
    });
  }

  function jsonOptions(method, body, credentials) {
    return {
      method: method,
      credentials: credentials || "same-origin",
      headers: { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body)
    };
  }

  function readFile(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(new Uint8Array(reader.result)); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsArrayBuffer(file);
    });
  }

  // A photo redrawn through a canvas: only the pixels survive, so EXIF (GPS, camera, time) and
  // every other metadata block is gone. The browser applies the EXIF orientation when decoding,
  // so the picture keeps its way up. Rejects a picture the browser cannot decode.
  function redrawPhoto(file) {
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var canvas = document.createElement("canvas");
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
      canvas.getContext("2d").drawImage(bitmap, 0, 0);
      bitmap.close();
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) {
          if (!blob) { reject(new Error("photo")); return; }
          blob.arrayBuffer().then(function (b) { resolve(new Uint8Array(b)); }, reject);
        }, "image/jpeg", 0.9);
      });
    });
  }

  function jpegName(name) {
    var dot = name.lastIndexOf(".");
    return (dot > 0 ? name.slice(0, dot) : name || "anh") + ".jpg";
  }

  function plainFile(file) {
    if (/^image\//.test(file.type)) {
      return redrawPhoto(file).then(function (bytes) {
        return { name: jpegName(file.name), type: "image/jpeg", bytes: bytes };
      });
    }
    return readFile(file).then(function (bytes) {
      return { name: file.name, type: file.type || "application/octet-stream", bytes: bytes };
    });
  }

  function utf8(text) { return new TextEncoder().encode(text); }

  // Standard base64, for data: addresses.
  function base64(bytes) {
    var text = "";
    for (var i = 0; i < bytes.length; i += 0x8000) {
      text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(text);
  }

  function download(name, bytes, type) {
    var url = URL.createObjectURL(new Blob([bytes], { type: type || "application/octet-stream" }));
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  // --- The citizen's form -----------------------------------------------------------------------

  function sealingNotices(on) {
    document.querySelectorAll("[data-tip-sealing]").forEach(function (el) {
      el.hidden = (el.getAttribute("data-tip-sealing") === "browser") !== on;
    });
  }

  function startForm(form) {
    if (!seal.available()) { return; } // The form posts to the server, which seals.
    sealingNotices(true);
    var slug = form.getAttribute("data-account");
    var busy = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) { return; }
      var f = form.elements;
      var mode = (form.querySelector("input[name=mode]:checked") || {}).value || "anonymous";
      var occurred = f.occurred_date.value + (f.occurred_time.value ? "T" + f.occurred_time.value : "");
      var description = f.description.value.trim().normalize("NFC");
      if (!description) {
        say(form, "[data-tip-error]", form.getAttribute("data-msg-no-description"));
        f.description.focus();
        return;
      }
      if (!f.occurred_date.value) {
        say(form, "[data-tip-error]", form.getAttribute("data-msg-no-date"));
        f.occurred_date.focus();
        return;
      }
      busy = true;
      say(form, "[data-tip-error]", "");
      say(form, "[data-tip-progress]", form.getAttribute("data-msg-sealing"));
      var clear = { account: slug, category: f.category.value, area: f.area.value,
                    occurred: occurred, mode: mode };
      var details = {};
      var place = f.place.value.trim().normalize("NFC");
      if (place) { details.place = place; }
      var files = Array.prototype.slice.call(f.attachment.files || []);
      Promise.all(files.map(plainFile)).catch(function () {
        var error = new Error(form.getAttribute("data-msg-bad-photo"));
        throw error;
      }).then(function (plain) {
        return send(slug, clear, description, details, plain, mode, 1);
      }).then(function (code) {
        form.hidden = true;
        var done = document.querySelector("[data-tip-done]");
        $(done, "[data-tip-code]").textContent = code;
        done.hidden = false;
        done.focus();
      }).catch(function (error) {
        say(form, "[data-tip-error]", error.message);
      }).then(function () {
        busy = false;
        say(form, "[data-tip-progress]", "");
      });
    });
  }

  // Seals to the units that receive a tip about the place, and sends. A unit that rotated its
  // key in between answers tip-stale-keys: the keys are fetched again, once.
  function send(slug, clear, description, details, files, mode, retries) {
    var base = "/api/v1/accounts/" + encodeURIComponent(slug) + "/tips";
    var code = seal.newReceipt();
    var receipt;
    return api(base + "/recipients?area=" + encodeURIComponent(clear.area), { credentials: "omit" })
      .then(function (answer) {
        return seal.deriveReceipt(code).then(function (r) {
          receipt = r;
          return seal.sealReport({
            clear: clear,
            recipients: answer.units.map(function (u) { return seal.unb64u(u.public); }),
            description: description,
            details: details,
            files: files,
            replyKey: r.replyKey
          });
        });
      }).then(function (sealed) {
        var body = new FormData();
        body.append("envelope", new Blob([JSON.stringify(sealed.envelope)], { type: "application/json" }));
        body.append("receipt", new Blob([JSON.stringify({ lookup: receipt.lookup, auth: receipt.auth })],
          { type: "application/json" }));
        sealed.attachments.forEach(function (bytes) {
          body.append("attachment", new Blob([bytes], { type: "application/octet-stream" }), "blob");
        });
        // An anonymous tip carries no cookie at all: the server could not link it to a session
        // even if it tried.
        return api(base, { method: "POST", body: body,
                           credentials: mode === "anonymous" ? "omit" : "same-origin" });
      }).then(function () {
        return code;
      }, function (error) {
        if (error.code === "tip-stale-keys" && retries > 0) {
          return send(slug, clear, description, details, files, mode, retries - 1);
        }
        throw error;
      });
  }

  // --- Following a tip by receipt code ------------------------------------------------------------

  function messageItem(mine, who, at, text) {
    var li = document.createElement("li");
    li.className = mine ? "mine" : "theirs";
    var meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = who + " · " + new Date(at).toLocaleString();
    var p = document.createElement("p");
    p.textContent = text;
    li.appendChild(meta);
    li.appendChild(p);
    return li;
  }

  // A label the page gave in its language, with `{name}` filled in.
  function label(section, key, values) {
    var text = section.getAttribute("data-l-" + key) || "";
    Object.keys(values || {}).forEach(function (name) { text = text.replace("{" + name + "}", values[name]); });
    return text;
  }

  // A time as the server's pages show it: dd/mm/yyyy HH:MM in Vietnam's time, whatever the
  // device's own zone.
  var vnTime = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Asia/Ho_Chi_Minh", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23"
  });
  function localTime(rfc3339) {
    var parts = {};
    vnTime.formatToParts(new Date(rfc3339)).forEach(function (p) { parts[p.type] = p.value; });
    return parts.day + "/" + parts.month + "/" + parts.year + " " + parts.hour + ":" + parts.minute;
  }

  // Where the case stands for its reporter: status, closing reason, deadline, history.
  function showCase(section, answer) {
    $(section, "[data-tip-status-text]").textContent = label(section, "status-" + answer.status) || answer.status;
    $(section, "[data-tip-closing]").textContent = answer.closing ? label(section, "closing-" + answer.closing) : "";
    var deadline = $(section, "[data-tip-deadline]");
    var overdue = answer.status !== "closed" && new Date(answer.deadline_at) < new Date();
    deadline.textContent = label(section, "deadline", { deadline: localTime(answer.deadline_at) }) +
      (overdue ? " — " + label(section, "overdue") : "");
    deadline.className = overdue ? "overdue" : "";
    var ol = $(section, "[data-tip-history]");
    ol.textContent = "";
    (answer.history || []).forEach(function (e) {
      var text = "";
      if (e.kind === "status") {
        text = label(section, "event-status-" + e.status);
        if (e.closing) { text += " — " + label(section, "closing-" + e.closing); }
      } else if (e.kind === "extension-approved") {
        text = label(section, "event-extended", { deadline: localTime(e.deadline_at) });
      } else if (e.kind === "transferred") {
        text = label(section, "event-moved", { unit: e.to_unit || "" });
      }
      var li = document.createElement("li");
      var meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = localTime(e.at);
      li.appendChild(meta);
      li.appendChild(document.createTextNode(" " + text));
      ol.appendChild(li);
    });
  }

  function startReceipt(form) {
    if (!seal.available()) { return; } // Posted to the server, which derives in memory.
    var section = document.querySelector("[data-tip-status]");
    var add = document.querySelector("form[data-tip-add]");
    var current = null;

    function load(code) {
      return seal.deriveReceipt(code).then(function (r) {
        current = r;
        return api("/api/v1/tips/receipt",
          jsonOptions("POST", { lookup: r.lookup, auth: r.auth }, "omit"));
      }).then(function (answer) {
        showCase(section, answer);
        var list = $(section, "[data-tip-messages]");
        list.textContent = "";
        return Promise.all(answer.messages.map(function (m) {
          return seal.openMessage(current.replyKey, m.author, m.sealed).catch(function () {
            return section.getAttribute("data-unreadable");
          }).then(function (text) {
            var unit = m.author === "unit";
            return messageItem(!unit, section.getAttribute(unit ? "data-from-unit" : "data-from-you"),
              m.at, text);
          });
        })).then(function (items) {
          items.forEach(function (li) { list.appendChild(li); });
          section.hidden = false;
        });
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var code = form.elements.code.value;
      say(form, "[data-tip-error]", "");
      if (!seal.parseReceipt(code)) {
        say(form, "[data-tip-error]", form.getAttribute("data-msg-bad-code"));
        return;
      }
      load(code).catch(function (error) { say(form, "[data-tip-error]", error.message); });
    });

    if (add) {
      add.addEventListener("submit", function (event) {
        event.preventDefault();
        var text = add.elements.text.value.trim().normalize("NFC");
        if (!current || !text) { return; }
        seal.sealMessage(current.replyKey, "reporter", text).then(function (sealed) {
          return api("/api/v1/tips/receipt/messages", jsonOptions("POST",
            { lookup: current.lookup, auth: current.auth, sealed: sealed }, "omit"));
        }).then(function () {
          add.elements.text.value = "";
          return load(form.elements.code.value);
        }).catch(function (error) { say(form, "[data-tip-error]", error.message); });
      });
    }
  }

  // --- The unit's keys, opened with the officer's passphrase --------------------------------------

  function keysOf(unit) {
    return api("/api/v1/units/" + encodeURIComponent(unit) + "/tip-keys", { credentials: "same-origin" });
  }

  // The officer's own key, opened with the passphrase, and every unit key they hold a copy of.
  function unlock(view, passphrase, messages) {
    if (!view.me.key) { return Promise.reject(new Error(messages.noKey)); }
    return seal.openWithPassphrase(view.me.key, passphrase).catch(function () {
      throw new Error(messages.wrong);
    }).then(function (d) {
      var mine = { d: d, publicRaw: seal.unb64u(view.me.key.public) };
      var publics = {};
      view.keys.forEach(function (k) { publics[k.kid] = k.public; });
      return Promise.all(view.me.copies.map(function (c) {
        var publicRaw = seal.unb64u(publics[c.unit_kid]);
        return seal.unwrap(c.wrapped, mine.d, mine.publicRaw, "unit").then(function (unitD) {
          return { kid: c.unit_kid, d: unitD, publicRaw: publicRaw };
        });
      })).then(function (units) {
        if (!units.length) { throw new Error(messages.noCopy); }
        return { mine: mine, units: units };
      });
    });
  }

  function messagesOf(el) {
    return {
      wrong: el.getAttribute("data-msg-wrong"),
      noCopy: el.getAttribute("data-msg-no-copy"),
      noKey: el.getAttribute("data-msg-no-copy"),
      unlocking: el.getAttribute("data-msg-unlocking"),
      short: el.getAttribute("data-msg-short"),
      mismatch: el.getAttribute("data-msg-mismatch")
    };
  }

  // --- Opening a tip -------------------------------------------------------------------------------

  function startTip(form) {
    var unit = form.getAttribute("data-unit");
    var id = form.getAttribute("data-tip-id");
    var base = "/api/v1/units/" + encodeURIComponent(unit) + "/tips/" + encodeURIComponent(id);
    var opened = document.querySelector("[data-tip-opened]");
    var messages = messagesOf(form);
    var replyKey = null;
    var reportKey = null;

    // The case's internal notes, opened with the report key.
    function showNotes() {
      var ol = $(opened, "[data-tip-notes]");
      return api(base + "/case", { credentials: "same-origin" }).then(function (c) {
        var names = {};
        c.handlers.forEach(function (h) { names[h.id] = h.name; });
        return Promise.all(c.notes.map(function (n) {
          return seal.openNote(reportKey, n.sealed).catch(function () { return "…"; })
            .then(function (text) { return messageItem(false, names[n.staff] || "", n.at, text); });
        }));
      }).then(function (items) {
        ol.textContent = "";
        items.forEach(function (li) { ol.appendChild(li); });
      });
    }

    function showMessages(list) {
      var ol = $(opened, "[data-tip-messages]");
      ol.textContent = "";
      return Promise.all(list.map(function (m) {
        return seal.openMessage(replyKey, m.author, m.sealed).catch(function () { return "…"; })
          .then(function (text) {
            var fromUnit = m.author === "unit";
            return messageItem(fromUnit, opened.getAttribute(fromUnit ? "data-from-unit" : "data-from-reporter"),
              m.at, text);
          });
      })).then(function (items) { items.forEach(function (li) { ol.appendChild(li); }); });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      say(form, "[data-tip-error]", "");
      say(form, "[data-tip-progress]", messages.unlocking);
      var passphrase = document.getElementById("passphrase").value;
      var keys;
      keysOf(unit).then(function (view) {
        return unlock(view, passphrase, messages);
      }).then(function (k) {
        keys = k;
        return api(base, { credentials: "same-origin" });
      }).then(function (tip) {
        var kids = tip.envelope.recipients.map(function (r) { return r.kid; });
        var key = keys.units.filter(function (u) { return kids.indexOf(u.kid) >= 0; })[0];
        if (!key) { throw new Error(messages.noCopy); }
        return seal.openReport(tip.envelope, key.d, key.publicRaw).then(function (openedReport) {
          return { tip: tip, body: openedReport.body, reportKey: openedReport.reportKey };
        });
      }).then(function (o) {
        document.getElementById("passphrase").value = "";
        form.hidden = true;
        replyKey = seal.unb64u(o.body.reply_key);
        reportKey = o.reportKey;
        $(opened, "[data-tip-description]").textContent = o.body.description;
        // Whether the reporter's browser sealed it, or the server did because it could not.
        say(opened, "[data-tip-sealed-by]", opened.getAttribute("data-sealed-by-" + o.body.sealed_by));
        var dl = $(opened, "[data-tip-details]");
        Object.keys(o.body.details || {}).forEach(function (name) {
          var dt = document.createElement("dt");
          dt.textContent = opened.getAttribute("data-detail-" + name) || name;
          var dd = document.createElement("dd");
          dd.textContent = o.body.details[name];
          dl.appendChild(dt);
          dl.appendChild(dd);
        });
        var ul = $(opened, "[data-tip-attachments]");
        (o.body.attachments || []).forEach(function (entry, index) {
          var li = document.createElement("li");
          li.setAttribute("data-attachment", String(index));
          var button = document.createElement("button");
          button.type = "button";
          button.className = "linklike";
          button.textContent = entry.name + " (" + Math.ceil(entry.size / 1024) + " KB)";
          button.addEventListener("click", function () {
            api(base + "/attachments/" + index, { credentials: "same-origin" }).then(function (ct) {
              return seal.openAttachment(o.reportKey, entry, new Uint8Array(ct));
            }).then(function (bytes) {
              // A picture is shown in place (as a data: address, which the page's policy
              // allows for images); every file can also be saved.
              if (/^image\/(jpeg|png|webp|gif)$/.test(entry.type) && !li.querySelector("img")) {
                var img = document.createElement("img");
                img.alt = entry.name;
                img.className = "tip-photo";
                img.src = "data:" + entry.type + ";base64," + base64(bytes);
                li.appendChild(img);
              }
              download(entry.name, bytes, entry.type);
            }).catch(function (error) { say(form, "[data-tip-error]", error.message); form.hidden = false; });
          });
          li.appendChild(button);
          ul.appendChild(li);
        });
        opened.hidden = false;
        opened.focus();
        return Promise.all([showMessages(o.tip.messages), showNotes()]);
      }).catch(function (error) {
        say(form, "[data-tip-error]", error.message);
      }).then(function () { say(form, "[data-tip-progress]", ""); });
    });

    var reply = document.querySelector("form[data-tip-reply]");
    reply.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = reply.elements.reply.value.trim().normalize("NFC");
      if (!replyKey || !text) { return; }
      seal.sealMessage(replyKey, "unit", text).then(function (sealed) {
        return api(base + "/messages", jsonOptions("POST", { sealed: sealed }));
      }).then(function () {
        reply.elements.reply.value = "";
        return api(base, { credentials: "same-origin" });
      }).then(function (tip) { return showMessages(tip.messages); })
        .catch(function (error) { say(form, "[data-tip-error]", error.message); form.hidden = false; });
    });

    var note = document.querySelector("form[data-tip-note]");
    note.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = note.elements.note.value.trim().normalize("NFC");
      if (!reportKey || !text) { return; }
      seal.sealNote(reportKey, text).then(function (sealed) {
        return api(base + "/notes", jsonOptions("POST", { sealed: sealed }));
      }).then(function () {
        note.elements.note.value = "";
        return showNotes();
      }).catch(function (error) { say(form, "[data-tip-error]", error.message); form.hidden = false; });
    });

    // A transfer: the report key, opened here, is wrapped to the receiving unit's current key
    // and sent; the server adds it to the envelope and never sees the report key itself.
    var transfer = document.querySelector("form[data-tip-transfer]");
    if (transfer) {
      transfer.addEventListener("submit", function (event) {
        event.preventDefault();
        var to = transfer.elements.to.value.trim();
        var keep = transfer.elements.keep.checked;
        if (!reportKey || !to) { return; }
        say(transfer, "[data-tip-error]", "");
        api("/api/v1/tip-units/" + encodeURIComponent(to) + "/key", { credentials: "same-origin" })
          .then(function (target) {
            return seal.wrap(reportKey, seal.unb64u(target.public), "report");
          }).then(function (wrapped) {
            return api(base + "/transfer", jsonOptions("POST", { to: to, keep: keep, wrapped: wrapped }));
          }).then(function () {
            say(transfer, "[data-tip-transfer-done]", transfer.getAttribute("data-msg-done"));
            window.location.href = keep ? window.location.pathname : transfer.getAttribute("data-inbox");
          }).catch(function (error) { say(transfer, "[data-tip-error]", error.message); });
      });
    }
  }

  // --- The keys page -------------------------------------------------------------------------------

  function startKeys(root) {
    var unit = root.getAttribute("data-unit");
    var me = Number(root.getAttribute("data-me"));
    var base = "/api/v1/units/" + encodeURIComponent(unit) + "/tip-keys";
    var messages = messagesOf(root);

    // Runs a key action, then shows the page again (with `after` as its query, to say more).
    function run(work, after) {
      say(root, "[data-tip-error]", "");
      say(root, "[data-tip-progress]", messages.unlocking);
      return work().then(function () {
        if (after) { window.location.search = after; } else { window.location.reload(); }
      }).catch(function (error) {
        say(root, "[data-tip-error]", error.message);
        say(root, "[data-tip-progress]", "");
      });
    }

    var myKey = $(root, "form[data-tip-my-key]");
    myKey.addEventListener("submit", function (event) {
      event.preventDefault();
      var a = document.getElementById("new-passphrase").value.normalize("NFC");
      var b = document.getElementById("new-passphrase-2").value.normalize("NFC");
      if (a.length < 12) { say(root, "[data-tip-error]", messages.short); return; }
      if (a !== b) { say(root, "[data-tip-error]", messages.mismatch); return; }
      run(function () {
        return seal.generateKeyPair().then(function (pair) {
          return seal.sealWithPassphrase(pair.d, pair.publicRaw, a);
        }).then(function (sealed) {
          return api(base + "/mine", jsonOptions("PUT", sealed));
        });
      });
    });

    // Creating the unit's first key, or replacing it: a new pair, wrapped to the officer's own
    // key and, on a replacement, to every colleague who holds the current one.
    var unitKey = $(root, "form[data-tip-unit-key]");
    unitKey.addEventListener("submit", function (event) {
      event.preventDefault();
      var passphrase = document.getElementById("unit-passphrase").value;
      run(function () {
        var view;
        return keysOf(unit).then(function (v) {
          view = v;
          if (!view.me.key) { throw new Error(messages.noKey); }
          return seal.openWithPassphrase(view.me.key, passphrase).catch(function () {
            throw new Error(messages.wrong);
          });
        }).then(function () {
          return seal.generateKeyPair();
        }).then(function (pair) {
          var current = view.keys.filter(function (k) { return !k.retired_at; })[0];
          var holders = view.officers.filter(function (o) {
            return o.staff === me || (current && o.public && o.holds.indexOf(current.kid) >= 0);
          });
          if (!holders.some(function (o) { return o.staff === me; })) {
            holders.push({ staff: me, public: view.me.key.public });
          }
          return Promise.all(holders.map(function (o) {
            var officerPublic = o.staff === me ? view.me.key.public : o.public;
            return seal.wrap(pair.d, seal.unb64u(officerPublic), "unit").then(function (wrapped) {
              return { staff: o.staff, wrapped: wrapped };
            });
          })).then(function (copies) {
            return seal.kid(pair.publicRaw).then(function (kid) {
              return api(base, jsonOptions("POST",
                { kid: kid, public: seal.b64u(pair.publicRaw), copies: copies }));
            });
          });
        });
      });
    });

    var keyFile = $(root, "form[data-tip-key-file]");
    if (keyFile) {
      keyFile.addEventListener("submit", function (event) {
        event.preventDefault();
        var passphrase = document.getElementById("file-passphrase").value;
        say(root, "[data-tip-error]", "");
        keysOf(unit).then(function (view) { return unlock(view, passphrase, messages); })
          .then(function (k) {
            var file = k.units.map(function (u) {
              return { kid: u.kid, "public": seal.b64u(u.publicRaw), "private": seal.b64u(u.d) };
            });
            document.getElementById("file-passphrase").value = "";
            download("khoa-don-vi-" + unit + ".json", utf8(JSON.stringify(file, null, 2)), "application/json");
          }).catch(function (error) { say(root, "[data-tip-error]", error.message); });
      });
    }

    // Giving a colleague every unit key this officer holds, wrapped to the colleague's key.
    root.querySelectorAll("[data-grant]").forEach(function (button) {
      button.addEventListener("click", function () {
        var staff = Number(button.getAttribute("data-grant"));
        var passphrase = document.getElementById("grant-passphrase").value;
        run(function () {
          var view;
          return keysOf(unit).then(function (v) {
            view = v;
            return unlock(view, passphrase, messages);
          }).then(function (k) {
            var colleague = view.officers.filter(function (o) { return o.staff === staff; })[0];
            if (!colleague || !colleague.public) { throw new Error(messages.noKey); }
            return Promise.all(k.units.map(function (u) {
              return seal.wrap(u.d, seal.unb64u(colleague.public), "unit").then(function (wrapped) {
                return { unit_kid: u.kid, staff: staff, wrapped: wrapped };
              });
            }));
          }).then(function (copies) {
            return api(base + "/grants", jsonOptions("POST", { copies: copies }));
          });
        });
      });
    });

    root.querySelectorAll("[data-revoke]").forEach(function (button) {
      button.addEventListener("click", function () {
        var staff = button.getAttribute("data-revoke");
        run(function () {
          return api(base + "/grants/" + encodeURIComponent(staff), { method: "DELETE", credentials: "same-origin" });
        }, "?revoked=1");
      });
    });
  }

  document.querySelectorAll("form[data-tip-form]").forEach(startForm);
  document.querySelectorAll("form[data-tip-receipt]").forEach(startReceipt);
  document.querySelectorAll("form[data-tip-unlock]").forEach(startTip);
  document.querySelectorAll("[data-tip-keys]").forEach(startKeys);
})();
