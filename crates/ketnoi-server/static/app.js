// ketnoi progressive enhancement. Every page works without this file; with it, following an
// account happens in place (no page reload), and the error summary takes focus so screen
// readers announce it.
(function () {
  "use strict";

  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }

  document.querySelectorAll("form[data-follow]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch) { return; }
      event.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      }).then(function (state) {
        var root = form.closest("[data-account]") || document;
        form.action = state.next_action;
        button.textContent = state.button_label;
        var status = root.querySelector("[data-follow-status]");
        if (status) { status.textContent = state.message; }
        var count = root.querySelector("[data-follower-count]");
        if (count) { count.textContent = state.follower_label; }
      }).catch(function () {
        // Fall back to the ordinary form post, which always works.
        form.submit();
      }).finally(function () {
        button.disabled = false;
      });
    });
  });
})();

// The menu editor of the front desk: the preview follows the fields as they are typed, drawn by
// the server (the same preview the "Xem trước" button posts for). Without this script the button
// does it.
(function () {
  "use strict";
  var form = document.querySelector("form[data-menu-editor]");
  var area = document.querySelector("[data-menu-preview-area]");
  if (!form || !area || !window.fetch || !window.DOMParser) { return; }
  var timer = null;
  var asked = 0;
  function refresh() {
    var data = new FormData(form);
    data.set("do", "preview");
    var mine = ++asked;
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(data),
      credentials: "same-origin"
    }).then(function (response) {
      return response.text();
    }).then(function (html) {
      if (mine !== asked) { return; }
      var page = new DOMParser().parseFromString(html, "text/html");
      var fresh = page.querySelector("[data-menu-preview-area]");
      if (fresh) { area.innerHTML = fresh.innerHTML; }
    }).catch(function () { /* the button still works */ });
  }
  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();

// Conversations: live updates over the WebSocket, sending without reloading (pictures are
// shrunk in the browser first), delivery and "seen" marks, and a retry that can never send a
// message twice (the client id stays the same). Without this script the forms post and reload.
(function () {
  "use strict";

  var chat = document.querySelector("[data-chat]");
  var inbox = document.querySelector("[data-inbox]");
  var feed = document.querySelector("[data-live-feed]");
  if ((!chat && !inbox && !feed) || !window.WebSocket || !window.fetch || !window.JSON) { return; }

  var MAX_SIDE = 1600;          // photos are shrunk to at most this many pixels a side
  var SHRINK_OVER = 1024 * 1024; // …when larger than this many bytes or pixels allow
  var live = document.querySelector("[data-chat-live]");

  function randomId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return "web-" + Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  // "2026-11-29T02:51:12.891+07:00" → "29/11/2026 02:51", as the server writes it.
  function shownTime(rfc3339) {
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(rfc3339 || "");
    return m ? m[3] + "/" + m[2] + "/" + m[1] + " " + m[4] + ":" + m[5] : "";
  }

  // A new tip for a unit whose key the officer holds: a notice at the top of the page, naming
  // the unit and linking its inbox, and nothing of the tip.
  function showTipNotice(frame) {
    var main = document.querySelector("main") || document.body;
    var box = document.querySelector("[data-tip-notice]");
    if (!box) {
      box = document.createElement("div");
      box.className = "notice";
      box.setAttribute("role", "status");
      box.setAttribute("data-tip-notice", "");
      main.insertBefore(box, main.firstChild);
    }
    var english = (document.documentElement.lang || "vi").indexOf("en") === 0;
    var p = document.createElement("p");
    var a = document.createElement("a");
    a.href = frame.href;
    a.textContent = (english ? "New tip for " : "Tin báo mới cho ") + frame.unit_name;
    p.appendChild(a);
    box.textContent = "";
    box.appendChild(p);
  }

  // One WebSocket that reconnects with growing pauses and asks to resume each time.
  function connect(onHello, onFrame) {
    var delay = 1000;
    var socket;
    function open() {
      var scheme = location.protocol === "https:" ? "wss://" : "ws://";
      socket = new WebSocket(scheme + location.host + "/api/v1/ws");
      socket.onmessage = function (event) {
        var frame;
        try { frame = JSON.parse(event.data); } catch (e) { return; }
        if (frame.type === "hello") {
          delay = 1000;
          if (live) { live.textContent = ""; }
          socket.send(JSON.stringify(onHello()));
        } else if (frame.type === "reset") {
          location.reload();
        } else if (frame.type === "tip-new") {
          showTipNotice(frame);
        } else {
          onFrame(frame);
        }
      };
      socket.onclose = function (event) {
        if (event.code === 4401) { return; } // signed out: nothing to resume
        if (live && chat) { live.textContent = chat.dataset.tReconnecting; }
        setTimeout(open, delay);
        delay = Math.min(delay * 2, 15000);
      };
    }
    open();
    return {
      send: function (frame) {
        if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(frame)); }
      }
    };
  }

  if (chat) { startChat(chat); }
  if (inbox) { startInbox(inbox); }
  if (feed && !chat) { startFeed(feed); }

  // A broadcast as a card, built with text nodes only: its words are never read as markup.
  function broadcastCard(frame, texts) {
    var li = document.createElement("li");
    li.className = "news-card" + (frame.emergency ? " news-emergency" : "");
    li.setAttribute("data-broadcast", "");
    li.setAttribute("data-live", "");
    if (frame.emergency) {
      var label = document.createElement("p");
      label.className = "news-alert-label";
      var strong = document.createElement("strong");
      strong.textContent = texts.alert + ": " + frame.emergency.event;
      label.appendChild(strong);
      li.appendChild(label);
    }
    var meta = document.createElement("p");
    meta.className = "meta";
    meta.textContent = frame.account.name + " · " + shownTime(frame.sent_at);
    li.appendChild(meta);
    var text = document.createElement("p");
    text.className = "news-text";
    text.textContent = frame.text;
    li.appendChild(text);
    var links = (frame.buttons || []).filter(function (b) { return b.type === "link"; });
    if (frame.article) { links.push({ label: frame.article.title, url: frame.article.url }); }
    if (links.length) {
      var row = document.createElement("p");
      row.className = "quick-replies";
      links.forEach(function (b) {
        var a = document.createElement("a");
        a.className = "button button-secondary";
        a.href = b.url;
        a.textContent = b.label;
        row.appendChild(a);
      });
      li.appendChild(row);
    }
    var open = document.createElement("p");
    var link = document.createElement("a");
    link.href = frame.url;
    link.textContent = texts.open;
    open.appendChild(link);
    li.appendChild(open);
    return li;
  }

  function showAlert(frame) {
    var banner = document.querySelector("[data-alert-banner]");
    if (!frame.emergency || !banner) { return; }
    banner.textContent = "";
    var head = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = (feed || chat).dataset.tAlert + ": " + frame.emergency.event;
    head.appendChild(strong);
    head.appendChild(document.createTextNode(" — " + frame.account.name));
    var body = document.createElement("p");
    body.textContent = frame.text;
    banner.appendChild(head);
    banner.appendChild(body);
    banner.hidden = false;
  }

  function startFeed(list) {
    var texts = { alert: list.dataset.tAlert, open: list.dataset.tOpen };
    connect(function () { return { type: "resume" }; }, function (frame) {
      if (frame.type !== "broadcast") { return; }
      var empty = list.querySelector("[data-empty]");
      if (empty) { empty.remove(); }
      list.prepend(broadcastCard(frame, texts));
      showAlert(frame);
      if (live) { live.textContent = frame.account.name + ": " + frame.text; }
    });
  }

  function startChat(root) {
    var role = root.dataset.role;
    var mySide = role === "citizen" ? "citizen" : "account";
    var account = Number(root.dataset.account);
    var conversation = root.dataset.conversation ? Number(root.dataset.conversation) : null;
    var lastSeq = Number(root.dataset.lastSeq) || 0;
    var inboxSeq = Number(root.dataset.inboxSeq) || 0;
    var list = root.querySelector("[data-bubbles]");
    var form = root.querySelector("form[data-composer]");
    var pending = {}; // client id → bubble

    var socket = connect(function () {
      if (role === "citizen") {
        var cursors = {};
        if (conversation) { cursors[conversation] = lastSeq; }
        return { type: "resume", conversations: cursors };
      }
      var accounts = {};
      accounts[account] = inboxSeq;
      return { type: "resume", accounts: accounts };
    }, function (frame) {
      if (frame.type === "broadcast") {
        var notices = document.querySelector("[data-notices]");
        if (!notices || frame.account.id !== account) { return; }
        notices.prepend(broadcastCard(frame, { alert: notices.dataset.tAlert, open: notices.dataset.tOpen }));
        notices.closest("[data-notices-section]").hidden = false;
        if (frame.emergency) {
          var banner = document.querySelector("[data-alert-banner]");
          if (!banner) {
            banner = document.createElement("div");
            banner.className = "alert-banner";
            banner.setAttribute("role", "alert");
            banner.setAttribute("data-alert-banner", "");
            root.parentNode.insertBefore(banner, notices.closest("[data-notices-section]"));
          }
          chat.dataset.tAlert = notices.dataset.tAlert;
          showAlert(frame);
        }
        return;
      }
      if (frame.type === "presence") { showPresence(frame); return; }
      if (frame.type === "resumed") { signal("viewing"); return; }
      var conv = frame.conversation;
      if (frame.type === "event") {
        inboxSeq = Math.max(inboxSeq, frame.seq);
      }
      // Officers follow the inbox that holds the conversation (it may have been handed over
      // from another account); citizens, the account they wrote to.
      var whose = role === "citizen" ? (conv && conv.account) : frame.account;
      if (!conv || whose !== account) { return; }
      if (conversation === null && role === "citizen") { conversation = conv.id; }
      if (conv.id !== conversation) { return; }
      if (frame.message) { show(frame.message); }
      markSeen(conv.peer_read_seq);
    });

    // Officers on the same conversation see each other: who is looking, who is typing.
    var presence = root.querySelector("[data-presence]");
    var others = {}; // staff id → { name, state, until }
    var me = Number(root.dataset.me) || 0;
    function showPresence(frame) {
      if (!presence || frame.conversation !== conversation || frame.staff === me) { return; }
      if (frame.state === "left") {
        delete others[frame.staff];
      } else {
        var ttl = frame.state === "typing" ? 6000 : 45000;
        others[frame.staff] = { name: frame.name, state: frame.state, until: Date.now() + ttl };
      }
      drawPresence();
    }
    function drawPresence() {
      if (!presence) { return; }
      var now = Date.now();
      var lines = [];
      Object.keys(others).forEach(function (id) {
        var o = others[id];
        if (o.until < now) { delete others[id]; return; }
        var text = o.state === "typing" ? presence.dataset.tTyping : presence.dataset.tViewing;
        lines.push(text.replace("{name}", o.name));
      });
      presence.textContent = lines.join(" · ");
    }
    var lastTyping = 0;
    function signal(state) {
      if (role !== "staff" || !conversation) { return; }
      socket.send({ type: "presence", conversation: conversation, state: state });
    }
    if (presence) {
      setInterval(function () { signal("viewing"); drawPresence(); }, 20000);
      window.addEventListener("pagehide", function () { signal("left"); });
    }

    function readUpTo(seq) {
      if (!form || document.visibilityState === "hidden") { return; }
      socket.send({ type: "read", conversation: conversation, seq: seq });
    }
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && conversation && lastSeq > 0) { readUpTo(lastSeq); }
    });

    function markSeen(peerRead) {
      list.querySelectorAll("li.mine[data-seq]").forEach(function (li) {
        var state = li.querySelector("[data-state]");
        if (state && Number(li.dataset.seq) <= peerRead) { state.textContent = root.dataset.tSeen; }
      });
    }

    function bubble(mine) {
      var empty = list.querySelector("[data-empty]");
      if (empty) { empty.remove(); }
      var li = document.createElement("li");
      li.className = "bubble" + (mine ? " mine" : "");
      list.appendChild(li);
      return li;
    }

    function fill(li, message, who, state) {
      li.textContent = "";
      if (who) {
        var w = document.createElement("span");
        w.className = "who";
        w.textContent = who;
        li.appendChild(w);
      }
      var a = message.attachment;
      if (a && a.width) {
        var link = document.createElement("a");
        link.href = a.url;
        var img = document.createElement("img");
        img.src = a.url;
        img.width = a.width;
        img.height = a.height;
        img.alt = root.dataset.tImage;
        link.appendChild(img);
        li.appendChild(link);
      } else if (a) {
        var file = document.createElement("a");
        file.className = "file";
        file.href = a.url;
        file.textContent = a.name;
        li.appendChild(file);
      }
      if (message.text) {
        var text = document.createElement("span");
        text.className = "text";
        text.textContent = message.text;
        li.appendChild(text);
      }
      if (message.buttons && message.buttons.length) {
        li.appendChild(quickReplies(message));
      }
      var when = document.createElement("span");
      when.className = "when";
      when.textContent = shownTime(message.created_at);
      if (state !== null) {
        var s = document.createElement("span");
        s.setAttribute("data-state", "");
        s.textContent = state;
        when.appendChild(document.createTextNode(when.textContent ? " · " : ""));
        when.appendChild(s);
      }
      li.appendChild(when);
      if (message.seq) { li.dataset.seq = message.seq; }
    }

    // A message's buttons: links open, quick replies send their text as the citizen's next
    // message (the same form the page renders without JavaScript).
    function quickReplies(message) {
      var box = document.createElement("div");
      box.className = "quick-replies";
      var csrf = form && form.querySelector("input[name=csrf]");
      message.buttons.forEach(function (b, i) {
        if (b.type === "link") {
          var a = document.createElement("a");
          a.className = "button button-secondary";
          a.href = b.url;
          a.textContent = b.label;
          box.appendChild(a);
        } else if (role === "citizen" && form) {
          var f = document.createElement("form");
          f.method = "post";
          f.action = form.action;
          f.enctype = "multipart/form-data";
          f.setAttribute("data-quick-reply", "");
          [["csrf", csrf ? csrf.value : ""], ["client_msg_id", "tap-" + message.seq + "-" + i], ["text", b.text]].forEach(function (pair) {
            var input = document.createElement("input");
            input.type = "hidden";
            input.name = pair[0];
            input.value = pair[1];
            f.appendChild(input);
          });
          var button = document.createElement("button");
          button.className = "button button-secondary";
          button.type = "submit";
          button.textContent = b.label;
          f.appendChild(button);
          box.appendChild(f);
        } else {
          var span = document.createElement("span");
          span.className = "quick-reply";
          span.textContent = b.label;
          box.appendChild(span);
        }
      });
      return box;
    }

    function show(message) {
      // A notice from the platform (a handover) is nobody's own message.
      var system = message.kind === "system";
      var mine = !system && message.side === mySide;
      if (message.seq <= lastSeq && !pending[message.client_msg_id]) {
        if (list.querySelector('li[data-seq="' + message.seq + '"]')) { return; }
      }
      var li = pending[message.client_msg_id] || list.querySelector('li[data-seq="' + message.seq + '"]');
      if (mine && pending[message.client_msg_id]) { delete pending[message.client_msg_id]; }
      if (!li) { li = bubble(mine); }
      if (system) { li.classList.add("system"); }
      var who = system ? root.dataset.tSystem :
        (mine ? root.dataset.tYou : (role === "staff" ? (message.author_name || "") : ""));
      fill(li, message, who, mine ? root.dataset.tSent : null);
      lastSeq = Math.max(lastSeq, message.seq);
      li.scrollIntoView({ block: "end" });
      if (!mine) { readUpTo(message.seq); }
    }

    if (!form) { return; }
    var textarea = form.querySelector("textarea");
    textarea.addEventListener("input", function () {
      if (Date.now() - lastTyping > 3000) { lastTyping = Date.now(); signal("typing"); }
    });
    var fileInput = form.querySelector("input[type=file]");
    var idInput = form.querySelector("input[name=client_msg_id]");

    // Shrinks a large photo to a JPEG of at most MAX_SIDE pixels a side.
    function shrink(file) {
      return new Promise(function (resolve) {
        if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) { return resolve(file); }
        createImageBitmap(file).then(function (bitmap) {
          var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
          if (scale === 1 && file.size <= SHRINK_OVER) { return resolve(file); }
          var canvas = document.createElement("canvas");
          canvas.width = Math.round(bitmap.width * scale);
          canvas.height = Math.round(bitmap.height * scale);
          canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
          canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", 0.85);
        }).catch(function () { resolve(file); });
      });
    }

    function problem(response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        var error = new Error(body.title || String(response.status));
        error.final = response.status >= 400 && response.status < 500;
        throw error;
      });
    }

    function post(job) {
      var li = job.li;
      fill(li, { text: job.text, created_at: "", attachment: null }, root.dataset.tYou, root.dataset.tSending);
      var upload = Promise.resolve(job.attachment);
      if (job.file && job.attachment === null) {
        upload = shrink(job.file).then(function (blob) {
          var name = job.file.name.replace(/\.(png|webp|heic|heif)$/i, ".jpg");
          return fetch(root.dataset.apiUpload + "?name=" + encodeURIComponent(blob === job.file ? job.file.name : name), {
            method: "POST", body: blob, credentials: "same-origin",
            headers: { "Content-Type": blob.type || "application/octet-stream" }
          });
        }).then(function (response) {
          if (!response.ok) { return problem(response); }
          return response.json();
        }).then(function (attachment) {
          job.attachment = attachment.id;
          return attachment.id;
        });
      }
      upload.then(function (attachment) {
        var body = { client_msg_id: job.id, text: job.text };
        // Officers: the newest message on the page; a colleague's newer answer refuses this.
        var seen = form.querySelector("[data-after-seq]");
        if (seen) { body.after_seq = lastSeq; }
        if (attachment !== null) { body.attachment = attachment; }
        return fetch(root.dataset.apiSend, {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "Accept": "application/json" },
          body: JSON.stringify(body)
        });
      }).then(function (response) {
        if (!response.ok) { return problem(response); }
        return response.json();
      }).then(function (sent) {
        if (conversation === null) { conversation = sent.conversation.id; }
        if (pending[job.id]) {
          delete pending[job.id];
          fill(li, sent.message, root.dataset.tYou, root.dataset.tSent);
          lastSeq = Math.max(lastSeq, sent.message.seq);
        }
      }).catch(function (error) {
        var state = li.querySelector("[data-state]");
        if (state) { state.textContent = root.dataset.tFailed + (error.final ? " " + error.message : ""); }
        if (error.final) { delete pending[job.id]; return; }
        var retry = document.createElement("button");
        retry.type = "button";
        retry.className = "linklike retry";
        retry.textContent = root.dataset.tRetry;
        retry.addEventListener("click", function () { post(job); });
        li.appendChild(retry);
      });
    }

    list.addEventListener("submit", function (event) {
      var tapped = event.target;
      if (!tapped.matches || !tapped.matches("form[data-quick-reply]")) { return; }
      event.preventDefault();
      var id = tapped.querySelector("input[name=client_msg_id]").value;
      if (pending[id]) { return; }
      var job = { id: id, text: tapped.querySelector("input[name=text]").value, file: null, attachment: null, li: bubble(true) };
      pending[job.id] = job.li;
      job.li.scrollIntoView({ block: "end" });
      post(job);
    });

    form.addEventListener("submit", function (event) {
      var text = textarea.value.trim();
      var file = fileInput && fileInput.files && fileInput.files[0];
      if (!text && !file) { return; } // the server explains what is missing
      event.preventDefault();
      var job = { id: idInput.value, text: text, file: file || null, attachment: null, li: bubble(true) };
      pending[job.id] = job.li;
      idInput.value = randomId();
      textarea.value = "";
      if (fileInput) { fileInput.value = ""; }
      job.li.scrollIntoView({ block: "end" });
      post(job);
    });
  }

  function startInbox(list) {
    var account = Number(list.dataset.account);
    var inboxSeq = Number(list.dataset.inboxSeq) || 0;
    var status = list.dataset.status;
    // With the bot on, the open tab lists what needs a person and another the bot's own.
    var handler = list.dataset.handler || "";
    var searching = list.dataset.searching === "yes";
    // "me" or "none": a view of one officer's conversations or of the unassigned.
    var assigneeView = list.dataset.assignee || "";
    var me = Number(list.dataset.me) || 0;
    connect(function () {
      var accounts = {};
      accounts[account] = inboxSeq;
      return { type: "resume", accounts: accounts };
    }, function (frame) {
      if (frame.type !== "event" || frame.account !== account) { return; }
      inboxSeq = Math.max(inboxSeq, frame.seq);
      var conv = frame.conversation;
      var href = "/console/c/" + conv.id;
      var link = list.querySelector('a[href="' + href + '"]');
      var row = link && link.closest("li");
      // Handed over to another account's inbox, or no longer in this view.
      var gone = conv.handler != null && conv.handler !== account;
      var elsewhere = gone || (handler === "person" && conv.bot === "active") ||
        (handler === "bot" && conv.bot !== "active") ||
        (assigneeView === "none" && conv.assignee_id != null) ||
        (assigneeView === "me" && conv.assignee_id !== me);
      if (conv.status !== status || elsewhere) { if (row) { row.remove(); } return; }
      var arrived = !row;
      if (!row) {
        if (searching || (frame.event !== "message" && frame.event !== "assigned")) { return; }
        row = document.createElement("li");
        row.setAttribute("data-conversation-row", "");
        var a = document.createElement("a");
        a.href = href;
        a.textContent = conv.citizen_label;
        var meta = document.createElement("span");
        meta.className = "meta";
        meta.innerHTML = '<span data-preview></span> · <span data-time></span>';
        row.appendChild(a);
        row.appendChild(meta);
        var empty = document.querySelector("[data-inbox-empty]");
        if (empty) { empty.remove(); }
      }
      row.querySelector("[data-preview]").textContent = conv.preview;
      row.querySelector("[data-time]").textContent = shownTime(conv.last_message_at);
      var badge = row.querySelector("[data-unread]");
      if (conv.unread > 0) {
        if (!badge) {
          badge = document.createElement("span");
          badge.className = "badge";
          badge.setAttribute("data-unread", "");
          row.querySelector("a").after(document.createTextNode(" "), badge);
        }
        badge.textContent = conv.unread;
      } else if (badge) {
        badge.remove();
      }
      if (frame.event === "message" || arrived) { list.prepend(row); }
    });
  }
})();

// Notifications when the page is closed: a button on the news feed that subscribes this browser
// to Web Push with the server's key and registers the subscription. Only where the browser can
// (a secure context with service workers and the Push API); elsewhere the button stays hidden.
(function () {
  "use strict";

  var control = document.querySelector("[data-push-control]");
  var list = document.querySelector("[data-live-feed]");
  if (!control || !list || !window.isSecureContext || !("serviceWorker" in navigator) ||
      !("PushManager" in window) || !window.fetch) { return; }
  var status = control.querySelector("[data-push-status]");
  var on = control.querySelector("[data-push-on]");
  var off = control.querySelector("[data-push-off]");

  function key(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function show(subscribed, message) {
    on.hidden = subscribed;
    off.hidden = !subscribed;
    status.textContent = message || (subscribed ? list.dataset.tPushOn : list.dataset.tPushOff);
    control.hidden = false;
  }

  function send(method, body) {
    return fetch("/api/v1/me/push-subscriptions", {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) { if (!r.ok && r.status !== 404) { throw new Error(String(r.status)); } });
  }

  var registration = navigator.serviceWorker.register("/sw.js", { scope: "/" });
  registration.then(function (reg) { return reg.pushManager.getSubscription(); })
    .then(function (sub) { show(!!sub); })
    .catch(function () { control.hidden = true; });

  on.addEventListener("click", function () {
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { show(false, list.dataset.tPushDenied); return null; }
      return fetch("/api/v1/push/key").then(function (r) { return r.json(); }).then(function (k) {
        return registration.then(function (reg) {
          return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key(k.public_key) });
        });
      }).then(function (sub) { return send("POST", sub.toJSON()); }).then(function () { show(true); });
    }).catch(function () { show(false, list.dataset.tPushFailed); });
  });

  off.addEventListener("click", function () {
    registration.then(function (reg) { return reg.pushManager.getSubscription(); }).then(function (sub) {
      if (!sub) { return null; }
      return send("DELETE", { endpoint: sub.endpoint }).then(function () { return sub.unsubscribe(); });
    }).then(function () { show(false); }).catch(function () { show(true, list.dataset.tPushFailed); });
  });
})();

// Canned replies in an officer's composer: typing "/" and a few letters lists the matching
// replies (asked of the API, debounced); arrow keys and Enter, or a tap, put the reply's body,
// already filled in for the conversation, in place of what was typed. Without this, the
// "Mẫu trả lời" panel's links fill the composer through the page.
(function () {
  "use strict";

  var panel = document.querySelector("[data-canned]");
  var text = document.querySelector("form[data-composer] textarea[name=text]");
  if (!panel || !text || !window.fetch) { return; }

  var list = document.createElement("ul");
  list.className = "canned-suggest";
  list.id = "canned-suggest";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", panel.querySelector("summary").textContent);
  list.hidden = true;
  text.parentNode.appendChild(list);
  text.setAttribute("aria-controls", "canned-suggest");
  text.setAttribute("aria-autocomplete", "list");

  var replies = [];
  var active = -1;
  var timer = null;
  var asked = 0;

  // The "/word" being typed: from a "/" at the start of the text or after a space, to the caret.
  function typed() {
    var before = text.value.slice(0, text.selectionStart);
    var match = /(^|\s)\/([^\s\/]*)$/.exec(before);
    if (!match) { return null; }
    return { start: before.length - match[2].length - 1, query: match[2] };
  }

  function close() {
    list.hidden = true;
    list.innerHTML = "";
    replies = [];
    active = -1;
    text.removeAttribute("aria-activedescendant");
  }

  function highlight(i) {
    active = i;
    Array.prototype.forEach.call(list.children, function (li, n) {
      li.setAttribute("aria-selected", n === i ? "true" : "false");
    });
    if (i >= 0) { text.setAttribute("aria-activedescendant", "canned-option-" + i); }
  }

  function insert(reply) {
    var at = typed();
    if (!at) { close(); return; }
    var end = text.selectionStart;
    text.value = text.value.slice(0, at.start) + reply.body + text.value.slice(end);
    var caret = at.start + reply.body.length;
    text.setSelectionRange(caret, caret);
    close();
    text.focus();
  }

  function show(found) {
    list.innerHTML = "";
    replies = found;
    if (!found.length) {
      var none = document.createElement("li");
      none.className = "muted";
      none.textContent = panel.dataset.tEmpty;
      list.appendChild(none);
    }
    found.forEach(function (reply, i) {
      var li = document.createElement("li");
      li.id = "canned-option-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("data-canned-option", reply.shortcut);
      var strong = document.createElement("strong");
      strong.textContent = "/" + reply.shortcut;
      li.appendChild(strong);
      li.appendChild(document.createTextNode(" · " + reply.title));
      li.addEventListener("mousedown", function (event) { event.preventDefault(); });
      li.addEventListener("click", function () { insert(reply); });
      list.appendChild(li);
    });
    list.hidden = false;
    highlight(found.length ? 0 : -1);
  }

  function ask(query) {
    var mine = ++asked;
    fetch(panel.dataset.api + "?q=" + encodeURIComponent(query.replace(/[-_]/g, " ")), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.json();
    }).then(function (answer) {
      // Only the newest question's answer counts, and only while the "/" is still there.
      if (mine === asked && typed()) { show(answer.replies.slice(0, 8)); }
    }).catch(close);
  }

  text.addEventListener("input", function () {
    var at = typed();
    clearTimeout(timer);
    if (!at) { close(); return; }
    timer = setTimeout(function () { ask(at.query); }, 150);
  });

  text.addEventListener("keydown", function (event) {
    if (list.hidden || !replies.length) {
      if (event.key === "Escape") { close(); }
      return;
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : replies.length - 1;
      highlight((active + step) % replies.length);
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      insert(replies[active < 0 ? 0 : active]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });

  text.addEventListener("blur", function () { setTimeout(close, 200); });
})();
